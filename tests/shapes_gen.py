"""Small valid datasets of many shapes, for the property tests (tests/test_shapes_property.py).

A `Shape` says which parts of the canonical data model a team has and how they look (which activity
types, duplicated or unlinked activities, roles, quotas, won-only deals, ids...); `build(shape)` makes the
tables with a numpy generator seeded by `shape.seed`, so one printed shape rebuilds the same dataset.
The teams are small (up to 8 reps, a few dozen deals): the properties are about shapes, not sizes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

ACTIVITY_TYPES = ("call", "email", "meeting", "visit", "social", "mail", "task", "other")
LADDER = ("qualified", "meeting", "proposal", "commit", "won")
ROLES = ("AE", "SDR", "AM")
EXPORT_DAY = pd.Timestamp("2025-06-30")  # the last recorded event of every generated export


@dataclass(frozen=True)
class Shape:
    seed: int
    n_reps: int
    roles: str  # "none" (no role column), "one" (everyone AE), "several" (1-3 reps in each of 2-3 roles)
    idle_reps: int  # reps with no deal at all (SDRs in "several" own none either when sdr_deals is False)
    sdr_deals: bool
    new_hires: int  # reps hired inside the data window
    ids: str  # "plain", "numeric" (7, 007) or "unicode"
    months: int  # months of data up to EXPORT_DAY
    deals: str  # "full" (open, won, lost), "won_only", "no_won_in_period", "no_new_in_period"
    stages: str  # "none", "furthest" (furthest_stage only), "history" (stage_history too)
    next_step: bool
    late_lost: bool  # a lost deal's expected close date months after the export (as CRMs leave it)
    leads: bool
    quotas: str  # "none", "reps" (quarterly per rep), "some_reps" (every other rep), "team_only" (team_quotas only)
    renamed_team: bool  # team_quotas spell one team differently from reps.csv
    teams: bool
    activity_types: tuple[str, ...]  # () = no activities table
    activity_weeks: int  # weeks (from the end) that activities cover; 0 = the whole window
    linked: str  # "all", "none" (no opportunity_id at all), "some"
    duplicated: bool  # some activities repeated with only a new id

    def describe(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in asdict(self).items())

    @property
    def period(self) -> str | None:
        """The period to analyse: the last quarter for the shapes about a quarter, else the default."""
        return "2025-Q2" if self.deals in ("no_won_in_period", "no_new_in_period") else None

    @property
    def has_quotas(self) -> bool:
        return self.quotas != "none" and (self.quotas in ("reps", "some_reps") or self.teams)


def _types():
    every = st.just(ACTIVITY_TYPES)
    one_absent = st.sampled_from(ACTIVITY_TYPES).map(lambda t: tuple(x for x in ACTIVITY_TYPES if x != t))
    alone = st.sampled_from(ACTIVITY_TYPES).map(lambda t: (t,))
    some = st.lists(st.sampled_from(ACTIVITY_TYPES), min_size=1, max_size=4, unique=True).map(tuple)
    return st.one_of(st.just(()), every, one_absent, alone, some, st.just(("call", "email", "meeting")))


@st.composite
def shapes(draw) -> Shape:
    roles = draw(st.sampled_from(["none", "one", "several"]))
    n_reps = draw(st.integers(2, 8)) if roles == "several" else draw(st.integers(1, 8))
    months = draw(st.sampled_from([1, 3, 6, 12]))
    deals = draw(st.sampled_from(["full", "full", "won_only", "no_won_in_period", "no_new_in_period"]))
    if months < 6 and deals in ("no_won_in_period", "no_new_in_period"):
        months = 6  # the quarter analysed needs one before it with deals
    types = draw(_types())
    return Shape(
        seed=draw(st.integers(0, 2**31 - 1)), n_reps=n_reps, roles=roles,
        idle_reps=draw(st.integers(0, min(2, n_reps - 1))), sdr_deals=draw(st.booleans()),
        new_hires=draw(st.integers(0, min(2, n_reps))), ids=draw(st.sampled_from(["plain", "numeric", "unicode"])),
        months=months, deals=deals, stages=draw(st.sampled_from(["none", "furthest", "history"])),
        next_step=draw(st.booleans()), late_lost=draw(st.booleans()) and deals != "won_only",
        leads=draw(st.booleans()), quotas=draw(st.sampled_from(["none", "reps", "some_reps", "team_only"])),
        renamed_team=draw(st.sampled_from([False] * 5 + [True])), teams=draw(st.booleans()), activity_types=types,
        activity_weeks=draw(st.sampled_from([0, 0, 6])) if types else 0,
        linked=draw(st.sampled_from(["all", "none", "some"])) if types else "all",
        duplicated=draw(st.booleans()) and bool(types))


# ------------------------------------------------------------------ tables


def _rep_ids(style: str, n: int) -> list[str]:
    if style == "numeric":
        return [f"{i:03d}" if i % 2 else str(i) for i in range(1, n + 1)]  # "001" and "2": both stay strings
    if style == "unicode":
        return [f"Zoë-{i}" if i % 2 else f"販売{i}" for i in range(1, n + 1)]
    return [f"R{i:02d}" for i in range(1, n + 1)]


def _ids(style: str, prefix: str, n: int) -> list[str]:
    if style == "numeric":
        return [str(1000 + i) for i in range(n)]
    if style == "unicode":
        return [f"{prefix}-ü{i}" for i in range(n)]
    return [f"{prefix}{i:05d}" for i in range(n)]


def build(shape: Shape) -> dict[str, pd.DataFrame]:
    """The tables of `shape` (absent optional tables are left out)."""
    rng = np.random.default_rng(shape.seed)
    end = EXPORT_DAY
    start = (end + pd.Timedelta(days=1) - pd.DateOffset(months=shape.months)).normalize()
    span = (end - start).days
    ids = _rep_ids(shape.ids, shape.n_reps)
    reps = pd.DataFrame({"rep_id": ids, "name": [f"Rep {i} Ñame" for i in ids]})
    if shape.teams:
        reps["team"] = ["Nord" if k % 2 else "Süd" for k in range(shape.n_reps)]
    if shape.roles == "one":
        reps["role"] = "AE"
    elif shape.roles == "several":
        n_roles = min(len(ROLES), max(2, shape.n_reps // 2))
        sizes = [1] * n_roles
        for _ in range(shape.n_reps - n_roles):
            k = int(rng.integers(n_roles))
            if sizes[k] < 3:
                sizes[k] += 1
            else:
                sizes[sizes.index(min(sizes))] += 1
        reps["role"] = [r for r, s in zip(ROLES, sizes) for _ in range(s)][:shape.n_reps]
    hire = pd.Series(start - pd.Timedelta(days=400), index=range(shape.n_reps))
    for k in rng.choice(shape.n_reps, size=shape.new_hires, replace=False):
        hire[k] = start + pd.Timedelta(days=int(rng.integers(0, max(1, span - 10))))
    reps["hire_date"] = hire.to_numpy()

    idle = set(rng.choice(shape.n_reps, size=shape.idle_reps, replace=False).tolist())
    if "role" in reps and not shape.sdr_deals:
        idle |= set(np.flatnonzero(reps["role"].to_numpy() == "SDR").tolist())
    sellers = [k for k in range(shape.n_reps) if k not in idle] or [0]
    opps = _opportunities(shape, rng, reps, sellers, start, end)
    tables = {"reps": reps, "opportunities": opps}
    if shape.stages == "history":
        tables["stage_history"] = _stage_history(opps)
    if shape.leads:
        tables["leads"] = _leads(shape, rng, reps, hire, start, end, opps)
    if shape.quotas in ("reps", "some_reps"):
        tables["quotas"] = _quotas(reps if shape.quotas == "reps" else reps.iloc[::2], start, end)
    if shape.quotas != "none" and shape.teams:
        tq = _quotas(reps, start, end).merge(reps[["rep_id", "team"]]).groupby(
            ["team", "period_start", "period_end"], as_index=False)["quota"].sum()
        if shape.renamed_team:
            tq["team"] = tq["team"].replace({"Süd": "Sued Team"})
        tables["team_quotas"] = tq
    if shape.activity_types:
        tables["activities"] = _activities(shape, rng, reps, hire, start, end, opps)
    return tables


def _opportunities(shape, rng, reps, sellers, start, end) -> pd.DataFrame:
    rows = []
    q_start = pd.Timestamp("2025-04-01")
    for k in sellers:
        hire = reps["hire_date"][k]
        first = max(start, hire)
        days = max(1, (end - first).days)
        for _ in range(int(rng.integers(1, 9))):
            created = first + pd.Timedelta(days=int(rng.integers(0, days)))
            if shape.deals == "no_new_in_period" and created >= q_start:
                created = max(first, q_start - pd.Timedelta(days=int(rng.integers(1, 60))))
            status = "won" if shape.deals == "won_only" else str(rng.choice(["open", "won", "lost"], p=[.3, .4, .3]))
            close = created + pd.Timedelta(days=int(rng.integers(3, 60)))
            if status == "open":
                close = close + pd.Timedelta(days=30) if rng.random() < .7 else pd.NaT
            else:
                close = min(close, end)
                if shape.deals == "no_won_in_period" and status == "won" and close >= q_start:
                    status = "lost"
            stage = "won" if status == "won" else LADDER[int(rng.integers(0, 4))]
            rows.append(dict(rep_id=reps["rep_id"][k], created_date=created, status=status,
                             amount=float(rng.integers(1, 100)) * 100, close_date=close, furthest_stage=stage,
                             next_step="call back" if rng.random() < .6 else None))
    o = pd.DataFrame(rows)
    if shape.deals == "no_won_in_period" and not (o["status"] == "won").any() and len(o) > 0:
        early = o["created_date"] < q_start - pd.Timedelta(days=60)  # keep one win, before the quarter
        if early.any():
            i = o.index[early][0]
            o.loc[i, ["status", "furthest_stage"]] = ["won", "won"]
            o.loc[i, "close_date"] = o.loc[i, "created_date"] + pd.Timedelta(days=10)
    if shape.late_lost and (o["status"] == "lost").any():
        o.loc[o.index[o["status"] == "lost"][0], "close_date"] = end + pd.Timedelta(days=90)
    o.insert(0, "opportunity_id", _ids(shape.ids, "O", len(o)))
    if shape.stages == "none":
        o = o.drop(columns="furthest_stage")
    if not shape.next_step:
        o = o.drop(columns="next_step")
    return o


def _stage_history(opps: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in opps.itertuples():
        top = LADDER.index(r.furthest_stage)
        for j, stage in enumerate(LADDER[:top + 1]):
            rows.append(dict(opportunity_id=r.opportunity_id, stage=stage,
                             entered_date=min(r.created_date + pd.Timedelta(days=2 * j), EXPORT_DAY)))
    return pd.DataFrame(rows, columns=["opportunity_id", "stage", "entered_date"])


def _leads(shape, rng, reps, hire, start, end, opps) -> pd.DataFrame:
    rows = []
    for k, rid in enumerate(reps["rep_id"]):
        first = max(start, hire[k])
        for _ in range(int(rng.integers(0, 6))):
            rows.append(dict(rep_id=rid, created_date=first + pd.Timedelta(days=int(rng.integers(0, max(1, (end - first).days)))),
                             status=str(rng.choice(["open", "qualified", "disqualified"])),
                             company_size=int(rng.integers(5, 900))))
    ld = pd.DataFrame(rows, columns=["rep_id", "created_date", "status", "company_size"])
    ld.insert(0, "lead_id", _ids(shape.ids, "L", len(ld)))
    return ld


def _quotas(reps, start, end) -> pd.DataFrame:
    quarters = pd.period_range(start, end, freq="Q")
    return pd.DataFrame([dict(rep_id=rid, period_start=q.start_time.normalize(), period_end=q.end_time.normalize(),
                              quota=30000.0) for rid in reps["rep_id"] for q in quarters])


def _activities(shape, rng, reps, hire, start, end, opps) -> pd.DataFrame:
    first_day = start if not shape.activity_weeks else end - pd.Timedelta(weeks=shape.activity_weeks) + pd.Timedelta(days=1)
    rows = []
    for k, rid in enumerate(reps["rep_id"]):
        lo = max(first_day, hire[k])
        own = opps["opportunity_id"][opps["rep_id"] == rid].tolist()
        for _ in range(int(rng.integers(0, 25))):
            linked = shape.linked == "all" or (shape.linked == "some" and rng.random() < .1)
            rows.append(dict(rep_id=rid, date=lo + pd.Timedelta(days=int(rng.integers(0, max(1, (end - lo).days + 1)))),
                             type=str(rng.choice(shape.activity_types)),
                             opportunity_id=str(rng.choice(own)) if own and linked else None))
    a = pd.DataFrame(rows, columns=["rep_id", "date", "type", "opportunity_id"])
    if shape.duplicated and len(a):
        a = pd.concat([a, a], ignore_index=True)  # a sync that logged every activity twice
    if shape.linked == "none":
        a = a.drop(columns="opportunity_id")
    a.insert(0, "activity_id", _ids(shape.ids, "A", len(a)))
    return a


def write(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """The tables as CSV files in `folder` (dates as YYYY-MM-DD, empty cells for missing values)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        out = df.copy()
        for c in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[c]):
                out[c] = out[c].dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{name}.csv", index=False)
    return folder


def seeded_shape(k: int) -> Shape:
    """The k-th shape of a fixed list that walks through the kinds (for the few full-pipeline runs, which share
    their analysis between tests): each field cycles through its choices at its own step, so a dozen shapes
    meet every kind of deals, roles, quotas and activity types at least once."""
    rng = np.random.default_rng(1000 + k)
    roles = ("none", "one", "several")[k % 3]
    n_reps = 3 + k % 5 if roles != "several" else 4 + k % 4
    deals = ("full", "won_only", "no_won_in_period", "no_new_in_period")[k % 4]
    types = ((), ACTIVITY_TYPES, ("call", "email", "meeting"), ("visit",), ("call", "email", "meeting", "visit",
                                                                            "social", "mail", "task"))[k % 5]
    return Shape(seed=k, n_reps=n_reps, roles=roles, idle_reps=k % 2, sdr_deals=bool(k % 3 == 2 and k % 2),
                 new_hires=(k // 2) % 2, ids=("plain", "numeric", "unicode")[(k // 3) % 3],
                 months=12 if deals != "full" else (1, 3, 6, 12)[(k // 4) % 4], deals=deals,
                 stages=("none", "furthest", "history")[(k // 2) % 3], next_step=bool(k % 2),
                 late_lost=deals != "won_only" and bool(rng.integers(2)), leads=bool((k // 3) % 2),
                 quotas=("none", "reps", "team_only", "some_reps")[(k // 2 + k) % 4], renamed_team=False,
                 teams=bool(k % 4 != 1),
                 activity_types=types, activity_weeks=6 if types and k % 3 == 0 else 0,
                 linked=("all", "none", "some")[k % 3] if types else "all", duplicated=bool(types) and k % 2 == 0)
