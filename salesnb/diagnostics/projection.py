"""Where each rep is likely to end a period: a range and the chance of reaching quota, from what is known today.

    final = won so far + open deals won by the period's end + new business won by then

- **Open deals.** Each open deal's chance to be won by the period's end, learned from the team's own deals
  closed in the ``LOOKBACK_DAYS`` to as_of: of the deals that were at the same stage for at least as long
  (age in stage, in the buckets ``AGES``), the share won within the days left. Thin cells lean on the one
  before (a younger age at the same stage; the stage's first bucket on all deals) by ``PSEUDO_DEALS``. Each
  rep's own closing then scales it: the wins from the stages the rep's closed deals reached, against what the
  team's rates expect of them, leaning toward the role's by ``PSEUDO_WINS``. Without stage_history the same
  is done by deal age alone (``stages`` says so).
- **New business.** The rep's yearly selling rate: deals created per year x what a deal brings. Deals per
  year: those the rep created in the ``RATE_DAYS`` to as_of divided by the share of a year's deals that window
  holds for them. What a deal brings: the won ones in full and the open ones at their chance to be won at
  all, over the deals created. Each of the two leans toward the role's on its own evidence (empirical Bayes:
  the fewer deals seen, the closer to the role's), so the rep's pace rests on every deal created and a few
  large wins or losses move only the value per deal. The window's share of a year follows the season
  (`season`, moved one typical sales cycle earlier: deals are created about a cycle before they close) on
  the days the rep and the data were there, at the rep's pace on each day: a new rep sells at ``RAMP_START``
  of full pace on the hire date, growing evenly to full after ``RAMP_DAYS`` (the *ramp rule*). What it
  brings by the period's end: the rate x, over each day after as_of to the rep's last day in the period, the
  season's share of deals created that day x the share of won revenue whose sales cycle fits in the days
  left (the team's cycle lengths, by revenue).
- **The range.** ``DRAWS`` draws with a fixed seed (``SEED``): each open deal won or not by its chance; the
  rep's rate drawn from its uncertainty (gamma); new business given the rate drawn as a compound of deals
  (gamma with the role's deal-size spread). ``low`` and ``high`` are the ``LOW`` and ``HIGH`` quantiles of the
  final figure, ``chance`` the share of draws at or above quota. The projection is the expected final.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..terms import role_key
from .book import NEVER, Book, day_of
from .season import Season

LOOKBACK_DAYS = 365  # the history the chances and cycle lengths are learned from
RATE_DAYS = 730  # the history each rep's selling rate is learned from
AGES = np.array([0, 7, 14, 21, 30, 45, 60, 90, 120, 180, 270])  # age-in-stage buckets (days at the stage)
PSEUDO_DEALS = 20  # weight of the neighbouring cell's chance in a thin (stage, age) cell, in deals
PSEUDO_WINS = 5  # weight of the role's closing in a rep's, in expected wins
MAX_CHANCE = 0.98  # no open deal is certain
RAMP_DAYS, RAMP_START = 90, 0.5  # a new rep sells at half pace on joining, at full pace after RAMP_DAYS
MIN_SPREAD = 0.05  # the rep-to-rep spread of rates assumed at least (share of the role's rate)
MIN_ROLE_REPS = 5  # a role with fewer reps borrows the team's spread
DRAWS = 1000
SEED = 20260
LOW, HIGH = 0.10, 0.90  # the likely range: the 10th to 90th percentile of the final figure
MAX_REWEIGHT = 10  # a won deal seen in a short window counts at most this many times (cycle lengths)
BLOCK = 4000  # open deals simulated at a time (memory)

BY_STAGE, BY_AGE = "stage and age in stage", "deal age (no stage history)"


@dataclass
class Fit:
    """What was learned from the team's history as of a day (shared by every rep)."""

    stages: str  # BY_STAGE or BY_AGE
    chance: np.ndarray  # (stage, age bucket): chance of a win within the days left
    eventual: np.ndarray  # (stage, age bucket): chance of a win at all
    cycle_cdf: np.ndarray  # share of won revenue whose sales cycle is <= d days, d = 0..len-1 (beyond: 1)
    typical_cycle: int  # the median sales cycle of won revenue, in days
    won_deals: int  # closed deals the chances were learned from (won)
    closed_deals: int
    season: Season | None = None


def _cdf(values: np.ndarray, weights: np.ndarray, length: int) -> np.ndarray:
    if not len(values) or weights.sum() <= 0:
        return np.ones(length)
    order = np.argsort(values)
    v, w = np.clip(values[order], 0, length - 1), np.cumsum(weights[order]) / weights.sum()
    idx = np.searchsorted(v, np.arange(length), side="right") - 1
    return np.where(idx >= 0, w[np.maximum(idx, 0)], 0.0)


def _chances(entered: np.ndarray, left: np.ndarray, closed: np.ndarray, won: np.ndarray, as_of: int,
             days_left: int) -> np.ndarray:
    """(stage, age) -> [wins within `days_left` of being there, wins at all, deals] over the closed deals."""
    n_st = entered.shape[1]
    counts = np.zeros((n_st, len(AGES), 3))
    for s in range(n_st):
        e = entered[:, s]
        was = e < NEVER
        if not was.any():
            continue
        e, lft, c, w = e[was], left[was, s], closed[was], won[was]
        dur = lft - e
        for g, age in enumerate(AGES):
            at = (dur >= age) & (e + age <= as_of)
            counts[s, g] = ((at & w & (c - (e + age) <= days_left)).sum(), (at & w).sum(), at.sum())
    return counts


def _smooth(wins: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Chances from counts, each thin cell leaning on the one before it (see the module)."""
    pooled = wins[:, 0].sum() / n[:, 0].sum() if n[:, 0].sum() else 0.0
    p = np.zeros(wins.shape)
    for s in range(wins.shape[0]):
        prior = pooled
        for g in range(wins.shape[1]):
            p[s, g] = (wins[s, g] + PSEUDO_DEALS * prior) / (n[s, g] + PSEUDO_DEALS)
            prior = p[s, g]
    return p


def fit(book: Book, as_of: int, end: int) -> tuple[Fit, dict]:
    """Learn the chances and the cycle lengths from the deals closed in the LOOKBACK_DAYS to `as_of`."""
    closed = np.flatnonzero(book.closed_between(as_of - LOOKBACK_DAYS + 1, as_of) & (book.created <= as_of))
    days_left = max(end - as_of, 0)
    if book.has_stages:
        entered, left = book.stage_exits(closed)
        stages = BY_STAGE
    else:
        entered, left = book.created[closed][:, None], book.closed[closed][:, None]
        stages = BY_AGE
    entered = np.where(entered <= book.closed[closed][:, None], entered, NEVER)
    counts = _chances(entered, left, book.closed[closed], book.won[closed], as_of, days_left)
    chance, ev = _smooth(counts[..., 0], counts[..., 2]), _smooth(counts[..., 1], counts[..., 2])
    won = closed[book.won[closed]]
    cycle = book.closed[won] - book.created[won]
    # deals won in the window with a long cycle were created before the data began more often than short
    # ones: each counts for the share of the window in which it could have been seen (inverse probability)
    start = book.first_at(as_of)
    lo = max(as_of - LOOKBACK_DAYS + 1, start)
    seen = (as_of - np.maximum(lo, start + cycle) + 1) / (as_of - lo + 1)
    weight = book.amount[won] / np.clip(seen, 1 / MAX_REWEIGHT, 1)
    cdf = _cdf(cycle, weight, LOOKBACK_DAYS + 1)
    typical = int(np.searchsorted(cdf, 0.5)) if len(won) else 0
    f = Fit(stages=stages, chance=chance, eventual=ev, cycle_cdf=cdf, typical_cycle=typical, won_deals=len(won),
            closed_deals=len(closed))
    return f, {"closed": closed, "entered": entered}


def _closing(book: Book, f: Fit, history: dict, reps: pd.Index, role: pd.Series, rep_pos: np.ndarray) -> pd.Series:
    """Each rep's closing against the team's: wins / the wins the team's stage chances expect, shrunk to the
    role's (a rep with few closed deals is taken to close like the role)."""
    closed, entered = history["closed"], history["entered"]
    reached = entered < NEVER
    expected = (reached * f.eventual[None, :, 0]).sum(axis=1)
    wins = (reached.sum(axis=1) * book.won[closed])  # a won deal counts a win at each stage it reached
    pos = rep_pos[closed]
    ok = pos >= 0
    o = np.bincount(pos[ok], weights=wins[ok], minlength=len(reps))
    e = np.bincount(pos[ok], weights=expected[ok], minlength=len(reps))
    rk = role.reindex(reps).map(role_key).to_numpy()
    frame = pd.DataFrame({"o": o, "e": e, "role": rk}, index=reps)
    by_role = frame.groupby("role")[["o", "e"]].transform("sum")
    role_ratio = (by_role["o"] / by_role["e"].where(by_role["e"] > 0)).fillna(1.0)
    return (frame["o"] + PSEUDO_WINS * role_ratio) / (frame["e"] + PSEUDO_WINS)


def _lean(raw: pd.Series, sampling: pd.Series, mean: pd.Series, role: pd.Series, seen: pd.Series
          ) -> tuple[pd.Series, pd.Series]:
    """Empirical Bayes: each rep's `raw` figure (its `sampling` variance) leaning toward its role's `mean` by
    how well it is measured against how much reps differ (the role's excess spread over sampling among the
    reps `seen` long enough; the team's when the role has under MIN_ROLE_REPS of them; at least MIN_SPREAD).
    Returns the leaned figure and its variance."""
    excess = ((raw - mean) ** 2 - sampling).where(seen) / mean.where(mean > 0) ** 2
    team_rel = float(excess.mean()) if excess.notna().any() else MIN_SPREAD ** 2
    team_rel = team_rel if np.isfinite(team_rel) else MIN_SPREAD ** 2
    n_seen = seen.groupby(role).transform("sum")
    tau2 = (excess.groupby(role).transform("mean").where(n_seen >= MIN_ROLE_REPS, team_rel)
            .fillna(team_rel).clip(lower=MIN_SPREAD ** 2)) * mean ** 2
    prec = (1 / sampling).fillna(0.0) + 1 / tau2.where(tau2 > 0)
    leaned = (((raw / sampling).fillna(0.0) + mean / tau2.where(tau2 > 0)) / prec).fillna(mean)
    return leaned, (1 / prec).fillna(0.0)


def _rates(reps: pd.DataFrame, book: Book, as_of: int, exposure: np.ndarray, created: np.ndarray,
           created_value: np.ndarray, created_sq: np.ndarray, rep_pos: np.ndarray) -> pd.DataFrame:
    """Each rep's yearly rate (won revenue per year of the season) as deals x value per deal, each leaning
    toward the role's on its own evidence (`_lean`), with its variance; and the role's deal-size spread
    (E[a^2] / E[a] of won deals).

    Deals: those created in the RATE_DAYS to as_of (`created`) over the share of a year's selling the rep was
    there for (`exposure`), a Poisson count. Value per deal: what those deals bring (`created_value`: won
    ones in full, open ones at their chance to be won at all; `created_sq` the same of the squares) over their
    number. Counted apart, the rep's pace rests on every deal created and only the value on what the deals
    brought, so a few large wins or losses move the rate less than revenue over time would."""
    ids = reps.index
    start = as_of - RATE_DAYS + 1
    pos = rep_pos
    ok = book.won_between(start, as_of) & (pos >= 0)
    won = np.bincount(pos[ok], weights=book.amount[ok], minlength=len(ids))
    sq = np.bincount(pos[ok], weights=book.amount[ok] ** 2, minlength=len(ids))
    role = reps["role"].map(role_key).to_numpy() if "role" in reps else np.full(len(ids), "")
    out = pd.DataFrame({"deals": created, "value": created_value, "value_sq": created_sq, "won": won, "sq": sq,
                        "exposure": exposure, "role": role}, index=ids)
    g = out.groupby("role")
    team_s2 = sq.sum() / won.sum() if won.sum() > 0 else 0.0
    s2 = (g["sq"].transform("sum") / g["won"].transform("sum").where(lambda x: x > 0)).fillna(team_s2)
    seen = out["exposure"] >= 0.5 * out["exposure"].groupby(out["role"]).transform("median")
    exposed = out["exposure"].where(out["exposure"] > 0)
    # deals per year: a Poisson count over the exposure
    pace_mean = (g["deals"].transform("sum") / g["exposure"].transform("sum").where(lambda x: x > 0)).fillna(0.0)
    pace, pace_var = _lean(out["deals"] / exposed, pace_mean / exposed, pace_mean, out["role"], seen)
    # value per deal: the mean of the deals' values, its variance the role's per-deal variance over their number
    deals = g["deals"].transform("sum").where(lambda x: x > 0)
    per_deal = (g["value"].transform("sum") / deals).fillna(0.0)
    per_deal_var = (g["value_sq"].transform("sum") / deals - per_deal ** 2).clip(lower=0).fillna(0.0)
    counted = out["deals"].where(out["deals"] > 0)
    value, value_var = _lean(out["value"] / counted, per_deal_var / counted, per_deal, out["role"], seen)
    out["pace"], out["per_deal"] = pace, value
    out["rate"] = pace * value
    out["rate_var"] = pace ** 2 * value_var + value ** 2 * pace_var + pace_var * value_var
    out["role_rate"] = pace_mean * per_deal
    out["size_spread"] = s2
    out["raw_rate"] = out["value"] / exposed
    return out


def _created_season(f: Fit, season: Season, day_numbers: np.ndarray) -> np.ndarray:
    """Each day's share of a year's won revenue *created* that day: the season of closings, one typical sales
    cycle earlier (deals are created about a cycle before they close)."""
    return season.weights(day_numbers + f.typical_cycle)


def _fits(f: Fit, days: np.ndarray) -> np.ndarray:
    """Share of won revenue whose sales cycle is at most `days` (0 below 0, 1 beyond the table)."""
    cdf = f.cycle_cdf
    return np.where(days < 0, 0.0, cdf[np.clip(days, 0, len(cdf) - 1)])


def ramp(days_since_hire: np.ndarray) -> np.ndarray:
    """A rep's pace on a day as a share of their full pace: RAMP_START on the day they join, growing evenly to
    full after RAMP_DAYS; 0 before they join."""
    d = np.asarray(days_since_hire, dtype=float)
    return np.where(d < 0, 0.0, np.clip(RAMP_START + (1 - RAMP_START) * d / RAMP_DAYS, 0.0, 1.0))


def _selling(f: Fit, season: Season, days: np.ndarray, hire: np.ndarray, first: np.ndarray) -> np.ndarray:
    """(reps, days): the share of a year's deals each rep creates on each day: the created season x the rep's
    ramp (from the hire date) on days the rep and the data were there."""
    w = _created_season(f, season, days)[None, :]
    on = days[None, :] >= first[:, None]
    return np.where(on, w * ramp(days[None, :] - hire[:, None]), 0.0)


def _ahead(f: Fit, season: Season, as_of: int, last: np.ndarray, hire: np.ndarray, first: np.ndarray
           ) -> np.ndarray:
    """Per rep: the share of a year's wins from deals created after as_of that close by the rep's `last` day."""
    end = int(last.max()) if len(last) else as_of
    days = np.arange(as_of + 1, max(end, as_of) + 1)
    if not len(days):
        return np.zeros(len(last))
    sell = _selling(f, season, days, hire, first)
    fits = _fits(f, last[:, None] - days[None, :])  # 0 for days after the rep's last one
    return (sell * fits).sum(axis=1)


def _due_since_hire(f: Fit, season: Season, hire: np.ndarray, first: np.ndarray, begin: int, now: int,
                    end: int) -> np.ndarray:
    """Per rep who joined within the period: the share of what they can win in it (from deals they create, at
    their ramp, closing one sales cycle later) that is due by `now`: a new hire is not behind for the deals
    they have not had the time to create and close."""
    days = np.arange(begin, end + 1)
    sell = _selling(f, season, days, hire, first)
    by_now = (sell * _fits(f, now - days)[None, :]).sum(axis=1)
    by_end = (sell * _fits(f, end - days)[None, :]).sum(axis=1)
    return np.where(by_end > 0, by_now / np.where(by_end > 0, by_end, 1.0), np.nan)


def _day_or(values, n: int, default: int) -> np.ndarray:
    if values is None:
        return np.full(n, default, dtype=np.int64)
    d = pd.to_datetime(values)
    out = d.to_numpy(dtype="datetime64[D]").astype(np.int64)
    return np.where(d.isna().to_numpy(), default, out)


def project(book: Book, season: Season, period, as_of, reps: pd.DataFrame, quota: pd.Series,
            won: pd.Series, draws: int = DRAWS, seed: int = SEED) -> tuple[pd.DataFrame, Fit]:
    """Per rep (`reps`: indexed by rep_id, with role, hire_date, end_date): the expected final figure, the
    likely range and the chance of reaching `quota`, with the parts behind them (see the module).

    `won` is each rep's won revenue in the period so far. Only what was known at `as_of` is read."""
    t, end, begin = day_of(as_of), day_of(period.end), day_of(period.start)
    f, history = fit(book, t, end)
    f.season = season
    ids = reps.index
    role = reps["role"] if "role" in reps else pd.Series("", index=ids)
    rep_pos = book.positions(ids)  # each deal's rep as a row of `reps` (-1: not one of them)
    closing = _closing(book, f, history, ids, role, rep_pos)

    # open deals at as_of: chance of a win by the end, scaled by the rep's closing
    rows = np.flatnonzero(book.open_at(t))
    pos = rep_pos[rows]
    keep = pos >= 0
    order = np.argsort(pos[keep], kind="stable")  # grouped by rep, for the draws
    rows, pos = rows[keep][order], pos[keep][order]
    if book.has_stages:
        stage, since = book.stage_at(t, rows)
    else:
        stage, since = np.zeros(len(rows), dtype=int), book.created[rows]
    bucket = np.searchsorted(AGES, t - since, side="right") - 1
    bucket = np.clip(bucket, 0, len(AGES) - 1)
    p = np.minimum(f.chance[stage, bucket] * closing.to_numpy()[pos], MAX_CHANCE)
    amount = book.amount[rows]
    n = len(ids)
    # what the deals created in the lookback bring: the won ones, and the open ones at their chance to be won
    start = t - RATE_DAYS + 1
    all_pos = rep_pos
    done = book.won & (book.closed <= t) & (book.created >= start) & (all_pos >= 0)
    recent = book.created[rows] >= start
    p_ev = np.minimum(f.eventual[stage, bucket] * closing.to_numpy()[pos], MAX_CHANCE)
    created_value = (np.bincount(all_pos[done], weights=book.amount[done], minlength=n)
                     + np.bincount(pos[recent], weights=(p_ev * amount)[recent], minlength=n))
    created_sq = (np.bincount(all_pos[done], weights=book.amount[done] ** 2, minlength=n)
                  + np.bincount(pos[recent], weights=(p_ev * amount ** 2)[recent], minlength=n))
    hire = _day_or(reps.get("hire_date"), n, -NEVER)
    first = np.maximum(hire, book.first_at(t))
    exposure = _selling(f, season, np.arange(start, t + 1), hire, first).sum(axis=1)
    made = (book.created >= start) & (book.created <= t) & (all_pos >= 0)
    rates = _rates(reps, book, t, exposure, np.bincount(all_pos[made], minlength=n), created_value, created_sq,
                   rep_pos)
    created_pace = np.bincount(all_pos[made], weights=book.amount[made], minlength=n) / np.where(
        exposure > 0, exposure, np.nan)
    pipe_mean = np.bincount(pos, weights=p * amount, minlength=n)
    pipe_value = np.bincount(pos, weights=amount, minlength=n)
    open_deals = np.bincount(pos, minlength=n)

    # new business: the season's share of the year ahead, to each rep's last day, counting wins that fit
    last = np.minimum(_day_or(reps.get("end_date"), n, NEVER), end)
    mass = _ahead(f, season, t, last, hire, first)
    rate, rate_var = rates["rate"].to_numpy(), rates["rate_var"].to_numpy()
    new_mean = rate * mass
    w0 = won.reindex(ids).fillna(0.0).to_numpy()
    q = quota.reindex(ids).to_numpy(dtype=float)

    # what the season expects of the quota by now: its share of the period (from the rep's first day in it)
    span = np.arange(begin, end + 1)
    cum = np.r_[0.0, np.cumsum(season.weights(span))]
    lo = np.clip(np.maximum(hire, begin) - begin, 0, len(span))
    now = int(np.clip(min(t, end) - begin + 1, 0, len(span)))
    due_share = (cum[now] - cum[lo]) / np.where(cum[-1] - cum[lo] > 0, cum[-1] - cum[lo], np.nan)
    joined = hire > begin  # a rep who joined within the period: only their own deals can close, after a cycle
    if joined.any():
        due_share[joined] = _due_since_hire(f, season, hire[joined], first[joined], begin, min(t, end), end)
    finals = _draw(w0, p, amount, pos, n, rate, rate_var, mass, rates["size_spread"].to_numpy(), draws, seed)
    low, high = np.quantile(finals, [LOW, HIGH], axis=1)
    reach = np.where(q > 0, (finals >= q[:, None]).mean(axis=1), np.nan)
    out = pd.DataFrame({
        "quota": q, "won": w0, "projection": w0 + pipe_mean + new_mean, "low": low, "high": high,
        "chance": reach, "pipeline_expected": pipe_mean, "pipeline_value": pipe_value, "open_deals": open_deals,
        "new_expected": new_mean, "closing": closing.to_numpy(), "rate": rate, "role_rate": rates["role_rate"],
        "season_ahead": mass, "created_pace": created_pace, "due_by_now": q * np.clip(due_share, 0, 1),
        "per_deal": rates["per_deal"].to_numpy(),
    }, index=ids)
    return out, f


def _draw(won, p, amount, pos, n, rate, rate_var, mass, s2, draws, seed) -> np.ndarray:
    """(reps, draws) final figures (see the module)."""
    rng = np.random.default_rng(seed)
    total = np.repeat(won[:, None], draws, axis=1).astype(float)
    # the rep's rate: a gamma with its mean and variance; new business given the rate: a compound of deals
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(rate_var > 0, rate ** 2 / rate_var, np.inf)
        scale = np.where(rate_var > 0, rate_var / rate, 0.0)
    r = np.where(np.isfinite(shape)[:, None],
                 rng.gamma(np.where(np.isfinite(shape) & (shape > 0), shape, 1.0)[:, None],
                           np.where(np.isfinite(shape), scale, 0.0)[:, None], (n, draws)),
                 rate[:, None])
    expected = np.clip(r * mass[:, None], 0, None)
    size = np.where(s2 > 0, s2, 1.0)[:, None]
    total += np.where(expected > 0, rng.gamma(np.maximum(expected / size, 1e-12), size), 0.0)
    # open deals (grouped by rep), a block at a time
    p32, a32 = p.astype(np.float32)[:, None], amount.astype(np.float32)[:, None]
    for lo in range(0, len(p), BLOCK):
        sl = slice(lo, lo + BLOCK)
        value = (rng.random((len(p[sl]), draws), dtype=np.float32) < p32[sl]) * a32[sl]
        starts = np.flatnonzero(np.r_[True, pos[sl][1:] != pos[sl][:-1]])
        total[pos[sl][starts]] += np.add.reduceat(value, starts, axis=0, dtype=np.float64)
    return total
