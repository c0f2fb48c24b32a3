"""How often the diagnostics find what was planted, on generated teams.

For each seed: generate a team with randomly planted bottlenecks
(`generate(..., stories=False, plant_bottlenecks=True)`), diagnose it, and count

- bottleneck recall: planted reps whose named bottleneck is the planted step (target >= 90%),
- false alarms: reps with nothing planted that get a named step,
- noise-as-driver: seeds where the planted noise activity metric is called ``driver`` (target <= 5%),
- vanity-as-driver: the same for the planted vanity metric (miles).

Baseline measured in the same run: a naive rule with no statistics (the step
with the lowest rate relative to the team median, when more than 30% below it).
Also prints diagnose() time as a ratio of the metric engine's time on the same data.

Also counts reps projected below their quota (or flagged at risk) whom the diagnosis tells to "keep
doing what works" (target: none).

    .venv/bin/python bench/bench_diagnostics.py --seeds 40          # full run
    .venv/bin/python bench/bench_diagnostics.py --seeds 5 --volume 0.3   # quick run
    .venv/bin/python bench/bench_diagnostics.py --reps 20 --seeds 10 --leak 0.6 --two-roles   # mild leaks
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb.diagnostics import diagnose  # noqa: E402
from salesnb.generate import generate  # noqa: E402
from salesnb.load import load  # noqa: E402
from salesnb.metrics import metrics  # noqa: E402
from salesnb.words import manager as words  # noqa: E402
from salesnb.words.manager import no_praise as said_below_target  # noqa: E402

DATA = ROOT / "bench" / "_data" / "diagnostics"


def naive_bottleneck(steps: pd.DataFrame) -> pd.Series:
    """Lowest rate relative to the team median (volume relative to expected), no significance test."""
    s = steps.copy()
    rel = np.where(s["source"] == "volume", s["advanced"] / s["expected"], s["rate"] / s["team_median"])
    s["rel"] = rel
    s = s[s["rel"] < 0.7].sort_values("rel")
    return s.drop_duplicates("rep_id").set_index("rep_id")["step"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--volume", type=float, default=1.0, help="generator volume (1.0 = a full year of deals)")
    ap.add_argument("--keep", action="store_true", help="keep the generated data under bench/_data/")
    ap.add_argument("--leak", type=float, default=None,
                    help="a planted weak step's rate as a share of the rep's normal rate (default 1/3; 0.6 is mild)")
    ap.add_argument("--two-roles", action="store_true", help="half the reps account managers (AM)")
    args = ap.parse_args(argv)

    insufficient = planted = matched = naive_matched = false_alarms = naive_false = unplanted = 0
    noise_driver = vanity_driver = below = told_keep_going = pointed = 0
    misses: dict[tuple[str, str], int] = {}
    t_diag = t_metrics = 0.0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        out = DATA / f"r{args.reps}_v{args.volume}_s{seed}"
        res = generate(out, reps=args.reps, seed=seed, stories=False, plant_bottlenecks=True, volume=args.volume,
                       leak=args.leak, two_roles=args.two_roles)
        ds = load(out)
        t0 = time.perf_counter()
        metrics(ds)
        t1 = time.perf_counter()
        d = diagnose(ds, seed=seed)
        t2 = time.perf_counter()
        t_metrics += t1 - t0
        t_diag += t2 - t1
        truth = {str(k): v for k, v in res.truth.bottlenecks().items()}
        named = d.bottleneck.set_index("rep_id")["bottleneck"]
        weakest = d.bottleneck.set_index("rep_id")["weakest_step"]
        naive = naive_bottleneck(d.funnel_steps)
        for rid, got in named.items():
            want = truth.get(rid, "none")
            if want == "none":
                unplanted += 1
                false_alarms += got not in ("none", "insufficient_data")
                naive_false += rid in naive.index
            else:
                planted += 1
                matched += got == want
                # the step a rep is pointed to: the leak, or (thin evidence, said so) the weakest step
                pointed += (got == want) or (got == "none" and weakest.get(rid) == want)
                insufficient += got == "insufficient_data"
                naive_matched += naive.get(rid, "none") == want
                if got != want:
                    misses[(want, got)] = misses.get((want, got), 0) + 1
        for row in d.reps.to_dict("records"):
            if said_below_target(row):
                below += 1
                told_keep_going += "keep doing what works" in words.bottleneck(row)
        verdict = d.vanity.set_index("metric")["verdict"]
        noise = f"act_{res.truth.noise_metric}"
        noise_driver += verdict.get(noise) == "driver"
        vanity_driver += verdict.get(res.truth.vanity_metric) == "driver"
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)

    n = args.seeds
    leak = "1/3" if args.leak is None else args.leak
    print(f"teams: {n} seeds x {args.reps} reps (volume {args.volume}, planted leak {leak} of the normal rate"
          f"{', two roles' if args.two_roles else ''})")
    print(f"bottleneck recall (named == planted): {matched}/{planted} = {matched / max(planted, 1):.1%}  (target >= 90%)")
    print(f"  of the misses, said insufficient_data: {insufficient}/{planted - matched}")
    print(f"  planted step named as the leak or as the weakest step (thin evidence): {pointed}/{planted} = "
          f"{pointed / max(planted, 1):.1%}")
    print(f"  naive baseline recall:              {naive_matched}/{planted} = {naive_matched / max(planted, 1):.1%}")
    print(f"false alarms on unplanted reps:       {false_alarms}/{unplanted} = {false_alarms / max(unplanted, 1):.1%}")
    print(f"  naive baseline false alarms:        {naive_false}/{unplanted} = {naive_false / max(unplanted, 1):.1%}")
    print(f"reps below target told to keep doing what works: {told_keep_going}/{below}  (target 0)")
    print(f"noise metric called driver:           {noise_driver}/{n} seeds = {noise_driver / n:.1%}  (target <= 5%)")
    print(f"vanity metric (miles) called driver:  {vanity_driver}/{n} seeds = {vanity_driver / n:.1%}")
    if misses:
        print("misses (planted -> named):", ", ".join(f"{a}->{b}: {c}" for (a, b), c in sorted(misses.items())))
    print(f"time: diagnose {t_diag / n:.2f}s per team = {t_diag / max(t_metrics, 1e-9):.1f}x the metric engine alone")
    missed = [name for name, ok in (("bottleneck recall", matched >= 0.9 * planted),
                                    ("below target told to keep going", told_keep_going == 0),
                                    ("noise as driver", noise_driver <= 0.05 * n)) if not ok]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
