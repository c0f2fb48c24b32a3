"""The one leaderboard's filters and rank moves, on a team worked out by hand (the explorer relies on them)."""
from __future__ import annotations

import pytest

from salesnb.dataset import Dataset
from salesnb.leaderboard import leaderboard
from salesnb.metrics import metrics
from salesnb.scorecard import Weights, score

# won revenue and win rate by hand (every rep an AE):
#   rep  team  manager  won    win rate
#   a    East  Ann      400    2/2 = 1.00
#   b    East  Ann      300    1/3 = 0.33
#   c    West  Bob      200    2/2 = 1.00   (two deals of 100)
#   d    West  Bob      100    1/4 = 0.25
PLAN = {"a": [("won", 200), ("won", 200)], "b": [("won", 300), ("lost", 5), ("lost", 5)],
        "c": [("won", 100), ("won", 100)], "d": [("won", 100), ("lost", 5), ("lost", 5), ("lost", 5)]}
TEAM = {"a": ("East", "Ann"), "b": ("East", "Ann"), "c": ("West", "Bob"), "d": ("West", "Bob")}


@pytest.fixture(scope="module")
def table():
    opps = [{"opportunity_id": f"{rep}{i}", "rep_id": rep, "created_date": "2026-01-05", "status": status,
             "amount": amount, "close_date": "2026-02-01"}
            for rep, deals in PLAN.items() for i, (status, amount) in enumerate(deals)]
    reps = [{"rep_id": r, "name": f"Rep {r.upper()}", "role": "AE", "team": t, "manager": m}
            for r, (t, m) in TEAM.items()]
    return metrics(Dataset.from_frames(reps=reps, opportunities=opps), "2026", "2026-06-30")


WON = Weights({"won_revenue": 1.0}, name="won")
RATE = Weights({"win_rate": 1.0}, name="rate")


def test_the_metric_table_carries_the_manager(table):
    assert table.reps["manager"].to_dict() == {r: m for r, (_t, m) in TEAM.items()}


def test_team_and_manager_filters_keep_ranks_within_the_whole_role(table):
    card = score(table, WON)
    assert leaderboard(card, table)["rep_id"].tolist() == ["a", "b", "c", "d"]
    west = leaderboard(card, table, team="West")
    assert west["rep_id"].tolist() == ["c", "d"] and west["rank"].tolist() == [3, 4]
    ann = leaderboard(card, table, manager="Ann")
    assert ann["rep_id"].tolist() == ["a", "b"] and ann["manager"].tolist() == ["Ann", "Ann"]


def test_rank_change_against_a_reference_card(table):
    # win rate: a and c tie at 1.00 (rank 1), b 0.33 (rank 3), d 0.25 (rank 4); against won revenue:
    # a 1 -> 1 (0), c 3 -> 1 (+2), b 2 -> 3 (-1), d 4 -> 4 (0)
    board = leaderboard(score(table, RATE), table, reference=score(table, WON)).set_index("rep_id")
    assert board["rank"].to_dict() == {"a": 1, "c": 1, "b": 3, "d": 4}
    assert board["rank_change"].to_dict() == {"a": 0, "c": 2, "b": -1, "d": 0}
