"""The evidence tables every experiment family writes: claim statistics, figure/table manifest, values."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from relulab.core.stats import dropped_note

CLAIM_COLUMNS = ["claim_id", "statistic", "value", "ci_low", "ci_high", "n_seeds", "evidence", "note", "interval"]
OPTIONAL_CLAIM_COLUMNS = {"interval": ""}  # filled where an older or hand-made table lacks them
MANIFEST_COLUMNS = ["id", "kind", "path", "caption", "claims"]
KINDS = ("figure", "table")


def claim_row(claim_id: str, statistic: str, value: float, ci=None, n_seeds: int | None = None,
              evidence: str = "", note: str = "", n_dropped: int | None = None, interval: str | None = None) -> dict:
    """One claim statistic. `ci` is None (an exact/deterministic value: the CI collapses onto it), a
    (ci_low, ci_high) pair, or a core.stats.Interval, whose n (finite seeds that entered the statistic),
    n_dropped and method fill n_seeds, n_dropped and interval unless given. Dropped seeds are said in the note
    ('2 of 8 seeds gave a non-finite value ... and were dropped'); n_seeds defaults to 1 without an Interval."""
    if ci is None:
        lo, hi = value, value
        method = ""  # what kind of number it is (exact, extrapolated, by construction) is the note's to say
    elif hasattr(ci, "method"):
        lo, hi = ci[1], ci[2]
        method = ci.method
        n_seeds = ci.n if n_seeds is None else n_seeds
        n_dropped = ci.n_dropped if n_dropped is None else n_dropped
    else:
        lo, hi = ci
        method = ""
    n_seeds = 1 if n_seeds is None else int(n_seeds)
    dropped = dropped_note(n_seeds, int(n_dropped or 0))
    if dropped and dropped not in note:
        note = f"{note}; {dropped}" if note else dropped
    return {"claim_id": claim_id, "statistic": statistic, "value": float(value), "ci_low": float(lo),
            "ci_high": float(hi), "n_seeds": n_seeds, "evidence": evidence, "note": note,
            "interval": method if interval is None else interval}


def atomic_write_text(path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written output."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write_csv(df: pd.DataFrame, path) -> None:
    atomic_write_text(path, df.to_csv(index=False))


def rows_frame(rows, columns: list[str]) -> pd.DataFrame:
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=columns)


def _frame(rows, columns: list[str], what: str) -> pd.DataFrame:
    df = rows_frame(rows, columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}; expected {columns}")
    return df[columns]


def validate_claims(df: pd.DataFrame) -> pd.DataFrame:
    df = rows_frame(df, CLAIM_COLUMNS)
    df = df.assign(**{k: df[k].fillna(v) if k in df.columns else v for k, v in OPTIONAL_CLAIM_COLUMNS.items()})
    df = _frame(df, CLAIM_COLUMNS, "claims table")
    dup = df[df.duplicated(["claim_id", "statistic"])]
    if len(dup):
        raise ValueError(f"claims table repeats (claim_id, statistic): {dup[['claim_id', 'statistic']].values.tolist()}")
    return df


def validate_manifest(df: pd.DataFrame) -> pd.DataFrame:
    df = _frame(df, MANIFEST_COLUMNS, "manifest")
    bad = df[~df["kind"].isin(KINDS)]
    if len(bad):
        raise ValueError(f"manifest kinds must be in {KINDS}: {bad['id'].tolist()}")
    wrong = df[~df.apply(lambda r: r["id"].startswith("fig-" if r["kind"] == "figure" else "tbl-"), axis=1)]
    if len(wrong):
        raise ValueError(f"manifest ids must start with fig- (figures) or tbl- (tables): {wrong['id'].tolist()}")
    if df["id"].duplicated().any():
        raise ValueError(f"manifest repeats ids: {df[df['id'].duplicated()]['id'].tolist()}")
    return df


def write_claims(rows, path) -> None:
    atomic_write_csv(validate_claims(rows), path)


def write_manifest(rows, path) -> None:
    atomic_write_csv(validate_manifest(rows), path)


def write_values(values: dict, path) -> None:
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in values.items()}
    atomic_write_text(path, json.dumps(clean, indent=1, sort_keys=True, default=float))
