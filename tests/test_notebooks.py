"""Both notebooks run top to bottom headless (papermill) on the sample and on a two-table dataset."""
from __future__ import annotations

import json

import nbformat
import papermill as pm
import pytest

from salesnb.config import REPORT_NOTEBOOK, TEAM_NOTEBOOK

pytestmark = pytest.mark.slow


def _run(notebook, out, **parameters):
    pm.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name="python3",
                        progress_bar=False, request_save_on_cell_execute=False)
    return nbformat.read(out, as_version=4)


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            for key in ("text/plain", "text/html"):
                parts.append(str(o.get("data", {}).get(key, "")))
    return "\n".join(parts)


def _errors(nb) -> list[str]:
    return [o.get("ename", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _stderr(nb) -> list[str]:
    return [o["text"] for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]


WIDGET = "application/vnd.jupyter.widget-view+json"


def _svg_count(nb) -> int:
    return sum("image/svg+xml" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_parameters_cells_are_tagged_and_literal():
    for path, names in ((TEAM_NOTEBOOK, {"data_dir", "as_of", "period", "weights_file", "save_dir"}),
                        (REPORT_NOTEBOOK, {"view_file", "data_dir", "rep_id", "as_of", "period", "weights_file"})):
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        lines = tagged[0].source.splitlines()
        assert {line.split("=")[0].strip() for line in lines} == names
        assert all("#" in line for line in lines)  # every parameter documented by a comment


def test_team_explorer_on_sample(tmp_path, sample_dir):
    nb = _run(TEAM_NOTEBOOK, tmp_path / "team.ipynb", data_dir=str(sample_dir), save_dir=str(tmp_path))
    assert not _errors(nb) and not _stderr(nb)
    text = _outputs_text(nb)
    assert "Team explorer: Sample sales team" in text and "Leaderboard (outcomes-first): 1. " in text
    widgets = [o for c in nb.cells for o in c.get("outputs", []) if WIDGET in o.get("data", {})]
    assert len(widgets) == 1  # the explorer, live


def test_team_explorer_on_two_tables_shows_notes(tmp_path, two_table_dir):
    nb = _run(TEAM_NOTEBOOK, tmp_path / "team2.ipynb", data_dir=str(two_table_dir), save_dir=str(tmp_path))
    assert not _errors(nb)
    text = _outputs_text(nb)
    for table in ("quotas", "activities", "leads"):
        assert f"No {table} table" in text


def test_rep_report_on_sample_from_data_and_from_a_prepared_view(tmp_path, sample_dir):
    from salesnb.analysis import analyse
    from salesnb.batch.prepare import prepare_view
    from salesnb.load import load
    from salesnb.report import inputs_for
    from salesnb.snapshot import save_snapshot

    inputs = inputs_for(analyse(load(sample_dir)))
    rep = inputs.rep_ids[1]
    view_file = tmp_path / "view.json"
    prepare_view(save_snapshot(inputs, tmp_path / "snap"), rep, view_file)
    a = _run(REPORT_NOTEBOOK, tmp_path / "a.ipynb", data_dir=str(sample_dir), rep_id=rep)
    b = _run(REPORT_NOTEBOOK, tmp_path / "b.ipynb", view_file=str(view_file))
    assert not _errors(a) and not _errors(b) and not _stderr(b)
    # same content whichever way the figures arrive
    assert _outputs_text(a) == _outputs_text(b)
    assert inputs.reps.at[rep, "name"] in _outputs_text(b)
    assert _svg_count(a) == _svg_count(b) == 5


def test_rep_report_on_two_tables_shows_notes(tmp_path, two_table_dir):
    nb = _run(REPORT_NOTEBOOK, tmp_path / "r2.ipynb", data_dir=str(two_table_dir))
    assert not _errors(nb)
    text = _outputs_text(nb)
    assert "No quotas table" in text and "No activities table" in text and "No leads table" in text


def test_committed_notebooks_carry_outputs_without_volatile_metadata():
    for path in (TEAM_NOTEBOOK, REPORT_NOTEBOOK):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), f"{path.name} is not executed"
        raw = json.dumps(nb)
        assert "papermill" not in nb.metadata and '"execution"' not in raw
        assert " at 0x" not in raw  # no memory addresses


def test_a_missing_folder_shows_the_fix_not_a_stack_trace(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(pm.PapermillExecutionError):
        _run(TEAM_NOTEBOOK, tmp_path / "out.ipynb", data_dir=str(missing))
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert [e["ename"] for e in errors] == ["DatasetError"]
    shown = "\n".join(errors[0]["traceback"])
    assert f"{missing}: does not exist" in shown and "Fix: check the path of the folder" in shown
    assert "Traceback" not in shown and "File " not in shown and "explorer" not in shown
