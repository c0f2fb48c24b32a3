"""The main job: a private, offline HTML report for every rep, plus an index for the manager.

    result = run_reports("data/sample", "reports")      # or: salesnb reports --data data/sample --out reports

Recipe: load and validate the dataset once; analyse the team once and save what the reports draw on as
a data-only snapshot; decide which reps need a report (the reps asked for, this shard, not already up to
date); run one task per rep on a Dask cluster (`batch.cluster`: a local one, or `scheduler=` an existing
one): each builds that rep's view and charts from the snapshot, runs the report notebook with papermill on
its worker's warm kernel, exports it to HTML with the code hidden and scans it for other reps' names and
ids; as each report comes back, record it and, when it passed and PDFs are wanted, print it to PDF (one
browser for the run); write the index.

Output folder layout::

    OUT/index.html                   the manager's page
    OUT/<rep>.html, OUT/<rep>.ipynb  each rep's report and its executed notebook
    OUT/<rep>.pdf                    the report printed to PDF (--pdf), once it passed the privacy scan
    OUT/_failed/<rep>.ipynb          the executed notebook of a failed report (error banner inside)
    OUT/_batch/snapshot-<key>/       what all reports of one run draw on (Parquet + JSON, checked on load)
    OUT/_batch/status/<rep>.json     per rep: the run's key, outcome and hashes of what it wrote
    OUT/_batch/views/, logs/         a running report's prepared view (removed when it ends); worker logs

Before any work, every folder of this layout must be a folder this user may write in (or be creatable) and
no file of it a folder: an obstacle is an error naming the path, with nothing written.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .atomic import sweep_temp_files, write_text_atomic
from .batch import history
from .batch.index import IndexRow, render_index
from .batch.cluster import clock_of, progress_bar
from .batch.finish import Finisher
from .batch.naming import safe_names
from .batch.pdf import PdfPrinter, check_paper, check_printing
from .batch.privacy import Leak as _Leak
from .batch.runner import RepOutcome, RepTask
from .batch.select import parse_rep_list, parse_shard, select_reps, shard_of
from .batch.status import (BATCH_DIR, PRIVACY_LEAK, PRIVACY_PASSED, made_from, pdf_current, read_status, status_dir,
                           write_status)
from .errors import ConfigError
from .fingerprint import file_hash, files_hash, package_hash
from .present import isolate
from .words.manager import track_record as track_record_words

FAILED_DIR = "_failed"
HISTORY_DIR = "_history"
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
    leaks: list[_Leak] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the manager (e.g. history records ignored)
    seconds: float = 0.0
    paper: str | None = None  # "a4" / "letter" when PDFs were asked for, else None
    pdfs: dict[str, Path] = field(default_factory=dict)  # rep_id -> PDF, every PDF up to date
    pdf_written: dict[str, float] = field(default_factory=dict)  # rep_id -> seconds to print, this run
    pdf_failed: dict[str, str] = field(default_factory=dict)  # rep_id -> why its PDF was not written
    browser_seconds: float = 0.0  # starting the browser (once per run)
    weights: str = ""  # which weights the reports used, in words

    @property
    def exit_code(self) -> int:
        if self.leaks:
            return 3
        return 1 if self.failed or self.pdf_failed else 0

    def summary(self) -> str:
        lines = [f"{len(self.written)} report(s) written, {len(self.skipped)} already up to date, "
                 f"{len(self.failed)} failed, in {self.seconds:.1f} s."]
        for rep_id, reason in self.failed.items():
            lines.append(f"  FAILED {rep_id}: {reason}")
        if self.paper:
            n = len(self.pdf_written)
            each = f": {sum(self.pdf_written.values()) / n:.2f} s per PDF" if n else ""
            lines.append(f"{n} PDF(s) printed ({self.paper.upper() if self.paper == 'a4' else 'US Letter'}), "
                         f"{len(self.pdfs) - n} already up to date, {len(self.pdf_failed)} failed{each}.")
            lines += [f"  PDF FAILED {rep_id}: {reason}" for rep_id, reason in self.pdf_failed.items()]
        lines += [f"note: {n}" for n in self.notes]
        if self.weights:
            lines.append(self.weights)
        if self.leaks:
            lines.append(f"PRIVACY: {len(self.leaks)} other-rep name(s)/id(s) found in reports:")
            lines += [f"  {leak}" for leak in self.leaks[:20]]
        lines.append(f"Reports: {self.out_dir}")
        lines.append(f"Index:   {self.index_path}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the output folder

def _out_folders(out_dir: Path) -> list[Path]:
    """Every folder a run writes in, parents first."""
    batch_dir = out_dir / BATCH_DIR
    return [out_dir, batch_dir, batch_dir / "status", batch_dir / "views", batch_dir / "logs", out_dir / FAILED_DIR,
            out_dir / HISTORY_DIR]


def _check_out_dir(data_dir: Path, out_dir: Path) -> None:
    """Before any work: the output folder is outside the data, and nothing in it stands where a run writes.

    Every folder of the layout is a folder (or can be created) that this user may write in, and the index
    page is not a folder, so a run stopped by an obstacle has written nothing at all.
    """
    d, o = data_dir.resolve(), out_dir.resolve()
    if o == d or d in o.parents:
        raise ConfigError(f"--out {out_dir} is inside the input folder {data_dir}; salesnb never writes there. "
                          "Choose an output folder outside it, e.g. --out reports.")
    if o.exists() and not o.is_dir():
        raise ConfigError(f"--out {out_dir} is a file, not a folder. Give a folder (new or one salesnb wrote before).")
    for folder in _out_folders(o):
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder} is a file where salesnb keeps a folder of the reports. Move or delete it, "
                              "or choose another --out.")
        if not folder.exists():
            _check_can_create(folder, out_dir)
        elif not os.access(folder, os.W_OK | os.X_OK):
            raise ConfigError(f"{folder}: salesnb may not write in this folder (Permission denied). Give your user "
                              "write permission on it (e.g. chmod -R u+w), or choose another --out.")
    _check_not_folders([o / INDEX_FILE], "the index page")


def _check_can_create(folder: Path, out_dir: Path) -> None:
    parent = folder.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"--out {out_dir}: {parent} is a file, not a folder, so the output folder cannot be "
                          "created there. Choose another --out.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot create the output folder {folder}: salesnb may not write in {parent} "
                          "(Permission denied). Choose an --out where you may write.")


def _check_not_folders(paths: list[Path], what: str) -> None:
    for path in paths:
        if path.is_dir():
            raise ConfigError(f"{path} is a folder, where salesnb writes {what}. Move or delete it, or choose "
                              "another --out.")


def _make_dirs(*dirs: Path) -> None:
    """Create the output folders, or say which path is in the way and why."""
    for d in dirs:
        if d.exists() and not d.is_dir():
            raise ConfigError(f"{d} is a file where salesnb keeps a folder of the reports. Move or delete it, "
                              "or choose another --out.")
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the output folder {d}: {exc.strerror or exc}. Check that you may "
                              "write there, or choose another --out.") from None


def _outputs_intact(status: dict, html_path: Path, ipynb_path: Path) -> bool:
    """The report files are still what the run that wrote them wrote (not edited, truncated or replaced)."""
    try:
        return (html_path.is_file() and ipynb_path.is_file() and status.get("html_sha256") == file_hash(html_path)
                and status.get("ipynb_sha256") == file_hash(ipynb_path))
    except OSError:
        return False


def run_key(data_hash: str, weights_file: Path | None, params: dict) -> str:
    """Up to date means: the same data files, weights, parameters and the same installed salesnb."""
    files = [weights_file] if weights_file else []
    text = json.dumps({"files": data_hash, "weights": files_hash(files) if files else "", "params": params,
                       "salesnb": package_hash()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------------ the job

def run_reports(data_dir, out_dir=None, *, reps=None, as_of=None, period=None, weights_file=None, preset=None,
                compare_to=None, jobs=None, force: bool = False, shard=None, progress: bool = True, notebook=None,
                scan: bool = True, pdf: bool | None = None, paper: str | None = None,
                scheduler: str | None = None) -> BatchResult:
    """Write a private, offline HTML report per rep of the dataset in `data_dir`, plus `index.html`.

    reps: ids to report on (list or comma-separated), default all current reps. weights_file / preset: the
    weights (default: the outcomes-first preset). shard: ``"K/N"`` to do only this machine's share.
    force: redo reports already up to date. notebook: the report notebook (default
    `config.REPORT_NOTEBOOK`). scan: run the privacy scan on every report (a PDF is printed only from a
    report that passed it). pdf / paper: also print each report to `<rep>.pdf` on "a4" or "letter" paper
    (default: dataset.toml's [reports] pdf and paper, else no PDF and A4). scheduler: the address of a Dask
    scheduler to run the reports on (``tcp://host:8786``); None: a local cluster of `jobs` worker processes.
    Failed reps do not stop the others; they are in `result.failed` and make `result.exit_code` non-zero.
    """
    from .facts import Facts
    from .load import load
    from .report.gather import inputs_for
    from .snapshot import save_snapshot

    t0 = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    out_dir = Path(out_dir if out_dir is not None else config.DEFAULT_REPORTS_DIR).resolve()
    notebook = Path(notebook or config.REPORT_NOTEBOOK).resolve()
    if not notebook.is_file():
        raise ConfigError(f"report notebook {notebook} not found.")
    from .saved_weights import resolve as resolve_weights

    if weights_file is None and not preset:  # the weights saved for this dataset, when there are some
        chosen, weights_said = resolve_weights(data_dir)
        weights_file = chosen if chosen.endswith(".toml") else None
    else:
        _chosen, weights_said = resolve_weights(data_dir, weights_file, preset)
    if weights_file is not None:
        weights_file = Path(weights_file).resolve()
        if weights_file.is_dir():
            raise ConfigError(f"--weights {weights_file} is a folder: give a weights file (TOML), e.g. one saved "
                              "from the team explorer, or leave --weights out to use the default weights.")
        if not weights_file.is_file():
            raise ConfigError(f"--weights {weights_file}: no such file. Save one from the team explorer, "
                              "or leave --weights out to use the default weights.")
    if paper is not None:
        paper = check_paper(paper)
    _check_out_dir(data_dir, out_dir)
    wanted = parse_rep_list(reps)
    shard_kn = parse_shard(shard)
    jobs = int(jobs or config.default_jobs())

    dataset = load(data_dir)  # validates; raises DatasetError with the full report
    pdf = dataset.meta.reports.pdf if pdf is None else bool(pdf)
    paper = paper or dataset.meta.reports.paper
    if pdf and not scan:
        raise ConfigError("a PDF is printed only from a report that passed the privacy scan: keep the scan on.")
    browser = check_printing() if pdf else None  # before anything is written
    # analysed once per data, settings and salesnb: the explorer, diagnose and earlier runs share it
    team = Facts(data_dir, dataset=dataset).team(period=period, as_of=as_of,
                                                 weights=str(weights_file) if weights_file else preset,
                                                 compare_to=compare_to)
    inputs = inputs_for(team)
    selected = select_reps(inputs.rep_ids, wanted, set(dataset.reps["rep_id"].astype(str)))
    stems = safe_names(inputs.rep_ids)
    mine = [r for r in selected if shard_kn is None or shard_of(r, shard_kn[1]) == shard_kn[0]]

    batch_dir, failed_dir, history_dir = out_dir / BATCH_DIR, out_dir / FAILED_DIR, out_dir / HISTORY_DIR
    status_folder, views_dir = status_dir(out_dir), batch_dir / "views"

    def paths(rep_id: str) -> tuple[Path, Path, Path]:
        s = stems[rep_id]
        return out_dir / f"{s}.html", out_dir / f"{s}.ipynb", status_folder / f"{s}.json"

    def pdf_path(rep_id: str) -> Path:
        return out_dir / f"{stems[rep_id]}.pdf"

    _check_not_folders([path for r in mine for path in (*paths(r), pdf_path(r), views_dir / f"{stems[r]}.json",
                                                         failed_dir / f"{stems[r]}.ipynb",
                                                         history_dir / f"{stems[r]}.json")], "a report file")
    _make_dirs(*_out_folders(out_dir))
    owned = {stems[r] for r in mine}
    for d in (out_dir, status_folder, views_dir, failed_dir, history_dir):
        sweep_temp_files(d, owned)
    sweep_temp_files(batch_dir)

    params = {"as_of": inputs.meta["as_of"], "period": period or "", "preset": preset or "",
              "compare_to": compare_to or "",
              "notebook": file_hash(notebook)}
    origin = made_from(data_dir)
    key = run_key(origin["data_sha256"], weights_file, params)
    snapshot_dir = save_snapshot(inputs, batch_dir / f"snapshot-{key[:16]}")

    result = BatchResult(out_dir=out_dir, index_path=out_dir / INDEX_FILE, paper=paper if pdf else None,
                         weights=weights_said)
    owned_ids = set(mine)
    keys: dict[str, str] = {}  # per rep: the run's key and the record of the rep's last report
    lasts: dict[str, dict | None] = {}
    for rep_id in selected:  # every shard's reps, so the index can tell which reports are current
        lasts[rep_id], note = history.last_before(history_dir / f"{stems[rep_id]}.json", inputs.meta["dataset_name"],
                                                  rep_id, str(inputs.reps.at[rep_id, "name"]), inputs.meta["as_of"])
        result.notes += [note] if note and rep_id in owned_ids else []
        keys[rep_id] = hashlib.sha256(f"{key}\0{json.dumps(lasts[rep_id], sort_keys=True)}".encode()).hexdigest()
    tasks: list[RepTask] = []
    to_finish: list[str] = []  # up-to-date reports still to scan or print
    for rep_id in mine:
        html_path, ipynb_path, status_path = paths(rep_id)
        st = read_status(status_path)
        if (not force and st and st.get("ok") and st.get("key") == keys[rep_id] and st.get("privacy") != PRIVACY_LEAK
                and _outputs_intact(st, html_path, ipynb_path)):
            result.skipped.append(rep_id)
            if (scan and st.get("privacy") != PRIVACY_PASSED) or (pdf and not pdf_current(st, pdf_path(rep_id), paper)):
                to_finish.append(rep_id)
            continue
        name = inputs.reps.at[rep_id, "name"]
        view_path = views_dir / f"{stems[rep_id]}.json"
        tasks.append(RepTask(rep_id=rep_id, notebook=str(notebook), parameters={"view_file": str(view_path)},
                             html_path=str(html_path), ipynb_path=str(ipynb_path),
                             failed_path=str(failed_dir / f"{stems[rep_id]}.ipynb"),
                             title=f"{isolate(name)}: sales report, {inputs.meta['period_label']}",
                             snapshot=str(snapshot_dir), view_path=str(view_path), last_report=lasts[rep_id],
                             peer_name=_peer(inputs, rep_id)))

    team_names = [(r, str(n)) for r, n in zip(dataset.reps["rep_id"].astype(str), dataset.reps["name"])]
    printer = PdfPrinter(paper, browser) if pdf else None
    finish = Finisher(inputs, team_names, origin, scan=scan, printer=printer)

    bar = progress_bar(len(mine), len(result.skipped), enabled=progress)
    counts = {"done": len(result.skipped), "failed": 0}

    def on_done(o: RepOutcome) -> None:
        html_path, ipynb_path, status_path = paths(o.rep_id)
        status = {"rep_id": o.rep_id, "key": keys[o.rep_id], "ok": o.ok, "reason": o.reason,
                  "seconds": round(o.seconds, 2), "attempts": o.attempts, **clock_of(o)}
        if o.ok:
            status.update(html_sha256=file_hash(html_path), ipynb_sha256=file_hash(ipynb_path))
            if o.extra.get("history"):
                history.remember(history_dir / f"{stems[o.rep_id]}.json", o.extra["history"])
            leaks = [_Leak(**x) for x in o.extra["leaks"]] if "leaks" in o.extra else None  # scanned in the worker
            status = finish(o.rep_id, html_path, pdf_path(o.rep_id), status, leaks)
            result.written.append(o.rep_id)
            counts["done"] += 1
        else:
            pdf_path(o.rep_id).unlink(missing_ok=True)  # a failed rep keeps no report, printed or not
            result.failed[o.rep_id] = o.reason
            counts["failed"] += 1
        write_status(status_path, status)
        if bar is not None:
            bar.set_postfix(done=counts["done"], failed=counts["failed"],
                            left=len(mine) - counts["done"] - counts["failed"], refresh=False)
            bar.update(1)

    from .batch.cluster import SchedulerLost, run_tasks

    say = (lambda line: print(line, file=sys.stderr)) if progress else None
    try:
        run_tasks(tasks, jobs, on_done, scheduler=scheduler, log_dir=batch_dir / "logs", team_names=team_names,
                  scan=scan, say=say)
        for rep_id in to_finish:
            html_path, _, status_path = paths(rep_id)
            write_status(status_path, finish(rep_id, html_path, pdf_path(rep_id), read_status(status_path) or {}))
    except SchedulerLost:  # the index says which reports are still to do
        _write_index(result, inputs, selected, stems, paths, keys, pdf_path)
        raise
    finally:
        if bar is not None:
            bar.close()
        if printer is not None:
            result.browser_seconds = printer.launch_seconds
            printer.close()
        result.leaks += finish.leaks
        result.pdf_written.update(finish.printed)
        result.pdf_failed.update(finish.failed)
        for d in (out_dir, status_folder, views_dir, failed_dir):  # what a worker killed mid-report left
            sweep_temp_files(d, owned, stale_after=float("inf"))

    _write_index(result, inputs, selected, stems, paths, keys, pdf_path)
    result.seconds = time.perf_counter() - t0
    return result


def _peer(inputs, rep_id: str) -> str:
    peer = inputs.reps.at[rep_id, "peer_name"]
    return peer if isinstance(peer, str) else ""


def _write_index(result: BatchResult, inputs, selected: list[str], stems: dict, paths, keys: dict,
                 pdf_path) -> None:
    """The index covers every selected rep; reps of other shards show once their shard has run."""
    rows = []
    for rep_id in selected:
        html_path, ipynb_path, status_path = paths(rep_id)
        st = read_status(status_path)
        row = IndexRow.from_slice(inputs.slice(rep_id), f"{stems[rep_id]}.html")
        if st is None or st.get("key") != keys[rep_id]:
            row.status = "pending"
        elif st.get("ok"):
            row.status = "ok"
            result.reports[rep_id] = html_path
            if isinstance(st.get("pdf"), dict) and pdf_path(rep_id).is_file():
                row.pdf_href = pdf_path(rep_id).name
                result.pdfs[rep_id] = pdf_path(rep_id)
        else:
            row.status, row.reason = "failed", st.get("reason", "")
        rows.append(row)
    meta = inputs.meta
    from .diagnostics.foresight import TrackRecord

    write_text_atomic(result.index_path, render_index(
        rows, title=f"{meta.get('dataset_name') or 'Sales team'}: rep reports",
        subtitle=f"Period {meta.get('period_label', '')}, as of {meta.get('as_of', '')}. {result.weights}".strip(),
        notes=result.notes,
        trust=track_record_words(TrackRecord.from_dict(meta["track_record"])) if meta.get("track_record") else ""))


__all__ = ["BatchResult", "run_reports", "run_key"]
