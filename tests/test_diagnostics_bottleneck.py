"""Funnel bottleneck: datasets built so the leaking step is known by construction."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from salesnb.diagnostics import thresholds as th
from salesnb.diagnostics._stats import binom_cdf, poisson_cdf
from salesnb.diagnostics.bottleneck import deals_needed, find_bottlenecks, rung_spread
from salesnb.words.manager import bottleneck as bottleneck_sentence
from salesnb.words.manager import won_deals

RUNGS = ("lead->qualified", "qualified->meeting", "meeting->proposal", "proposal->commit", "commit->won")


def said(row) -> str:
    """The manager's sentence for one row of `find_bottlenecks`' summary (the words come from the facts)."""
    return bottleneck_sentence({"bottleneck": row["bottleneck"], **{f"bottleneck_{k}": v for k, v in row.items()}})


def funnel_rows(rep_id, counts, rungs=RUNGS):
    """counts: one (reached, advanced) pair per rung."""
    return [dict(rep_id=rep_id, step=s, reached=r, advanced=a) for s, (r, a) in zip(rungs, counts)]


def test_binomial_and_poisson_tails_match_the_textbook_sums():
    exact = sum(math.comb(40, i) * 0.3**i * 0.7 ** (40 - i) for i in range(3))
    assert binom_cdf(2, 40, 0.3) == pytest.approx(exact, rel=1e-9)
    pois = sum(math.exp(-5) * 5**i / math.factorial(i) for i in range(3))
    assert poisson_cdf(2, 5.0) == pytest.approx(pois, rel=1e-9)


def test_forty_opportunities_two_wins_among_reps_winning_twelve_of_forty_is_closing():
    rungs = RUNGS[1:]
    rows = []
    for i in range(4):
        rows += funnel_rows(f"peer{i}", [(40, 40), (40, 40), (40, 40), (40, 12)], rungs)
    rows += funnel_rows("john", [(40, 40), (40, 40), (40, 40), (40, 2)], rungs)
    reps = pd.DataFrame({"rep_id": ["peer0", "peer1", "peer2", "peer3", "john"], "role": "AE"})
    summary, steps = find_bottlenecks(pd.DataFrame(rows), reps)
    got = summary.set_index("rep_id")["bottleneck"]
    assert got["john"] == "closing"
    assert (got.drop("john") == "none").all()
    john = summary.set_index("rep_id").loc["john"]
    assert john["rate"] == pytest.approx(2 / 40)
    assert john["team_median"] == pytest.approx(12 / 40)
    assert john["team_rate"] == pytest.approx(48 / 160)  # the four others: 48 of 160, without John
    # a peer's reference leaves out the peer and John, found to leak there: 3 x 12 of 120
    peer = steps.set_index(["rep_id", "rung"]).loc[("peer0", "commit")]
    assert peer["team_rate"] == pytest.approx(36 / 120)
    assert summary.set_index("rep_id").loc["peer0", "strengths"] == []
    # 40 x 0.3 = 12 expected signatures, 2 signed: 10 wins lost at the last step
    assert john["lost_wins"] == pytest.approx(10.0)
    assert "closing" in said(john) and "2 of 40" in said(john)
    assert "2 of 40 (5%, 90% interval " in said(john)
    assert "vs 30% for the rest of the role (median 30%" in said(john)
    assert said(john).endswith("at the team's rate that is about 10 more won deals.")


def test_a_second_clear_leak_is_kept_with_fewer_wins_at_stake():
    rungs = RUNGS[1:]  # qualified->meeting, meeting->proposal, proposal->commit, commit->won
    rows = []
    for i in range(6):
        rows += funnel_rows(f"peer{i}", [(100, 80), (80, 60), (60, 48), (48, 24)], rungs)
    # "two" leaks at meeting (60 of 200 against 80%) and at closing (6 of 36 against half)
    rows += funnel_rows("two", [(200, 60), (60, 45), (45, 36), (36, 6)], rungs)
    reps = pd.DataFrame({"rep_id": [f"peer{i}" for i in range(6)] + ["two"], "role": "AE"})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    two = summary.set_index("rep_id").loc["two"]
    # wins lost: meeting 100 deals short x the team's 0.75 x 0.8 x 0.5 downstream = 30; closing 12 short x 1 = 12
    assert two["bottleneck"] == "meeting" and two["lost_wins"] == pytest.approx(100 * 0.75 * 0.8 * 0.5)
    assert two["also_weak"] == ["closing"]
    assert (summary.set_index("rep_id").drop("two")["also_weak"].map(len) == 0).all()


def test_a_milder_leak_is_found_once_the_heavy_leaks_leave_the_bar():
    # five closers at 60 of 100, two who close 10 of 100 and one at 40 of 100. Against everyone else the mild
    # one's bar would be (5 x 60 + 2 x 10) / 700 = 46%, and 40% is only 12.5% below it (under MIN_EFFECT);
    # once the two heavy leaks are found and left out, the bar is 300 / 500 = 60% and 40% is a third below
    rows = []
    ids = [f"p{i}" for i in range(5)] + ["heavy0", "heavy1", "mild"]
    for rid, won in zip(ids, [60] * 5 + [10, 10, 40]):
        rows += funnel_rows(rid, [(100, won)], ("commit->won",))
    reps = pd.DataFrame({"rep_id": ids, "role": "AE"})
    summary, steps = find_bottlenecks(pd.DataFrame(rows), reps)
    got = summary.set_index("rep_id")["bottleneck"]
    assert (got[["heavy0", "heavy1", "mild"]] == "closing").all()
    assert (got[[f"p{i}" for i in range(5)]] == "none").all()
    assert 0.40 / ((5 * 60 + 2 * 10) / 700) - 1 == pytest.approx(-0.125)  # the old bar would not name it
    assert -0.125 > -th.MIN_EFFECT
    mild = steps.set_index("rep_id").loc["mild"]
    assert mild["team_rate"] == pytest.approx(300 / 500)
    assert mild["effect"] == pytest.approx(40 / 60 - 1)


def john_and_sally():
    """Five AEs with 400 leads each. John: full pipeline, few signatures. Sally: few opportunities, closes them."""
    typical = [(400, 200), (200, 160), (160, 120), (120, 80), (80, 40)]
    rows = []
    for i in range(3):
        rows += funnel_rows(f"peer{i}", typical)
    rows += funnel_rows("john", [(400, 240), (240, 200), (200, 160), (160, 120), (120, 12)])
    rows += funnel_rows("sally", [(400, 40), (40, 36), (36, 32), (32, 28), (28, 24)])
    reps = pd.DataFrame({"rep_id": ["peer0", "peer1", "peer2", "john", "sally"], "role": "AE",
                         "name": ["P0", "P1", "P2", "John", "Sally"]})
    volume = pd.DataFrame({"rep_id": reps["rep_id"], "count": 400, "active_days": 180})
    return pd.DataFrame(rows), reps, volume


def test_john_is_closing_and_sally_is_qualifying():
    funnel, reps, volume = john_and_sally()
    summary, steps = find_bottlenecks(funnel, reps, volume, "leads")
    got = summary.set_index("rep_id")["bottleneck"]
    assert got["john"] == "closing"
    assert got["sally"] == "qualifying"
    assert (got[["peer0", "peer1", "peer2"]] == "none").all()
    step = steps.set_index(["rep_id", "rung"])
    # a peer's bar at qualifying leaves out Sally, found to leak there: 2 x 200 + 240 of 3 x 400, not 680 of 1600
    assert step.loc[("peer0", "lead"), "team_rate"] == pytest.approx(640 / 1200)
    # John's closing bar: the three peers' 3 x 40 of 3 x 80 and Sally's 24 of 28; the test asks whether he is at
    # least MARGIN below it (no real spread among these reps, so the plain binomial)
    bar = 144 / 268
    assert step.loc[("john", "commit"), "team_rate"] == pytest.approx(bar)
    assert step.loc[("john", "commit"), "p_low"] == pytest.approx(binom_cdf(12, 120, bar * (1 - th.MARGIN)))
    # strengths are tested against the rest of the role as it is, John included, with no margin: Sally's 24 of 28
    # signed vs (3 x 40 + 12) / (3 x 80 + 120) (p = 1e-7) and her 28 of 32 commitments vs (3 x 80 + 120) /
    # (3 x 120 + 160) (p = 0.015) hold over the team's 25 tests (q = 0.045 < FDR); her 32 of 36 meetings to
    # proposals (p = 0.05, q = 0.12) do not
    sally = step.loc["sally"]
    assert sally.loc["commit", "p_high"] == pytest.approx(1 - binom_cdf(23, 28, 132 / 360))
    assert sally.loc["proposal", "p_high"] == pytest.approx(1 - binom_cdf(27, 32, 360 / 520))
    assert summary.set_index("rep_id").loc["sally", "strengths"] == ["committing", "closing"]


def test_a_clearly_better_step_is_a_strength():
    rows = []
    for i in range(4):
        rows += funnel_rows(f"p{i}", [(40, 12)], ("commit->won",))
    rows += funnel_rows("closer", [(40, 30)], ("commit->won",))  # P(X >= 30 | 40, 0.3) is about 1e-9
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "p3", "closer"], "role": "AE"})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    assert summary.set_index("rep_id").loc["closer", "strengths"] == ["closing"]
    assert summary.set_index("rep_id").loc["p0", "strengths"] == []


def test_too_few_leads_is_prospecting_but_a_mid_year_hire_is_not():
    typical = [(400, 200), (200, 160), (160, 120), (120, 80), (80, 40)]
    rows, ids = [], ["a", "b", "c", "thin", "new"]
    for rid in ids[:3]:
        rows += funnel_rows(rid, typical)
    rows += funnel_rows("thin", [(120, 60), (60, 48), (48, 36), (36, 24), (24, 12)])
    rows += funnel_rows("new", [(200, 100), (100, 80), (80, 60), (60, 40), (40, 20)])
    reps = pd.DataFrame({"rep_id": ids, "role": "AE"})
    # "new" joined half-way: 200 leads in 90 active days is the team's pace
    volume = pd.DataFrame({"rep_id": ids, "count": [400, 400, 400, 120, 200], "active_days": [180, 180, 180, 180, 90]})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps, volume, "leads")
    got = summary.set_index("rep_id")["bottleneck"]
    assert got["thin"] == "prospecting"
    assert got["new"] == "none"
    thin = summary.set_index("rep_id").loc["thin"]
    assert thin["expected"] == pytest.approx(400.0)
    # 280 leads short x team conversion lead->won (0.5 x 0.8 x 0.75 x 2/3 x 0.5 = 0.1) = 28 wins
    assert thin["lost_wins"] == pytest.approx(280 * 0.5 * 0.8 * 0.75 * (2 / 3) * 0.5)
    # whole numbers in the sentence: 120 leads vs 400 expected, 28 won deals
    # the rest of the role's pace: (3 x 400 + 200) leads / (3 x 180 + 90) days = 2.22 a day, x 180 days = 400
    assert thin["team_rate"] == pytest.approx(1400 / 630)
    assert said(thin).startswith("The step to work on is finding enough leads: 120 leads (90% interval ")
    assert said(thin).endswith(" vs about 400 at the pace of the rest of the role; almost certainly not chance; "
                               "at the team's conversion that costs about 28 won deals.")


def test_few_deals_is_insufficient_data_and_says_how_many_are_needed():
    rungs = ("commit->won",)
    rows = []
    for i in range(4):
        rows += funnel_rows(f"p{i}", [(40, 12)], rungs)
    rows += funnel_rows("rookie", [(3, 0)], rungs)
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "p3", "rookie"], "role": "AE"})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    rookie = summary.set_index("rep_id").loc["rookie"]
    assert rookie["bottleneck"] == "insufficient_data"

    # independently: the fewest deals n at which half the team's 30% would be significant at the FDR level (10%)
    def cdf(k, n, p):
        return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))

    n = next(n for n in range(1, 500) if cdf(math.floor(n * 0.15), n, 0.3) < 0.10)
    assert rookie["deals_needed"] == n
    assert deals_needed(0.3, 0.10) == n
    assert f"about {n}" in said(rookie)


@pytest.mark.parametrize("p, alpha, n_tests", [(0.3, 0.05, 1), (0.5, 0.05, 5), (0.02, 0.05, 1), (0.005, 0.01, 5)])
def test_deals_needed_is_the_first_n_of_the_exact_scan_beyond_the_first_blocks_too(p, alpha, n_tests):
    # by hand: the first n whose exact binomial tail at half the rate is below alpha / n_tests (small p: n > 128)
    def cdf(k, n):
        return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))

    n = next((n for n in range(1, 2001) if cdf(math.floor(n * p / 2), n) < alpha / n_tests), None)
    got = deals_needed(p, alpha, n_tests)
    assert (got == n) if n is not None else math.isnan(got)


def test_reps_are_compared_within_their_role():
    rungs = ("commit->won",)
    rows = []
    for i in range(3):
        rows += funnel_rows(f"ae{i}", [(40, 20)], rungs)
        rows += funnel_rows(f"sdr{i}", [(40, 4)], rungs)
    rows += funnel_rows("sdr_x", [(40, 4)], rungs)
    reps = pd.DataFrame({"rep_id": [f"ae{i}" for i in range(3)] + [f"sdr{i}" for i in range(3)] + ["sdr_x"],
                         "role": ["AE"] * 3 + ["SDR"] * 4})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    # 10% is normal for the SDRs; against the AEs' 50% it would be a closing leak
    assert not (summary["bottleneck"] == "closing").any()
    sdr = summary[summary["role"] == "SDR"]
    assert (sdr["team_median"].isna()).all()  # no weak step found, so no figures of one


def test_a_small_shortfall_on_a_big_sample_is_not_a_bottleneck():
    rungs = ("commit->won",)
    rows = []
    for i in range(4):
        rows += funnel_rows(f"p{i}", [(1000, 300)], rungs)
    rows += funnel_rows("slightly", [(1000, 260)], rungs)  # significant, but only 13% below the median
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "p3", "slightly"], "role": "AE"})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    assert summary.set_index("rep_id").loc["slightly", "bottleneck"] == "none"


def test_a_rep_with_no_deals_yet_is_insufficient_data_with_a_plain_sentence():
    rows = []
    for i in range(4):
        rows += funnel_rows(f"p{i}", [(40, 12)], ("commit->won",))
    reps = pd.DataFrame({"rep_id": ["p0", "p1", "p2", "p3", "new"], "role": "AE"})
    summary, _ = find_bottlenecks(pd.DataFrame(rows), reps)
    new = summary.set_index("rep_id").loc["new"]
    assert new["bottleneck"] == "insufficient_data"
    assert new["deals"] == 0
    assert said(new).startswith("No deals in this period yet")


def test_wins_in_sentences_are_whole_deals():
    # 32.5 rounds half to even -> 32; 0.6 -> 1 (singular); under half a deal is not rounded up to one
    assert won_deals(32.5, more=True) == "about 32 more won deals"
    assert won_deals(32.6) == "about 33 won deals"
    assert won_deals(0.6) == "about 1 won deal"
    assert won_deals(0.4, more=True) == "less than one more won deal"


def _rungs_table(rows):
    f = pd.DataFrame(rows, columns=["role", "rung", "advanced", "reached"])
    return f.assign(rate=f["advanced"] / f["reached"], team_rate=float("nan"))


# rung a: 40, 45, 55, 60 of 100 -> p 0.5; above the median 0.05 and 0.10 (bound not reached), mean square 0.00625,
#   over 0.9776: 0.0063932; as a share of p^2, 0.0255728, less chance 0.25/100/0.25 = 0.01: 0.0155728;
#   two above the median: noise 0.01 x sqrt(2/2) = 0.01
# rung b: 30, 34, 36, 40 of 50 -> p 0.7; above 0.02 and 0.10: mean square 0.0052 / 0.9776 = 0.0053191, / 0.49 =
#   0.0108553, less chance 0.21/50/0.49 = 0.0085714: 0.0022839; noise 0.0085714
# pooled by 1 / noise^2 (10000 and 13611.1): (155.728 + 31.086) / 23611.1 = 0.0079121; neither rung clearly above the
#   other's (a: 0.0156 < 0.0023 + 3 x (0.01 + 0.0023)); intra-class correlation = pooled x p / (1 - p)
RUNG_A = [("AE", "a", x, 100) for x in (40, 45, 55, 60)]
RUNG_B = [("AE", "b", x, 50) for x in (30, 34, 36, 40)]


def test_the_reps_real_spread_is_one_share_of_the_rate_pooled_over_the_rungs_by_precision():
    f = _rungs_table(RUNG_A + RUNG_B)
    got = rung_spread(f, f)
    assert got[:4] == pytest.approx([0.0079121] * 4, rel=1e-4)
    assert got[4:] == pytest.approx([0.0079121 * 0.7 / 0.3] * 4, rel=1e-4)


def test_a_rung_where_reps_differ_far_more_keeps_its_own_and_leaves_the_others_alone():
    # rung c: 10, 30, 70, 90 of 100 -> p 0.5; above 0.2 and 0.4: mean square 0.1 / 0.9776 / 0.25 - 0.01 = 0.3991653,
    # far above the pool of a and b (0.0079121 + 3 x (0.01 + 0.0079121)); pooled in, it would be 0.124 for a and b
    f = _rungs_table(RUNG_A + RUNG_B + [("AE", "c", x, 100) for x in (10, 30, 70, 90)])
    got = rung_spread(f, f)
    assert got[:4] == pytest.approx([0.0079121] * 4, rel=1e-4)
    assert got[8:] == pytest.approx([0.3991653] * 4, rel=1e-4)


def test_each_role_reads_its_own_spread_and_a_rung_without_one_takes_its_roles():
    f = _rungs_table(RUNG_A + [("AM", "a", x, 100) for x in (10, 30, 70, 90)])
    f = pd.concat([f, _rungs_table([("AE", "b", 5, 10)]).assign(team_rate=0.5)], ignore_index=True)
    got = rung_spread(f[f["reached"] >= 20], f)
    assert got[:4] == pytest.approx([0.0155728] * 4, rel=1e-4)  # one rung: its own reading
    assert got[4:8] == pytest.approx([0.3991653] * 4, rel=1e-4)
    assert got[8] == pytest.approx(0.0155728, rel=1e-4)  # the role's, at its team rate of 0.5


def test_the_chance_taken_off_is_that_of_the_reps_above_the_median():
    # 42, 44, 46, 48 of 100 and 11, 12 of 20 -> p 203/440 = 0.461364; median 0.47, above it 0.48, 0.55, 0.60
    # (distances 0.01, 0.08, 0.13; bound 2.5 x 1.4826 x 0.08, not reached): mean square 0.0078 / 0.9776 =
    # 0.0079787, / p^2 (0.212856) = 0.037484. Their chance: p (1 - p) = 0.248507 over 100, 20 and 20, mean
    # 0.0091119, / p^2 = 0.042808: more than the distances, so no real spread. A typical rep's chance (the
    # median, 0.0024851 / p^2 = 0.011675) would have read the two small reps' noise as a spread of 0.0258.
    f = _rungs_table([("AE", "a", x, 100) for x in (42, 44, 46, 48)] + [("AE", "a", x, 20) for x in (11, 12)])
    assert rung_spread(f, f) == pytest.approx([0.0] * 6)


def test_a_rung_with_no_rate_to_read_from_is_not_widened():
    # a role of one rep: no spread can be read, and no rest of the role to set it against (team rate unknown)
    f = _rungs_table(RUNG_A + [("SDR", "a", 3, 10)])
    assert rung_spread(f.iloc[:4], f)[4] == 0.0


def test_the_managers_sentence_names_the_other_clear_leaks():
    from salesnb.words import manager as mwords

    row = dict(bottleneck="meeting", bottleneck_source="rung", bottleneck_advanced=60, bottleneck_reached=200,
               bottleneck_rate=0.3, bottleneck_team_median=0.8, bottleneck_team_q1=0.75, bottleneck_team_q3=0.85,
               bottleneck_lost_wins=30.0, also_weak=["closing", "prospecting"])
    assert mwords.bottleneck(row).endswith(
        "Also clearly below, with fewer wins at stake: closing, finding leads.")
    assert "Also clearly below" not in mwords.bottleneck({**row, "also_weak": []})
