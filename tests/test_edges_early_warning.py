"""The early warning's named bars, each met just above and just below by a hand-built case.

`warn` reads a projection frame (as `projection.project` returns it); each case moves one part of one rep
a hair either side of its bar, with the rest of the team at the role's usual (ratio 1), and asserts what is
flagged, not how it is worded. The ramp rule is checked at its ends.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.diagnostics.early_warning import FLAG_AT, REASON_SHARE, warn
from salesnb.diagnostics.projection import RAMP_DAYS, RAMP_START, ramp

EPS = 0.01  # a hair, far larger than rounding and far smaller than any gap between the bars


def team(**rep0) -> pd.DataFrame:
    """Three reps of one role at the usual (every ratio 1, on pace, 60% chance of quota), rep r0 changed."""
    base = dict(quota=100_000.0, won=50_000.0, projection=90_000.0, low=80_000.0, high=100_000.0, chance=0.6,
                pipeline_expected=20_000.0, closing=1.0, created_pace=100_000.0, due_by_now=50_000.0)
    rows = [base | rep0, dict(base), dict(base)]
    return pd.DataFrame(rows, index=["r0", "r1", "r2"])


ROLE = pd.Series("AE", index=["r0", "r1", "r2"])


def reasons(out: pd.DataFrame, rep="r0") -> dict[str, bool]:
    return {k: bool(out.at[rep, k]) for k in ("pipeline_short", "closing_slow", "few_new_deals", "behind")}


def test_the_usual_rep_has_no_reason():
    out = warn(team(), ROLE)
    for rep in out.index:
        assert not any(reasons(out, rep).values())


@pytest.mark.parametrize("share, short", [(REASON_SHARE - EPS, True), (REASON_SHARE + EPS, False)])
def test_pipeline_short_from_just_under_the_share_of_the_roles_median_per_unit_of_quota(share, short):
    # the others expect 20,000 from open deals on 100,000 of quota; r0 has twice the quota, so the same
    # share of the median per unit of quota is 2 x share x 20,000
    out = warn(team(quota=200_000.0, pipeline_expected=2 * share * 20_000.0, due_by_now=100_000.0,
                    won=100_000.0), ROLE)
    assert out.at["r0", "pipeline_ratio"] == pytest.approx(share)
    assert reasons(out) == dict(pipeline_short=short, closing_slow=False, few_new_deals=False, behind=False)


@pytest.mark.parametrize("closing, slow", [(REASON_SHARE - EPS, True), (REASON_SHARE + EPS, False)])
def test_closing_slow_from_just_under_the_share_of_the_teams_wins_from_the_same_stages(closing, slow):
    out = warn(team(closing=closing), ROLE)
    assert reasons(out) == dict(pipeline_short=False, closing_slow=slow, few_new_deals=False, behind=False)


@pytest.mark.parametrize("share, few", [(REASON_SHARE - EPS, True), (REASON_SHARE + EPS, False)])
def test_few_new_deals_from_just_under_the_share_of_the_roles_median_pace(share, few):
    out = warn(team(created_pace=share * 100_000.0), ROLE)
    assert out.at["r0", "created_ratio"] == pytest.approx(share)
    assert reasons(out) == dict(pipeline_short=False, closing_slow=False, few_new_deals=few, behind=False)


@pytest.mark.parametrize("won, behind", [((REASON_SHARE - EPS) * 50_000, True), ((REASON_SHARE + EPS) * 50_000, False)])
def test_behind_from_just_under_the_share_of_what_the_season_expects_by_now(won, behind):
    out = warn(team(won=won), ROLE)
    assert reasons(out) == dict(pipeline_short=False, closing_slow=False, few_new_deals=False, behind=behind)


def test_the_role_median_is_the_roles_own():
    # r0 would be far under the team's pace, but it is the only SDR: its role's median is its own pace
    out = warn(team(created_pace=10_000.0), pd.Series(["SDR", "AE", "AE"], index=["r0", "r1", "r2"]))
    assert out.at["r0", "created_ratio"] == pytest.approx(1.0)
    assert not out.at["r0", "few_new_deals"]


@pytest.mark.parametrize("p_miss, flagged", [(FLAG_AT - EPS, False), (FLAG_AT, True), (FLAG_AT + EPS, True)])
def test_the_flag_at_its_bar_and_only_while_the_gap_is_open(p_miss, flagged):
    out = warn(team(chance=1 - p_miss), ROLE)
    assert bool(out.at["r0", "at_risk"]) is flagged
    closed_gap = warn(team(chance=1 - p_miss, won=100_000.0), ROLE)  # quota reached: nothing to warn of
    assert not closed_gap.at["r0", "at_risk"]
    over = warn(team(chance=1 - p_miss), ROLE, finished=True)  # a verdict, not a warning
    assert not over["at_risk"].any() and over.at["r0", "verdict"] == "missed"


def test_the_ramp_starts_at_its_share_on_the_hire_day_and_reaches_full_pace_after_its_days():
    days = np.array([-1, 0, RAMP_DAYS // 2, RAMP_DAYS - 1, RAMP_DAYS, RAMP_DAYS + 1, 10 * RAMP_DAYS])
    got = ramp(days)
    half = RAMP_START + (1 - RAMP_START) * (RAMP_DAYS // 2) / RAMP_DAYS
    assert got[0] == 0.0  # not there yet
    assert got[1] == pytest.approx(RAMP_START)
    assert got[2] == pytest.approx(half)
    assert RAMP_START < got[3] < 1.0  # still ramping on the day before
    assert got[4:].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_the_documented_bars_hold_as_documented():
    # docs/diagnose-json.md: flagged from a 50% chance of missing; each reason under 80% of the usual; half
    # pace on the hire day, full pace after 90 days. Literal figures, so that moving a bar in the code
    # without the docs fails here.
    out = warn(team(chance=0.51), ROLE)
    assert bool(out.at["r0", "at_risk"]) is False
    assert bool(warn(team(chance=0.50), ROLE).at["r0", "at_risk"]) is True
    for part, low, high in (("closing", 0.79, 0.81), ("created_pace", 79_000.0, 81_000.0), ("won", 39_500.0, 40_500.0)):
        assert any(reasons(warn(team(**{part: low}), ROLE)).values()), part
        assert not any(reasons(warn(team(**{part: high}), ROLE)).values()), part
    assert ramp(np.array([0, 45, 89, 90])).tolist() == pytest.approx([0.5, 0.75, 0.5 + 0.5 * 89 / 90, 1.0])


def test_the_one_rule_refuses_an_unknown_chance_and_a_closed_gap():
    from salesnb.diagnostics.early_warning import flag

    assert flag(FLAG_AT) is True and flag(FLAG_AT + EPS) is True and flag(FLAG_AT - EPS) is False
    assert flag(None) is False and flag(float("nan")) is False
    assert flag(1.0, gap_open=False) is False


def test_the_figures_per_rep_by_hand():
    # r0: quota 200,000, won 50,000, projection 150,000 (likely 120,000 to 180,000), 30% chance
    out = warn(team(quota=200_000.0, projection=150_000.0, low=120_000.0, high=180_000.0, chance=0.3,
                    pipeline_expected=40_000.0, due_by_now=100_000.0, won=90_000.0), ROLE)
    r = out.loc["r0"]
    assert (r["gap"], r["projected_attainment"], r["likely_low"], r["likely_high"]) == pytest.approx(
        (110_000.0, 0.75, 0.6, 0.9))
    assert r["p_miss"] == pytest.approx(0.7) and r["at_risk"] and r["has_quota"] and not r["finished"]
    assert r["verdict"] is None and np.isnan(r["short_by"])
    assert reasons(out) == dict(pipeline_short=False, closing_slow=False, few_new_deals=False, behind=False)


def test_a_rep_without_quota_has_no_figures_against_it_and_no_flag():
    out = warn(team(quota=np.nan, chance=np.nan, won=0.0, due_by_now=np.nan), ROLE)
    r = out.loc["r0"]
    assert not r["has_quota"] and not r["at_risk"] and not r["behind"] and not r["pipeline_short"]
    for col in ("gap", "projected_attainment", "likely_low", "likely_high", "pipeline_ratio"):
        assert np.isnan(r[col]), col
    zero = warn(team(quota=0.0), ROLE).loc["r0"]  # a quota of 0 is no quota
    assert not zero["has_quota"] and not zero["at_risk"]


def test_a_finished_period_ends_with_what_was_won():
    # r0 missed by 30,000; r1 made it exactly; r2 has no quota
    out = warn(team(won=70_000.0, chance=0.9).assign(quota=[100_000.0, 100_000.0, np.nan])
               .assign(won=[70_000.0, 100_000.0, 5.0]), ROLE, finished=True)
    assert out["verdict"].tolist()[:2] == ["missed", "made"] and pd.isna(out.at["r2", "verdict"])
    assert out.at["r0", "short_by"] == pytest.approx(30_000.0) and out.at["r1", "short_by"] == 0
    assert np.isnan(out.at["r2", "short_by"])
    assert out["projection"].tolist() == out["low"].tolist() == out["high"].tolist() == [70_000.0, 100_000.0, 5.0]
    assert out.at["r0", "chance"] == 0.0 and out.at["r1", "chance"] == 1.0 and np.isnan(out.at["r2", "chance"])
    assert out.at["r0", "projected_attainment"] == pytest.approx(0.7)
    assert out["finished"].all() and not out["at_risk"].any()


def test_without_roles_every_rep_is_compared_with_the_whole_team():
    out = warn(team(created_pace=50_000.0))  # medians: (50,000, 100,000, 100,000) -> 100,000
    assert out.at["r0", "created_ratio"] == pytest.approx(0.5) and out.at["r0", "few_new_deals"]
