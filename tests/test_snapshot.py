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


# ------------------------------------------------------------------ report content (worked out from the CSVs)

def _sample_csv(sample_dir, name, dates=()):
    import pandas as pd

    return pd.read_csv(sample_dir / name, dtype={"rep_id": str}, parse_dates=list(dates))


def test_activity_mix_chart_names_activities_for_people(sample_snapshot):
    view = sample_snapshot.rep_view("R015")
    spec = view.charts["activity_mix"]
    rows = next(iter(spec["datasets"].values())) if "datasets" in spec else spec["data"]["values"]
    shown = {r["category"] for r in rows}
    assert shown == {rv.ACTIVITY_NAMES[r["type"]] for r in view.activity_mix["rows"]}
    assert "Calls" in shown and "call" not in shown and "email" not in shown


def _fake_diagnosis(top_sentences, unavailable=None):
    from types import SimpleNamespace

    import pandas as pd

    reps = pd.DataFrame({"rep_id": ["r1"], "name": ["Ann Lee"], "projection": [1.0], "quota": [2.0]})
    tp = pd.DataFrame({"label": [f"f{i}" for i in range(len(top_sentences))], "sentence": top_sentences})
    return SimpleNamespace(reps=reps, top_performers=tp, lead_quality=None, hygiene_deals=None,
                           unavailable=unavailable or {})


def test_practice_sentences_come_from_the_top_performer_findings():
    from salesnb.snapshot import _diagnosis_for

    d = _diagnosis_for(_fake_diagnosis(["Calls per week is higher among top performers.", "", "Deal size is higher."]), "r1")
    assert d["practice_sentences"] == ["Calls per week is higher among top performers.", "Deal size is higher."]
    assert "practices_note" not in d
    early = _diagnosis_for(_fake_diagnosis([], {"top_performers": "not yet available: too few closed deals"}), "r1")
    assert early["practice_sentences"] == []
    assert early["practices_note"] == "What top performers do differently: not yet available: too few closed deals."


def test_practices_show_in_the_activity_mix_section(monkeypatch, sample_snapshot):
    shown = []
    monkeypatch.setattr(rv, "display", lambda obj, raw=False: shown.append(obj))
    view = sample_snapshot.rep_view("R015")
    found = [s for s in sample_snapshot.diagnosis.top_performers["sentence"] if isinstance(s, str) and s]
    assert found and view.activity_mix["practices"] == found
    rv.activity_mix(view)
    text = "\n".join(repr(b) for b in shown if not isinstance(b, dict))
    assert "top performers of the team" in text
    assert found[0].split(":")[0] in text  # e.g. "Meetings per week is higher among top performers"
    # the early-period note instead, when the diagnosis has no findings yet
    shown.clear()
    early = RepView(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-01-10", currency="USD",
                    headline={}, activity_mix={"rows": [], "sentences": [], "practices": [],
                                               "practices_note": "What top performers do differently: not yet."})
    rv.activity_mix(early)
    assert any(repr(b) == "Note: What top performers do differently: not yet." for b in shown)


def test_metric_strengths_need_to_beat_the_role_median():
    import pandas as pd

    from salesnb.snapshot import metric_strengths, team_aggregates

    # win rate (higher is better) 0,0,1,1,1,1,1,2 -> q1 0.75, median 1, q3 1
    # sales cycle (lower is better) 90,90,50,50,50,50,50,20 -> q1 50, median 50, q3 80
    ids = [f"r{i}" for i in range(8)]
    values = pd.DataFrame({"win_rate": [0, 0, 1, 1, 1, 1, 1, 2],
                           "sales_cycle_days": [90, 90, 50, 50, 50, 50, 50, 20]}, index=ids, dtype=float)
    reps = pd.DataFrame({"role": ["AE"] * 8}, index=ids)
    agg = team_aggregates(values, reps)
    w = {"win_rate": 30, "sales_cycle_days": 10}
    assert metric_strengths(values, agg, "r3", "AE", w) == []  # at the upper quartile edge but only the median
    top = metric_strengths(values, agg, "r7", "AE", w)
    assert len(top) == 2 and top[0].startswith("Win rate: 200%") and top[1].startswith("Sales cycle: 20")
    assert metric_strengths(values, agg, "r0", "AE", w) == []


def test_employed_rows_keep_the_months_and_weeks_on_the_team():
    import pandas as pd

    from salesnb.snapshot import employed_rows

    reps = pd.DataFrame({"hire_date": pd.to_datetime(["2026-03-15", None]),
                         "end_date": pd.to_datetime([None, "2026-02-01"])}, index=["new", "gone"])
    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"])
    long = pd.DataFrame({"rep_id": ["new"] * 4 + ["gone"] * 4, "period_start": list(months) * 2})
    kept = employed_rows(long, reps, "M")
    assert list(zip(kept["rep_id"], kept["period_start"].dt.strftime("%m"))) == [
        ("new", "03"), ("new", "04"), ("gone", "01"), ("gone", "02")]
    weeks = pd.DataFrame({"rep_id": ["new"] * 2, "period_start": pd.to_datetime(["2026-03-09", "2026-03-16"])})
    # the week of Monday 9 March ends on Sunday 15 March, the hire date: kept
    assert len(employed_rows(weeks, reps, "W")) == 2
    assert len(employed_rows(weeks.assign(period_start=pd.to_datetime(["2026-03-02", "2026-03-16"])), reps, "W")) == 1


def test_new_hire_trend_starts_at_the_hire_month(sample_snapshot, sample_dir):
    reps = _sample_csv(sample_dir, "reps.csv", ["hire_date", "end_date"]).set_index("rep_id")
    hired = reps.at["R022", "hire_date"]
    assert hired.strftime("%Y-%m") == "2026-07"
    months = [r["period"] for r in sample_snapshot.rep_view("R022").trend["rows"] if r["series"] == "You"]
    assert months == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_trend_team_median_counts_only_reps_on_the_team(sample_snapshot, sample_dir):
    """March 2026: the median of won per AE among reps hired by then and not yet gone, from the raw CSVs."""
    import pandas as pd

    reps = _sample_csv(sample_dir, "reps.csv", ["hire_date", "end_date"])
    opps = _sample_csv(sample_dir, "opportunities.csv", ["close_date"])
    start, end = pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-31")
    on_team = reps[(reps["role"] == "AE") & (reps["hire_date"] <= end)
                   & (reps["end_date"].isna() | (reps["end_date"] >= start))]["rep_id"]
    assert "R022" not in set(on_team)
    won = opps[(opps["status"] == "won") & opps["close_date"].between(start, end)].groupby("rep_id")["amount"].sum()
    expected = won.reindex(on_team, fill_value=0.0).median()
    rows = sample_snapshot.rep_view("R015").trend["rows"]
    got = next(r["value"] for r in rows if r["period"] == "2026-03" and r["series"] == "Team median")
    assert got == pytest.approx(expected)


def test_trend_stops_at_a_leavers_end_date(sample_snapshot, sample_dir):
    """R011 left on 2026-06-30 (reps.csv): no report by default, but a view built for it stops in June."""
    from salesnb.snapshot import _rep_view

    reps = _sample_csv(sample_dir, "reps.csv", ["hire_date", "end_date"]).set_index("rep_id")
    assert reps.at["R011", "end_date"].strftime("%Y-%m-%d") == "2026-06-30"
    assert "R011" not in sample_snapshot.rep_ids
    view = _rep_view("R011", sample_snapshot.meta, sample_snapshot.heavy)
    months = [r["period"] for r in view.trend["rows"] if r["series"] == "You"]
    assert months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert view.trend["pace"]["weeks"][-1]["week"] == "2026-06-29"  # the week holding 30 June


def test_weekly_work_next_to_quota_progress(sample_snapshot, sample_dir):
    """Activities per week (you vs the AE median) and won vs the period's and the quarter's quota, from the CSVs."""
    import pandas as pd

    as_of = pd.Timestamp("2026-11-15")
    reps = _sample_csv(sample_dir, "reps.csv", ["hire_date", "end_date"])
    acts = _sample_csv(sample_dir, "activities.csv", ["date"])
    opps = _sample_csv(sample_dir, "opportunities.csv", ["close_date"])
    quotas = _sample_csv(sample_dir, "quotas.csv", ["period_start", "period_end"])
    acts = acts[(acts["date"] >= "2026-10-05") & (acts["date"] <= as_of)]
    monday = acts["date"] - pd.to_timedelta(acts["date"].dt.day_of_week, unit="D")
    per_week = acts.assign(week=monday).groupby(["rep_id", "week"]).size().unstack(fill_value=0)
    weeks = pd.date_range("2026-10-05", periods=6, freq="7D")
    on_team = reps[(reps["role"] == "AE") & (reps["hire_date"] <= as_of) & reps["end_date"].isna()]["rep_id"]
    per_week = per_week.reindex(index=on_team, columns=weeks, fill_value=0)

    pace = sample_snapshot.rep_view("R015").trend["pace"]
    assert [w["week"] for w in pace["weeks"]] == [d.strftime("%Y-%m-%d") for d in weeks]
    assert [w["you"] for w in pace["weeks"]] == [15, 15, 12, 18, 13, 18]
    assert [w["you"] for w in pace["weeks"]] == list(per_week.loc["R015"])
    assert [w["team"] for w in pace["weeks"]] == pytest.approx(list(per_week.median()))

    mine = quotas[quotas["rep_id"] == "R015"]
    won = opps[(opps["rep_id"] == "R015") & (opps["status"] == "won")]
    period, quarter = pace["quotas"]
    assert period["quota"] == mine[mine["period_start"].dt.year == 2026]["quota"].sum()
    assert period["won"] == won[won["close_date"].dt.year == 2026]["amount"].sum()
    assert (quarter["start"], quarter["end"]) == ("2026-10-01", "2026-12-31")
    assert quarter["quota"] == mine[mine["period_start"] == "2026-10-01"]["quota"].iloc[0]
    assert quarter["won"] == won[won["close_date"].between("2026-10-01", as_of)]["amount"].sum() == 33200
    assert "activity_weeks" in sample_snapshot.rep_view("R015").charts


def test_weekly_work_is_shown_in_the_trend_section(monkeypatch):
    shown = []
    monkeypatch.setattr(rv, "display", lambda obj, raw=False: shown.append(obj))
    view = RepView(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-11-11", currency="USD",
                   headline={}, trend={"rows": [], "series": [], "pace": {
                       "weeks": [{"week": "2026-11-02", "you": 10.0, "team": 20.0},
                                 {"week": "2026-11-09", "you": 20.0, "team": 30.0}],
                       "quotas": [{"span": "period", "won": 50.0, "quota": 200.0},
                                  {"span": "current", "start": "2026-10-01", "end": "2026-12-31",
                                   "won": 30.0, "quota": 40.0}]}})
    rv.trend(view)
    text = "\n".join(repr(b) for b in shown if not isinstance(b, dict))
    assert "you averaged 15.0, the team median 25.0" in text  # (10 + 20) / 2 and (20 + 30) / 2
    assert "For the period 2026: 50 USD won of a 200 USD target (25%)." in text
    assert "(2026-10-01 to 2026-12-31): 30 USD won of a 40 USD target (75%)." in text
    assert "2026-11-09 (to 2026-11-11)" in text  # the week still running on the report date
