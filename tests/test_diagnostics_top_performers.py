"""Top performers vs the rest: effect sizes worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.diagnostics.top_performers import compare, top_group
from salesnb.words.manager import practice

IDS = [f"r{i}" for i in range(8)]


def test_top_quartile_of_eight_is_the_best_two():
    perf = pd.Series([0.5, 1.4, 0.7, 0.9, 1.2, 0.3, 0.8, 0.6], index=IDS)
    top = top_group(perf)
    assert sorted(top[top].index) == ["r1", "r4"]


def test_standardised_difference_and_sentences():
    perf = pd.Series([2.0, 1.9, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5], index=IDS)
    feats = pd.DataFrame({
        "social_per_week": [10, 12, 2, 4, 2, 4, 2, 4.0],  # top mean 11, rest mean 3
        "visit_per_week": [1, 1, 1, 1, 1, 1, 1, 2.0],
    }, index=IDS)
    out = compare(feats, perf, labels={"social_per_week": "social posts per week"}).set_index("feature")
    # pooled sd: top var 2 (1 df), rest var 4*1.2/5 ... rest values 2,4,2,4,2,4: var = 1.2 (5 df)
    pooled = np.sqrt((1 * 2.0 + 5 * 1.2) / 6)
    assert out.loc["social_per_week", "effect_size"] == pytest.approx(8 / pooled)
    assert out.loc["social_per_week", "ratio"] == pytest.approx(11 / 3)
    assert out.index[0] == "social_per_week"
    assert out.loc["social_per_week", "notable"] and out.loc["social_per_week", "size"] == "large"
    assert practice(out.loc["social_per_week"]).startswith(
        "Social posts per week is higher among top performers: 11.0 vs 3.0 for the rest (3.7x)")
    # visits: top mean 1, rest mean 7/6; d = -(1/6)/sd where sd is small but nonzero
    assert out.loc["visit_per_week", "difference"] == pytest.approx(1 - 7 / 6)


def test_constant_features_are_left_out():
    perf = pd.Series(np.arange(8.0), index=IDS)
    out = compare(pd.DataFrame({"same": 1.0}, index=IDS), perf)
    assert out.empty


def _two_roles():
    """8 AEs (attainment 1.0-1.7) and 8 SDRs (0.2-0.9): every SDR is below every AE.
    SDRs log 50 calls a week and AEs 10 (a role difference, nothing else); in each role the
    best two post 7 and 5 times a week on social media and the rest 2 or 1."""
    aes, sdrs = [f"ae{i}" for i in range(8)], [f"sdr{i}" for i in range(8)]
    ids = aes + sdrs
    perf = pd.Series(np.r_[1.7 - 0.1 * np.arange(8), 0.9 - 0.1 * np.arange(8)], index=ids)
    social = [7, 5, 2, 1, 2, 1, 2, 1.0] * 2
    feats = pd.DataFrame({"calls": [10.0] * 8 + [50.0] * 8, "social": social}, index=ids)
    return feats, perf, pd.Series(["AE"] * 8 + ["SDR"] * 8, index=ids)


def test_with_two_roles_the_top_quartile_is_taken_within_each_role():
    feats, perf, roles = _two_roles()
    top = top_group(perf, roles=roles)
    assert sorted(top[top].index) == ["ae0", "ae1", "sdr0", "sdr1"]
    plain = top_group(perf)
    assert sorted(plain[plain].index) == ["ae0", "ae1", "ae2", "ae3"]


def test_within_role_effect_sizes_worked_by_hand():
    feats, perf, roles = _two_roles()
    plain = compare(feats, perf).set_index("feature")
    # across roles the top quartile is all AEs, so "fewer calls" looks like what top performers do
    assert plain.loc["calls", "effect_size"] < -0.8 and "lower among top performers" in practice(plain.loc["calls"])
    out = compare(feats, perf, roles=roles).set_index("feature")
    assert out["within_role"].all()
    assert "calls" not in out.index  # constant within each role: no within-role difference to measure
    # social centred on the role mean (21/8): top 4.375, 2.375 (twice); rest -0.625, -1.625 (six times)
    # top: mean 3.375, var 4/3 (3 df); rest: mean -1.125, var 3/11 (11 df); pooled var (4 + 3) / 14
    assert out.loc["social", "effect_size"] == pytest.approx(4.5 / np.sqrt(0.5))
    assert out.loc["social", "top_mean"] == pytest.approx(6.0) and out.loc["social", "rest_mean"] == pytest.approx(1.5)
    assert out.loc["social", "n_top"] == 4 and out.loc["social", "n_rest"] == 12
    assert practice(out.loc["social"]) == ("Social is higher among top performers: 6.0 vs 1.5 for the rest (4.0x), "
                                           "a large within-role difference.")


def test_roles_too_small_for_a_quartile_are_left_out_and_one_role_is_plain():
    feats, perf, roles = _two_roles()
    extra = ["se0", "se1"]
    feats2 = pd.concat([feats, pd.DataFrame({"calls": [0.0, 0.0], "social": [9.0, 9.0]}, index=extra)])
    perf2 = pd.concat([perf, pd.Series([3.0, 2.0], index=extra)])
    roles2 = pd.concat([roles, pd.Series(["SE", "SE"], index=extra)])
    out = compare(feats2, perf2, roles=roles2).set_index("feature")
    assert out.loc["social", "n_top"] + out.loc["social", "n_rest"] == 16
    assert out.loc["social", "effect_size"] == pytest.approx(4.5 / np.sqrt(0.5))
    aes = roles.index[roles == "AE"]
    pd.testing.assert_frame_equal(compare(feats.loc[aes], perf[aes]),
                                  compare(feats.loc[aes], perf[aes], roles=roles[aes]))
