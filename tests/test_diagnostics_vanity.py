"""Vanity-metric audit: verdicts on metrics whose relation with outcomes is known by construction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.diagnostics._stats import rank_rows, spearman
from salesnb.diagnostics.vanity import audit
from salesnb.words.manager import vanity as vanity_sentence

REPS = [f"r{i:02d}" for i in range(12)]


def test_spearman_matches_the_rank_formula_without_ties():
    x = [3, 1, 4, 15, 9, 2]
    y = [10, 20, 30, 60, 50, 40]
    # ranks x: 3 1 4 6 5 2 ; ranks y: 1 2 3 6 5 4 ; d^2 = 4 1 1 0 0 4 = 10
    assert spearman(x, y) == pytest.approx(1 - 6 * 10 / (6 * 35))


def test_ties_share_their_mean_rank():
    assert rank_rows(np.array([5.0, 1.0, 5.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_a_metric_that_orders_reps_like_revenue_is_a_driver_and_a_reversed_one_is_vanity():
    revenue = pd.Series(np.arange(12) * 1000.0, index=REPS)
    acts = pd.DataFrame({"calls": np.arange(12) + 5.0, "miles": 500.0 - np.arange(12) * 10}, index=REPS)
    out = audit(acts, revenue, seed=1).set_index("metric")
    assert out.loc["calls", "rho"] == pytest.approx(1.0)
    assert out.loc["calls", "verdict"] == "driver"
    assert out.loc["miles", "rho"] == pytest.approx(-1.0)
    assert out.loc["miles", "verdict"] == "vanity"
    assert out.loc["miles", "n"] == 12
    assert vanity_sentence(out.loc["miles"].to_dict() | {"metric": "miles"}, "won_revenue") == (
        "Miles driven goes with lower revenue in this team (ρ = -1.00, n = 12), interval -1.00 to -1.00: do not "
        "manage by it.")  # every resample of a perfect reversed order is the same order
    assert out.loc["calls", "low"] <= 1.0 <= out.loc["calls", "high"] + 1e-12


def test_no_relation_reads_as_no_clear_relation_with_what_the_data_rules_out():
    revenue = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.0], index=REPS)
    # ranks vs 1..12: sum of squared differences 286 = n(n^2 - 1)/6, so rho = 1 - 6*286/(12*143) = 0
    miles = pd.Series([3, 9, 5, 8, 12, 2, 6, 11, 1, 10, 4, 7.0], index=REPS) * 100
    out = audit(pd.DataFrame({"miles": miles}), revenue, seed=0).iloc[0]
    assert out["rho"] == pytest.approx(0.0, abs=1e-12)
    assert out["high"] < 0.5 and out["verdict"] == "vanity"
    said = vanity_sentence(out, "won_revenue")
    assert said.startswith("No clear relation either way between miles driven and revenue in this team (the data "
                           "rules out a strong positive one, not a weak one) (ρ = 0.00, n = 12), interval ")
    assert said.endswith(": do not manage by it.")


def test_eight_reps_with_a_weak_positive_rho_are_not_enough_evidence_to_call_it_vanity():
    ids = REPS[:8]
    attainment = pd.Series(np.arange(1, 9) / 8, index=ids)
    # ranks 1 2 7 8 6 5 4 3 against 1..8: squared differences 0 0 16 16 1 1 9 25 = 68, rho = 1 - 6*68/(8*63)
    emails = pd.Series([1, 2, 7, 8, 6, 5, 4, 3.0], index=ids) * 10
    out = audit(pd.DataFrame({"act_email": emails}), attainment, {"act_email": "emails"}, seed=0).iloc[0]
    assert out["rho"] == pytest.approx(1 - 6 * 68 / (8 * 63))  # 0.19
    assert out["n"] == 8 and out["high"] >= 0.5
    assert out["verdict"] == "unclear"
    said = vanity_sentence(out, "attainment")
    assert said == (f"Not enough evidence either way for a relation between emails and quota attainment in this team "
                    f"(ρ = 0.19, n = 8), interval {out['low']:.2f} to {out['high']:.2f}: do not manage by it yet.")
    assert "vanity" not in said and "No clear relation" not in said


def test_a_narrow_interval_around_zero_is_vanity():
    ids = [f"r{i:03d}" for i in range(80)]
    rng = np.random.default_rng(1)
    revenue = pd.Series(np.arange(80.0), index=ids)
    miles = pd.Series(rng.permutation(80) + 1.0, index=ids)
    rho = float(np.corrcoef(miles.rank(), revenue.rank())[0, 1])  # Spearman: Pearson on ranks
    assert abs(rho) < 0.2
    out = audit(pd.DataFrame({"miles": miles}), revenue, seed=0).iloc[0]
    assert out["rho"] == pytest.approx(rho)
    assert out["high"] < 0.5 and out["verdict"] == "vanity"
    said = vanity_sentence(out, "won_revenue")
    assert said.startswith("No clear relation either way between miles driven and revenue in this team (the data "
                           "rules out a strong positive one, not a weak one) (ρ = ")
    assert said.endswith(": do not manage by it.")


def test_a_weak_negative_relation_is_said_with_its_direction():
    row = {"label": "calls", "rho": -0.3, "n": 24, "low": -0.6, "high": 0.1, "verdict": "vanity"}
    assert vanity_sentence(row, "attainment") == (
        "Weak evidence that reps with more calls have lower quota attainment in this team (ρ = -0.30, n = 24), "
        "interval -0.60 to 0.10: do not manage by it.")
    unclear = {**row, "rho": -0.25, "verdict": "unclear", "low": -0.8, "high": 0.55}
    assert vanity_sentence(unclear, "attainment") == (
        "Weak evidence that reps with more calls have lower quota attainment in this team, not enough to tell either "
        "way (ρ = -0.25, n = 24), interval -0.80 to 0.55: do not manage by it yet.")


def test_an_activity_that_only_grows_with_volume_is_not_a_driver():
    import numpy as np

    from salesnb.diagnostics.vanity import partial_rho

    opps = pd.Series(np.arange(1, 13, dtype=float), index=REPS)
    # visits track the number of opportunities; revenue too; for the same volume they say nothing
    visits = opps * 10 + pd.Series([0, 13, -12, 11, 0, -13, 12, 0, 11, -11, 13, -12.0], index=REPS)
    revenue = opps * 100 + pd.Series([5, -4, 8, -6, 2, 9, -7, 3, -1, 6, -8, 4.0], index=REPS) * 20
    out = audit(pd.DataFrame({"visits": visits}), revenue, seed=0, volume=opps).iloc[0]
    # independently: correlate the residuals of the ranks after a straight-line fit on the ranks of volume
    rx, ry, rz = (s.rank().to_numpy() for s in (visits, revenue, opps))
    design = np.column_stack([np.ones(12), rz])
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in (rx, ry)]
    want = float(np.corrcoef(*res)[0, 1])
    assert out["partial_rho"] == pytest.approx(want, abs=1e-9)
    assert out["rho"] > 0.5 and want < 0.2
    assert out["follows_volume"] and out["verdict"] == "unclear"
    assert "worth encouraging" not in vanity_sentence(out, "won_revenue")
    assert np.isnan(partial_rho([1, 2, 3], [1, 2, 3], [5, 5, 5]))  # no spread of volume: nothing to hold equal


def test_follows_the_work_is_not_said_without_evidence_of_the_relation_itself():
    # four reps: visits (ranks 1,3,2,4) and revenue (ranks 1,2,4,3) both grow with opportunities (ranks 1..4, rho
    # 0.8 each); rho = 1 - 6 (0 + 1 + 4 + 1) / (4 x 15) = 0.4, and with volume held equal (0.4 - 0.64) / 0.36 = -0.67.
    # With four reps the interval of rho spans almost -1..1: neither the relation nor "it only follows the work" is
    # shown
    reps = ["a", "b", "c", "d"]
    opps = pd.Series([1.0, 2.0, 3.0, 4.0], index=reps)
    visits = pd.Series([10.0, 30.0, 20.0, 40.0], index=reps)
    revenue = pd.Series([100.0, 200.0, 400.0, 300.0], index=reps)
    out = audit(pd.DataFrame({"visits": visits}), revenue, seed=0, volume=opps).iloc[0]
    assert out["rho"] == pytest.approx(0.4)
    assert out["partial_rho"] == pytest.approx(-0.24 / 0.36)
    assert out["low"] <= 0 and not out["follows_volume"]
    assert "follows the work" not in vanity_sentence(out, "won_revenue")


def test_a_weak_relation_the_interval_shows_is_not_called_no_relation():
    # 193 reps, rho 0.13 with an interval of 0.01 to 0.26: a relation, shown to be weak
    row = {"label": "social touches", "rho": 0.13, "n": 193, "low": 0.01, "high": 0.26, "verdict": "vanity",
           "within_role": True}
    said = vanity_sentence(row, "attainment")
    assert said == ("Reps with more social touches have somewhat higher quota attainment in this team, but the "
                    "relation is weak (ρ = 0.13 within role, n = 193), interval 0.01 to 0.26: do not manage by it.")


def test_five_reps_are_too_few_for_a_verdict_of_vanity():
    ids = REPS[:5]
    out = audit(pd.DataFrame({"miles": [5, 3, 4, 1, 2.0]}, index=ids), pd.Series([1, 2, 3, 4, 5.0], index=ids)).iloc[0]
    assert out["verdict"] == "unclear"


def test_same_seed_same_answer():
    rng = np.random.default_rng(3)
    acts = pd.DataFrame({"calls": rng.normal(size=12)}, index=REPS)
    rev = pd.Series(rng.normal(size=12), index=REPS)
    a, b = audit(acts, rev, seed=7), audit(acts, rev, seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_pure_noise_is_rarely_called_a_driver():
    drivers = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        ids = [f"r{i}" for i in range(30)]
        noise = pd.DataFrame({"mail": rng.poisson(40, size=30).astype(float)}, index=ids)
        revenue = pd.Series(rng.lognormal(11, 0.5, size=30), index=ids)
        drivers += audit(noise, revenue, seed=seed, n_resamples=500).iloc[0]["verdict"] == "driver"
    # the test is one-sided at 2.5%: over 200 teams, 5% (10) is far in the tail
    assert drivers <= 10


def test_percentiles_within_role_worked_by_hand():
    from salesnb.diagnostics.vanity import within_role_percentiles

    ids = ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2"]
    pair = pd.DataFrame({"x": [5.0, 1, 3, 7, 9, 8, 0, 1], "y": [1.0, 2, 3, 4, 5, 6, 7, 8]}, index=ids)
    roles = pd.Series(["AE"] * 3 + ["SDR"] * 3 + ["SE"] * 2, index=ids)
    out, done = within_role_percentiles(pair, roles)
    assert done
    assert out.index.tolist() == ids[:6]  # two SEs are too few to rank among themselves
    # x ranks: AE 3, 1, 2 and SDR 1, 3, 2 (of 3 each); percentile = (rank - 0.5) / 3
    assert out["x"].tolist() == pytest.approx([2.5 / 3, 0.5 / 3, 1.5 / 3, 0.5 / 3, 2.5 / 3, 1.5 / 3])
    assert out["y"].tolist() == pytest.approx([0.5 / 3, 1.5 / 3, 2.5 / 3] * 2)
    same, done = within_role_percentiles(pair, pd.Series("AE", index=ids))
    assert not done and same is pair


def _two_role_team():
    """12 AEs and 12 SDRs: within each role calls order reps exactly like attainment, but SDRs
    log about ten times the calls of AEs and reach far less of their quota."""
    aes, sdrs = [f"ae{i:02d}" for i in range(12)], [f"sdr{i:02d}" for i in range(12)]
    ids = aes + sdrs
    calls = pd.Series(np.r_[10 + np.arange(12.0), 100 + np.arange(12.0)], index=ids)
    attainment = pd.Series(np.r_[0.8 + 0.1 * np.arange(12), 0.1 + 0.02 * np.arange(12)], index=ids)
    roles = pd.Series(["AE"] * 12 + ["SDR"] * 12, index=ids)
    return pd.DataFrame({"act_call": calls}), attainment, roles


def test_with_two_roles_reps_are_compared_within_their_role():
    acts, attainment, roles = _two_role_team()
    pooled = audit(acts, attainment, seed=3).iloc[0]
    # across roles the SDRs' many calls and low attainment read as a negative relation
    assert pooled["rho"] < 0 and pooled["verdict"] == "vanity" and not pooled["within_role"]
    row = audit(acts, attainment, seed=3, roles=roles).iloc[0]
    assert row["within_role"]
    assert row["rho"] == pytest.approx(1.0)  # percentiles within role are identical on both sides
    assert row["verdict"] == "driver" and row["n"] == 24
    assert "(ρ = 1.00 within role, n = 24)" in vanity_sentence(row, "attainment")


def test_reps_of_a_role_too_small_to_rank_are_left_out():
    acts, attainment, roles = _two_role_team()
    extra = ["se1", "se2"]
    acts = pd.concat([acts, pd.DataFrame({"act_call": [500.0, 0.0]}, index=extra)])
    attainment = pd.concat([attainment, pd.Series([0.0, 5.0], index=extra)])
    roles = pd.concat([roles, pd.Series(["SE", "SE"], index=extra)])
    row = audit(acts, attainment, seed=3, roles=roles).iloc[0]
    assert row["n"] == 24 and row["rho"] == pytest.approx(1.0)


def test_one_role_gives_exactly_the_plain_audit():
    revenue = pd.Series(np.arange(12) * 1000.0 + np.r_[0, 500] .repeat(6), index=REPS)
    acts = pd.DataFrame({"calls": np.arange(12) % 5 + 1.0, "miles": 500.0 - np.arange(12) * 10}, index=REPS)
    plain = audit(acts, revenue, seed=5)
    one_role = audit(acts, revenue, seed=5, roles=pd.Series("AE", index=REPS))
    pd.testing.assert_frame_equal(plain, one_role)


def test_several_roles_none_with_three_reps_leave_no_rep_to_rank_and_no_crash():
    # an AE, two SDRs and an AM (string roles as a CSV gives them): no role has the 3 reps a percentile needs
    ids = ["a", "b", "c", "d"]
    roles = pd.Series(["AE", "SDR", "SDR", "AM"], index=ids, dtype="str")
    acts = pd.DataFrame({"act_call": [5.0, 9.0, 7.0, 2.0]}, index=ids)
    row = audit(acts, pd.Series([100.0, 0.0, 0.0, 300.0], index=ids), seed=1, roles=roles).iloc[0]
    assert row["n"] == 0 and row["verdict"] == "unclear"


def _partial_by_hand(x, y, z) -> float:
    rx, ry, rz = (pd.Series(v).rank().to_numpy() for v in (x, y, z))
    design = np.column_stack([np.ones(len(rx)), rz])
    res = [v - design @ np.linalg.lstsq(design, v, rcond=None)[0] for v in (rx, ry)]
    return float(np.corrcoef(*res)[0, 1])


def test_a_driver_must_hold_with_the_volume_held_equal_on_its_own_evidence():
    import math

    reps = [f"r{i:02d}" for i in range(24)]
    rng = np.random.default_rng(0)
    opps = pd.Series(rng.uniform(5, 50, 24), index=reps)
    # visits only follow the work; revenue too. By chance the partial rho lands above WEAK_RHO
    visits = opps * 2 + pd.Series(rng.normal(0, 12, 24), index=reps)
    revenue = opps * 100 + pd.Series(rng.normal(0, 1500, 24), index=reps)
    out = audit(pd.DataFrame({"visits": visits}), revenue, seed=0, volume=opps).iloc[0]
    held = _partial_by_hand(visits, revenue, opps)
    p_hand = 0.5 * math.erfc(math.atanh(held) * math.sqrt(24 - 4) / math.sqrt(2))  # one-sided, Fisher's z
    assert out["partial_rho"] == pytest.approx(held, abs=1e-9)
    assert out["partial_p"] == pytest.approx(p_hand, rel=1e-6)
    assert held > 0.2 and p_hand > 0.025 and out["p_value"] < 0.025 and out["low"] > 0  # was a driver before
    assert out["verdict"] == "unclear" and out["volume_unclear"] and not out["follows_volume"]
    said = vanity_sentence(out, "won_revenue")
    assert "worth encouraging" not in said and "may only follow the work" in said
    # calls that go with revenue for the same volume stay a driver
    calls = pd.Series(rng.normal(0, 1, 24), index=reps)
    revenue2 = opps * 100 + calls * 1500 + pd.Series(rng.normal(0, 300, 24), index=reps)
    out2 = audit(pd.DataFrame({"calls": calls}), revenue2, seed=0, volume=opps).iloc[0]
    assert out2["partial_p"] < 0.025 and out2["verdict"] == "driver" and not out2["volume_unclear"]


def test_a_type_logged_for_one_rep_only_is_not_correlated_and_says_how_to_add_it():
    ids = REPS[:8]
    attainment = pd.Series(np.arange(1, 9) / 8, index=ids)
    visits = pd.Series([0, 0, 3.0, 0, 0, 0, 0, 0], index=ids)  # one rep logs visits, seven log none
    out = audit(pd.DataFrame({"act_visit": visits}), attainment, {"act_visit": "visits"}, seed=0).iloc[0]
    assert (out["logged"], out["reps"], out["covered"]) == (1, 8, False)
    assert np.isnan(out["rho"]) and out["n"] == 0 and out["verdict"] == "unclear"
    assert vanity_sentence(out, "attainment") == (
        "Visits: the data covers only 1 of 8 reps (the other 7 log none), too few to tell whether it goes with quota "
        "attainment: log visits for every rep in activities.csv (type visit) to audit it.")
    from salesnb.words.manager import vanity_verdict

    assert vanity_verdict(out, "attainment") == "Visits: the data covers only 1 of 8 reps: not audited."


def test_half_the_reps_logging_is_enough_and_a_rep_with_no_value_is_left_out():
    ids = REPS[:8]
    attainment = pd.Series(np.arange(1, 9) / 8, index=ids)
    # four of eight log visits (half: covered); miles: one rep has none at all (NaN), seven drove some
    visits = pd.Series([0, 0, 0, 0, 1, 2, 3, 4.0], index=ids)
    miles = pd.Series([np.nan, 10, 20, 30, 40, 50, 60, 70.0], index=ids)
    out = audit(pd.DataFrame({"act_visit": visits, "miles": miles}), attainment, seed=0).set_index("metric")
    assert (out.loc["act_visit", "logged"], out.loc["act_visit", "covered"], out.loc["act_visit", "n"]) == (4, True, 8)
    assert (out.loc["miles", "logged"], out.loc["miles", "reps"], out.loc["miles", "n"]) == (7, 8, 7)
    assert out.loc["miles", "rho"] == pytest.approx(1.0)  # the seven measured reps order exactly like attainment
