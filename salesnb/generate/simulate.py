"""Simulating a chunk of reps: leads, opportunities, stage history and activities, vectorised.

Time is counted in whole days (numpy int64 days since 1970-01-01). Each lead is
qualified or not by the rep's lead->qualified rate (scaled by lead quality);
each opportunity climbs the funnel rung by rung with the rep's rates, spending
a random time at each stage; an outcome after the rep's horizon (as_of, or the
day the rep left) leaves the deal open at the stage it had reached by then.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .profiles import BIG_DEAL_FACTOR, RAMP_DAYS, RAMP_FLOOR, RUNGS

# Quality score (size >= 50, real need, decision maker: 0..3) -> multiplier of the qualifying rate.
QUALITY_MULTIPLIER = np.array([0.35, 0.7, 1.15, 1.45])
ICP_MIN_SIZE = 50
# Mean days spent before moving to meeting, proposal, commit, won.
STAGE_DAYS = np.array([8.0, 12.0, 12.0, 10.0])
LINGER_DAYS = 14.0  # mean days a deal lingers at its last stage before it is lost
MEDIAN_DEAL = 12_000.0
OPEN_STAGES = np.array(["qualified", "meeting", "proposal", "commit", "won"])
NEXT_STEPS = np.array([
    ["Book discovery meeting", "Call to set up a meeting", "Send intro deck"],
    ["Send proposal", "Scope requirements with buyer", "Follow-up meeting"],
    ["Review proposal with buyer", "Answer pricing questions", "Present to decision maker"],
    ["Send contract for signature", "Legal review", "Agree start date"],
    ["Kick-off", "Kick-off", "Kick-off"],
])
SOURCES = np.array(["referral", "web", "event", "cold_call", "purchased_list"])
SOURCE_MIX = np.array([0.22, 0.33, 0.15, 0.22, 0.08])
JUNK_SOURCE_MIX = np.array([0.04, 0.12, 0.04, 0.30, 0.50])
SOURCE_QUALITY = np.array([1.25, 1.0, 1.1, 0.9, 0.55])  # purchased lists are mostly poor leads
INDUSTRIES = np.array(["manufacturing", "healthcare", "retail", "hospitality", "logistics", "finance",
                       "education", "construction", "software", "public_sector"])
ACCOUNT_WORDS_A = np.array(["Blue", "North", "Summit", "Harbor", "Granite", "Cedar", "Silver", "Pioneer", "Apex",
                            "River", "Golden", "Lakeside", "Oak", "Prairie", "Metro", "Coastal", "Eagle", "Sunrise",
                            "Iron", "Maple"])
ACCOUNT_WORDS_B = np.array(["Foods", "Logistics", "Health", "Systems", "Builders", "Retail", "Dental", "Motors",
                            "Labs", "Hotels", "Clinics", "Supply", "Energy", "Partners", "Media", "Farms"])
ACCOUNT_WORDS_C = np.array(["Inc", "LLC", "Group", "Co", "Ltd", "Holdings"])
# A seasonal team's leads arrive this many days before the quarter their deals close in (about one cycle).
SEASON_LEAD_DAYS = 45
DURATION = {"call": 9, "email": 4, "meeting": 45, "visit": 80, "social": 6, "mail": 10, "task": 15, "other": 20}


@dataclass
class Window:
    """The calendar of a generation run, in epoch days."""

    data_start: int  # first day with any data (a warm-up before the analysed year)
    start: int  # first day of the analysed year
    as_of: int
    volume: float
    season: tuple[float, ...] | None = None  # share of the year's deals closing in each fiscal quarter
    first_year: int | None = None  # first day of the first whole year of data (fiscal quarters count from it)


@dataclass
class ChunkTables:
    leads: pa.Table
    opportunities: pa.Table
    stage_history: pa.Table
    activities: pa.Table


def epoch_days(values) -> np.ndarray:
    """datetime64 values -> int64 days (NaT stays a huge negative number; callers mask it)."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())
    if valid is not None:
        arr = pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.date32()))
    return arr


def make_ids(prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """'L00000042'-style ids from integers, built in Arrow (no Python loop)."""
    digits = pc.utf8_lpad(pa.array(numbers.astype(np.int64)).cast(pa.string()), width, "0")
    ids = pc.binary_join_element_wise(pa.scalar(prefix), digits, "")
    if valid is not None:
        ids = pc.if_else(pa.array(valid), ids, pa.scalar(None, pa.string()))
    return ids


def _weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays to Friday and Sundays to Monday (1970-01-01 was a Thursday)."""
    dow = (days + 3) % 7  # 0 = Monday
    return days - (dow == 5) + (dow == 6)


def _uniform_between(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    span = np.maximum(hi - lo, 0)
    return lo + np.floor(rng.random(len(lo)) * (span + 1)).astype(np.int64)


def _gamma_days(rng, mean: np.ndarray, shape: float = 2.0) -> np.ndarray:
    return np.ceil(rng.gamma(shape, np.asarray(mean) / shape)).astype(np.int64)


def _lead_days(rng, window: Window, win_lo: np.ndarray, win_hi: np.ndarray, ramp: np.ndarray,
               hire: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per rep, the relative lead flow on each day of the data window (1 = an even year at full pace): the
    season (leads come about one cycle before the quarter they close in) times a new hire's ramp.
    Returns (days, weights of shape reps x days)."""
    days = np.arange(window.data_start, window.as_of + 1)
    w = np.ones(len(days))
    if window.season is not None:
        month = (days + SEASON_LEAD_DAYS).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        first = np.int64(np.datetime64(np.datetime64(window.first_year, "D"), "M").astype(np.int64))
        quarter = ((month - first) % 12) // 3
        w = 4.0 * np.asarray(window.season)[quarter]
    weights = np.tile(w, (len(win_lo), 1))
    since = days[None, :] - hire[:, None]
    grow = np.clip(RAMP_FLOOR + (1 - RAMP_FLOOR) * since / RAMP_DAYS, RAMP_FLOOR, 1.0)
    weights = np.where(ramp[:, None], weights * grow, weights)
    weights[(days[None, :] < win_lo[:, None]) | (days[None, :] > win_hi[:, None])] = 0.0
    return days, weights


def _str(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(values.astype(str), type=pa.string())
    if valid is not None:
        arr = pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.string()))
    return arr


def simulate_chunk(rng: np.random.Generator, roster: pd.DataFrame, params: pd.DataFrame, window: Window,
                   offsets: dict[str, int], assist_pool: dict[int, tuple[np.ndarray, np.ndarray]],
                   id_widths: dict[str, int], big_deals: float = 0.0) -> ChunkTables:
    """Leads, opportunities, stage history and activities for the reps of one chunk.

    `offsets` holds the last id number used so far per table (ids run on across chunks); `assist_pool`
    maps a team index to (rep_ids, assist weights) of its members.
    """
    n = len(roster)
    rep_ids = roster["rep_id"].to_numpy(dtype=str)
    hire = epoch_days(roster["hire_date"])
    end = epoch_days(pd.to_datetime(roster["end_date"]).fillna(pd.Timestamp("2262-01-01")))
    left = end < window.as_of
    win_lo = np.maximum(window.data_start, hire)
    win_hi = np.minimum(window.as_of, end)
    active = np.maximum(win_hi - win_lo + 1, 0)
    P = {c: params[c].to_numpy() for c in params.columns}
    rates = np.column_stack([P[f"p_{r}"] for r in RUNGS])

    # ---- leads
    if window.season is None and not P["ramp"].any():  # an even flow: the sample's kind
        n_leads = rng.poisson(P["lead_rate"] * window.volume * active)
        L = int(n_leads.sum())
        lr = np.repeat(np.arange(n), n_leads)
        lead_created = _weekday(_uniform_between(rng, win_lo[lr], win_hi[lr]))
    else:  # seasons or ramps: each rep's leads spread by their daily flow
        days, weights = _lead_days(rng, window, win_lo, win_hi, P["ramp"], hire)
        n_leads = rng.poisson(P["lead_rate"] * window.volume * weights.sum(axis=1))
        L = int(n_leads.sum())
        lr = np.repeat(np.arange(n), n_leads)
        cum = np.cumsum(weights, axis=1)
        u = rng.random(L) * cum[lr, -1]
        lead_created = np.empty(L, dtype=np.int64)
        for r in range(n):  # a loop over reps, not rows
            rows = lr == r
            lead_created[rows] = days[np.minimum(np.searchsorted(cum[r], u[rows], side="right"), len(days) - 1)]
        lead_created = _weekday(lead_created)
    lead_created = np.sort(np.clip(lead_created, win_lo[lr], win_hi[lr]) + lr * 10**6) - lr * 10**6  # by rep, date
    mix = np.where(P["junk_sources"][lr, None], JUNK_SOURCE_MIX[None, :], SOURCE_MIX[None, :])
    source = (rng.random(L)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, len(SOURCES) - 1)
    good = rng.random(L) < np.clip(P["good_lead_share"][lr] * SOURCE_QUALITY[source], 0, 0.98)
    size = np.where(good, rng.lognormal(np.log(250), 0.9, L), rng.lognormal(np.log(18), 0.8, L))
    size = np.maximum(np.round(size), 1).astype(np.int64)
    has_need = rng.random(L) < np.where(good, 0.85, 0.3)
    decision_maker = rng.random(L) < np.where(good, 0.75, 0.25)
    quality = (size >= ICP_MIN_SIZE).astype(int) + has_need + decision_maker
    p_qualify = np.clip(rates[lr, 0] * QUALITY_MULTIPLIER[quality], 0, 0.97)
    qualifies = rng.random(L) < p_qualify
    decided_on = lead_created + _gamma_days(rng, 6.0 * P["cycle"][lr])
    decided = decided_on <= win_hi[lr]
    lead_status = np.where(~decided, "open", np.where(qualifies, "qualified", "disqualified"))
    industry = INDUSTRIES[rng.integers(0, len(INDUSTRIES), L)]
    lead_no = offsets["leads"] + 1 + np.arange(L)

    # ---- opportunities: the qualified leads, climbing the funnel
    oq = np.flatnonzero(decided & qualifies)
    O = len(oq)
    orp = lr[oq]
    created = decided_on[oq]
    climbs = rng.random((O, 4)) < rates[orp, 1:]
    reached = np.cumprod(climbs, axis=1).sum(axis=1)  # 0 = qualified ... 4 = won
    stage_days = _gamma_days(rng, STAGE_DAYS[None, :] * P["cycle"][orp, None])
    entered = np.column_stack([created, created[:, None] + np.cumsum(stage_days, axis=1)])  # (O, 5)
    at_reached = entered[np.arange(O), reached]
    outcome_on = np.where(reached == 4, at_reached, at_reached + _gamma_days(rng, LINGER_DAYS * P["cycle"][orp]))
    horizon = win_hi[orp]
    resolved = outcome_on <= horizon
    # Stage reached by the horizon for deals still in play (never beyond the stage they will reach).
    by_horizon = np.minimum((entered[:, 1:] <= horizon[:, None]).sum(axis=1), reached)
    furthest = np.where(resolved, reached, by_horizon)
    won = resolved & (reached == 4)
    closed_by_leaving = ~resolved & left[orp]  # a leaver's unfinished deals are closed out as lost
    status = np.where(won, "won", np.where(resolved | closed_by_leaving, "lost", "open"))
    is_open = status == "open"
    close_on = np.where(resolved, outcome_on, horizon)
    expected_close = created + _gamma_days(rng, 45.0 * P["cycle"][orp], shape=4.0)
    close_on = np.where(is_open, expected_close, close_on)
    stage_changed = np.where(is_open, entered[np.arange(O), furthest], close_on)
    amount = (MEDIAN_DEAL * P["deal_size"][orp] * (size[oq] / 200.0) ** 0.25 * rng.lognormal(0, 0.4, O))
    if big_deals > 0:  # a few very large deals (drawn only then, so the sample's kind is unchanged)
        big = rng.random(O) < big_deals
        amount = np.where(big, amount * rng.uniform(*BIG_DEAL_FACTOR, O), amount)
    amount = np.round(amount, -1)
    recurring = rng.random(O) < P["recurring_share"][orp]
    pick = rng.integers(0, 3, O)
    no_next = rng.random(O) < P["no_next_step"][orp]
    next_step = NEXT_STEPS[furthest, pick]
    account = (ACCOUNT_WORDS_A[rng.integers(0, len(ACCOUNT_WORDS_A), O)].astype(object) + " "
               + ACCOUNT_WORDS_B[rng.integers(0, len(ACCOUNT_WORDS_B), O)].astype(object) + " "
               + ACCOUNT_WORDS_C[rng.integers(0, len(ACCOUNT_WORDS_C), O)].astype(object))
    assisted = _assists(rng, won, orp, rep_ids, P["team_idx"], assist_pool)
    opp_no = offsets["opportunities"] + 1 + np.arange(O)
    lead_opp_no = np.zeros(L, dtype=np.int64)
    lead_opp_no[oq] = opp_no

    opportunities = pa.table({
        "opportunity_id": make_ids("O", opp_no, id_widths["opportunities"]),
        "rep_id": _str(rep_ids[orp]),
        "created_date": _dates(created),
        "status": _str(status),
        "amount": pa.array(amount),
        "close_date": _dates(close_on),
        "furthest_stage": _str(OPEN_STAGES[furthest]),
        "lead_id": make_ids("L", lead_no[oq], id_widths["leads"]),
        "account": _str(account),
        "lead_source": _str(SOURCES[source[oq]]),
        "revenue_type": _str(np.where(recurring, "recurring", "one_off")),
        "assisted_by": _str(assisted, assisted != ""),
        "next_step": _str(next_step, is_open & ~no_next),
        "stage_changed_date": _dates(stage_changed),
    })
    leads = pa.table({
        "lead_id": make_ids("L", lead_no, id_widths["leads"]),
        "rep_id": _str(rep_ids[lr]),
        "created_date": _dates(lead_created),
        "status": _str(lead_status),
        "source": _str(SOURCES[source]),
        "company_size": pa.array(size),
        "has_need": pa.array(has_need),
        "decision_maker": pa.array(decision_maker),
        "industry": _str(industry),
        "opportunity_id": make_ids("O", lead_opp_no, id_widths["opportunities"], lead_opp_no > 0),
    })

    # ---- stage history: one row per stage each deal entered
    per_deal = furthest + 1
    so = np.repeat(np.arange(O), per_deal)
    stage = np.arange(len(so)) - np.repeat(np.cumsum(per_deal) - per_deal, per_deal)
    stage_history = pa.table({
        "opportunity_id": make_ids("O", opp_no[so], id_widths["opportunities"]),
        "stage": _str(OPEN_STAGES[stage]),
        "entered_date": _dates(np.where(stage == 4, close_on[so], entered[so, stage])),
    })

    activities = _activities(rng, n, rep_ids, P, window, win_lo, win_hi, active,
                             lr, lead_created, np.minimum(decided_on, win_hi[lr]), lead_no,
                             orp, created, np.where(is_open, horizon, close_on), furthest, opp_no,
                             offsets, id_widths)
    return ChunkTables(leads, opportunities, stage_history, activities)


def _assists(rng, won, orp, rep_ids, team_idx, assist_pool) -> np.ndarray:
    """`assisted_by` for some won deals: one (now and then two, ';'-separated) helpers from the owner's
    team, chosen by assist weight (the collaborator is chosen often, lone wolves never)."""
    out = np.full(len(orp), "", dtype=object)
    helped = np.flatnonzero(won & (rng.random(len(orp)) < 0.2))
    for r in np.unique(orp[helped]):  # a loop over reps, not rows
        rows = helped[orp[helped] == r]
        members, weights = assist_pool[int(team_idx[r])]
        w = np.where(members == rep_ids[r], 0.0, weights)
        if w.sum() == 0:
            continue
        out[rows] = rng.choice(members, size=len(rows), p=w / w.sum())
    # Now and then a second helper, from the same pool.
    twice = helped[rng.random(len(helped)) < 0.1]
    for r in np.unique(orp[twice]):
        rows = twice[orp[twice] == r]
        members, weights = assist_pool[int(team_idx[r])]
        w = np.where(members == rep_ids[r], 0.0, weights)
        if w.sum() == 0:
            continue
        second = rng.choice(members, size=len(rows), p=w / w.sum())
        keep = second != out[rows]
        out[rows[keep]] = out[rows[keep]] + ";" + second[keep]
    return out.astype(str)


def _activities(rng, n, rep_ids, P, window, win_lo, win_hi, active, lr, lead_from, lead_to, lead_no,
                orp, opp_from, opp_to, furthest, opp_no, offsets, id_widths) -> pa.Table:
    """Every activity type: calls and emails follow leads and deals, meetings follow deal progress,
    visits (miles) are a personal habit, mail is pure noise, tasks and other are background."""
    parts = []  # (rep index, day, type, opportunity no, lead no, miles)
    vol = window.volume

    def add(reps, lo, hi, kind, opp=None, lead=None, miles=None):
        k = len(reps)
        parts.append((reps, _uniform_between(rng, lo, hi), np.full(k, kind),
                      opp if opp is not None else np.zeros(k, np.int64),
                      lead if lead is not None else np.zeros(k, np.int64),
                      miles if miles is not None else np.full(k, np.nan)))

    # Working the leads.
    for kind, per_lead, rate in (("call", 0.8, "call_rate"), ("email", 0.8, "email_rate"),
                                 ("social", 0.12, "social_rate")):
        cnt = rng.poisson(per_lead * P[rate][lr])
        idx = np.repeat(np.arange(len(lr)), cnt)
        add(lr[idx], lead_from[idx], lead_to[idx], kind, lead=lead_no[idx])
    # Working the deals: more touches the further a deal gets.
    for kind, per_stage, rate in (("call", 0.6, "call_rate"), ("email", 0.8, "email_rate")):
        cnt = rng.poisson(per_stage * P[rate][orp] * (1 + furthest))
        idx = np.repeat(np.arange(len(orp)), cnt)
        add(orp[idx], opp_from[idx], opp_to[idx], kind, opp=opp_no[idx])
    n_meet = (furthest >= 1) * (1 + rng.poisson(0.5 * furthest))
    idx = np.repeat(np.arange(len(orp)), n_meet)
    at_customer = rng.random(len(idx)) > P["office_meeting_share"][orp[idx]]
    # Only a few meetings at the customer log a short drive, so miles stay a habit, not a result.
    meet_miles = np.where(at_customer & (rng.random(len(idx)) < 0.1), np.round(rng.gamma(2, 5, len(idx)), 1), np.nan)
    add(orp[idx], opp_from[idx], opp_to[idx], "meeting", opp=opp_no[idx], miles=meet_miles)
    # Visits: a habit, attached to one of the rep's deals when there is one.
    n_visit = rng.poisson(P["visit_rate"] * 0.45 * vol * active)
    vr = np.repeat(np.arange(n), n_visit)
    deals_of = np.bincount(orp, minlength=n)
    first_deal = np.cumsum(deals_of) - deals_of
    has_deal = deals_of[vr] > 0
    pick = first_deal[vr] + np.floor(rng.random(len(vr)) * np.maximum(deals_of[vr], 1)).astype(np.int64)
    visit_opp = np.where(has_deal, opp_no[np.minimum(pick, max(len(orp) - 1, 0))] if len(orp) else 0, 0)
    add(vr, win_lo[vr], win_hi[vr], "visit", opp=visit_opp, miles=np.round(rng.gamma(2.0, 18.0, len(vr)), 1))
    # Background: social posts, mail (noise), tasks, other.
    for kind, base, rate in (("social", 0.25, "social_rate"), ("mail", 1.0, "mail_rate"),
                             ("task", 0.7, "task_rate"), ("other", 0.08, None)):
        r = P[rate] if rate else np.ones(n)
        cnt = rng.poisson(base * r * vol * active)
        rr = np.repeat(np.arange(n), cnt)
        add(rr, win_lo[rr], win_hi[rr], kind)

    reps = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    kind = np.concatenate([p[2] for p in parts])
    opp = np.concatenate([p[3] for p in parts])
    lead = np.concatenate([p[4] for p in parts])
    miles = np.concatenate([p[5] for p in parts])
    lo, hi = win_lo[reps], win_hi[reps]
    day = _weekday(day)
    day = np.where(day > hi, day - 3, day)  # a Sunday moved past the horizon goes back to Friday
    day = np.clip(np.where(day < lo, day + 3, day), lo, hi)  # a Saturday moved before the start goes to Monday
    order = np.lexsort((day, reps))
    reps, day, kind, opp, lead, miles = (a[order] for a in (reps, day, kind, opp, lead, miles))
    A = len(reps)
    base_minutes = np.array([DURATION[k] for k in DURATION], dtype=float)
    kind_idx = pd.Categorical(kind, categories=list(DURATION)).codes
    minutes = np.round(base_minutes[kind_idx] * rng.lognormal(0, 0.35, A)).astype(np.int64)
    act_no = offsets["activities"] + 1 + np.arange(A)
    return pa.table({
        "activity_id": make_ids("A", act_no, id_widths["activities"]),
        "rep_id": _str(rep_ids[reps]),
        "date": _dates(day),
        "type": _str(kind),
        "opportunity_id": make_ids("O", opp, id_widths["opportunities"], opp > 0),
        "lead_id": make_ids("L", lead, id_widths["leads"], lead > 0),
        "duration_minutes": pa.array(minutes),
        "miles": pa.array(miles, from_pandas=True),
    })
