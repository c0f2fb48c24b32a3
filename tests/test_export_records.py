"""Records that are there but do not mean what they seem (issue 21, items 6 and 7), each on a small team shaped
like the export that showed it: activities logged twice, activities that cover part of the period, activities
linked to no deal, activity types the export lacks, a lost deal's expected close date after the export, data
with no roles or quotas, and a quarter with no new deals. Every expected figure is worked out by hand here."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.dataset import Dataset, DatasetMeta
from salesnb.metrics import metrics

from shapes_check import _run, report_texts


def _write(folder: Path, **tables) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


REPS = pd.DataFrame({"rep_id": ["r1", "r2", "r3"], "name": ["Ana", "Ben", "Cy"], "hire_date": ["2024-01-01"] * 3})


def _opps(n_per_rep=2, created="2026-04-02", status="won", close="2026-04-20") -> pd.DataFrame:
    rows = [dict(opportunity_id=f"{r}-{k}", rep_id=r, created_date=created, status=status, amount=100.0,
                 close_date=close) for r in REPS["rep_id"] for k in range(n_per_rep)]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ activities logged twice


def test_activities_copied_but_for_their_id_are_a_warning_and_counted_once(tmp_path):
    from salesnb.load import load

    # r1 logs 6 calls on 6 days; the export repeats 4 of them under new ids (4 of 14 rows are copies: 29%)
    calls = [dict(activity_id=f"c{k}", rep_id="r1", date=f"2026-04-{10 + k:02d}", type="call") for k in range(6)]
    copies = [dict(c, activity_id=f"copy{k}") for k, c in enumerate(calls[:4])]
    emails = [dict(activity_id=f"e{k}", rep_id="r2", date=f"2026-04-{10 + k:02d}", type="email") for k in range(4)]
    folder = _write(tmp_path / "twice", reps=REPS, opportunities=_opps(),
                    activities=pd.DataFrame(calls + copies + emails))
    rc, out, _ = _run(["validate", str(folder)])
    assert rc == 0
    assert "Found 4 warnings" in out and out.count("exact copy of an earlier one") == 4
    assert "activities.csv:8: column activity_id: value 'copy0'" in out  # the first copy, on line 8
    assert "(4 of 14 activities are" in out and "counted once" in out and "Fix: remove the repeated rows" in out
    ds = load(folder)
    assert sorted(ds.activities["activity_id"]) == sorted([c["activity_id"] for c in calls + emails])
    t = metrics(ds, "2026-Q2", "2026-04-30")
    assert t.values.loc["r1", "act_call"] == 6 and t.values.loc["r2", "act_email"] == 4
    from salesnb.diagnostics import diagnose

    assert "4 activities were exact copies of another but for their id" in " ".join(diagnose(ds, "2026-Q2").notes)


def test_a_few_identical_activities_are_ordinary_work_and_kept(tmp_path):
    from salesnb.load import load

    # one repeated row in 20 (5%): two short emails on one day are identical at a date's resolution
    rows = [dict(activity_id=f"a{k}", rep_id="r1", date=f"2026-04-{1 + k:02d}", type="email") for k in range(19)]
    rows.append(dict(rows[0], activity_id="a99"))
    folder = _write(tmp_path / "few", reps=REPS, opportunities=_opps(), activities=pd.DataFrame(rows))
    rc, out, _ = _run(["validate", str(folder)])
    assert rc == 0 and "copy" not in out
    assert len(load(folder).activities) == 20


# ------------------------------------------------------------------ the window activities cover


def _team(acts: pd.DataFrame, opps: pd.DataFrame | None = None, **tables) -> Dataset:
    return Dataset.from_frames(reps=REPS, opportunities=_opps() if opps is None else opps, activities=acts,
                               meta=DatasetMeta(as_of="2026-06-30"), **tables)


def test_activity_rates_are_per_week_of_the_weeks_the_activities_cover():
    from salesnb.diagnostics.diagnosis import activity_weeks
    from salesnb.metrics.coverage import activity_window

    # calls logged from 2026-05-20 only, in the quarter 2026-04-01..06-30 (91 days, 13 weeks): 42 days = 6 weeks
    days = pd.date_range("2026-05-20", "2026-06-30", freq="7D").append(pd.DatetimeIndex(["2026-06-30"]))
    acts = pd.DataFrame({"activity_id": [f"a{k}" for k in range(len(days))], "rep_id": "r1", "date": days,
                         "type": "call"})
    ds = _team(acts)
    w = activity_window(ds.activities, pd.Timestamp("2026-04-01"), pd.Timestamp("2026-06-30"))
    assert (w.start, w.end) == (pd.Timestamp("2026-05-20"), pd.Timestamp("2026-06-30"))
    assert w.narrowed and w.weeks == pytest.approx(6.0) and w.window_weeks == pytest.approx(13.0)
    weeks = activity_weeks(ds, ds.reps.set_index("rep_id"), pd.Timestamp("2026-04-01"), pd.Timestamp("2026-06-30"))
    assert weeks.tolist() == pytest.approx([6.0, 6.0, 6.0])  # not 13: the weeks before were not logged at all

    from salesnb.diagnostics import diagnose

    from salesnb.pages.diagnose_json import clean
    from salesnb.words.manager import activity_window as said

    d = diagnose(ds, "2026-Q2")
    aw = clean(d.activity_window.to_dict())  # as the JSON document writes it
    assert aw["start"] == "2026-05-20" and aw["end"] == "2026-06-30" and aw["narrowed"] is True
    assert aw["weeks"] == 6.0 and aw["window_weeks"] == 13.0
    assert "2026-05-20 to 2026-06-30" in said(d.activity_window) and "6 of 13 weeks" in said(d.activity_window)


def test_activities_over_the_whole_period_keep_the_whole_period():
    from salesnb.metrics.coverage import activity_window

    # first activity on day 3 and last 5 days before the end: inside the 14 days' grace, the window stays
    acts = pd.DataFrame({"activity_id": ["a", "b"], "rep_id": "r1", "date": pd.to_datetime(["2026-04-03", "2026-06-25"]),
                         "type": "call"})
    w = activity_window(acts, pd.Timestamp("2026-04-01"), pd.Timestamp("2026-06-30"))
    assert not w.narrowed and w.weeks == pytest.approx(13.0)


# ------------------------------------------------------------------ activities linked to no deal


def test_activities_linked_to_no_deal_make_no_deal_stale():
    from salesnb.diagnostics.hygiene import flag_deals

    # every rep has 2 open deals created 2026-04-02 (older than 14 days at 2026-06-30)
    opps = _opps(status="open", close="2026-09-30")
    # r1 logs calls on no deal (the export's 1,966 "stale" deals); r2 links one call to r2-0 on 2026-06-25
    acts = pd.DataFrame({"activity_id": ["a1", "a2", "a3"], "rep_id": ["r1", "r1", "r2"],
                         "date": pd.to_datetime(["2026-06-20", "2026-06-28", "2026-06-25"]), "type": "call",
                         "opportunity_id": [None, None, "r2-0"]})
    ds = _team(acts, opps)
    t = metrics(ds, "2026-Q2")
    assert np.isnan(t.values.loc["r1", "stale_deals"])
    assert "none of this rep's activities is linked to a deal" in t.reason("stale_deals", "r1")
    assert t.values.loc["r2", "stale_deals"] == 1  # r2-1: no activity on it in the 14 days
    deals, basis = flag_deals(ds.opportunities, ds.activities, pd.Timestamp("2026-06-30"))
    stale = set(deals.loc[deals["stale"], "opportunity_id"])
    assert stale == {"r2-1"}
    assert "no activity logged on the deal in the 14 days" in basis


def test_when_no_activity_is_linked_staleness_is_not_judged_and_said():
    from salesnb.diagnostics.hygiene import flag_deals

    opps = _opps(status="open", close="2026-09-30")
    acts = pd.DataFrame({"activity_id": ["a1"], "rep_id": ["r1"], "date": pd.to_datetime(["2026-06-20"]),
                         "type": "call", "opportunity_id": [None]})
    ds = _team(acts, opps)
    deals, basis = flag_deals(ds.opportunities, ds.activities, pd.Timestamp("2026-06-30"))
    assert not deals["stale"].any() if len(deals) else True
    assert basis == "not judged: needs activities linked to deals (opportunity_id) or stage_changed_date"


# ------------------------------------------------------------------ activity types the export lacks


def test_an_activity_type_the_export_lacks_is_absent_not_zero():
    from salesnb.diagnostics import diagnose

    types = ["call", "email", "meeting"]
    acts = pd.DataFrame([dict(activity_id=f"{r}{k}", rep_id=r, date=pd.Timestamp("2026-05-01") + pd.Timedelta(days=k),
                              type=types[k % 3]) for r in REPS["rep_id"] for k in range(6)])
    ds = _team(acts)
    t = metrics(ds, "2026-Q2")
    assert {"act_call", "act_email", "act_meeting"} <= set(t.values.columns)
    for absent in ("visit", "social", "mail", "task", "other"):
        assert f"act_{absent}" not in t.values.columns
        assert "absent, not zero" in t.unavailable[f"act_{absent}"]
    d = diagnose(ds, "2026-Q2")
    assert not set(d.vanity["metric"]) & {"act_visit", "act_social", "act_mail", "act_task", "act_other"}


# ------------------------------------------------------------------ the export's own date


def test_the_default_report_date_is_the_exports_own_date_not_an_expected_close_date(tmp_path):
    from salesnb.periods import default_as_of

    opps = pd.DataFrame({
        "opportunity_id": ["w", "l", "o"], "rep_id": ["r1", "r2", "r3"],
        "created_date": ["2026-05-02", "2026-05-10", "2026-06-28"], "status": ["won", "lost", "open"],
        "amount": [100.0, 50.0, 70.0],
        # the won deal closed on 06-30, the export's last event; the CRM kept the lost deal's expected close
        # date (three months on) and the open deal's is ahead too
        "close_date": ["2026-06-30", "2026-09-30", "2026-10-15"]})
    folder = _write(tmp_path / "late", reps=REPS, opportunities=opps)
    rc, out, _ = _run(["validate", str(folder)])
    assert rc == 0
    assert "Report date: 2026-06-30, the export's own date" in out
    from salesnb.load import load

    assert default_as_of(load(folder)) == pd.Timestamp("2026-06-30")
    # a deal lost on 07-03, three days after every other event, is a real close: it is the export's date
    opps.loc[1, "close_date"] = "2026-07-03"
    assert default_as_of(load(_write(tmp_path / "lost-last", reps=REPS, opportunities=opps))) == \
        pd.Timestamp("2026-07-03")


# ------------------------------------------------------------------ no roles, no quotas; a quarter with no new deals


@pytest.fixture(scope="module")
def quiet_quarter(tmp_path_factory) -> Path:
    """Four reps, no roles, no quotas: deals created from 2025-12 to 2026-02 only, calls every month to June;
    2026-Q2 has no new deal, and 2026-Q1 before it has."""
    reps = pd.DataFrame({"rep_id": ["qa1", "qb2", "qc3", "qd4"], "name": ["Ana Quill", "Ben Ruiz", "Cy Sato", "Dee Tran"]})
    rows = []
    for k, r in enumerate(reps["rep_id"]):
        for j in range(6):
            status = ["won", "lost", "open"][(j + k) % 3]
            rows.append(dict(opportunity_id=f"{r}{j}", rep_id=r, created_date=f"2026-0{j % 3}-{10 + k:02d}".replace("2026-00", "2025-12"),
                             status=status, amount=100.0 * (j + 1),
                             close_date=f"2026-0{4 + j % 2}-{10 + j:02d}" if status != "open" else ""))
    acts = [dict(activity_id=f"{r}-{m}-{i}", rep_id=r, date=f"2026-0{m}-{5 + 3 * i:02d}", type="call")
            for k, r in enumerate(reps["rep_id"]) for m in range(1, 7) for i in range(2 + k)]
    return _write(tmp_path_factory.mktemp("quiet") / "q", reps=reps, opportunities=pd.DataFrame(rows),
                  activities=pd.DataFrame(acts))


def test_a_quarter_with_no_new_deals_has_no_nan_and_says_why(quiet_quarter):
    from salesnb.analysis import open_team
    from salesnb.report import build_view, inputs_for

    rc, out, err = _run(["diagnose", "--data", str(quiet_quarter), "--period", "2026-Q2", "--json"])
    assert rc == 0, err
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert doc["change"]["sentence"].startswith("No new deals in the period (2026-Q2)")
    team = open_team(quiet_quarter, period="2026-Q2")
    inputs = inputs_for(team)
    for rid in inputs.rep_ids:
        text = build_view(inputs.slice(rid)).to_json()  # allow_nan=False: raised on the NaN close dates
        assert "NaN" not in text
    texts = report_texts(team, ["qa1", "qb2"])
    assert all("No new deals of yours in 2026-Q2" in t for t in texts.values())


def test_reports_without_roles_or_quotas_speak_of_the_team(quiet_quarter):
    from salesnb.analysis import open_team

    texts = report_texts(open_team(quiet_quarter, period="2026-Q2"), ["qa1", "qb2"])
    for text in texts.values():
        assert "your role" not in text and "the role" not in text
        assert "Weekly work and the quota" not in text and "Won against the quota" not in text
        assert "Weekly work" in text  # the activities per week, under a heading that claims no quota


@pytest.mark.slow
def test_salesnb_reports_runs_for_a_quarter_with_no_new_deals(quiet_quarter, tmp_path):
    rc, out, err = _run(["reports", "--data", str(quiet_quarter), "--period", "2026-Q2", "--out", str(tmp_path / "r"),
                         "--jobs", "1", "--no-progress"])
    assert rc == 0, out + err
    assert (tmp_path / "r" / "index.html").is_file()


def test_a_finished_period_is_not_won_so_far_nor_projected(quiet_quarter):
    from salesnb.analysis import open_team
    from salesnb.words.manager import team_progress

    # by hand: half of the target won; once the period is over it is the result, and nothing is projected
    totals = {"won": 50.0, "target": 100.0, "projection": 80.0}
    assert team_progress(totals, "USD", finished=True) == "The whole team won 50 USD of its 100 USD target (50%)."
    assert "so far" in team_progress(totals, "USD") and "Projected at period end" in team_progress(totals, "USD")
    # seen two weeks after the quarter's end, with no quota: the headline says what was won, not "so far"
    text = report_texts(open_team(quiet_quarter, period="2026-Q2", as_of="2026-07-14"), ["qa1"])["qa1"]
    assert "Won revenue so far" not in text and "Projected at period end" not in text
    assert "Rank in the team" in text and "Rank within role" not in text
