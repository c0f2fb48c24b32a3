"""The rep's selling rate as deals x value per deal, each leaning toward the role's on its own evidence.

Expectations are computed by hand on tiny frames (see `projection._lean` and `projection._rates`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.diagnostics.book import OPEN_STAGES, Book
from salesnb.diagnostics.projection import MIN_SPREAD, _lean, _rates


def _series(values, ids="abcdef"):
    return pd.Series(values, index=list(ids[:len(values)]), dtype=float)


def test_lean_weighs_the_rep_against_the_role_by_sampling_and_spread():
    # four reps of one role, each seen long enough; the team's spread is their excess over sampling
    raw = _series([10.0, 14.0, 6.0, 10.0])
    sampling = _series([1.0, 1.0, 1.0, 4.0])
    mean = _series([10.0] * 4)
    role = pd.Series("", index=raw.index)
    seen = pd.Series(True, index=raw.index)
    leaned, var = _lean(raw, sampling, mean, role, seen)
    # excess over sampling, relative to the mean squared: (0-1, 16-1, 16-1, 0-4) / 100, averaged
    rel = ((0 - 1) + (16 - 1) + (16 - 1) + (0 - 4)) / 100 / 4
    tau2 = rel * 100  # below MIN_SPREAD's floor? 6.25 > 0.25: no
    assert tau2 > (MIN_SPREAD * 10) ** 2
    for rep, r, s in zip(raw.index, raw, sampling):
        prec = 1 / s + 1 / tau2
        assert leaned[rep] == pytest.approx((r / s + 10 / tau2) / prec)
        assert var[rep] == pytest.approx(1 / prec)
    # the better measured rep keeps more of its own figure
    assert leaned["b"] - 10 > (14 - 10) * 0.8


def test_lean_takes_the_role_for_a_rep_never_seen_and_floors_the_spread():
    raw = _series([10.0, 10.0, np.nan])
    sampling = _series([1.0, 1.0, np.inf])
    mean = _series([10.0] * 3)
    role = pd.Series("", index=raw.index)
    seen = pd.Series([True, True, False], index=raw.index)
    leaned, var = _lean(raw, sampling, mean, role, seen)
    tau2 = (MIN_SPREAD * 10) ** 2  # no excess at all: the floor
    assert leaned["c"] == pytest.approx(10.0)
    assert var["c"] == pytest.approx(tau2)
    assert var["a"] == pytest.approx(1 / (1 / 1.0 + 1 / tau2))


def _book(rows):
    """A Book of (rep, created day, closed day, won, amount) rows for reps r1, r2."""
    reps = pd.Index(["r1", "r2"])
    created = np.array([c for _, c, *_ in rows], dtype=np.int64)
    return Book(rep_ids=reps, rep=np.array([reps.get_loc(r) for r, *_ in rows]), created=created,
                closed=np.array([d for _, _, d, *_ in rows], dtype=np.int64),
                won=np.array([w for *_, w, _ in rows], dtype=bool), amount=np.array([a for *_, a in rows], float),
                entered=created[:, None] + np.zeros((1, len(OPEN_STAGES)), dtype=np.int64), has_stages=False)


def test_a_big_win_moves_the_value_per_deal_not_the_pace():
    # r1 and r2 each create 4 deals over the same share of a year; r1's one win is 10x r2's
    reps = pd.DataFrame({"role": ["", ""]}, index=pd.Index(["r1", "r2"]))
    book = _book([("r1", 0, 10, True, 1000.0), ("r2", 0, 10, True, 100.0)])
    out = _rates(reps, book, 20, np.array([1.0, 1.0]), np.array([4, 4]), np.array([1000.0, 100.0]),
                 np.array([1000.0 ** 2, 100.0 ** 2]), book.positions(reps.index))
    assert out.loc["r1", "pace"] == pytest.approx(out.loc["r2", "pace"])
    assert out.loc["r1", "pace"] == pytest.approx(4.0)  # the role's 8 deals over 2 years' exposure
    assert out.loc["r1", "per_deal"] > out.loc["r2", "per_deal"]
    # the role's rate: 4 deals a year x 1,100 / 8 a deal; the raw rate: what r1's deals brought a year
    assert out.loc["r1", "role_rate"] == pytest.approx(4 * 1100 / 8)
    assert out.loc["r1", "raw_rate"] == pytest.approx(1000.0)


def test_the_rate_is_pace_times_value_with_the_variance_of_a_product():
    created = np.array([30, 10])
    exposure = np.array([1.0, 0.5])
    value = np.array([3000.0, 2000.0])
    value_sq = np.array([3000.0 * 100, 2000.0 * 200])
    reps = pd.DataFrame({"role": ["", ""]}, index=pd.Index(["r1", "r2"]))
    book = _book([("r1", 0, 10, True, 100.0), ("r2", 0, 10, True, 200.0)])
    out = _rates(reps, book, 20, exposure, created, value, value_sq, book.positions(reps.index))
    # by hand: the pace (deals a year) and the value per deal, each leaned
    pace_mean = created.sum() / exposure.sum()
    raw_pace, pace_sampling = created / exposure, pace_mean / exposure
    rel = max(np.mean(((raw_pace - pace_mean) ** 2 - pace_sampling) / pace_mean ** 2), MIN_SPREAD ** 2)
    tau2 = rel * pace_mean ** 2
    pace = (raw_pace / pace_sampling + pace_mean / tau2) / (1 / pace_sampling + 1 / tau2)
    pace_var = 1 / (1 / pace_sampling + 1 / tau2)
    per_deal = value.sum() / created.sum()
    dvar = value_sq.sum() / created.sum() - per_deal ** 2
    raw_v, v_sampling = value / created, dvar / created
    rel_v = max(np.mean(((raw_v - per_deal) ** 2 - v_sampling) / per_deal ** 2), MIN_SPREAD ** 2)
    tau2_v = rel_v * per_deal ** 2
    v = (raw_v / v_sampling + per_deal / tau2_v) / (1 / v_sampling + 1 / tau2_v)
    v_var = 1 / (1 / v_sampling + 1 / tau2_v)
    np.testing.assert_allclose(out["rate"], pace * v)
    np.testing.assert_allclose(out["rate_var"], pace ** 2 * v_var + v ** 2 * pace_var + pace_var * v_var)
