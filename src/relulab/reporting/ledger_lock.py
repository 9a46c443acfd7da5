"""The ledger lock: config/claims.lock holds, per claim, sha256 hashes of its statistic, decision and amended:
entry, so a decision rule cannot change silently.

    python -m relulab.reporting.ledger_lock           # check: exit 1 naming each claim that differs from the lock
    python -m relulab.reporting.ledger_lock --write   # regenerate the lock after a legitimate (dated) amendment

A claim whose statistic or decision changed is a violation unless its amended: entry changed too and starts
with a date (YYYY-MM-DD); --write refuses to write the lock while any violation remains.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from relulab.reporting.verdicts import DATE_START, load_ledger

ROOT = Path(__file__).resolve().parents[3]
LEDGER = ROOT / "config" / "claims.yaml"
LOCK = ROOT / "config" / "claims.lock"
WRITE = "python -m relulab.reporting.ledger_lock --write"
HEADER = ("# config/claims.lock: the claim ledger's rules, hashed (sha256 of canonical JSON). Do not edit by hand:\n"
          f"# after a dated amended: entry in config/claims.yaml, run `{WRITE}`.\n"
          "# id  {statistic,decision,amended}  {statistic,decision}  amended\n")


def digest(obj) -> str:
    """sha256 of the canonical JSON of obj (sorted keys, no whitespace, UTF-8)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def claim_hashes(claim: dict) -> tuple[str, str, str]:
    """(hash of {statistic, decision, amended}, hash of {statistic, decision}, hash of amended)."""
    rule = {"statistic": claim.get("statistic"), "decision": claim.get("decision")}
    amended = claim.get("amended")
    return digest({**rule, "amended": amended}), digest(rule), digest(amended)


def lock_text(ledger: dict) -> str:
    """The lock file for a ledger: the header, then one line per claim in ledger order."""
    return HEADER + "".join(f"{c['id']} {' '.join(claim_hashes(c))}\n" for c in ledger["claims"])


def read_lock(text: str) -> dict[str, tuple[str, ...]]:
    """{claim id: its three hashes} from a lock file's text."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cid, *hashes = line.split()
            out[cid] = tuple(hashes)
    return out


def problems(ledger: dict, lock: dict[str, tuple[str, ...]]) -> tuple[list[str], list[str]]:
    """(violations, stale): rules changed without a new dated amendment, and lawful changes the lock lacks."""
    violations, stale = [], []
    for c in ledger["claims"]:
        cid, now = c["id"], claim_hashes(c)
        old = lock.get(cid)
        if old is None:
            stale.append(f"claim {cid}: not in config/claims.lock (a new claim)")
        elif now[1] != (old[1:2] or ("",))[0]:
            if now[2] == (old[2:3] or ("",))[0]:
                violations.append(f"claim {cid}: its statistic or decision changed without a new amended: entry "
                                  "(date, what changed, why, whether results had been seen)")
            elif not DATE_START.match(str(c.get("amended") or "").strip()):
                violations.append(f"claim {cid}: its statistic or decision changed, but its amended: entry does "
                                  "not start with a date (YYYY-MM-DD)")
            else:
                stale.append(f"claim {cid}: rule amended (dated); the lock still holds the old rule")
        elif now != tuple(old):
            stale.append(f"claim {cid}: its amended: entry changed; the lock still holds the old one")
    ids = {c["id"] for c in ledger["claims"]}
    stale += [f"claim {cid}: in config/claims.lock but not in the ledger" for cid in lock if cid not in ids]
    return violations, stale


def main(argv: list[str] | None = None) -> int:
    """Check the ledger against the lock (exit 1 on any difference), or --write a new lock if no violation."""
    ap = argparse.ArgumentParser(prog="python -m relulab.reporting.ledger_lock", description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="regenerate the lock (refused while a rule changed "
                    "without a dated amended: entry)")
    ap.add_argument("--ledger", type=Path, default=LEDGER)
    ap.add_argument("--lock", type=Path, default=LOCK)
    args = ap.parse_args(argv)
    ledger = load_ledger(args.ledger)
    lock = read_lock(args.lock.read_text()) if args.lock.exists() else {}
    violations, stale = problems(ledger, lock)
    for line in violations:
        print(line, file=sys.stderr)
    if args.write:
        if violations:
            print("lock not written: amend the claims above first", file=sys.stderr)
            return 1
        args.lock.write_text(lock_text(ledger))
        print(f"wrote {args.lock} ({len(ledger['claims'])} claims)")
        return 0
    for line in stale:
        print(f"{line}; run `{WRITE}`", file=sys.stderr)
    return 1 if violations or stale else 0


if __name__ == "__main__":
    sys.exit(main())
