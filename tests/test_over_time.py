"""Coaching over time: the change since the previous period, the track record of the early warning, and what the
last report said, each checked against a recomputation by hand on a small team."""
from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.diagnostics.change import step_moves
from salesnb.diagnostics.foresight import track_record, warning_at
from salesnb.metrics import metrics
from salesnb.words.manager import track_record as track_record_words
from salesnb.pages.diagnose_json import to_document

# ------------------------------------------------------------------ the track record

# Deals are won the day they are created. Per rep and quarter: wins in the first 40 days and in the last 40,
# 10 each; quota 100.
PLAN = {"a": [(8, 8), (8, 8)], "b": [(2, 10), (2, 10)], "c": [(3, 3), (3, 3)], "d": [(8, 0), (8, 0)],
        "e": [(5, 5), (5, 4)]}
QUARTERS = [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30))]


def _team(extra=()) -> Dataset:
    deals, quotas = [], []
    for rep, halves in PLAN.items():
        for (start, end), (first, second) in zip(QUARTERS, halves):
            for k in range(first):  # spread over the first 40 days, then over the last 40
                deals.append((rep, start + timedelta(days=k * 40 // max(first, 1)), 10.0))
            for k in range(second):
                deals.append((rep, end - timedelta(days=k * 40 // max(second, 1)), 10.0))
            quotas.append({"rep_id": rep, "period_start": start, "period_end": end, "quota": 100.0})
        quotas.append({"rep_id": rep, "period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30), "quota": 100.0})
    deals += list(extra)
    opps = [{"opportunity_id": f"o{i}", "rep_id": r, "created_date": d, "close_date": d, "status": "won",
             "amount": a, "furthest_stage": "won"} for i, (r, d, a) in enumerate(deals)]
    reps = [{"rep_id": r, "name": r.upper(), "role": "AE", "hire_date": "2020-01-01"} for r in PLAN]
    return Dataset.from_frames(reps=reps, opportunities=opps, quotas=quotas), deals


def _roles(ds):
    return ds.reps.set_index("rep_id")["role"]


def test_the_track_record_is_the_warning_run_on_the_data_known_at_each_month_end():
    ds, deals = _team()
    period = metrics(ds, "2026-Q3", "2026-08-15").period
    rec = track_record(ds, period, pd.Timestamp("2026-08-15"), _roles(ds))
    assert rec.periods == ["2026-Q1", "2026-Q2"] and rec.kind == "quarter"
    assert rec.month_ends == 4 and rec.checks == 4 * len(PLAN) and rec.too_little is None
    # by hand: cut the data at each month end (deals created after it do not exist yet), run the warning on
    # what is left, and compare with how each rep ended the quarter
    tp = fp = fn = tn = 0
    reps = pd.Index(list(PLAN))
    for start, end in QUARTERS:
        for at in (pd.Timestamp(start) + pd.offsets.MonthEnd(k) for k in (1, 2)):
            known = ds.opportunities[ds.opportunities["created_date"] <= at]
            cut = replace(ds, opportunities=known.reset_index(drop=True))
            ew, _ = warning_at(cut, metrics(cut, f"2026-Q{start.month // 3 + 1}", at), reps, _roles(ds))
            for rep in PLAN:
                won_end = 10.0 * sum(1 for r, d, _ in deals if r == rep and start <= d <= end)
                flagged, missed = bool(ew.loc[rep, "at_risk"]), won_end < 100
                tp, fp = tp + (flagged and missed), fp + (flagged and not missed)
                fn, tn = fn + (not flagged and missed), tn + (not flagged and not missed)
    assert (rec.flagged_missed, rec.flagged_made, rec.unflagged_missed, rec.unflagged_made) == (tp, fp, fn, tn)
    assert tp and (fp or fn)  # the team is built so that the warning is right and wrong
    assert rec.everyone == pytest.approx((tp + fn) / rec.checks)
    said = track_record_words(rec)
    assert f"{tp} of the {tp + fp} flags came true" in said and "Flagging every rep would have been right" in said


def test_the_judged_period_never_counts_in_its_own_track_record():
    # Q3 is over and judged at its last day: its deals would change the record if they were used; Q2's do
    base, _ = _team()
    q3 = metrics(base, "2026-Q3", "2026-09-30").period
    before = track_record(base, q3, pd.Timestamp("2026-09-30"), _roles(base)).to_dict()
    changed, _ = _team(extra=[("b", date(2026, 7, 20), 500.0), ("d", date(2026, 9, 30), 500.0),
                              ("c", date(2026, 8, 31), 500.0)])
    assert track_record(changed, q3, pd.Timestamp("2026-09-30"), _roles(changed)).to_dict() == before
    # the same wins in Q2, on its last day: rep c (3 + 3 wins = 60 of 100, flagged) now makes quota
    q2_changed, _ = _team(extra=[("c", date(2026, 6, 30), 500.0)])
    after = track_record(q2_changed, q3, pd.Timestamp("2026-09-30"), _roles(q2_changed)).to_dict()
    assert after != before and after["flagged_made"] > before["flagged_made"]
    # a year is never checked on its own quarters (they hold its answer): with no earlier year or quarter
    # before 2026 in the data, there is no record yet
    year = metrics(base, "2026", "2026-09-30").period
    rec = track_record(base, year, pd.Timestamp("2026-09-30"), _roles(base))
    assert rec.periods == [] and rec.checks == 0 and rec.too_little.startswith("no earlier year")


def test_without_history_the_track_record_says_so():
    ds, _ = _team()
    period = metrics(ds, "2026-Q1", "2026-02-15").period
    rec = track_record(ds, period, pd.Timestamp("2026-02-15"), _roles(ds))
    assert rec.periods == [] and rec.too_little.startswith("no earlier quarter with quotas ends before 2026-Q1")
    assert track_record_words(rec).startswith("Not enough history yet: no earlier quarter")


# ------------------------------------------------------------------ the change since the previous period


def test_a_step_moved_only_with_evidence():
    then = pd.DataFrame({"rep_id": ["a", "b", "c"], "step": "closing", "to": "won", "reached": [100, 100, 4],
                         "advanced": [20, 20, 1], "rate": [0.2, 0.2, 0.25]})
    now = pd.DataFrame({"rep_id": ["a", "b", "c"], "step": "closing", "to": "won", "reached": [100, 100, 4],
                        "advanced": [45, 24, 4], "rate": [0.45, 0.24, 1.0]})
    m = step_moves(then, now).set_index("rep_id")
    # a: 20% -> 45% on 100 deals each: z = 0.25 / sqrt(0.325 x 0.675 x 2 / 100) = 3.78, p = 0.00016: up
    p = 0.325
    z = 0.25 / math.sqrt(p * (1 - p) * 2 / 100)
    assert m.loc["a", "p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert m.loc["a", "moved"] == "up"
    assert m.loc["b", "moved"] == "none"  # 20% -> 24%: could be chance, and not 20% of the rate anyway
    assert m.loc["c", "moved"] == "too_few"  # 4 deals: below the 10 a change needs


def test_a_swing_on_fewer_than_ten_deals_a_side_is_too_few_to_tell_from_chance():
    # thin200's "meetings 89% -> 0%" (8 of 9, then 0 of 5) and 9 of 9 -> 0 of 9: z-test p < 0.01, but on fewer
    # than 10 deals a side a halving could not be seen, only the extreme swings chance gives
    then = pd.DataFrame({"rep_id": ["a", "b", "c"], "step": "meeting", "to": "meeting", "reached": [9, 9, 10],
                         "advanced": [8, 9, 10], "rate": [8 / 9, 1.0, 1.0]})
    now = pd.DataFrame({"rep_id": ["a", "b", "c"], "step": "meeting", "to": "meeting", "reached": [5, 9, 10],
                        "advanced": [0, 0, 0], "rate": [0.0, 0.0, 0.0]})
    m = step_moves(then, now).set_index("rep_id")
    # b: pooled 9/18 = 0.5, z = 1 / sqrt(0.25 x 2/9) = 4.24, p = 0.00002; c: z = 1 / sqrt(0.25 x 2/10) = 4.47
    assert m.loc["b", "p_value"] == pytest.approx(math.erfc(1 / math.sqrt(0.25 * 2 / 9) / math.sqrt(2)))
    assert m["moved"].to_dict() == {"a": "too_few", "b": "too_few", "c": "down"}


def test_the_sample_compares_the_last_quarter_with_the_one_before(sample_dir):
    from salesnb.diagnostics import diagnose
    from salesnb.load import load

    d = diagnose(load(sample_dir))
    ch = d.change
    assert (ch.now.label, ch.then.label) == ("2026-Q3", "2026-Q2")  # a first year of data: no 2025 to compare
    assert (ch.now_as_of - ch.now.end).days == (ch.then_as_of - ch.then.end).days == 46
    steps = ch.steps.set_index(["rep_id", "step"])
    # John's closing from the raw rows: deals created in Q3 that reached commit, decided by 2026-11-15
    john = steps.loc[("R006", "closing")]
    assert john["then_reached"] >= 5 and john["now_reached"] >= 5
    assert john["moved"] in ("up", "down", "none")
    doc = to_document(d)
    assert doc["change"]["now"]["label"] == "2026-Q3"
    # a first year of data: no earlier year to check the year's warning on, and the year is never its own
    assert doc["track_record"]["periods"] == [] and doc["track_record"]["too_little"].startswith("no earlier year")


# ------------------------------------------------------------------ since the last report


@pytest.mark.slow
def test_a_second_run_says_what_the_last_report_said(sample_dir, tmp_path):
    from salesnb.reports import run_reports

    out = tmp_path / "out"
    first = run_reports(sample_dir, out, reps=["R015"], as_of="2026-10-15", jobs=1, progress=False)
    assert first.exit_code == 0
    record = json.loads((out / "_history" / "R015.json").read_text())["records"][-1]
    assert (record["as_of"], record["bottleneck"]) == ("2026-10-15", "qualifying")
    second = run_reports(sample_dir, out, reps=["R015"], as_of="2026-11-15", jobs=1, progress=False)
    page = (out / "R015.html").read_text(encoding="utf-8")
    assert second.written == ["R015"] and "Your last report (2026-10-15) named qualifying leads" in page
    assert f"{record['rate'] * 100:.0f}% then" in page
    # a record of another dataset is ignored: said to the manager on the index, never shown to the rep
    data = tmp_path / "renamed"
    shutil.copytree(sample_dir, data)
    toml = (data / "dataset.toml").read_text().replace('name = "Sample sales team"', 'name = "Another team"')
    (data / "dataset.toml").write_text(toml)
    third = run_reports(data, out, reps=["R015"], as_of="2026-11-16", jobs=1, progress=False)
    page = (out / "R015.html").read_text(encoding="utf-8")
    assert "Your last report" not in page
    assert any("belong to another dataset or rep" in n for n in third.notes)
    assert "belong to another dataset or rep" in third.index_path.read_text(encoding="utf-8")


def test_an_earlier_period_the_data_covers_only_partly_is_compared_with_a_note():
    from salesnb.diagnostics.change import compare
    from salesnb.periods import resolve_period
    from salesnb.scorecard import as_weights

    ds, _ = _team()
    reps = pd.Index(list(PLAN))
    q2 = resolve_period("2026-Q2", "2026-06-30")

    def starting(day):
        o = ds.opportunities
        return replace(ds, opportunities=o[o["created_date"] >= pd.Timestamp(day)].reset_index(drop=True))

    # deals from 10 January on: the first is rep a's third, on 11 January; Q1 is covered 11 Jan..31 Mar, 80 of 90 days
    ch = compare(starting("2026-01-10"), q2, "2026-06-30", as_weights(None), reps, override="2026-Q1")
    assert ch.unavailable is None
    assert ch.note == "The deals in the data start on 2026-01-11: 2026-Q1 is compared from then on (80 of its 90 days)."
    assert ch.then_as_of == pd.Timestamp("2026-03-31")  # a finished period against a finished one, both at their end
    # from mid-February on, less than half of Q1 is in the data: no comparison
    late = compare(starting("2026-02-16"), q2, "2026-06-30", as_weights(None), reps, override="2026-Q1")
    assert late.unavailable and late.note is None


def test_a_first_year_seen_early_names_no_quarter_the_data_does_not_hold():
    from salesnb.diagnostics.change import compare
    from salesnb.periods import resolve_period
    from salesnb.scorecard import as_weights

    ds, _ = _team()
    o = ds.opportunities
    ds = replace(ds, opportunities=o[o["created_date"] >= pd.Timestamp("2026-01-10")].reset_index(drop=True))
    first = ds.opportunities["created_date"].min().date()
    # the year 2026 seen in March: no 2025 in the data, and the last complete quarter (2025-Q4) is before it too
    ch = compare(ds, resolve_period("2026", "2026-03-05"), "2026-03-05", as_weights(None), pd.Index(list(PLAN)))
    assert ch.unavailable == (f"the deals in the data start on {first}, within 2026, so it holds no earlier period "
                              "to compare with yet")
