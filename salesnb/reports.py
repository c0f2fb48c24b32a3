"""The main job: a private, offline HTML report for every rep, plus an index for the manager.

    result = run_reports("data/sample", "reports")      # or: salesnb reports --data data/sample --out reports

Recipe: load and validate the dataset once; build the shared snapshot once; decide which reps need a
report (this shard, not already up to date); run the report notebook once per rep with papermill, each in
a fresh kernel, on parallel worker processes; export each to HTML with the code hidden; write the index;
scan every report for other reps' names and ids.

Output folder layout::

    OUT/index.html                 the manager's page
    OUT/<rep>.html, OUT/<rep>.ipynb  each rep's report and its executed notebook
    OUT/_failed/<rep>.ipynb        the executed notebook of a failed report (error banner inside)
    OUT/_batch/snapshot.pkl        what all reports share
    OUT/_batch/status/<rep>.json   per rep: inputs hash, outcome (lets a re-run skip finished reports)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .atomic import sweep_temp_files, write_text_atomic
from .batch.index import IndexRow, render_index
from .batch.naming import safe_names
from .batch.privacy import Leak, scan_report
from .batch.runner import RepOutcome, RepTask, run_tasks
from .errors import ConfigError, ReportError

BATCH_DIR = "_batch"
FAILED_DIR = "_failed"
INDEX_FILE = "index.html"


@dataclass
class BatchResult:
    """What a batch run did. `exit_code` is 0 only when every selected report exists and no leak was found."""

    out_dir: Path
    index_path: Path
    reports: dict[str, Path] = field(default_factory=dict)  # rep_id -> HTML, every report up to date
    written: list[str] = field(default_factory=list)  # rep ids whose report this run wrote
    skipped: list[str] = field(default_factory=list)  # already up to date
    failed: dict[str, str] = field(default_factory=dict)  # rep_id -> reason (cell and message)
    leaks: list[Leak] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.leaks:
            return 3
        return 1 if self.failed else 0

    def summary(self) -> str:
        lines = [f"{len(self.written)} report(s) written, {len(self.skipped)} already up to date, "
                 f"{len(self.failed)} failed, in {self.seconds:.1f} s."]
        for rep_id, reason in self.failed.items():
            lines.append(f"  FAILED {rep_id}: {reason}")
        if self.leaks:
            lines.append(f"PRIVACY: {len(self.leaks)} other-rep name(s)/id(s) found in reports:")
            lines += [f"  {leak}" for leak in self.leaks[:20]]
        lines.append(f"Reports: {self.out_dir}")
        lines.append(f"Index:   {self.index_path}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ helpers

def parse_shard(spec: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """``"K/N"`` (1 <= K <= N) as (K, N); None for no sharding."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, tuple):
        k, n = spec
    else:
        try:
            k_text, n_text = str(spec).split("/")
            k, n = int(k_text), int(n_text)
        except ValueError:
            raise ConfigError(f"--shard {spec!r}: write it as K/N, e.g. 2/4 for the second of four shards.") from None
    if not (n >= 1 and 1 <= k <= n):
        raise ConfigError(f"--shard {k}/{n}: K must be between 1 and N (shards are numbered from 1).")
    return k, n


def shard_of(rep_id: str, n: int) -> int:
    """The shard (1..n) a rep belongs to: a stable hash of its id, the same on every machine and run."""
    digest = hashlib.sha256(str(rep_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def _hash_files(paths: list[Path], h=None):
    h = h or hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode() + b"\0")
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h


def _code_hash(notebook: Path) -> str:
    """What a report's page depends on besides its figures: the notebook, the display code, the template."""
    files = [notebook, config.PACKAGE_DIR / "report_view.py", config.PACKAGE_DIR / "charts.py",
             *(config.PACKAGE_DIR / "templates").rglob("*")]
    h = hashlib.sha256()
    for p in sorted(f for f in files if f.is_file()):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _view_hash(view) -> str:
    """The rep's figures as the report shows them (a RepView is plain data, so its pickle is stable)."""
    return hashlib.sha256(pickle.dumps(view, protocol=5)).hexdigest()


def _check_out_dir(data_dir: Path, out_dir: Path) -> None:
    d, o = data_dir.resolve(), out_dir.resolve()
    if o == d or d in o.parents:
        raise ConfigError(f"--out {out_dir} is inside the input folder {data_dir}; salesnb never writes there. "
                          "Choose an output folder outside it, e.g. --out reports.")


def _select_reps(all_ids: list[str], reps, dataset_ids: set[str]) -> list[str]:
    if reps is None:
        return all_ids
    wanted = [str(r).strip() for r in (reps.split(",") if isinstance(reps, str) else reps) if str(r).strip()]
    known = set(all_ids)
    left = [r for r in wanted if r not in known and r in dataset_ids]
    if left:
        raise ConfigError(f"--reps: {', '.join(map(repr, left))} left the team before the report date "
                          "(end_date in reps), so there is no current report for them. Leave them out of --reps.")
    unknown = [r for r in wanted if r not in known]
    if unknown:
        shown = ", ".join(repr(r if len(r) <= 24 else r[:21] + "...") for r in all_ids[:10])
        raise ConfigError(f"--reps: unknown rep id(s) {', '.join(map(repr, unknown))}: not in reps. "
                          f"Known ids include: {shown}.")
    return list(dict.fromkeys(wanted))


def _read_status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _index_row(view, rep_id: str, stem: str, status: dict | None, key: str) -> IndexRow:
    row = IndexRow.from_view(view, rep_id, f"{stem}.html")
    if status is None or status.get("key") != key:
        row.status = "pending"
    elif status.get("ok"):
        row.status = "ok"
    else:
        row.status, row.reason = "failed", status.get("reason", "")
    return row


# ------------------------------------------------------------------------------------------ the job

def run_reports(data_dir, out_dir=None, *, reps=None, as_of=None, period=None, weights_file=None, jobs=None,
                force: bool = False, shard=None, progress: bool = True, notebook=None,
                scan: bool = True) -> BatchResult:
    """Write a private, offline HTML report per rep of the dataset in `data_dir`, plus `index.html`.

    reps: ids to report on (list or comma-separated), default all. shard: ``"K/N"`` to do only this
    machine's share. force: redo reports already up to date. notebook: the report notebook (default
    `config.REPORT_NOTEBOOK`). scan: run the privacy scan on every report afterwards.
    Failed reps do not stop the others; they are in `result.failed` and make `result.exit_code` non-zero.
    """
    from .load import load
    from .snapshot import build_snapshot

    t0 = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir if out_dir is not None else config.DEFAULT_REPORTS_DIR).resolve()
    notebook = Path(notebook or config.REPORT_NOTEBOOK).resolve()
    if not notebook.is_file():
        raise ConfigError(f"report notebook {notebook} not found.")
    if weights_file is not None:
        weights_file = Path(weights_file).resolve()
        if not weights_file.is_file():
            raise ConfigError(f"--weights {weights_file}: no such file. Save one from the team explorer, "
                              "or leave --weights out to use the default weights.")
    _check_out_dir(data_dir, out_dir)
    shard_kn = parse_shard(shard)
    jobs = int(jobs or config.default_jobs())

    dataset = load(data_dir)  # validates; raises DatasetError with the full report
    snapshot = build_snapshot(dataset, period=period, as_of=as_of,
                              weights=str(weights_file) if weights_file else None)

    batch_dir = out_dir / BATCH_DIR
    status_dir = batch_dir / "status"
    for d in (out_dir, batch_dir, status_dir, out_dir / FAILED_DIR):
        d.mkdir(parents=True, exist_ok=True)
    snapshot_path = snapshot.save(batch_dir / "snapshot.pkl")

    all_ids = [str(r) for r in snapshot.rep_ids]
    selected = _select_reps(all_ids, reps, set(dataset.reps["rep_id"].astype(str)))
    stems = safe_names(all_ids)
    mine = [r for r in selected if shard_kn is None or shard_of(r, shard_kn[1]) == shard_kn[0]]
    owned = {stems[r] for r in mine}
    for d in (out_dir, status_dir, out_dir / FAILED_DIR):
        sweep_temp_files(d, owned)

    data_files = [p for p in data_dir.iterdir() if p.is_file()]
    inputs = _hash_files(data_files + ([weights_file] if weights_file else []))
    inputs.update(_code_hash(notebook).encode())
    # The notebook's contract: an empty string means "the default".
    params_common = {"data_dir": str(data_dir), "snapshot": str(snapshot_path), "as_of": snapshot.meta["as_of"],
                     "period": period or "", "weights_file": str(weights_file) if weights_file else ""}
    inputs.update(json.dumps({k: v for k, v in params_common.items() if k != "snapshot"}, sort_keys=True).encode())
    base_key = inputs.hexdigest()

    view_hashes: dict[str, str] = {}

    def key_of(rep_id: str) -> str:
        """Up to date means: same data, weights, parameters, notebook, display code, and figures."""
        if rep_id not in view_hashes:
            view_hashes[rep_id] = _view_hash(snapshot.rep_view(rep_id))
        return hashlib.sha256(f"{base_key}\0{rep_id}\0{view_hashes[rep_id]}".encode()).hexdigest()

    def paths(rep_id: str) -> tuple[Path, Path, Path]:
        s = stems[rep_id]
        return out_dir / f"{s}.html", out_dir / f"{s}.ipynb", status_dir / f"{s}.json"

    result = BatchResult(out_dir=out_dir, index_path=out_dir / INDEX_FILE)
    tasks: list[RepTask] = []
    for rep_id in mine:
        html_path, ipynb_path, status_path = paths(rep_id)
        st = _read_status(status_path)
        if (not force and st and st.get("ok") and st.get("key") == key_of(rep_id)
                and html_path.is_file() and ipynb_path.is_file()):
            result.skipped.append(rep_id)
            continue
        view = snapshot.rep_view(rep_id)
        tasks.append(RepTask(rep_id=rep_id, notebook=str(notebook), parameters={**params_common, "rep_id": rep_id},
                             html_path=str(html_path), ipynb_path=str(ipynb_path),
                             failed_path=str(out_dir / FAILED_DIR / f"{stems[rep_id]}.ipynb"),
                             title=f"{view.name}: sales report, {snapshot.meta.get('period_label', '')}"))

    bar = _progress_bar(len(mine), len(result.skipped), enabled=progress)
    counts = {"done": len(result.skipped), "failed": 0}

    def on_done(o: RepOutcome) -> None:
        _, _, status_path = paths(o.rep_id)
        status = {"rep_id": o.rep_id, "key": key_of(o.rep_id), "ok": o.ok, "reason": o.reason,
                  "seconds": round(o.seconds, 2), "attempts": o.attempts}
        write_text_atomic(status_path, json.dumps(status, ensure_ascii=False, indent=1))
        if o.ok:
            result.written.append(o.rep_id)
            counts["done"] += 1
        else:
            result.failed[o.rep_id] = o.reason
            counts["failed"] += 1
        if bar is not None:
            bar.set_postfix(done=counts["done"], failed=counts["failed"],
                            left=len(mine) - counts["done"] - counts["failed"], refresh=False)
            bar.update(1)

    try:
        run_tasks(tasks, jobs, on_done, log_dir=batch_dir / "logs")
    finally:
        if bar is not None:
            bar.close()

    # the index covers every selected rep; reps of other shards show once their shard has run
    rows = []
    peers: dict[str, list[str]] = {}
    for rep_id in selected:
        view = snapshot.rep_view(rep_id)
        _, _, status_path = paths(rep_id)
        rows.append(_index_row(view, rep_id, stems[rep_id], _read_status(status_path), key_of(rep_id)))
        peer = getattr(view, "peer", None) or {}
        peers[rep_id] = [peer["name"]] if peer.get("name") else []
    for r in rows:
        if r.status == "ok":
            result.reports[r.rep_id] = out_dir / r.href
    meta = snapshot.meta
    write_text_atomic(result.index_path, render_index(
        rows, title=f"{meta.get('dataset_name') or 'Sales team'}: rep reports",
        subtitle=f"Period {meta.get('period_label', '')}, as of {meta.get('as_of', '')}."))

    if scan:
        team = [(r, snapshot.rep_view(r).name) for r in all_ids]
        for rep_id in result.written:
            path = result.reports.get(rep_id)
            if path and path.is_file():
                result.leaks += scan_report(path.read_text(encoding="utf-8"), rep_id, team,
                                            allowed_names=peers.get(rep_id, ()), report=path.name)
    result.seconds = time.perf_counter() - t0
    return result


def _progress_bar(total: int, initial: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=initial, desc="reports", unit="rep", file=sys.stderr, dynamic_ncols=True)
    bar.set_postfix(done=initial, failed=0, left=total - initial, refresh=True)
    return bar


# ------------------------------------------------------------------------------------------ command line

def add_cli(subparsers) -> None:
    """Register ``salesnb reports``."""
    p = subparsers.add_parser(
        "reports",
        help="write a private, offline HTML report for every rep, plus an index (the main job)",
        description=("Run the per-rep report notebook once per rep (one fresh kernel each, in parallel) and "
                     "write OUT/<rep>.html, the executed OUT/<rep>.ipynb, and OUT/index.html. Reports already "
                     "up to date are skipped; a failed rep does not stop the others (exit code 1)."),
    )
    p.add_argument("--data", required=True, metavar="DIR", help="dataset folder (never written)")
    p.add_argument("--out", default=str(config.DEFAULT_REPORTS_DIR), metavar="DIR",
                   help=f"output folder (default: {config.DEFAULT_REPORTS_DIR})")
    p.add_argument("--reps", metavar="ID,...", help="only these rep ids (comma-separated)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="report date (default: from the data)")
    p.add_argument("--period", metavar="P", help="period, e.g. 2026, 2026-Q2, 2026-05 (default: from the data)")
    p.add_argument("--weights", metavar="FILE", help="weights file saved from the team explorer")
    p.add_argument("--jobs", type=int, metavar="N", help=f"parallel workers (default: cores, {config.default_jobs()})")
    p.add_argument("--force", action="store_true", help="redo reports that are already up to date")
    p.add_argument("--shard", metavar="K/N", help="do only shard K of N (1-based; stable split by rep id)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument("--notebook", metavar="FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=_cli)


def _cli(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1.")
    result = run_reports(args.data, args.out, reps=args.reps, as_of=args.as_of, period=args.period,
                         weights_file=args.weights, jobs=args.jobs, force=args.force, shard=args.shard,
                         progress=args.progress, notebook=args.notebook)
    print(result.summary())
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """``python -m salesnb.reports ...``: the same as ``salesnb reports ...``."""
    from .cli import main as cli_main

    return cli_main(["reports", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["BatchResult", "run_reports", "add_cli", "parse_shard", "shard_of", "ReportError"]
