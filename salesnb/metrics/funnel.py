"""Funnel counts per rep and rung: how many deals reached a stage and how many went on to the next.

The cohort is the opportunities created in the period (up to as_of) and the
leads created in it. How far a deal got comes from stage_history (entries on or
before as_of) when present, else furthest_stage. A deal still open at as_of
that sits at a stage has not been decided there yet, so it is left out of that
rung (it is counted at the rungs it already passed). A step counts only the deals
that reached it long enough ago to have been decided, whatever became of them:
as long as 9 in 10 deals took to move on or drop out there (`_settled_at`;
leaving out only the open ones would keep the quick successes and drop the slow
failures, and inflate the rates of recent deals). Without a stage history the
day a deal reached a step is not known: deals are cut by their creation day,
and the time is read from the deals that closed at the step.

What an export can show depends on what it says about lost deals:

- a stage history, or the furthest stage each lost deal reached: every step between the stages used;
- only won / lost / open (lost deals carry no stage): where a lost deal dropped out is unknown, so the
  steps between qualified and won cannot be told apart; the one step measured is qualified -> won (the
  win rate), and the reason is given (`why`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import OPPORTUNITY_STAGES
from . import _frame as F
from .context import OppFrame, make_context, settle_days, settled_leads, stage_index

NO_STAGES = ("opportunities have no furthest_stage values and there is no stage_history: "
             "add one of them to see the funnel between qualified and won")
NO_MIDDLE_STAGES = ("no deal is recorded at meeting, proposal or commit (every deal's furthest stage is qualified or "
                    "won), so the steps between qualified and won cannot be measured: export the open and lost deals "
                    "with the stage they reached, or add stage_history")
MIN_KNOWN_LOST = 0.5  # below this share of lost deals with a known stage, the steps cannot be told apart
WIN_RUNG = "qualified->won"
NEVER = F.NEVER  # "not (yet) at the stage"


def unknown_lost_stages(lost: np.ndarray, known: np.ndarray) -> str | None:
    """Why the steps between qualified and won cannot be measured, or None when they can."""
    n_lost = int(lost.sum())
    if n_lost == 0 or (known & lost).sum() >= MIN_KNOWN_LOST * n_lost:
        return None
    unknown = n_lost - int((known & lost).sum())
    return (f"{unknown:,} of {n_lost:,} lost deals do not say how far they got (no furthest_stage and no stage "
            "history), so the steps between qualified and won cannot be told apart: only qualified → won (the "
            "win rate) is compared. Map how far each lost deal got to furthest_stage, or add stage_history, to "
            "see every step")


def opportunity_rungs(dataset, ctx, o) -> dict:
    """{"qualified->meeting": (reached, advanced), ...} per rep (arrays aligned with ctx.rep_ids).

    Only rungs between stages the data uses; without any stage information the
    dict holds only "_why" (the reason) and "qualified->won".
    """
    n = len(ctx.rep_ids)
    idx, seen, known = stage_index(dataset, ctx.as_of)
    won_pos = len(OPPORTUNITY_STAGES) - 1
    cohort = (o.created >= ctx.start) & (o.created <= ctx.end) & (o.code >= 0)
    why = unknown_lost_stages(o.lost, known)
    if why:  # only the outcome is known for lost deals: one step, qualified -> won, over decided deals
        closed = o.won | o.lost
        at, days = _cut(o.created, np.where(closed, o.close, NEVER), ctx.as_of_day)  # created long enough ago
        decided, won = cohort & closed & at, cohort & o.won & at
        out = {"_why": why, WIN_RUNG: (F.bincount(o.code[decided], n), F.bincount(o.code[won], n))}
        if days and (cohort & ~at).any():
            out["_settled"], out["_settled_from"] = {WIN_RUNG: days}, "creation"
        return out
    idx = np.where(o.won, won_pos, np.minimum(idx, won_pos - 1))
    # a stage no deal is recorded at opens no step: from it every deal "moves on" by construction (a CRM whose
    # first stage maps to meeting would show qualified -> meeting at 100%, measured by nothing)
    present = [s for s in OPPORTUNITY_STAGES if s in seen or (s == "won" and o.won.any())]
    if not present or present[0] == "won":
        present.insert(0, "qualified")
    if "won" not in present:
        present.append("won")
    out: dict = {}
    if present[0] != "qualified":
        first = present[0]
        out["_skipped"] = (f"no deal is recorded at the qualified stage (every deal's furthest stage is {first} or "
                           f"later), so qualified → {first} would be 100% by construction and is not measured: map "
                           "the CRM's first stage to qualified, or add stage_history, to measure it")
    if not (seen - {"qualified", "won"}):  # stages recorded, but none between: say so, not that none are
        out["_why"] = NO_MIDDLE_STAGES if seen else NO_STAGES
    entered = stage_entries(dataset, o, ctx.as_of_day)  # None without a stage history
    settled: dict[str, int] = {}
    for a, z in zip(present, present[1:]):
        pa, pz = OPPORTUNITY_STAGES.index(a), OPPORTUNITY_STAGES.index(z)
        undecided = o.open_at & (idx >= pa) & (idx < pz)
        at, days = _settled_at(entered, o, idx, pa, pz, ctx.as_of_day)
        if days and (cohort & (idx >= pa) & ~at).any():  # said only where the cut leaves deals out
            settled[f"{a}->{z}"] = days
        reached = cohort & (idx >= pa) & ~undecided & at
        advanced = cohort & (idx >= pz) & at
        out[f"{a}->{z}"] = (F.bincount(o.code[reached], n), F.bincount(o.code[advanced], n))
    if settled:
        out["_settled"], out["_settled_from"] = settled, "creation" if entered is None else "stage"
    return out


def stage_entries(dataset, o, as_of_day: int) -> np.ndarray | None:
    """(opportunities, stages): the first day each deal was recorded at each stage by as_of (NEVER: not), from
    stage_history; a won deal is at "won" on its close date. None without a stage history."""
    sh = dataset.stage_history
    if sh is None or not len(sh):
        return None
    pos = dataset.positions("stage_history", "opportunity_id")
    st = F.codes_in(sh["stage"], list(OPPORTUNITY_STAGES))
    day = F.days(sh["entered_date"])
    ok = (pos >= 0) & (st >= 0) & (day <= as_of_day) & (day > F.NAT_DAYS)
    out = np.full((len(o.created), len(OPPORTUNITY_STAGES)), NEVER, dtype=np.int64)
    np.minimum.at(out.reshape(-1), pos[ok] * len(OPPORTUNITY_STAGES) + st[ok], day[ok])
    won = len(OPPORTUNITY_STAGES) - 1
    out[:, won] = np.where(o.won, np.minimum(out[:, won], o.close), out[:, won])
    return out


def _settled_at(entered, o, idx, pa: int, pz: int, as_of_day: int) -> tuple[np.ndarray, int]:
    """Which deals reached stage `pa` long enough ago for the step pa -> pz to have been decided, and that
    time in days (0: no cut). A deal is decided at the step when it reaches `pz` or later, or is lost before;
    the time is what SETTLE_SHARE of the decided deals took (from SETTLE_MIN_LAGS of them).

    Without a stage history (`entered` None) only the day a deal was created is known, and the day it was
    decided at the step only for the deals lost there (or won, at the step into won): the time is read from
    those, counted from creation, and deals are cut by their creation day."""
    lost_here = o.lost & (idx >= pa) & (idx < pz)
    if entered is None:
        reached_at = np.where(idx >= pa, o.created, NEVER)
        into_won = pz == len(OPPORTUNITY_STAGES) - 1
        decided_at = np.where(lost_here | (o.won & into_won), o.close, NEVER)
    else:
        # the first day at `pa` or a later stage (a deal is at the first stage when created; a deal whose stage
        # comes from furthest_stage alone is taken as there from its creation)
        first = entered[:, pa:].min(axis=1)
        reached_at = np.where(idx >= pa, np.where((first == NEVER) | (pa == 0), np.minimum(first, o.created),
                                                  first), NEVER)
        passed = entered[:, pz:].min(axis=1)
        decided_at = np.where(passed < NEVER, passed, np.where(lost_here, o.close, NEVER))
    return _cut(reached_at, decided_at, as_of_day)


def _cut(reached_at: np.ndarray, decided_at: np.ndarray, as_of_day: int) -> tuple[np.ndarray, int]:
    """The deals that reached a step at least the settling time before as_of, and that time (0: no cut)."""
    ok = (reached_at < NEVER) & (decided_at < NEVER) & (decided_at >= reached_at) & (reached_at > F.NAT_DAYS)
    days = settle_days((decided_at - reached_at)[ok])
    return (reached_at <= as_of_day - days) if days else np.ones(len(reached_at), dtype=bool), days


def funnel_counts(dataset, period=None, as_of=None) -> pd.DataFrame:
    """Long table ``rep_id, step, reached, advanced, conversion`` for the rungs the data has.

    step looks like "lead->qualified", "qualified->meeting", ... ("meeting->won"
    when a CRM has no proposal or commit stage). conversion = advanced /
    reached, NaN when nothing reached the step. Reps are those in view for the
    period (see `metrics`). "lead->qualified" needs the leads table.
    """
    ctx, reps = make_context(dataset, period, as_of)
    o = OppFrame.build(ctx)
    found = opportunity_rungs(dataset, ctx, o)
    rungs = {k: v for k, v in found.items() if not k.startswith("_")}
    steps: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if dataset.has("leads"):
        ld = dataset.leads
        code = ctx.rep_codes("leads")
        created = F.days(ld["created_date"])
        # only the leads old enough for their status to say whether they qualified (`settled_leads`)
        inw = (created >= ctx.start) & (created <= settled_leads(ctx).end) & (code >= 0)
        qualified = F.equals(ld["status"], "qualified")
        n = len(ctx.rep_ids)
        steps["lead->qualified"] = (F.bincount(code[inw], n), F.bincount(code[inw & qualified], n))
    steps.update(rungs)
    frames = []
    for step, (reached, advanced) in steps.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            conv = np.where(reached > 0, advanced / np.where(reached > 0, reached, 1), np.nan)
        frames.append(pd.DataFrame({
            "rep_id": ctx.rep_ids.to_numpy(), "step": step,
            "reached": reached.astype(np.int64), "advanced": advanced.astype(np.int64), "conversion": conv,
        }))
    if not frames:
        return pd.DataFrame(columns=["rep_id", "step", "reached", "advanced", "conversion"])
    out = pd.concat(frames, ignore_index=True)
    if found.get("_skipped"):
        out.attrs["not_measured"] = found["_skipped"]  # the first step, 100% by construction
    out["rep_id"] = out["rep_id"].astype("str")
    out["step"] = out["step"].astype("str")
    if found.get("_why") and WIN_RUNG in found:
        out.attrs["unmeasured"] = found["_why"]  # why only qualified -> won is measured
    if found.get("_settled"):
        out.attrs["settling"] = dict(found["_settled"])  # days a step's deals need to be decided (`_settled_at`)
        out.attrs["settling_from"] = found["_settled_from"]  # counted from reaching the step, or from creation
    return out


def settling_note(settling: dict | None, from_creation: bool = False) -> str | None:
    """Which recent deals the steps' rates leave out (`funnel_counts(...).attrs["settling"]`: days per step), for
    a reader of the funnel; None when nothing is left out. `from_creation`: the days count from a deal's creation
    (no stage history: ``attrs["settling_from"] == "creation"``)."""
    if not settling:
        return None
    lo, hi = min(settling.values()), max(settling.values())
    days = f"{lo} days" if lo == hi else f"{lo}–{hi} days"
    if from_creation:
        return (f"Each step counts only the deals old enough to be decided there: those created in the last {days} "
                "are not in its rate yet (9 in 10 of the deals that closed at a step did so within that).")
    return (f"Each step counts only the deals that reached it long enough ago to be decided there: those of the last "
            f"{days} are not in its rate yet (9 in 10 deals move on or drop out within that).")
