"""Pairing: a peer strong where the rep leaks, preferring one who can learn back."""
from __future__ import annotations

import pandas as pd

from salesnb.diagnostics.bottleneck import find_bottlenecks
from salesnb.diagnostics.pairing import suggest_pairs
from salesnb.words.manager import pairing

RUNGS = ("lead->qualified", "qualified->meeting", "meeting->proposal", "proposal->commit", "commit->won")


def rows(rep, counts):
    return [dict(rep_id=rep, step=s, reached=r, advanced=a) for s, (r, a) in zip(RUNGS, counts)]


def team():
    typical = [(200, 100), (100, 80), (80, 60), (60, 40), (40, 20)]
    f = []
    for p in ("p0", "p1", "p2"):
        f += rows(p, typical)
    # John opens doors (qualifies 70%) but signs 3 of 56; Sally qualifies 10% but signs 14 of 15
    f += rows("john", [(200, 140), (140, 112), (112, 84), (84, 56), (56, 3)])
    f += rows("sally", [(200, 20), (20, 18), (18, 16), (16, 15), (15, 14)])
    # the AE-role closer nobody else complements, in another role: never suggested
    f += rows("sdr", [(200, 100), (100, 80), (80, 60), (60, 40), (40, 39)])
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "john", "sally", "sdr"],
                         "name": ["P0", "P1", "P2", "John", "Sally", "Sam"],
                         "role": ["AE"] * 5 + ["SDR"]})
    return pd.DataFrame(f), reps


def test_john_and_sally_are_paired_both_ways():
    funnel, reps = team()
    summary, steps = find_bottlenecks(funnel, reps)
    neck = summary.set_index("rep_id")["bottleneck"]
    assert neck["john"] == "closing" and neck["sally"] == "qualifying"
    pairs = suggest_pairs(summary, steps).set_index("rep_id")
    assert pairs.loc["john", "pair_with"] == "sally"
    assert pairs.loc["sally", "pair_with"] == "john"
    assert pairs.loc["john", "complementary"] and pairs.loc["sally", "complementary"]
    facts = {"bottleneck": neck["john"], "pair_complementary": pairs.loc["john", "complementary"]}
    assert pairing(facts, "Sally").startswith("Pair with Sally, who is strong at closing")
    assert pairs.loc["sally", "helps"] == ["john"]
    assert pd.isna(pairs.loc["p0", "pair_with"])  # nothing to fix, nobody suggested


def test_a_peer_only_a_little_above_the_team_is_not_called_strong():
    typical = [(200, 100), (100, 80), (80, 60), (60, 40), (40, 20)]
    f = []
    for p in ("p0", "p1", "p2"):
        f += rows(p, typical)
    f += rows("john", [(200, 100), (100, 80), (80, 60), (60, 40), (56, 3)])
    # signs 22 of 40 (55%) against the rest's 50%: above it, but by less than a strength needs (15%)
    f += rows("bit", [(200, 100), (100, 80), (80, 60), (60, 40), (40, 22)])
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "john", "bit"], "role": "AE"})
    summary, steps = find_bottlenecks(pd.DataFrame(f), reps)
    assert summary.set_index("rep_id").loc["john", "bottleneck"] == "closing"
    assert "closing" not in summary.set_index("rep_id").loc["bit", "strengths"]
    assert pd.isna(suggest_pairs(summary, steps).set_index("rep_id").loc["john", "pair_with"])


def test_a_peer_is_never_suggested_across_roles():
    # John (AE) leaks at closing. The best closer of all is an SDR (39 of 40 against the SDRs' 20 of 40);
    # among AEs only Ace closes clearly better than the rest (32 of 40 against 20). John is paired with Ace,
    # never with the SDR; without Ace, John has nobody to pair with.
    typical = [(200, 100), (100, 80), (80, 60), (60, 40), (40, 20)]
    f = []
    for p in ("p0", "p1", "p2", "s0", "s1", "s2"):
        f += rows(p, typical)
    f += rows("john", [(200, 140), (140, 112), (112, 84), (84, 56), (56, 3)])
    f += rows("ace", [(200, 100), (100, 80), (80, 60), (60, 40), (40, 32)])
    f += rows("closer", [(200, 100), (100, 80), (80, 60), (60, 40), (40, 39)])
    ids = ["p0", "p1", "p2", "john", "ace", "s0", "s1", "s2", "closer"]
    reps = pd.DataFrame({"rep_id": ids, "name": ids, "role": ["AE"] * 5 + ["SDR"] * 4})
    funnel = pd.DataFrame(f)
    for with_ace in (True, False):
        keep = reps if with_ace else reps[reps["rep_id"] != "ace"]
        fun = funnel if with_ace else funnel[funnel["rep_id"] != "ace"]
        summary, steps = find_bottlenecks(fun, keep)
        assert summary.set_index("rep_id").at["john", "bottleneck"] == "closing"
        pairs = suggest_pairs(summary, steps).set_index("rep_id")
        assert (pairs.at["john", "pair_with"] == "ace") if with_ace else pd.isna(pairs.at["john", "pair_with"])
        role = keep.set_index("rep_id")["role"]
        paired = pairs.dropna(subset=["pair_with"])
        assert (paired.index.map(role) == paired["pair_with"].map(role)).all()
        assert all(role[h] == role[r] for r, hs in pairs["helps"].items() for h in hs)
