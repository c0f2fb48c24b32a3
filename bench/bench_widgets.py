"""Benchmark: a weight-slider move in the team explorer's panel, end to end (re-score + leaderboard + breakdown).

    .venv/bin/python bench/bench_widgets.py            # the bundled sample team
    .venv/bin/python bench/bench_widgets.py --reps 1000  # a generated team (bench/_data/, made once)

Sets a slider's `.value` as a person does (the observers fire synchronously) and prints the median time per
move, next to the bare `Scorer.score` of the same weights measured in the same run, so the ratio shows what
drawing the leaderboard and the breakdown adds on top of re-scoring.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def data_dir(reps: int | None) -> Path:
    from salesnb.config import SAMPLE_DIR

    if not reps:
        return SAMPLE_DIR
    out = HERE / "_data" / f"widgets-{reps}"
    if not out.exists():
        from salesnb.generate import generate

        generate(out, reps=reps, seed=3, stories=False, volume=0.2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=None, help="generated team size (default: the sample team)")
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()

    from salesnb.load import load
    from salesnb.metrics import metrics
    from salesnb.scorecard import Scorer
    from salesnb.widgets import WeightPanel

    ds = load(data_dir(args.reps))
    table = metrics(ds)
    panel = WeightPanel(table, dataset=ds)
    slider = panel.sliders["won_revenue"]
    moves, bare = [], []
    scorer = Scorer(table)
    for i in range(args.moves):
        value = 5.0 + (i % 10)
        t0 = time.perf_counter()
        slider.value = value
        moves.append(time.perf_counter() - t0)
        weights = panel.current_weights()
        t0 = time.perf_counter()
        scorer.score(weights)
        bare.append(time.perf_counter() - t0)
    m, b = statistics.median(moves) * 1e3, statistics.median(bare) * 1e3
    print(f"{len(panel.card.scores)} reps scored, {args.moves} slider moves")
    print(f"slider move (re-score + leaderboard + breakdown): median {m:7.1f} ms")
    print(f"bare Scorer.score of the same weights            : median {b:7.1f} ms")
    print(f"ratio move / bare re-score: {m / b:.1f}x")


if __name__ == "__main__":
    main()
