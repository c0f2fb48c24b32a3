"""The main job on the bundled sample: one private, offline HTML report per rep, plus the index.

The batch runs once for the module (the real report notebook, every rep of the sample); the tests then
check what it wrote. The sample's rep ids are renumbered 1..24 in every table first (employee numbers
are common ids, and a digit is inside every figure), and the input folder is a read-only copy, so any
write into it would fail the run.
"""
from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import nbformat
import pytest

from salesnb.batch.export import external_references
from salesnb.batch.privacy import scan_reports
from salesnb.errors import ConfigError
from salesnb.reports import run_reports
from salesnb.snapshot import load_snapshot
from test_reports_helpers import renumbered

pytestmark = pytest.mark.slow


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
            h.update(str(p.stat().st_mtime_ns).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, sample_dir):
    d = tmp_path_factory.mktemp("input") / "sample"
    renumbered(sample_dir, d, lambda i, old: str(i + 1))
    for p in [*d.iterdir(), d]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield d
    for p in [d, *d.iterdir()]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def run(tmp_path_factory, data_dir):
    before = _tree_digest(data_dir)
    out = tmp_path_factory.mktemp("reports")
    result = run_reports(data_dir, out, jobs=2, progress=False)
    return result, before


@pytest.fixture(scope="module")
def snapshot(run):
    """What the run's reports were built from (the saved inputs)."""
    result, _ = run
    (folder,) = (result.out_dir / "_batch").glob("snapshot-*")
    return load_snapshot(folder)


def _name(snapshot, rep_id) -> str:
    return str(snapshot.reps.at[rep_id, "name"])


def test_one_report_per_rep_plus_the_index(run, snapshot):
    result, _ = run
    assert result.exit_code == 0, result.summary()
    rep_ids = snapshot.rep_ids
    assert len(rep_ids) >= 10
    assert set(result.reports) == set(rep_ids)
    htmls = sorted(p.name for p in result.out_dir.glob("*.html") if p.name != "index.html")
    assert len(htmls) == len(rep_ids)
    for rep_id, path in result.reports.items():
        assert path.is_file() and path.with_suffix(".ipynb").is_file()
        page = path.read_text(encoding="utf-8")
        assert page.rstrip().endswith("</html>")
        assert _name(snapshot, rep_id) in page
    index = result.index_path.read_text(encoding="utf-8")
    for path in result.reports.values():
        assert f'href="{path.name}"' in index
    assert f"{len(rep_ids)} report(s) written, 0 failed" in index


def test_figures_with_numeric_ids_match_the_csvs(run, data_dir):
    """Won so far and the quota in the reports of a few reps, against pandas on the renumbered CSVs."""
    import re

    import pandas as pd

    result, _ = run
    opps = pd.read_csv(data_dir / "opportunities.csv", dtype={"rep_id": str}, parse_dates=["close_date"])
    quotas = pd.read_csv(data_dir / "quotas.csv", dtype={"rep_id": str}, parse_dates=["period_start"])
    for rep_id in ("1", "6", "15"):
        page = result.reports[rep_id].read_text(encoding="utf-8")
        won = opps[(opps["rep_id"] == rep_id) & (opps["status"] == "won")
                   & opps["close_date"].between("2026-01-01", "2026-11-15")]["amount"].sum()
        quota = quotas[(quotas["rep_id"] == rep_id) & (quotas["period_start"].dt.year == 2026)]["quota"].sum()
        cells = dict(re.findall(r'<td style="[^"]*">([^<]+)</td><td style="[^"]*">([^<]+)</td>', page))
        assert cells["Won revenue so far"] == f"{won:,.0f} USD" and cells["Quota for the period"] == f"{quota:,.0f} USD"
        assert "a colleague" not in page


def test_the_index_puts_reps_at_risk_first_with_their_reason(run, snapshot):
    result, _ = run
    index = result.index_path.read_text(encoding="utf-8")
    risk = snapshot.headline["at_risk"].astype(bool)  # every rep of the sample has a quota: a verdict each
    at_risk = [r for r in snapshot.rep_ids if risk[r]]
    on_track = [r for r in snapshot.rep_ids if not risk[r]]
    assert at_risk and on_track
    assert f"{len(at_risk)} of {len(snapshot.rep_ids)} rep(s) at risk" in index
    # every rep at risk is listed before every rep on track
    last_risky = max(index.index(f"(<bdi>{r}</bdi>)") for r in at_risk)
    assert all(index.index(f"(<bdi>{r}</bdi>)") > last_risky for r in on_track)
    assert "projected to reach" in index


def test_executed_notebook_kept_beside_the_report_with_this_reps_parameters(run):
    result, _ = run
    rep_id, path = sorted(result.reports.items())[0]
    nb = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'view_file = "{result.out_dir / "_batch" / "views" / (path.stem + ".json")}"' \
        in injected[0].source
    assert all(o.get("output_type") != "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_executed_notebooks_are_trusted_here_so_jupyterlab_draws_their_charts(run):
    from nbformat.sign import NotebookNotary

    result, _ = run
    notary = NotebookNotary()
    for path in result.reports.values():
        nb = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
        assert any("image/svg+xml" in o.get("data", {}) or "<svg" in str(o.get("data", {}).get("text/html", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert notary.check_signature(nb), path
        nb.cells[-1].source += "\n# edited"  # an edited copy is no longer the signed notebook
        assert not notary.check_signature(nb)


def test_no_report_names_another_rep_except_the_suggested_peer(run, snapshot):
    result, _ = run
    team = [(r, _name(snapshot, r)) for r in snapshot.rep_ids]
    peers = {r: [p] if isinstance(p := snapshot.reps.at[r, "peer_name"], str) else [] for r in snapshot.rep_ids}
    leaks = scan_reports(result.reports, team, peers)
    assert leaks == [], "\n".join(map(str, leaks[:10]))
    assert result.leaks == []
    # the scan really looks: seen from another rep's side, each report does name its own rep
    for rep_id, path in result.reports.items():
        found = scan_reports({"someone-else": path}, team)
        assert any(leak.rep_id == rep_id and leak.what == "name" for leak in found), path.name


def test_reports_are_offline_and_hide_the_code(run):
    result, _ = run
    for path in [*result.reports.values(), result.index_path]:
        page = path.read_text(encoding="utf-8")
        assert external_references(page) == [], path.name
        assert "<script" not in page.lower(), path.name
        assert "import " not in page and "rep_id = " not in page, f"code shown in {path.name}"
        assert "<svg" in page or path == result.index_path


def test_the_input_folder_is_never_written(run, data_dir):
    _, before = run
    assert _tree_digest(data_dir) == before


def test_a_second_run_skips_reports_already_up_to_date(run, data_dir):
    result, _ = run
    mtimes = {p: p.stat().st_mtime_ns for p in result.reports.values()}
    again = run_reports(data_dir, result.out_dir, jobs=2, progress=False)
    assert again.exit_code == 0
    assert again.written == [] and sorted(again.skipped) == sorted(result.reports)
    assert {p: p.stat().st_mtime_ns for p in result.reports.values()} == mtimes


def test_a_report_that_is_not_what_the_run_wrote_is_redone(run, data_dir):
    result, _ = run
    rep_id, path = sorted(result.reports.items())[1]
    good = path.read_bytes()
    path.write_text("junk", encoding="utf-8")
    again = run_reports(data_dir, result.out_dir, jobs=1, progress=False)
    assert again.written == [rep_id] and again.exit_code == 0
    assert path.read_bytes() == good  # the same figures, written again


def test_force_redoes_a_report(run, data_dir):
    result, _ = run
    rep_id, path = sorted(result.reports.items())[0]
    before = path.stat().st_mtime_ns
    again = run_reports(data_dir, result.out_dir, reps=[rep_id], force=True, jobs=1, progress=False)
    assert again.written == [rep_id] and again.exit_code == 0
    assert path.stat().st_mtime_ns > before


def test_out_folder_inside_the_input_folder_is_refused(data_dir):
    with pytest.raises(ConfigError, match="never writes there"):
        run_reports(data_dir, data_dir / "reports", progress=False)


def test_unknown_rep_ids_are_named(run, data_dir):
    result, _ = run
    with pytest.raises(ConfigError, match="'NOPE'"):
        run_reports(data_dir, result.out_dir, reps="NOPE", progress=False)
