"""Top performers vs the rest: effect sizes worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.diagnostics.top_performers import compare, top_group

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
    assert out.loc["social_per_week", "sentence"].startswith("Social posts per week is higher among top performers: 11.0 vs 3.0 for the rest (3.7x)")
    # visits: top mean 1, rest mean 7/6; d = -(1/6)/sd where sd is small but nonzero
    assert out.loc["visit_per_week", "difference"] == pytest.approx(1 - 7 / 6)


def test_constant_features_are_left_out():
    perf = pd.Series(np.arange(8.0), index=IDS)
    out = compare(pd.DataFrame({"same": 1.0}, index=IDS), perf)
    assert out.empty
