"""Do the funnel's step rates seen mid-period match what the same deals went on to do?

A deal that reached a step days ago has not been decided there yet. Counting the young deals that moved on
quickly while their slower siblings wait lifts a step's rate; the funnel counts only the deals that reached a
step long enough ago to be decided there (`salesnb.metrics.funnel`). This bench generates teams with data to the
end of 2026, reads each step's rate for a window as of its last day (the first half year; the third quarter),
and compares with the rate of the same window's deals seen at year end (by then nearly all decided), with the
stage history and without it (furthest_stage only). It prints the mean bias in points per step and how many
deals the rates rest on, beside the same rates with no cut (every decided deal of the window, as before; the
lead step keeps its own cut of young leads in both columns).

    .venv/bin/python bench/bench_funnel_settling.py             # 4 seeds x 24 reps
    .venv/bin/python bench/bench_funnel_settling.py --seeds 2

Target: |bias| below 2 points at every step, with and without a stage history.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb.generate import generate  # noqa: E402
from salesnb.load import load  # noqa: E402
from salesnb.metrics import funnel  # noqa: E402

WINDOWS = {"first half": ("2026-01-01..2026-06-30", "2026-06-30"), "Q3": ("2026-Q3", "2026-09-30")}
END = "2026-12-31"
FIRST_SEED = 3000
TARGET = 0.02


def _no_cut(entered, o, idx, pa, pz, as_of_day):
    return np.ones(len(idx), dtype=bool), 0


def rates(ds, period, as_of) -> pd.DataFrame:
    f = funnel.funnel_counts(ds, period, as_of).groupby("step")[["reached", "advanced"]].sum()
    return f.assign(rate=f["advanced"] / f["reached"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--reps", type=int, default=24)
    args = ap.parse_args(argv)
    rows = []
    cut = funnel._settled_at
    with tempfile.TemporaryDirectory(prefix="settling-") as tmp:
        for seed in range(FIRST_SEED, FIRST_SEED + args.seeds):
            out = Path(tmp) / str(seed)
            generate(out, seed=seed, stories=False, as_of=END, fmt="parquet", reps=args.reps, volume=1.0)
            ds = load(out)
            stage_only = dataclasses.replace(ds, stage_history=None)
            for history, d in (("stage history", ds), ("furthest_stage only", stage_only)):
                for window, (period, as_of) in WINDOWS.items():
                    final = rates(ds, period, END)  # the same window's deals at year end
                    for how, fn in (("settled", cut), ("no cut", _no_cut)):
                        funnel._settled_at = fn
                        try:
                            seen = rates(d, period, as_of)
                        finally:
                            funnel._settled_at = cut
                        for step in seen.index.intersection(final.index):
                            rows.append(dict(history=history, window=window, how=how, step=step,
                                             bias=seen.at[step, "rate"] - final.at[step, "rate"],
                                             deals=seen.at[step, "reached"]))
            shutil.rmtree(out, ignore_errors=True)
    t = pd.DataFrame(rows).groupby(["history", "window", "step", "how"])[["bias", "deals"]].mean().unstack("how")
    print(f"{args.seeds} seeds x {args.reps} reps; bias = the rate seen at the window's end minus the same deals' "
          "rate at year end, in points")
    print(f"{'history':<20} {'window':<11} {'step':<19} | {'bias settled':>12} {'no cut':>7} | {'deals settled':>13} "
          f"{'no cut':>7}")
    worst = 0.0
    for (history, window, step), r in t.iterrows():
        b, n = r["bias"], r["deals"]
        worst = max(worst, abs(b["settled"]))
        print(f"{history:<20} {window:<11} {step:<19} | {b['settled'] * 100:+12.1f} {b['no cut'] * 100:+7.1f} | "
              f"{n['settled']:13,.0f} {n['no cut']:7,.0f}")
    ok = worst < TARGET
    print(f"largest |bias| with the cut: {worst * 100:.1f} points (target < {TARGET * 100:.0f}): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
