"""Benchmark: how often the early warning at mid-year comes true at year end, on generated teams.

For each seed, generate a team with a full year of data (to 2026-12-31), run the early warning of the
year 2026 as of the middle of the year (only data known by then is used), and compare with how each rep
ended the year: below 100% of quota (a miss) or not. Prints the confusion counts, precision (of the reps
flagged, how many missed) and recall (of the reps who missed, how many were flagged), and the median
error of the mid-year projection as a share of quota. Targets: precision >= 85% and recall >= 85%.

    .venv/bin/python bench/bench_early_warning.py --seeds 10
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb.diagnostics import early_warning  # noqa: E402
from salesnb.diagnostics.foresight import warning_at  # noqa: E402
from salesnb.generate import generate  # noqa: E402
from salesnb.load import load  # noqa: E402
from salesnb.metrics import metrics  # noqa: E402

DATA = ROOT / "bench" / "_data" / "early_warning"


def judge(folder: Path, at: str, end: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(flagged at `at`, missed by `end`, |projection - final| / quota, projected attainment at `at` for reps
    still short of quota then), per rep on the team throughout."""
    ds = load(folder)
    then, final = metrics(ds, "2026", at), metrics(ds, "2026", end)
    reps = then.reps.index[then.reps["active"].astype(bool)].intersection(
        final.reps.index[final.reps["active"].astype(bool)])
    quota = final.values["quota"].reindex(reps)
    reps = quota.index[quota > 0]
    ew, _ = warning_at(ds, then, reps, then.reps["role"])
    won = final.values["won_revenue"].reindex(reps).fillna(0.0)
    missed = won / quota[reps] < 1.0
    flagged = ew["at_risk"].reindex(reps).fillna(False).astype(bool)
    error = (ew["blended_projection"].reindex(reps) - won).abs() / quota[reps]
    open_gap = ew["gap"].reindex(reps) > 0
    return flagged, missed, error, ew["projected_attainment"].reindex(reps).where(open_gap)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=500)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--at", default="2026-06-30", help="the point of the year the warning is run (default mid-year)")
    ap.add_argument("--volume", type=float, default=1.0)
    args = ap.parse_args()
    tp = fp = fn = tn = 0
    errors, projected, misses = [], [], []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        out = DATA / f"s{seed}"
        generate(out, reps=args.reps, seed=seed, stories=False, as_of="2026-12-31", volume=args.volume)
        flagged, missed, error, attainment = judge(out, args.at, "2026-12-31")
        projected.append(attainment)
        misses.append(missed)
        tp += int((flagged & missed).sum())
        fp += int((flagged & ~missed).sum())
        fn += int((~flagged & missed).sum())
        tn += int((~flagged & ~missed).sum())
        errors += list(error.dropna())
        shutil.rmtree(out, ignore_errors=True)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"teams: {args.seeds} seeds x {args.reps} reps; warning as of {args.at}, outcome at 2026-12-31")
    print(f"confusion: flagged & missed {tp}, flagged & made it {fp}, not flagged & missed {fn}, "
          f"not flagged & made it {tn}")
    print(f"precision {precision:.1%} (target >= 85%); recall {recall:.1%} (target >= 85%)")
    print(f"mid-year projection, median error: {np.median(errors):.1%} of quota")
    # the trade-off the threshold (early_warning.MATERIAL) sets: flag below t of quota
    proj, miss = pd.concat(projected, ignore_index=True), pd.concat(misses, ignore_index=True)
    print("flag below t of quota, t: precision / recall (the product uses "
          f"{early_warning.MATERIAL:.2f})")
    for t in (0.90, 0.93, 0.95, 0.97, 1.00, 1.03):
        f = proj < t
        p = (f & miss).sum() / max(f.sum(), 1)
        r = (f & miss).sum() / max(miss.sum(), 1)
        print(f"  {t:.2f}: {p:.1%} / {r:.1%}")


if __name__ == "__main__":
    main()
