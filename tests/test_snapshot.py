"""The shared snapshot: computed once, saved and loaded, and a private view per rep."""
from __future__ import annotations

import pickle

import pytest

from salesnb import report_view as rv
from salesnb.dataset import Dataset
from salesnb.load import load
from salesnb.snapshot import RepView, Snapshot, build_snapshot, redact_others


@pytest.fixture(scope="module")
def sample_snapshot(sample_dir):
    return build_snapshot(load(sample_dir))


@pytest.fixture(scope="module")
def two_table_snapshot(two_table_dir):
    return build_snapshot(load(two_table_dir))


def _all_reps(snap):
    reps = snap.table.reps
    return [(str(i), str(n)) for i, n in zip(reps.index, reps["name"])]


def test_save_and_load_round_trip(sample_snapshot, tmp_path):
    path = sample_snapshot.save(tmp_path / "snap.pkl")
    loaded = Snapshot.load(path)
    assert loaded.rep_ids == sample_snapshot.rep_ids
    rid = loaded.rep_ids[0]
    assert loaded.rep_view(rid) == sample_snapshot.rep_view(rid)
    # the heavy part comes back on first use
    assert list(loaded.table.values.index) == list(sample_snapshot.table.values.index)


def test_unknown_rep_and_missing_file_are_clear_errors(sample_snapshot, tmp_path):
    from salesnb.errors import ReportError

    with pytest.raises(ReportError, match="nobody"):
        sample_snapshot.rep_view("nobody")
    with pytest.raises(ReportError, match="does not exist"):
        Snapshot.load(tmp_path / "missing.pkl")


def test_rep_view_names_no_other_rep_except_the_peer(sample_snapshot):
    everyone = _all_reps(sample_snapshot)
    for rid in sample_snapshot.rep_ids:
        view = sample_snapshot.rep_view(rid)
        allowed = {rid, view.rep_id}
        peer_name = view.peer["name"] if view.peer else None
        blob = pickle.dumps(view).decode("latin-1") + repr(view)
        for other_id, other_name in everyone:
            if other_id in allowed or other_name == peer_name:
                continue
            # a full name or an id as a whole token (ids like R01 are inside R010 otherwise)
            assert other_name not in blob, (rid, other_name)
            assert f"'{other_id}'" not in repr(view) and f'"{other_id}"' not in repr(view), (rid, other_id)


def test_redaction_replaces_other_reps_in_sentences():
    import pandas as pd

    reps = pd.DataFrame({"name": ["Ann Lee", "Bob Ray", "Cy Oh"]}, index=pd.Index(["r1", "r2", "r3"], name="rep_id"))
    view = RepView(rep_id="r1", name="Ann Lee", role="AE", period_label="2026", as_of="2026-06-30", currency="USD",
                   headline={}, strengths=["Better than Bob Ray (r2) at closing."],
                   peer={"name": "Cy Oh", "sentence": "Pair with Cy Oh; Bob Ray also helps."})
    out = redact_others(view, reps, keep={"r1", "r3"})
    assert out.strengths == ["Better than a colleague (a colleague) at closing."]
    assert out.peer["sentence"] == "Pair with Cy Oh; a colleague also helps."


def test_views_of_two_table_dataset_carry_notes_not_errors(two_table_snapshot):
    view = two_table_snapshot.rep_view(two_table_snapshot.rep_ids[0])
    assert "No quotas table" in view.notes["headline"]
    assert "No activities table" in view.notes["activity_mix"]
    assert "No leads table" in view.notes["lead_quality"]
    assert view.activity_mix is None and view.headline["attainment"] is None
    assert view.breakdown  # scored on what the two tables allow


def test_breakdown_points_sum_to_the_score(sample_snapshot):
    for rid in sample_snapshot.rep_ids:
        v = sample_snapshot.rep_view(rid)
        assert sum(b["points"] for b in v.breakdown) == pytest.approx(v.headline["score"], abs=1e-6)


def test_report_view_escapes_hostile_names(monkeypatch):
    shown = []
    monkeypatch.setattr(rv, "display", lambda obj, raw=False: shown.append(obj))
    hostile = "<script>alert(1)</script>"
    view = RepView(rep_id="x", name=hostile, role="AE", period_label="2026", as_of="2026-06-30", currency="USD",
                   headline={"won": 10.0, "rank": 1, "n_in_role": 3, "score": 50.0, "status": hostile},
                   strengths=[hostile], peer={"name": hostile, "sentence": f"Pair with {hostile}."},
                   hygiene={"counts": [{"label": "Stale deals", "you": "1", "team": "0"}],
                            "deals": [{"Deal": "o1", "Account": hostile, "Flags": "stale"}]})
    blocks = [rv.title(view), rv.headline(view), rv.strengths(view), rv.peer(view), rv.hygiene(view)]
    html = "".join(b._repr_html_() for b in [*blocks, *shown] if b is not None)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_missing_sections_show_a_note():
    view = RepView(rep_id="x", name="A", role=None, period_label="2026", as_of="2026-06-30", currency="USD",
                   headline={}, notes={"lead_quality": "No leads table in this dataset: add leads.csv to see more."})
    assert "No leads table" in repr(rv.lead_quality(view))
    assert repr(rv.activity_mix(view)) == "Note: No activities recorded."
    assert repr(rv.peer(view)).startswith("Note:")


def test_hostile_rep_end_to_end(sample_dir, tmp_path):
    """A rep named like a script tag comes out escaped in every section of the report."""
    import shutil

    import pandas as pd

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    reps = pd.read_csv(data / "reps.csv", dtype=str)
    reps.loc[0, "name"] = "<script>alert(1)</script>"
    reps.to_csv(data / "reps.csv", index=False)
    snap = build_snapshot(load(data))
    view = snap.rep_view(str(reps.loc[0, "rep_id"]))
    assert view.name == "<script>alert(1)</script>"
    assert "&lt;script&gt;" in rv.title(view)._repr_html_()


def test_report_kernel_path_stays_light(sample_snapshot, tmp_path):
    """Showing a report from a saved snapshot needs neither pandas, numpy, altair nor a chart renderer."""
    import subprocess
    import sys

    path = sample_snapshot.save(tmp_path / "snap.pkl")
    code = (
        "import sys\n"
        "from salesnb import report_view as rv\n"
        "rv.display = lambda *a, **k: None\n"
        f"view = rv.open_view({str(path)!r}, {sample_snapshot.rep_ids[0]!r})\n"
        "for f in ('title', 'headline', 'strengths', 'funnel', 'activity_mix', 'lead_quality', 'hygiene',"
        " 'trend', 'peer', 'breakdown'):\n"
        "    getattr(rv, f)(view)\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'altair', 'vl_convert') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_snapshot_charts_are_drawn_in_advance(sample_snapshot):
    view = sample_snapshot.rep_view(sample_snapshot.rep_ids[0])
    assert set(view.rendered) == set(view.charts) and view.charts
    for bundle in view.rendered.values():
        assert bundle["image/svg+xml"].lstrip().startswith("<svg") and bundle["text/plain"].startswith("Chart: ")
