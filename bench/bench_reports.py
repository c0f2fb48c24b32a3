"""Benchmark of the batch reports: ratios measured in one run (machines are noisy).

1. The papermill floor vs a real report: `salesnb reports` over the same reps with an empty
   parameterised notebook (tests/notebooks/empty_parameterised.ipynb), then with the real report
   notebook. Target: real <= 1.5x floor. Prints where the report's time goes (per cell).
2. The naive way vs ours: per rep, in sequence, `papermill` CLI on the report notebook with only
   `data_dir` (so every notebook loads the raw data and computes everything) then `jupyter nbconvert
   --to html --no-input` CLI; against `salesnb reports --jobs N`. Target: >= 3x at 24 reps on 2 cores.
   The naive way is strictly sequential and the same work per rep, so by default a few reps are timed
   and the total extrapolated linearly (said so in the output); --naive-sample 0 times every rep.
3. The same at 200 reps on a generated team (bench/_data/team200, generated once and reused);
   --quick skips it.

    .venv/bin/python bench/bench_reports.py --quick
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesnb import config  # noqa: E402
from salesnb.reports import run_reports  # noqa: E402

BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "_out" / "reports"
DATA = ROOT / "bench" / "_data"
EMPTY_NOTEBOOK = ROOT / "tests" / "notebooks" / "empty_parameterised.ipynb"


def timed_batch(data: Path, out: Path, notebook: Path | None, jobs: int, reps=None) -> tuple[float, object]:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    result = run_reports(data, out, notebook=notebook, jobs=jobs, reps=reps, force=True, progress=False, scan=False)
    seconds = time.perf_counter() - t0
    if result.failed:
        raise SystemExit(f"benchmark run failed: {result.summary()}")
    return seconds, result


def worker_seconds(result) -> float:
    """Sum of per-rep seconds (execute + export) recorded by the workers."""
    total = 0.0
    for p in (result.out_dir / "_batch" / "status").glob("*.json"):
        total += json.loads(p.read_text())["seconds"]
    return total


def cell_profile(result, top: int = 8) -> list[tuple[float, str]]:
    """Mean seconds per cell of the executed reports (papermill records each cell's duration)."""
    sums: dict[int, float] = {}
    src: dict[int, str] = {}
    n = 0
    for html in result.reports.values():
        nb = nbformat.read(html.with_suffix(".ipynb"), as_version=4)
        n += 1
        for i, c in enumerate(nb.cells):
            d = c.metadata.get("papermill", {}).get("duration")
            if c.cell_type == "code" and d is not None:
                sums[i] = sums.get(i, 0.0) + d
                src[i] = c.source.strip().splitlines()[0][:70] if c.source.strip() else ""
    rows = sorted(((s / n, f"cell {i}: {src[i]}") for i, s in sums.items()), reverse=True)
    return rows[:top]


def naive_rep(data: Path, rep_id: str, work: Path) -> float:
    """papermill CLI then nbconvert CLI for one rep; the notebook loads the raw data itself."""
    nb_out = work / f"naive_{rep_id}.ipynb"
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "papermill"), str(config.REPORT_NOTEBOOK), str(nb_out), "-p", "data_dir", str(data),
                    "-p", "rep_id", rep_id, "--no-progress-bar", "-k", "python3"],
                   check=True, capture_output=True)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def naive(data: Path, rep_ids: list[str], sample: int) -> tuple[float, int]:
    """Seconds of the naive way for all `rep_ids` (timed on `sample` of them, extrapolated, if sample>0)."""
    work = OUT / "naive"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    timed = rep_ids if sample <= 0 else rep_ids[:sample]
    total = sum(naive_rep(data, r, work) for r in timed)
    return total * len(rep_ids) / len(timed), len(timed)


def compare(label: str, data: Path, jobs: int, sample: int) -> bool:
    ours, result = timed_batch(data, OUT / f"ours_{label}", None, jobs)
    reps = sorted(result.reports)
    naive_s, n_timed = naive(data, reps, sample)
    how = "all timed" if n_timed == len(reps) else f"{n_timed} timed, extrapolated to {len(reps)}"
    print(f"[{label}] {len(reps)} reps: naive {naive_s:7.1f} s ({how}); ours --jobs {jobs} {ours:7.1f} s; "
          f"speed-up {naive_s / ours:4.1f}x (target >= 3x)")
    return naive_s >= 3 * ours


def ensure_team200() -> Path:
    d = DATA / "team200"
    if not (d / "reps.csv").is_file():
        from salesnb.generate import generate

        print("generating bench/_data/team200 (once) ...", flush=True)
        generate(d, reps=200, seed=2026)
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 200-rep comparison")
    ap.add_argument("--sizes", default="floor,24,200", help="parts to run, comma-separated: floor, 24, 200")
    ap.add_argument("--jobs", type=int, default=config.default_jobs())
    ap.add_argument("--naive-sample", type=int, default=4,
                    help="reps timed the naive way, then extrapolated (0: time every rep)")
    args = ap.parse_args()
    data = config.SAMPLE_DIR
    parts = set(args.sizes.split(",")) - ({"200"} if args.quick else set())
    print(f"cores {config.default_jobs()}, jobs {args.jobs}, data {data}")
    missed = []
    if "floor" in parts and not floor_vs_real(data, args.jobs):
        missed.append("floor")
    if "24" in parts and not compare("24", data, args.jobs, args.naive_sample):
        missed.append("24")
    if "200" in parts and not compare("200", ensure_team200(), args.jobs, args.naive_sample and min(args.naive_sample, 3)):
        missed.append("200")
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


def floor_vs_real(data: Path, jobs: int) -> bool:
    args = argparse.Namespace(jobs=jobs)
    floor_s, floor = timed_batch(data, OUT / "floor", EMPTY_NOTEBOOK, args.jobs)
    real_s, real = timed_batch(data, OUT / "real", None, args.jobs)
    n = len(real.reports)
    fw, rw = worker_seconds(floor), worker_seconds(real)
    print(f"[floor] {n} reps: empty notebook {floor_s:6.1f} s wall ({fw / n:4.2f} s/rep in workers); "
          f"real report {real_s:6.1f} s wall ({rw / n:4.2f} s/rep in workers)")
    print(f"[floor] real / floor: {real_s / floor_s:4.2f}x wall, {rw / fw:4.2f}x per rep (target <= 1.5x)")
    print("[floor] where a real report's time goes (mean seconds per cell, kernel start excluded):")
    for secs, what in cell_profile(real):
        print(f"          {secs:5.2f} s  {what}")
    return real_s <= 1.5 * floor_s


if __name__ == "__main__":
    sys.exit(main())
