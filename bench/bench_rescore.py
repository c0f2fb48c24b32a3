"""Benchmark: re-scoring after a weight change (what a slider does), without recomputing metrics.

    .venv/bin/python bench/bench_rescore.py                 # 1,000 and 10,000 reps
    .venv/bin/python bench/bench_rescore.py --reps 200 --runs 20   # a quick run

A synthetic metric table (every catalogue metric, 4 roles) is scored once with
`Scorer` (normalisation precomputed), then re-scored `--runs` times with
randomly changed weights of the balanced preset; the median time per re-score is
printed next to the targets (30 ms at 1,000 reps, 150 ms at 10,000). The
baseline in the same run is a full `score(table, weights)` (normalising from
scratch each time), so the ratio shows what the precomputation saves.
"""
from __future__ import annotations

import argparse
import sys
import statistics
import time

import numpy as np
import pandas as pd

TARGET_MS = {1_000: 30.0, 10_000: 150.0}


def synthetic_table(n: int, seed: int = 0):
    from salesnb.metrics import CATALOGUE, MetricTable

    rng = np.random.default_rng(seed)
    ids = [f"r{i:05d}" for i in range(n)]
    values = pd.DataFrame({m: rng.gamma(2.0, 10.0, n) for m in CATALOGUE}, index=pd.Index(ids, dtype="str"))
    values = values.mask(rng.random(values.shape) < 0.03)  # a few reps without a value
    reps = pd.DataFrame({"name": ids, "team": rng.choice([f"T{i}" for i in range(20)], n),
                         "role": rng.choice(["AE", "SDR", "AM", "CSM"], n), "active": True},
                        index=values.index)
    return MetricTable.from_frame(values, reps)


def time_ms(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench(n: int, runs: int) -> bool:
    """Print one size's figures; False when its target was missed."""
    from salesnb.scorecard import PRESETS, Scorer, Weights, score

    table = synthetic_table(n)
    base = PRESETS["balanced"]
    rng = np.random.default_rng(1)
    variants = [Weights({m: w * rng.uniform(0.5, 1.5) for m, w in base.weights.items()}, caps=base.caps)
                for _ in range(runs)]
    start = time.perf_counter()
    scorer = Scorer(table)
    scorer.score(variants[0])  # precompute the percentile normalisation
    setup_ms = (time.perf_counter() - start) * 1000
    rescore = statistics.median(time_ms(lambda i: scorer.score(variants[i]), runs))
    full = statistics.median(time_ms(lambda i: score(table, variants[i]), max(3, runs // 5)))
    target = TARGET_MS.get(n)
    verdict = "" if target is None else f"  target < {target:.0f} ms: {'OK' if rescore < target else 'MISSED'}"
    print(f"{n:>6} reps x {table.values.shape[1]} metrics: Scorer set-up {setup_ms:7.1f} ms | "
          f"re-score median {rescore:6.2f} ms | full score() median {full:7.1f} ms "
          f"(re-score / full = {rescore / full:.2f}){verdict}")
    return target is None or rescore < target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, nargs="*", default=[1_000, 10_000], help="table sizes")
    parser.add_argument("--runs", type=int, default=50, help="re-scores per size")
    args = parser.parse_args()
    missed = [n for n in args.reps if not bench(n, args.runs)]
    print("all targets met" if not missed else f"MISSED at {', '.join(f'{n:,} reps' for n in missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
