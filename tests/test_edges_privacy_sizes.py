"""Suppression sizes at their edges: an aggregate shown to a rep never stands for too few colleagues.

- a group with fewer than MIN_REPS_FOR_COMPARISON current reps gets no score (it would compare them against
  almost nobody); docs/diagnose-json.md: "at least 3 reps";
- a role's activity mix is shown from MIN_GROUP (4) reps, and its top quarter only when that quarter is
  MIN_TOP_GROUP (also 4) reps or more: a top quarter of one rep would be that rep's own mix, and one of two,
  the reader one of them, would give the other's.
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from salesnb.config import MIN_REPS_FOR_COMPARISON
from salesnb.leaderboard import lone_groups
from salesnb.report.gather import MIN_TOP_GROUP, _role_mix


def test_a_group_one_short_of_the_minimum_is_withheld_and_one_at_it_is_scored():
    n = MIN_REPS_FOR_COMPARISON
    roles = ["small"] * (n - 1) + ["enough"] * n
    reps = pd.DataFrame({"role": roles, "name": [f"N{i}" for i in range(len(roles))]},
                        index=[f"r{i}" for i in range(len(roles))])
    assert lone_groups(reps, "role") == {"small": [f"r{i}" for i in range(n - 1)]}
    assert MIN_REPS_FOR_COMPARISON == 3  # as documented


def _mix(sizes: dict[str, int]):
    ids, roles, calls, scores = [], [], [], []
    for role, n in sizes.items():
        for i in range(n):
            ids.append(f"{role}{i}")
            roles.append(role)
            calls.append(0.05 * (i + 1))  # the i-th rep of a role makes (i+1) x 5% of their activities calls
            scores.append(float(n - i))  # ... and the first reps score highest
    mix = pd.DataFrame({"call": calls, "email": [1 - c for c in calls]}, index=ids)
    card = SimpleNamespace(scores=pd.DataFrame({"rep_id": ids, "score": scores}))
    return mix, pd.Series(roles, index=ids), card


def test_a_roles_top_quarter_is_shown_only_when_it_holds_at_least_four_reps():
    # 12 reps: the top quarter is 3 reps (withheld); 13 reps: 4 reps (shown); 3 reps: no mix at all
    mix, role, card = _mix({"twelve": 12, "thirteen": 13, "three": 3})
    out = _role_mix(mix, role, card).set_index(["role", "activity"])
    assert MIN_TOP_GROUP == 4 and math.ceil(12 / 4) < MIN_TOP_GROUP <= math.ceil(13 / 4)
    assert "three" not in out.index.get_level_values("role")
    assert math.isnan(out.at[("twelve", "call"), "top"])
    assert out.at[("thirteen", "call"), "top"] == pytest.approx((0.05 + 0.10 + 0.15 + 0.20) / 4)  # the 4 best
    assert out.at[("twelve", "call"), "team"] == pytest.approx(0.325)  # median of 0.05 .. 0.60
    assert out.at[("thirteen", "call"), "n"] == 13
