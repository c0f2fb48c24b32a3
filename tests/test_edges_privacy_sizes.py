"""Suppression sizes at their edges: an aggregate shown to a rep never stands for too few colleagues.

- a group with fewer than MIN_REPS_FOR_COMPARISON current reps gets no score (it would compare them against
  almost nobody); docs/diagnose-json.md: "at least 3 reps";
- a role's activity mix is shown from 3 reps, and its top quarter only when that quarter is MIN_TOP_GROUP
  (2) reps or more (docs/batch-reports.md): a top quarter of one rep would be that rep's own mix.
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
            calls.append(0.1 * (i + 1))  # the i-th rep of a role makes (i+1) x 10% of their activities calls
            scores.append(float(n - i))  # ... and the first reps score highest
    mix = pd.DataFrame({"call": calls, "email": [1 - c for c in calls]}, index=ids)
    card = SimpleNamespace(scores=pd.DataFrame({"rep_id": ids, "score": scores}))
    return mix, pd.Series(roles, index=ids), card


def test_a_roles_top_quarter_is_shown_only_when_it_holds_at_least_two_reps():
    # 4 reps: the top quarter is 1 rep (withheld); 5 reps: 2 reps (shown); 2 reps: no mix at all
    mix, role, card = _mix({"four": 4, "five": 5, "two": 2})
    out = _role_mix(mix, role, card).set_index(["role", "activity"])
    assert math.ceil(4 / 4) < MIN_TOP_GROUP <= math.ceil(5 / 4)
    assert "two" not in out.index.get_level_values("role")
    assert math.isnan(out.at[("four", "call"), "top"])
    assert out.at[("five", "call"), "top"] == pytest.approx((0.1 + 0.2) / 2)  # the two best scorers
    assert out.at[("four", "call"), "team"] == pytest.approx(0.25)  # median of 0.1, 0.2, 0.3, 0.4
    assert out.at[("five", "call"), "n"] == 5
