"""Pairing on tables built by hand: the strongest eligible peer, never oneself, a complementary peer first,
strengths read from the rep's own list and from enough deals, volume steps read against their expected count."""
from __future__ import annotations

import pandas as pd

from salesnb.diagnostics.bottleneck import MIN_REACHED
from salesnb.diagnostics.pairing import suggest_pairs


def tables(reps: dict, rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """reps: id -> (bottleneck, strengths); rows: (rep_id, step, rate, reached) at a team median of 0.5, or
    (rep_id, step, advanced, expected, "volume")."""
    summary = pd.DataFrame({"rep_id": list(reps), "role": "AE", "bottleneck": [b for b, _ in reps.values()],
                            "strengths": [s for _, s in reps.values()]})
    steps = []
    for r in rows:
        if r[-1] == "volume":
            steps.append(dict(rep_id=r[0], step=r[1], source="volume", advanced=r[2], expected=r[3],
                              rate=float("nan"), team_median=float("nan"), reached=float("nan")))
        else:
            steps.append(dict(rep_id=r[0], step=r[1], source="rung", rate=r[2], team_median=0.5, reached=r[3],
                              advanced=r[2] * r[3], expected=0.5 * r[3]))
    return summary, pd.DataFrame(steps)


def test_the_strongest_peer_whose_strengths_hold_the_step_never_oneself():
    summary, steps = tables(
        {"j": ("closing", []), "a": ("none", ["closing"]), "b": ("none", ["closing"]), "c": ("none", []),
         "k": ("closing", ["closing"])},
        [("j", "closing", 0.1, 20), ("a", "closing", 0.6, 20), ("b", "closing", 0.8, 20),
         ("c", "closing", 0.9, 20), ("k", "closing", 0.95, 20)])
    got = suggest_pairs(summary, steps).set_index("rep_id")
    # c closes best but its own strengths do not hold closing; k is the strongest that does, and k itself
    # (an odd case: a leak and a strength at once) gets the next one, b, never itself
    assert got.loc["j", "pair_with"] == "k" and got.loc["k", "pair_with"] == "b"
    assert got.loc["j", "step"] == "closing" and pd.isna(got.loc["a", "step"]) and pd.isna(got.loc["a", "pair_with"])
    assert not got["complementary"].any() and got["complementary"].dtype == bool
    assert got.loc["k", "helps"] == ["j"] and got.loc["b", "helps"] == ["k"] and got.loc["a", "helps"] == []


def test_a_complementary_peer_comes_before_a_stronger_one():
    # j leaks at closing and qualifies well; a closes a little better and leaks at qualifying: they can teach each
    # other. b closes far better but j has nothing to give back
    summary, steps = tables(
        {"j": ("closing", []), "a": ("qualifying", ["closing"]), "b": ("none", ["closing"])},
        [("j", "closing", 0.1, 20), ("j", "qualifying", 0.7, 20), ("a", "closing", 0.6, 20),
         ("a", "qualifying", 0.2, 20), ("b", "closing", 0.9, 20), ("b", "qualifying", 0.5, 20)])
    got = suggest_pairs(summary, steps).set_index("rep_id")
    assert got.loc["j", "pair_with"] == "a" and bool(got.loc["j", "complementary"])
    # a's own leak: nobody's strengths hold qualifying
    assert pd.isna(got.loc["a", "pair_with"]) and not got.loc["a", "complementary"]


def test_a_strength_needs_enough_deals_at_the_step():
    for reached, paired in ((MIN_REACHED - 1, False), (MIN_REACHED, True)):
        summary, steps = tables({"j": ("closing", []), "a": ("none", ["closing"])},
                                [("j", "closing", 0.1, 20), ("a", "closing", 0.8, reached)])
        got = suggest_pairs(summary, steps).set_index("rep_id")
        assert (got.loc["j", "pair_with"] == "a") is paired, reached


def test_volume_steps_are_read_as_the_count_against_its_expected_count():
    # prospecting: a brings 150 leads where 100 were expected (+50%), b 120 (+20%), c none expected (unread)
    summary, steps = tables(
        {"j": ("prospecting", []), "a": ("none", ["prospecting"]), "b": ("none", ["prospecting"]),
         "c": ("none", ["prospecting"])},
        [("j", "prospecting", 40, 100, "volume"), ("a", "prospecting", 150, 100, "volume"),
         ("b", "prospecting", 120, 100, "volume"), ("c", "prospecting", 900, 0, "volume")])
    got = suggest_pairs(summary, steps).set_index("rep_id")
    assert got.loc["j", "pair_with"] == "a"
    # with b's count below what was expected of it, b is not above the team there and never a peer
    steps.loc[steps["rep_id"] == "a", "advanced"] = 90
    got = suggest_pairs(summary, steps).set_index("rep_id")
    assert got.loc["j", "pair_with"] == "b"


def test_relative_strength_is_a_ratio_and_undefined_against_nothing():
    # d brought 2 leads where 0.5 were expected (+300%): the strongest, though its counts are small
    summary, steps = tables(
        {"j": ("prospecting", []), "a": ("none", ["prospecting"]), "d": ("none", ["prospecting"])},
        [("j", "prospecting", 40, 100, "volume"), ("a", "prospecting", 150, 100, "volume"),
         ("d", "prospecting", 2, 0.5, "volume")])
    assert suggest_pairs(summary, steps).set_index("rep_id").loc["j", "pair_with"] == "d"
    # at a rung whose team median is 0 nobody is "above" it by a ratio: z is never the peer there
    summary, steps = tables({"j": ("closing", []), "a": ("none", ["closing"]), "z": ("none", ["closing"])},
                            [("j", "closing", 0.1, 20), ("a", "closing", 0.6, 20), ("z", "closing", 0.9, 20)])
    steps.loc[steps["rep_id"] == "z", "team_median"] = 0.0
    assert suggest_pairs(summary, steps).set_index("rep_id").loc["j", "pair_with"] == "a"


def test_a_step_with_no_peer_leaves_the_others_paired_and_nobody_is_paired_with_themself():
    # k leaks at closing with no peer to learn from (the block pairing looks at first); j leaks at qualifying
    # and a qualifies well; s leaks at meeting and is the only one whose strengths hold meeting: s itself
    summary, steps = tables(
        {"k": ("closing", []), "j": ("qualifying", []), "a": ("none", ["qualifying"]), "s": ("meeting", ["meeting"])},
        [("k", "closing", 0.1, 20), ("j", "qualifying", 0.1, 20), ("a", "qualifying", 0.8, 20),
         ("s", "meeting", 0.9, 20)])
    got = suggest_pairs(summary, steps).set_index("rep_id")
    assert pd.isna(got.loc["k", "pair_with"]) and got.loc["j", "pair_with"] == "a" and pd.isna(got.loc["s", "pair_with"])
