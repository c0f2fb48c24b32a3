"""Early warning: projections and coverage computed by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb.diagnostics.early_warning import warn


def frame():
    return pd.DataFrame({
        "quota": [100_000.0, 100_000.0, 100_000.0, float("nan")],
        "won_revenue": [10_000.0, 10_000.0, 120_000.0, 5_000.0],
        "pipeline_in_period": [400_000.0, 100_000.0, 0.0, 0.0],
        "win_rate": [0.25, 0.25, 0.5, 0.5],
    }, index=["covered", "thin", "done", "no_quota"])


def test_day_one_signal_is_coverage_against_what_the_win_rate_needs():
    out = warn(frame(), period_days=90, elapsed_days=9)
    # gap 90k; needs 1/0.25 = 4x: 400k is 4.4x, 100k is 1.1x
    assert out.loc["covered", "coverage"] == pytest.approx(400 / 90)
    assert out.loc["thin", "coverage_needed"] == pytest.approx(4.0)
    assert not out.loc["covered", "at_risk"]
    assert out.loc["thin", "at_risk"]
    assert "1.1x" in out.loc["thin", "reason"] and "4.0x" in out.loc["thin", "reason"]
    assert not out.loc["done", "at_risk"]
    assert out.loc["no_quota", "reason"] == "no quota for this period"


def test_projections_and_pace():
    out = warn(frame(), period_days=90, elapsed_days=9)
    assert out.loc["thin", "run_rate_projection"] == pytest.approx(10_000 / 9 * 90)
    assert out.loc["thin", "blended_projection"] == pytest.approx(10_000 + 100_000 * 0.25)
    assert out.loc["thin", "required_pace"] == pytest.approx(90_000 / 81)
    assert out.loc["thin", "pace_so_far"] == pytest.approx(10_000 / 9)


def test_missing_win_rate_borrows_the_role_median():
    f = frame().iloc[:3].copy()
    f.loc["thin", "win_rate"] = float("nan")
    out = warn(f, 90, 45, role=pd.Series("AE", index=f.index))
    # median of 0.25 and 0.5
    assert out.loc["thin", "win_rate_used"] == pytest.approx(0.375)


def test_on_day_one_of_a_year_the_pipeline_must_cover_one_horizon_not_the_whole_year():
    f = pd.DataFrame({"quota": [360_000.0, 360_000.0], "won_revenue": [0.0, 0.0],
                      "pipeline_in_period": [400_000.0, 400_000.0], "pipeline_horizon": [100_000.0, 40_000.0],
                      "win_rate": [0.5, 0.5]}, index=["ready", "short"])
    out = warn(f, period_days=360, elapsed_days=0, horizon_days=60)
    # due in the first 60 of 360 days: 360,000 x 60/360 = 60,000; the win rate needs 2x = 120,000
    assert out.loc["ready", "horizon_gap"] == pytest.approx(60_000)
    assert out.loc["ready", "horizon_coverage"] == pytest.approx(100 / 60)
    assert out.loc["short", "horizon_coverage"] == pytest.approx(40 / 60)
    assert out.loc["ready", "at_risk"] and out.loc["short", "at_risk"]
    f.loc["ready", "pipeline_horizon"] = 130_000.0
    out = warn(f, period_days=360, elapsed_days=0, horizon_days=60)
    assert not out.loc["ready", "at_risk"]  # 130k covers 2.17x of the 60k due: enough at a 50% win rate
    assert out.loc["short", "reason"].startswith("pipeline covers 0.7x of the 60,000 due in the next 60 days")
    # the run-rate says nothing on day one: no projection from zero elapsed days
    assert pd.isna(out.loc["short", "run_rate_projection"])


def test_later_in_the_period_thin_coverage_alone_is_not_a_risk_when_the_projection_makes_quota():
    f = pd.DataFrame({"quota": [360_000.0, 360_000.0], "won_revenue": [200_000.0, 200_000.0],
                      "pipeline_in_period": [800_000.0, 400_000.0], "pipeline_horizon": [100_000.0, 100_000.0],
                      "win_rate": [0.25, 0.25]}, index=["fine", "short"])
    out = warn(f, period_days=360, elapsed_days=180, horizon_days=60)
    # due by day 240: 360k x 240/360 - 200k = 40k; 100k covers 2.5x, the win rate needs 4x: thin for both
    assert out["horizon_coverage"].tolist() == pytest.approx([2.5, 2.5])
    # blended: 200k + 800k x 0.25 = 400k makes quota; 200k + 400k x 0.25 = 300k does not
    assert out["blended_projection"].tolist() == pytest.approx([400_000, 300_000])
    assert not out.loc["fine", "at_risk"]
    assert out.loc["short", "at_risk"]
    # before a quarter of the period has passed, thin coverage is enough to warn, whatever the blend says:
    # day 60, won 20k: due by day 120 is 120k - 20k = 100k, covered 1x; blended 20k + 1.5M x 0.25 = 395k
    early = f.assign(won_revenue=20_000.0, pipeline_in_period=1_500_000.0)
    out = warn(early, period_days=360, elapsed_days=60, horizon_days=60)
    assert out.loc["fine", "blended_projection"] == pytest.approx(395_000)
    assert out.loc["fine", "at_risk"]
