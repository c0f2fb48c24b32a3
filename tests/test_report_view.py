"""One rep's view: facts built from that rep's slice of the team, worded and shown by the report sections."""
from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from salesnb.analysis import analyse, employed_rows
from salesnb.load import load
from salesnb.report import Report, RepView, build_view, inputs_for
from salesnb.report.facts import (ActivityMix, FlaggedDeal, Headline, Hygiene, MetricRow, Peer, Point, Practice,
                                  QuotaProgress, Trend, WeightsUsed)


@pytest.fixture(scope="module")
def inputs(sample_dir):
    return inputs_for(analyse(load(sample_dir)))


@pytest.fixture(scope="module")
def two_table_inputs(two_table_dir):
    return inputs_for(analyse(load(two_table_dir)))


def _csv(sample_dir, name, dates=()):
    return pd.read_csv(sample_dir / name, dtype={"rep_id": str}, parse_dates=list(dates))


def _shown(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    return shown


def _text(blocks) -> str:
    return "\n".join(repr(b) for b in blocks if b is not None and not isinstance(b, dict))


def _view(**kw) -> RepView:
    base = dict(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-11-11", currency="USD",
                dataset_name="T", headline=Headline(None, None, None, None, None, None, None, 0, None),
                weights=WeightsUsed("outcomes-first", "percentile", "role", {"won_revenue": 100.0}))
    return RepView(**{**base, **kw})


# ------------------------------------------------------------------ facts and privacy


def test_a_view_round_trips_through_json(inputs):
    view = build_view(inputs.slice("R015"))
    again = RepView.from_json(view.to_json())
    assert again == view
    assert json.loads(view.to_json())["funnel"]["leak"]["step"] == "qualifying"


def test_a_view_from_another_version_is_refused(inputs):
    from salesnb.errors import ReportError

    doc = build_view(inputs.slice("R015")).to_dict()
    doc["version"] = 0
    with pytest.raises(ReportError, match="another salesnb version"):
        RepView.from_dict(doc)


def test_a_rep_without_a_report_is_a_clear_error(inputs):
    from salesnb.errors import ReportError

    with pytest.raises(ReportError, match="'R011' has no report in this run"):
        inputs.slice("R011")  # left on 2026-06-30


def test_a_slice_holds_no_other_rep_but_the_peers_name(inputs, sample_dir):
    """Privacy by construction: what a view is built from names nobody else (checked on every rep)."""
    reps = _csv(sample_dir, "reps.csv")
    for rid in inputs.rep_ids:
        s = inputs.slice(rid)
        blob = json.dumps(s.__dict__, default=str)
        peer = s.rep.get("peer_name")
        for other_id, other_name in zip(reps["rep_id"], reps["name"]):
            if other_id == rid:
                continue
            assert f'"{other_id}"' not in blob, (rid, other_id)
            if other_name != peer:
                assert other_name not in blob, (rid, other_name)


def test_views_of_the_two_required_tables_say_what_is_missing(two_table_inputs):
    view = build_view(two_table_inputs.slice(two_table_inputs.rep_ids[0]))
    assert "No quotas table" in view.unavailable["headline"]
    assert "No activities table" in view.unavailable["activity_mix"]
    assert "No leads table" in view.unavailable["lead_quality"]
    assert view.activity_mix is None and view.headline.attainment is None and view.headline.risk is None
    assert view.breakdown  # scored on what the two tables allow


def test_breakdown_points_sum_to_the_score(inputs):
    for rid in inputs.rep_ids:
        v = build_view(inputs.slice(rid))
        assert sum(p.points for p in v.breakdown) == pytest.approx(v.headline.score, abs=1e-6)


def test_headline_figures_match_the_csvs(inputs, sample_dir):
    opps = _csv(sample_dir, "opportunities.csv", ["close_date"])
    quotas = _csv(sample_dir, "quotas.csv", ["period_start"])
    for rid in ("R001", "R006", "R015"):
        h = build_view(inputs.slice(rid)).headline
        won = opps[(opps["rep_id"] == rid) & (opps["status"] == "won")
                   & opps["close_date"].between("2026-01-01", "2026-11-15")]["amount"].sum()
        quota = quotas[(quotas["rep_id"] == rid) & (quotas["period_start"].dt.year == 2026)]["quota"].sum()
        assert h.won == pytest.approx(won) and h.quota == pytest.approx(quota)
        assert h.attainment == pytest.approx(won / quota)


# ------------------------------------------------------------------ sections


def test_sections_escape_and_isolate_hostile_names(monkeypatch):
    shown = _shown(monkeypatch)
    hostile = "<script>alert(1)</script>\u202e"
    view = _view(name=hostile, peer=Peer(hostile, "closing", False),
                 hygiene=Hygiene(counts=[MetricRow("stale_deals", "count", 1.0, 0.0)],
                                 deals=[FlaggedDeal("o1", hostile, 10.0, "2026-12-01", ["stale"])]))
    report = Report(view, charts={})
    blocks = [report.title(), report.headline(), report.peer(), report.hygiene()]
    html = "".join(b._repr_html_() for b in [*blocks, *shown] if b is not None and not isinstance(b, dict))
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "<bdi>&lt;script&gt;" in html  # names from data are isolated from the text around them


def test_missing_sections_say_why():
    view = _view(unavailable={"lead_quality": "No leads table in this dataset: add leads.csv to see more."})
    report = Report(view, charts={})
    assert "No leads table" in repr(report.lead_quality())
    assert repr(report.activity_mix()) == "Note: No activities recorded in this period."
    assert repr(report.peer()).startswith("Note:")


def test_the_report_kernel_path_stays_light(inputs, tmp_path):
    """Showing a prepared report needs neither pandas, numpy, altair nor a chart renderer."""
    import subprocess
    import sys

    from salesnb.batch.prepare import prepare_view
    from salesnb.snapshot import save_snapshot

    folder = save_snapshot(inputs, tmp_path / "snap")
    path = tmp_path / "R015.json"
    prepare_view(folder, "R015", path)
    code = (
        "import sys, IPython.display\n"
        "IPython.display.display = lambda *a, **k: None\n"
        "from salesnb.report import open_report\n"
        f"r = open_report({str(path)!r})\n"
        "for f in ('title', 'headline', 'strengths', 'funnel', 'activity_mix', 'lead_quality', 'hygiene',"
        " 'trend', 'peer', 'breakdown'):\n"
        "    getattr(r, f)()\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'altair', 'vl_convert') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    charts = json.loads(path.read_text())["charts"]
    assert set(charts) == {"funnel", "activity_mix", "trend", "activity_weeks", "breakdown"}
    assert all(svg.lstrip().startswith("<svg") for svg in charts.values())


def test_activity_mix_chart_names_activities_for_people(inputs):
    from salesnb.report.charts import specs
    from salesnb.terms import activity_label

    view = build_view(inputs.slice("R015"))
    spec = specs(view)["activity_mix"]
    rows = next(iter(spec["datasets"].values()))
    shown = {r["category"] for r in rows}
    assert shown == {activity_label(r.activity) for r in view.activity_mix.rows}
    assert "Calls" in shown and "call" not in shown and "Letters" in shown


def test_practices_show_in_the_activity_mix_section(monkeypatch, inputs):
    shown = _shown(monkeypatch)
    view = build_view(inputs.slice("R015"))
    assert view.activity_mix.practices
    Report(view, charts={}).activity_mix()
    text = _text(shown)
    assert "top performers of the team" in text
    assert "Meetings per week is higher among top performers" in text
    shown.clear()
    early = _view(activity_mix=ActivityMix(rows=[], practices=[], practices_unavailable="not yet available"))
    Report(early, charts={}).activity_mix()
    assert any(repr(b) == "Note: What top performers do differently: not yet available." for b in shown)
    shown.clear()
    practice = Practice("call_per_week", "calls per week", "number", 13.5, 8.6, 1.57, "large", False)
    Report(_view(activity_mix=ActivityMix(practices=[practice])), charts={}).activity_mix()
    assert "- Calls per week is higher among top performers: 13.5 vs 8.6 for the rest (1.6x), a large difference." \
        in _text(shown)


def test_metric_strengths_need_to_beat_the_role_median():
    from salesnb.report.build import strengths
    from salesnb.report.inputs import RepSlice

    # win rate (higher is better) 0,0,1,1,1,1,1,2 -> q1 0.75, median 1, q3 1
    # sales cycle (lower is better) 90,90,50,50,50,50,50,20 -> q1 50, median 50, q3 80
    role = {"win_rate": {"q1": 0.75, "median": 1.0, "q3": 1.0, "n": 8},
            "sales_cycle_days": {"q1": 50.0, "median": 50.0, "q3": 80.0, "n": 8}}
    meta = {"weights": {"weights": {"win_rate": 30.0, "sales_cycle_days": 10.0}}}

    def of(win, cycle):  # on 10 deals won: enough behind each figure
        return strengths(RepSlice("x", meta, {}, {"win_rate": win, "sales_cycle_days": cycle, "deals_won": 10.0},
                                  {}, {}, [], [], [],
                                  None, [], None, None, role, {}, {}, {}, {}, []))

    assert of(1.0, 50.0) == []  # at the upper quartile edge but only the median
    best = of(2.0, 20.0)
    assert [s.key for s in best] == ["win_rate", "sales_cycle_days"]
    assert best[0].value == 2.0 and best[0].team_median == 1.0
    assert of(0.0, 90.0) == []


# ------------------------------------------------------------------ trend and pace, from the CSVs


def test_employed_rows_keep_the_months_and_weeks_on_the_team():
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


def test_new_hire_trend_starts_at_the_hire_month(inputs, sample_dir):
    reps = _csv(sample_dir, "reps.csv", ["hire_date"]).set_index("rep_id")
    assert reps.at["R022", "hire_date"].strftime("%Y-%m") == "2026-07"
    months = [p.start[:7] for p in build_view(inputs.slice("R022")).trend.months]
    assert months == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_trend_team_median_counts_only_reps_on_the_team(inputs, sample_dir):
    """March 2026: the median of won per AE among reps hired by then and not yet gone, from the raw CSVs."""
    reps = _csv(sample_dir, "reps.csv", ["hire_date", "end_date"])
    opps = _csv(sample_dir, "opportunities.csv", ["close_date"])
    start, end = pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-31")
    on_team = reps[(reps["role"] == "AE") & (reps["hire_date"] <= end) & reps["end_date"].isna()]["rep_id"]
    assert "R022" not in set(on_team)
    won = opps[(opps["status"] == "won") & opps["close_date"].between(start, end)].groupby("rep_id")["amount"].sum()
    expected = won.reindex(on_team, fill_value=0.0).median()
    got = next(p.team for p in build_view(inputs.slice("R015")).trend.months if p.start.startswith("2026-03"))
    assert got == float(f"{expected:.3g}")  # an aggregate is shown to 3 significant digits


def test_weekly_work_next_to_quota_progress(inputs, sample_dir):
    """Activities per week (you vs the AE median) and won vs the period's and the quarter's quota, from the CSVs."""
    as_of = pd.Timestamp("2026-11-15")
    reps = _csv(sample_dir, "reps.csv", ["hire_date", "end_date"])
    acts = _csv(sample_dir, "activities.csv", ["date"])
    opps = _csv(sample_dir, "opportunities.csv", ["close_date"])
    quotas = _csv(sample_dir, "quotas.csv", ["period_start", "period_end"])
    acts = acts[(acts["date"] >= "2026-10-05") & (acts["date"] <= as_of)]
    monday = acts["date"] - pd.to_timedelta(acts["date"].dt.day_of_week, unit="D")
    per_week = acts.assign(week=monday).groupby(["rep_id", "week"]).size().unstack(fill_value=0)
    weeks = pd.date_range("2026-10-05", periods=6, freq="7D")
    on_team = reps[(reps["role"] == "AE") & (reps["hire_date"] <= as_of) & reps["end_date"].isna()]["rep_id"]
    per_week = per_week.reindex(index=on_team, columns=weeks, fill_value=0)

    t = build_view(inputs.slice("R015")).trend
    assert [p.start for p in t.weeks] == [d.strftime("%Y-%m-%d") for d in weeks]
    assert [p.you for p in t.weeks] == list(per_week.loc["R015"])
    assert [p.team for p in t.weeks] == pytest.approx(list(per_week.median()))
    mine = quotas[quotas["rep_id"] == "R015"]
    won = opps[(opps["rep_id"] == "R015") & (opps["status"] == "won")]
    period, quarter = t.quotas
    assert period.quota == mine[mine["period_start"].dt.year == 2026]["quota"].sum()
    assert period.won == won[won["close_date"].dt.year == 2026]["amount"].sum()
    assert (quarter.start, quarter.end) == ("2026-10-01", "2026-12-31")
    assert quarter.quota == mine[mine["period_start"] == "2026-10-01"]["quota"].iloc[0]
    assert quarter.won == won[won["close_date"].between("2026-10-01", as_of)]["amount"].sum()


def test_weekly_work_is_shown_in_the_trend_section(monkeypatch):
    shown = _shown(monkeypatch)
    view = _view(trend=Trend(weeks=[Point("2026-11-02", 10.0, 20.0), Point("2026-11-09", 20.0, 30.0)],
                             quotas=[QuotaProgress("period", 50.0, 200.0),
                                     QuotaProgress("current", 30.0, 40.0, "2026-10-01", "2026-12-31")]))
    Report(view, charts={}).trend()
    text = _text(shown)
    assert "you averaged 15.0, the team median 25.0" in text  # (10 + 20) / 2 and (20 + 30) / 2
    assert "For the period 2026: 50 USD won of a 200 USD target (25%)." in text
    assert "(2026-10-01 to 2026-12-31): 30 USD won of a 40 USD target (75%)." in text
    assert "2026-11-09 (to 2026-11-11)" in text  # the week still running on the report date


# ------------------------------------------------------------------ odd rep ids


@pytest.mark.parametrize("new_id", [lambda i, old: str(i + 1), lambda i, old: f"{i + 1:02d}",
                                    lambda i, old: "." * (i + 1)], ids=["1..24", "01..24", "dots"])
def test_numeric_and_odd_ids_give_the_same_figures(inputs, sample_dir, tmp_path, new_id):
    from test_reports_helpers import renumbered

    data = tmp_path / "renumbered"
    ids = renumbered(sample_dir, data, new_id)
    odd = inputs_for(analyse(load(data)))
    for old in ("R001", "R006", "R015"):
        a, b = build_view(inputs.slice(old)), build_view(odd.slice(ids[old]))
        assert b.rep_id == ids[old]
        assert (a.headline, a.funnel, a.breakdown, a.trend) == (b.headline, b.funnel, b.breakdown, b.trend)
        assert a.peer == b.peer  # the peer is named, never identified by id


def test_rates_over_leads_say_which_young_leads_they_leave_out(monkeypatch, inputs, sample_dir):
    leads = _csv(sample_dir, "leads.csv", ["created_date"])
    opps = _csv(sample_dir, "opportunities.csv", ["created_date"])
    linked = leads.dropna(subset=["opportunity_id"]).merge(opps[["opportunity_id", "created_date"]],
                                                           on="opportunity_id", suffixes=("", "_opp"))
    days = int(-(-(linked["created_date_opp"] - linked["created_date"]).dt.days.quantile(0.9) // 1))
    view = build_view(inputs.slice("R015"))
    since = pd.Timestamp(view.as_of) - pd.Timedelta(days=days - 1)
    assert f"from {since.day} {since.strftime('%b %Y')}" in view.leads_settling
    assert f"within {days} days" in view.leads_settling
    shown = _shown(monkeypatch)
    Report(view, charts={}).funnel()
    assert view.leads_settling in _text(shown)  # under the funnel, whose first step is qualifying leads
    assert view.leads_settling not in repr(Report(view, charts={}).lead_quality())  # said once
    without = dataclasses.replace(view, funnel=None)  # no funnel to say it under: lead quality says it
    assert view.leads_settling in repr(Report(without, charts={}).lead_quality())


def test_what_moves_at_qualifying_is_leads_and_after_it_deals():
    from salesnb.report.facts import Funnel, Leak, Weakest
    from salesnb.words import rep as words

    def leak(step):
        return Funnel(verdict=step, leak=Leak(step=step, source="rung", unit="deals", reached=242, advanced=26,
                                              rate=26 / 242, team_median=0.45, team_q1=0.4, team_q3=0.47,
                                              expected=None, lost_wins=17.0, team_rate=0.45))

    assert ": 26 of your 242 leads moved on (11%" in words.funnel(_view(funnel=leak("qualifying")))
    assert ": 26 of your 242 deals moved on (11%" in words.funnel(_view(funnel=leak("closing")))
    weakest = Funnel(verdict="none", weakest=Weakest(step="qualifying", reached=50, advanced=15, rate=0.3,
                                                     team_median=0.45))
    text = words.funnel(_view(funnel=weakest))
    assert "15 of 50 (30%)" in text and "On 50 leads this could still be chance" in text


def test_a_new_hires_lead_count_says_it_runs_from_the_hire_date(monkeypatch):
    from salesnb.report.facts import LeadQuality

    rows = [MetricRow("leads", "count", 214.0, 398.0), MetricRow("conv_lead_qualified", "ratio", 0.42, 0.45)]
    quality = LeadQuality(rows=rows, leads=214, high_share=0.4, team_high_share=0.38)
    hire = Headline(None, None, None, None, None, None, None, 0, None, joined="2026-05-03")
    text = repr(Report(_view(headline=hire, lead_quality=quality), charts={}).lead_quality())
    assert "Leads (since you joined on 2026-05-03)" in text
    assert "(since you joined" not in text.split("Leads (since you joined on 2026-05-03)")[1]  # counts only
    text = repr(Report(_view(lead_quality=quality), charts={}).lead_quality())
    assert "since you joined" not in text


def test_a_second_clear_leak_is_said_after_the_step_to_work_on_and_marked_in_the_table(monkeypatch):
    from salesnb.report.facts import Funnel, Leak, Quartiles, StepFigures
    from salesnb.words import rep as words

    steps = [StepFigures("meeting", 200, 60, 0.3, Quartiles(0.75, 0.8, 0.85, 7)),
             StepFigures("closing", 36, 6, 6 / 36, Quartiles(0.45, 0.5, 0.55, 7))]
    leak = Leak(step="meeting", source="rung", unit="deals", reached=200, advanced=60, rate=0.3, team_median=0.8,
                team_q1=0.75, team_q3=0.85, expected=None, lost_wins=30.0, team_rate=0.8)
    f = Funnel(verdict="meeting", steps=steps, leak=leak, also_weak=["closing", "prospecting"])
    said = words.funnel(_view(funnel=f))
    assert said.endswith(" Also clearly below the rest of your role, with fewer wins at stake: closing (turning "
                         "verbal commitments into signed deals), 6 of 36 (17%) against a team median of 50%; "
                         "finding enough leads.")
    shown = _shown(monkeypatch)
    Report(_view(funnel=f), charts={}).funnel()
    html = _text(shown)
    assert "Getting meetings  ◀ work on this" in html and "Closing  ◀ also below" in html
    assert "Also clearly below" not in words.funnel(_view(funnel=dataclasses.replace(f, also_weak=[])))


def test_recent_deals_left_out_of_the_steps_are_said_under_the_funnel(inputs, monkeypatch):
    view = build_view(inputs.slice("R006"))
    assert view.deals_settling.startswith("Each step counts only the deals that reached it long enough ago")
    shown = _shown(monkeypatch)
    Report(view, charts={}).funnel()
    assert view.deals_settling in _text(shown)


def test_a_year_to_date_report_gives_no_verdict_and_says_where_the_warning_is(sample_dir):
    view = build_view(inputs_for(analyse(load(sample_dir), period="ytd")).slice("R006"))
    text = repr(Report(view, charts={}).headline())
    assert "The period is over" not in text and "Projected at period end" not in text
    assert "A year-to-date view ends on the report date" in text and "choose the whole year" in text
    assert "Won revenue so far" in text
