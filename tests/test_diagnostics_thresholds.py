"""The diagnoses' bars: the docs state the numbers of `thresholds`, and the tests behind them hold by hand."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from salesnb.diagnostics import thresholds as th
from salesnb.diagnostics._stats import betabinom_cdf, bh_adjust, binom_cdf, upper_spread, wilson
from salesnb.metrics.context import SETTLE_MIN_LAGS, SETTLE_SHARE

DOC = (Path(__file__).resolve().parents[1] / "docs" / "diagnose-json.md").read_text(encoding="utf-8")


def _doc_pct(pattern: str) -> float:
    m = re.search(pattern, " ".join(DOC.split()))
    assert m, f"docs/diagnose-json.md no longer says {pattern!r}"
    return float(m.group(1)) / 100


def test_the_docs_state_the_thresholds_of_the_code():
    assert _doc_pct(r"false-discovery rate of (\d+)%") == pytest.approx(th.FDR)
    assert _doc_pct(r"at least (\d+)% below the rest of the role") == pytest.approx(th.MIN_EFFECT)
    assert _doc_pct(r"a strength: at least (\d+)% above") == pytest.approx(th.STRONG_EFFECT)
    assert _doc_pct(r"gives the rep's rate with its (\d+)% interval") == pytest.approx(th.INTERVAL)
    assert int(re.search(r"from (\d+) deals at the step", " ".join(DOC.split())).group(1)) == th.MIN_REACHED
    bars = re.search(r"`almost_certain` \(below ([\d.]+)\), `very_likely` \(below ([\d.]+)\)", DOC)
    assert (float(bars.group(1)), float(bars.group(2))) == th.SURE_BARS
    assert _doc_pct(r"largest deal is at least (\d+)% of won revenue") == pytest.approx(th.ONE_DEAL_SHARE)
    assert _doc_pct(r"for a leak asks whether the rep is at least (\d+)% below the rest") == pytest.approx(th.MARGIN)
    flat = " ".join(DOC.split())
    assert float(re.search(r"unadjusted p under ([\d.]+)", flat).group(1)) == th.SUSPECT
    assert int(re.search(r"run again, up to (\d+) times", flat).group(1)) == th.PASSES
    assert int(re.search(r"by (\d+) standard errors, keeps its own", flat).group(1)) == th.OWN_SPREAD
    ramp = re.search(r"the first (\d+) days after a rep's `hire_date` count as ([\d.]+) of a day", flat)
    assert (int(ramp.group(1)), float(ramp.group(2))) == (th.RAMP_DAYS, th.RAMP_WEIGHT)
    assert f"their first {th.RAMP_DAYS} days overlap the period" in flat
    settle = re.search(r"the time (\d+) in (\d+) of the leads that became an opportunity took here \(from (\d+) such", flat)
    assert int(settle.group(1)) / int(settle.group(2)) == pytest.approx(SETTLE_SHARE)
    assert int(settle.group(3)) == SETTLE_MIN_LAGS
    deals = re.search(r"before the time (\d+) in (\d+) of the deals decided there \(moved on, or lost\) took \(from "
                      r"(\d+) such deals\)", flat)
    assert int(deals.group(1)) / int(deals.group(2)) == pytest.approx(SETTLE_SHARE)
    assert int(deals.group(3)) == SETTLE_MIN_LAGS


def test_beta_binomial_with_no_spread_is_the_binomial_and_with_a_flat_prior_is_uniform():
    assert betabinom_cdf(2, 40, 0.3, 0.0) == pytest.approx(binom_cdf(2, 40, 0.3))
    # p = 0.5 and rho = 1/3 is a = b = 1: on 2 trials, 0, 1 and 2 are equally likely
    assert betabinom_cdf([0, 1, 2], 2, 0.5, 1 / 3) == pytest.approx([1 / 3, 2 / 3, 1.0])
    # a = 2, b = 1 (p = 2/3, rho = 1/4), n = 1: P(X = 0) = b / (a + b) = 1/3
    assert betabinom_cdf(0, 1, 2 / 3, 0.25) == pytest.approx(1 / 3)
    # a wider null makes the same shortfall less surprising
    assert betabinom_cdf(2, 40, 0.3, 0.05) > binom_cdf(2, 40, 0.3)


def test_benjamini_hochberg_by_hand():
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): x 4/1, 4/2, 4/3, 4/4 = 0.04, 0.06, 0.0533, 0.5; then the running
    # minimum from the top: 0.04, 0.0533, 0.0533, 0.5
    got = bh_adjust([0.04, 0.01, 0.5, 0.03, float("nan")])
    assert got[:4] == pytest.approx([0.04 * 4 / 3, 0.04, 0.5, 0.04 * 4 / 3])
    assert math.isnan(got[4])


def test_the_spread_is_read_above_the_median_so_leaks_cannot_inflate_it():
    # 1..5: median 3, distances above 1 and 2 (bound 2.5 x 1.4826 x median(0, 1, 2) = 3.7, not reached):
    # (1 + 4) / 2, over the bound's normal cost 0.9776
    assert upper_spread([1, 2, 3, 4, 5]) == pytest.approx(2.5 / 0.9776)
    assert upper_spread([-50, 2, 3, 4, 5]) == pytest.approx(upper_spread([1, 2, 3, 4, 5]))


def test_a_star_far_above_counts_at_the_bound():
    # 1..7 and 100: median 4.5, distances above 0.5, 1.5, 2.5, 95.5; median distance of (0.5, 1.5, 2.5, 95.5) = 2,
    # bound 2.5 x 1.4826 x 2 = 7.413: (0.25 + 2.25 + 6.25 + 7.413^2) / 4 / 0.9776
    bound = 2.5 * 1.4826 * 2
    assert upper_spread([1, 2, 3, 4, 5, 6, 7, 100]) == pytest.approx((0.25 + 2.25 + 6.25 + bound**2) / 4 / 0.9776)
    assert upper_spread([1, 2, 3, 4, 5, 6, 7, 100]) == pytest.approx(upper_spread([1, 2, 3, 4, 5, 6, 7, 1e6]))


def test_wilson_interval_by_hand():
    # 2 of 40, z = 1.6449: centre (0.05 + z^2/80) / (1 + z^2/40); half z sqrt(0.05 x 0.95/40 + z^2/6400) / (same)
    z = 1.6448536
    den = 1 + z * z / 40
    centre = (0.05 + z * z / 80) / den
    half = z * math.sqrt(0.05 * 0.95 / 40 + z * z / 6400) / den
    lo, hi = wilson(2, 40, 0.9)
    assert (float(lo), float(hi)) == pytest.approx((centre - half, centre + half), rel=1e-6)


def test_the_docs_state_the_vanity_audits_bars():
    from salesnb.diagnostics.vanity import MIN_REPS, WEAK_RHO

    flat = " ".join(DOC.split())
    bars = re.search(r"`vanity`: n ≥ (\d+), rho < ([\d.]+) \(weak, absent or negative\) and the interval's upper end "
                     r"below ([\d.]+)", flat)
    assert bars, "docs/diagnose-json.md no longer states the vanity verdict's bars"
    assert (int(bars.group(1)), float(bars.group(2)), float(bars.group(3))) == (MIN_REPS, WEAK_RHO, th.VANITY_RULES_OUT)
    assert _doc_pct(r"at least (\d+)% of the reps with an outcome log the metric") == pytest.approx(
        th.ACTIVITY_LOGGED_SHARE)
