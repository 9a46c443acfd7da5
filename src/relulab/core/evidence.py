"""The evidence tables every experiment family writes: claim statistics, figure/table manifest, values."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

CLAIM_COLUMNS = ["claim_id", "statistic", "value", "ci_low", "ci_high", "n_seeds", "evidence", "note"]
MANIFEST_COLUMNS = ["id", "kind", "path", "caption", "claims"]
KINDS = ("figure", "table")


def claim_row(claim_id: str, statistic: str, value: float, ci=None, n_seeds: int = 1, evidence: str = "",
              note: str = "") -> dict:
    """One claim statistic; without `ci` the value is exact/deterministic and the CI collapses onto it."""
    lo, hi = (value, value) if ci is None else ci
    return {"claim_id": claim_id, "statistic": statistic, "value": float(value), "ci_low": float(lo),
            "ci_high": float(hi), "n_seeds": int(n_seeds), "evidence": evidence, "note": note}


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


def _frame(rows, columns: list[str], what: str) -> pd.DataFrame:
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}; expected {columns}")
    return df[columns]


def validate_claims(df: pd.DataFrame) -> pd.DataFrame:
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
