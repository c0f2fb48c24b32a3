"""Early warning: projections and coverage computed by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb.diagnostics.early_warning import warn
from salesnb.words.manager import risk_reason


def frame():
    return pd.DataFrame({
        "quota": [100_000.0, 100_000.0, 100_000.0, 100_000.0, float("nan")],
        "won_revenue": [2_000.0, 2_000.0, 10_000.0, 120_000.0, 5_000.0],
        "pipeline_in_period": [400_000.0, 100_000.0, 100_000.0, 0.0, 0.0],
        "win_rate": [0.25, 0.25, 0.25, 0.5, 0.5],
    }, index=["covered", "thin", "on_pace", "done", "no_quota"])


def test_early_signal_is_a_clear_pace_gap_with_a_pipeline_short_of_what_the_win_rate_needs():
    out = warn(frame(), period_days=90, elapsed_days=9)
    # horizon 90 days covers the whole period: due = quota - won = 98k; the win rate needs 1/0.25 = 4x,
    # material when the pipeline covers under half of that (2x): 400k is 4.1x, 100k is 1.02x
    assert out.loc["covered", "coverage"] == pytest.approx(400 / 98)
    assert out.loc["thin", "coverage_needed"] == pytest.approx(4.0)
    assert not out.loc["covered", "at_risk"]
    # thin: needs 98k / 81 days = 1,210 a day, has managed 2k / 9 = 222 a day (5.4x, above 1.25x)
    assert out.loc["thin", "at_risk"]
    assert "1.0x" in risk_reason(out.loc["thin"]) and "4.0x" in risk_reason(out.loc["thin"])
    # on_pace: pipeline 100k / 90k due = 1.1x (thin), but 90k / 81 = 1,111 a day is the pace so far
    # (10k / 9 = 1,111): not clearly faster than what the rep has managed, so no alarm
    assert not out.loc["on_pace", "at_risk"]
    assert not out.loc["done", "at_risk"]
    assert risk_reason(out.loc["no_quota"]) == "no quota for this period"


def test_projections_and_pace():
    out = warn(frame(), period_days=90, elapsed_days=9)
    assert out.loc["on_pace", "run_rate_projection"] == pytest.approx(10_000 / 9 * 90)
    # no horizon pipeline given: the period's pipeline, all due within the 90-day horizon; no days after it
    assert out.loc["on_pace", "blended_projection"] == pytest.approx(10_000 + 100_000 * 0.25)
    assert out.loc["on_pace", "required_pace"] == pytest.approx(90_000 / 81)
    assert out.loc["on_pace", "pace_so_far"] == pytest.approx(10_000 / 9)


def test_missing_win_rate_borrows_the_role_median():
    f = frame().loc[["covered", "thin", "done"]].copy()
    f.loc["thin", "win_rate"] = float("nan")
    out = warn(f, 90, 45, role=pd.Series("AE", index=f.index))
    # median of 0.25 and 0.5
    assert out.loc["thin", "win_rate_used"] == pytest.approx(0.375)


def test_on_day_one_of_a_year_the_pipeline_must_cover_one_horizon_not_the_whole_year():
    f = pd.DataFrame({"quota": [360_000.0, 360_000.0], "won_revenue": [0.0, 0.0],
                      "pipeline_in_period": [400_000.0, 400_000.0], "pipeline_horizon": [100_000.0, 40_000.0],
                      "win_rate": [0.5, 0.5]}, index=["ready", "short"])
    out = warn(f, period_days=360, elapsed_days=0, horizon_days=60)
    # due in the first 60 of 360 days: 360,000 x 60/360 = 60,000; the win rate needs 2x, material
    # below half of it (1x = 60,000 of pipeline): 100k is 1.67x, 40k is 0.67x
    assert out.loc["ready", "horizon_gap"] == pytest.approx(60_000)
    assert out.loc["ready", "horizon_coverage"] == pytest.approx(100 / 60)
    assert out.loc["short", "horizon_coverage"] == pytest.approx(40 / 60)
    assert not out.loc["ready", "at_risk"]
    assert out.loc["short", "at_risk"]  # nothing won yet: any pace needed is faster than so far
    assert risk_reason(out.loc["short"]).startswith("pipeline covers 0.7x of the 60,000 due in the next 60 days")
    f.loc["short", "pipeline_horizon"] = 60_000.0
    out = warn(f, period_days=360, elapsed_days=0, horizon_days=60)
    assert not out.loc["short", "at_risk"]  # 60k is 1x: expected to bring half of what is due
    # the run-rate says nothing on day one: no projection from zero elapsed days
    assert pd.isna(out.loc["short", "run_rate_projection"])


def test_later_in_the_period_at_risk_means_the_projection_misses_quota():
    f = pd.DataFrame({"quota": [360_000.0] * 4, "won_revenue": [200_000.0, 150_000.0, 170_000.0, 200_000.0],
                      "pipeline_in_period": [800_000.0, 400_000.0, 400_000.0, 610_000.0],
                      "pipeline_horizon": [100_000.0] * 4, "win_rate": [0.25] * 4},
                     index=["fine", "short", "near_miss", "on_quota"])
    out = warn(f, period_days=360, elapsed_days=180, horizon_days=60)
    # blended = won + the 100k due within 60 days x 0.25 + the pace so far (won / 180) x the 120 days after
    # them: fine 200k + 25k + 133.3k; short 150k + 25k + 100k; near_miss 170k + 25k + 113.3k
    pace_after = [w / 180 * 120 for w in (200_000, 150_000, 170_000, 200_000)]
    expected = [w + 25_000 + p for w, p in zip((200_000, 150_000, 170_000, 200_000), pace_after)]
    assert out["blended_projection"].tolist() == pytest.approx(expected)
    assert out["run_rate_projection"].tolist() == pytest.approx([400_000, 300_000, 340_000, 400_000])
    # material below 97% of 360k = 349.2k: fine 358.3k is not; short 275k and near_miss 308.3k are
    assert out["at_risk"].tolist() == [False, True, True, False]
    assert risk_reason(out.loc["short"]).startswith("projected to reach 76% of quota, run-rate 83%")
    # horizon coverage is thin for all (due by day 240: 240k - won; 100k vs the 4x the win rate needs),
    # but after a quarter of the period only the projection decides
    assert out.loc["fine", "horizon_coverage"] == pytest.approx(100 / 40)


def test_before_a_quarter_of_the_period_thin_coverage_warns_unless_the_pace_so_far_is_enough():
    f = pd.DataFrame({"quota": [360_000.0, 360_000.0], "won_revenue": [20_000.0, 80_000.0],
                      "pipeline_in_period": [1_500_000.0, 1_500_000.0], "pipeline_horizon": [100_000.0, 30_000.0],
                      "win_rate": [0.25, 0.25]}, index=["slow", "fast"])
    out = warn(f, period_days=360, elapsed_days=60, horizon_days=60)
    # slow: due by day 120 is 120k - 20k = 100k, covered 1x < half of 4x; needs 340k / 300 = 1,133 a day,
    # has managed 20k / 60 = 333 a day (3.4x): at risk, whatever the projection says
    # (20k + 100k x 0.25 + 333.3 a day x the 240 days after the horizon = 125k)
    assert out.loc["slow", "blended_projection"] == pytest.approx(20_000 + 25_000 + 20_000 / 60 * 240)
    assert out.loc["slow", "at_risk"]
    # fast: due by day 120 is 40k, covered 0.75x (thin), but needs 280k / 300 = 933 a day and has
    # managed 80k / 60 = 1,333 a day: on pace, no alarm
    assert out.loc["fast", "horizon_coverage"] == pytest.approx(0.75)
    assert not out.loc["fast", "at_risk"]


def test_reasons_carry_the_currency_and_whole_amounts():
    f = pd.DataFrame({"quota": [360_000.0, 360_000.0], "won_revenue": [150_000.0, 0.0],
                      "pipeline_in_period": [400_000.0, 400_000.0], "pipeline_horizon": [100_000.0, 40_000.0],
                      "win_rate": [0.25, 0.5]}, index=["late", "early"])
    late = warn(f.loc[["late"]], period_days=360, elapsed_days=180, horizon_days=60)
    # blended 150k + 100k x 0.25 + 833.33 a day x 120 days = 275k = 76% of 360k; run-rate 300k = 83%
    # needs (360k - 150k) / 180 days = 1,166.67 -> "1,167 USD"; managed 150k / 180 = 833.33 -> "833 USD"
    assert risk_reason(late.loc["late"], "USD") == ("projected to reach 76% of quota, run-rate 83% "
                                          "(needs 1,167 USD a day, has managed 833 USD)")
    early = warn(f.loc[["early"]], period_days=360, elapsed_days=0, horizon_days=60)
    # due in the first 60 of 360 days: 60,000; 40k covers 0.67x; the win rate needs 1 / 0.5 = 2x
    assert risk_reason(early.loc["early"], "EUR") == ("pipeline covers 0.7x of the 60,000 EUR due in the next 60 days "
                                            "but the win rate needs 2.0x")
