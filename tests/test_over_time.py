"""Coaching over time: the change since the previous period, the backtest of the early warning, and what the
last report said, each checked against a recomputation by hand on a small team."""
from __future__ import annotations

import json
import math
import shutil
from datetime import date, timedelta

import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.diagnostics.change import step_moves
from salesnb.diagnostics.foresight import backtest
from salesnb.metrics import metrics

# ------------------------------------------------------------------ the backtest

# Deals are won the day they are created (no open pipeline, cycle 0: the horizon is its 14-day minimum).
# Per rep and quarter: wins in the first half and in the second half of the quarter, 10 each; quota 100.
PLAN = {"a": [(8, 8), (8, 8)], "b": [(2, 10), (2, 10)], "c": [(3, 3), (3, 3)], "d": [(8, 0), (8, 0)],
        "e": [(5, 5), (5, 4)]}
QUARTERS = [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30))]


def _team() -> Dataset:
    deals, quotas = [], []
    for rep, halves in PLAN.items():
        for (start, end), (first, second) in zip(QUARTERS, halves):
            for k in range(first):  # spread over the first 40 days, then over the last 40
                deals.append((rep, start + timedelta(days=k * 40 // max(first, 1))))
            for k in range(second):
                deals.append((rep, end - timedelta(days=k * 40 // max(second, 1))))
            quotas.append({"rep_id": rep, "period_start": start, "period_end": end, "quota": 100.0})
        quotas.append({"rep_id": rep, "period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30), "quota": 100.0})
    opps = [{"opportunity_id": f"o{i}", "rep_id": r, "created_date": d, "close_date": d, "status": "won",
             "amount": 10.0, "furthest_stage": "won"} for i, (r, d) in enumerate(deals)]
    reps = [{"rep_id": r, "name": r.upper(), "role": "AE", "hire_date": "2020-01-01"} for r in PLAN]
    return Dataset.from_frames(reps=reps, opportunities=opps, quotas=quotas), deals


def test_the_backtest_equals_a_recomputation_by_hand():
    ds, deals = _team()
    as_of = pd.Timestamp("2026-08-15")
    period = metrics(ds, "2026-Q3", as_of).period
    point = period.elapsed_days(as_of) / period.days  # 46 of 92 days
    bt = backtest(ds, period, as_of, ds.reps.set_index("rep_id")["role"])
    assert bt.periods == ["2026-Q1", "2026-Q2"] and bt.point == pytest.approx(0.5)

    # by hand, per quarter: won by the point, the projection (won + 0 pipeline + the pace so far x the days
    # after the 14-day horizon), flagged below 97% of the quota, missed when the quarter ends below 100%
    tp = fp = fn = tn = 0
    errors = []
    for start, end in QUARTERS:
        days = (end - start).days + 1
        at = start + timedelta(days=max(1, round(point * days)) - 1)
        elapsed = (at - start).days + 1
        for rep in PLAN:
            won_at = 10.0 * sum(1 for r, d in deals if r == rep and start <= d <= at)
            won_end = 10.0 * sum(1 for r, d in deals if r == rep and start <= d <= end)
            projection = won_at + won_at / elapsed * max(days - elapsed - 14, 0)
            flagged = projection < 0.97 * 100 and won_at < 100
            missed = won_end < 100
            tp, fp = tp + (flagged and missed), fp + (flagged and not missed)
            fn, tn = fn + (not flagged and missed), tn + (not flagged and not missed)
            errors.append(abs(projection - won_end) / 100)
    assert (bt.flagged_missed, bt.flagged_made, bt.unflagged_missed, bt.unflagged_made) == (tp, fp, fn, tn)
    assert bt.median_error == pytest.approx(sorted(errors)[len(errors) // 2] if len(errors) % 2 else
                                            (sorted(errors)[len(errors) // 2 - 1] + sorted(errors)[len(errors) // 2]) / 2)
    assert tp and fp and fn  # the team is built so that every kind of outcome occurs


def test_without_history_the_backtest_says_so():
    ds, _ = _team()
    period = metrics(ds, "2026-Q1", "2026-02-15").period
    bt = backtest(ds, period, pd.Timestamp("2026-02-15"), ds.reps.set_index("rep_id")["role"])
    assert bt.periods == [] and "too little history" in bt.too_little


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
    assert m.loc["c", "moved"] == "too_few"  # 4 deals: below the 5 a rate needs


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
    doc = d.to_dict()
    assert doc["change"]["now"]["label"] == "2026-Q3" and doc["backtest"]["periods"] == ["2026-Q1", "2026-Q2",
                                                                                           "2026-Q3"]


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
