"""Benchmark: the cost of reports follows the reps asked for, not the size of the team.

On a generated 2,000-rep team, in one run (these machines are noisy, so only ratios count):

1. `salesnb reports --reps ONE` against `salesnb diagnose` on the same team plus one report of the
   sample team: the team-wide work (load, metrics, scorecard, diagnosis) is unavoidable, the rest should
   cost about one report. Target <= 1.5x.
2. `salesnb reports --reps` of 50 reps against `salesnb diagnose` plus 50 sample reports (the time of
   the sample's 23 reports, scaled to 50). Target <= 1.3x.

Every command runs as a fresh process, as a user runs it, with the same --jobs.

    .venv/bin/python bench/bench_report_cost.py            # generates bench/_data/reps2000-seed7 once
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb import config  # noqa: E402

BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "_out" / "report_cost"
DATA = ROOT / "bench" / "_data"


def ensure_team(reps: int, seed: int) -> Path:
    folder = DATA / f"reps{reps}-seed{seed}"
    if not (folder / "activities.csv").exists():
        from salesnb.generate import generate

        print(f"generating {reps} reps into {folder} (once) ...", flush=True)
        generate(folder, reps=reps, seed=seed)
    return folder


def timed(*args: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / "salesnb"), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"salesnb {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds


def reports(data: Path, name: str, jobs: int, reps: list[str] | None = None) -> float:
    out = OUT / name
    shutil.rmtree(out, ignore_errors=True)
    args = ["reports", "--data", str(data), "--out", str(out), "--jobs", str(jobs), "--no-progress"]
    return timed(*args, *(["--reps", ",".join(reps)] if reps else []))


def current_reps(data: Path, n: int) -> list[str]:
    from salesnb.analysis import analyse
    from salesnb.load import load

    return analyse(load(data)).current_ids[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=2000, help="reps of the generated team (default 2000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--many", type=int, default=50, help="reps in the second comparison (default 50)")
    ap.add_argument("--jobs", type=int, default=config.default_jobs())
    args = ap.parse_args()
    big, sample = ensure_team(args.reps, args.seed), config.SAMPLE_DIR
    picked = current_reps(big, args.many)
    sample_ids = current_reps(sample, 100)
    print(f"cores {config.default_jobs()}, jobs {args.jobs}; team {big.name} ({args.reps} reps)", flush=True)

    diagnose = timed("diagnose", "--data", str(big), "--json")
    one_sample = reports(sample, "sample-one", args.jobs, sample_ids[:1])
    all_sample = reports(sample, "sample-all", args.jobs)
    one_big = reports(big, "big-one", args.jobs, picked[:1])
    many_big = reports(big, "big-many", args.jobs, picked)
    per_sample = all_sample * args.many / len(sample_ids)

    base1 = diagnose + one_sample
    base2 = diagnose + per_sample
    print(f"diagnose on the team: {diagnose:6.1f} s; sample: 1 report {one_sample:5.1f} s, "
          f"{len(sample_ids)} reports {all_sample:5.1f} s")
    print(f"[one]  reports --reps ONE on the team {one_big:6.1f} s vs diagnose + 1 sample report {base1:6.1f} s "
          f"= {one_big / base1:4.2f}x (target <= 1.5x)")
    print(f"[many] reports --reps {len(picked)} on the team {many_big:6.1f} s vs diagnose + {args.many} sample "
          f"reports {base2:6.1f} s = {many_big / base2:4.2f}x (target <= 1.3x)")
    missed = [n for n, ok in (("one", one_big <= 1.5 * base1), ("many", many_big <= 1.3 * base2)) if not ok]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
