"""The bottleneck is the weak step that costs the most wins: two reps with two clearly weak steps each.

Both steps of each rep are far below the team (any sensible test calls them weak); what differs is what
they cost. Four peers convert 50% / 80% / 75% / 67% / 50% down the funnel: of the leads they qualify, 20%
end as wins. The costs below are computed from those rates by hand.
"""
from __future__ import annotations

import pandas as pd

from salesnb.diagnostics.bottleneck import find_bottlenecks

RUNGS = ("lead->qualified", "qualified->meeting", "meeting->proposal", "proposal->commit", "commit->won")
TYPICAL = [(400, 200), (200, 160), (160, 120), (120, 80), (80, 40)]


def rows(rep, counts):
    return [dict(rep_id=rep, step=s, reached=r, advanced=a) for s, (r, a) in zip(RUNGS, counts)]


def team():
    f = []
    for p in ("p0", "p1", "p2", "p3"):
        f += rows(p, TYPICAL)
    # closes badly, qualifies a little badly: qualifying 150 of 400 (team 200: 50 fewer x 20% = 10 wins),
    # closing 3 of 60 (team 50%: 27 wins)
    f += rows("closer", [(400, 150), (150, 120), (120, 90), (90, 60), (60, 3)])
    # qualifies badly, closes a little badly: qualifying 80 of 400 (120 fewer x 20% = 24 wins),
    # closing 8 of 32 (team 50%: 8 wins)
    f += rows("opener", [(400, 80), (80, 64), (64, 48), (48, 32), (32, 8)])
    ids = ["p0", "p1", "p2", "p3", "closer", "opener"]
    return pd.DataFrame(f), pd.DataFrame({"rep_id": ids, "name": ids, "role": "AE"})


def test_of_two_weak_steps_the_one_that_costs_more_wins_is_the_bottleneck():
    funnel, reps = team()
    summary, _ = find_bottlenecks(funnel, reps)
    neck = summary.set_index("rep_id")["bottleneck"]
    assert neck["closer"] == "closing"  # 27 wins lost there against 10 at qualifying
    assert neck["opener"] == "qualifying"  # 24 wins lost there against 8 at closing
    assert (neck[["p0", "p1", "p2", "p3"]] == "none").all()
