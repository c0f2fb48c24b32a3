"""What every rep's report draws on, computed once per run: per-rep rows and anonymous role aggregates.

    inputs = inputs_for(team)                       # team-wide work: done once (report.gather)
    view = build_view(inputs.slice("R07"))          # per rep: that rep's rows + the role's aggregates

`RepInputs` is data only (DataFrames and a dict), so a batch run saves it as Parquet and JSON
(`salesnb.snapshot`) and each report task loads it. `slice` is the only way a view sees the team: it
hands over one rep's own rows, the aggregates of that rep's role and the suggested peer's name, so a
report cannot show another rep's figures by construction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd


@dataclass
class RepInputs:
    """The tables report views are built from (see the module docstring). Per-rep frames are indexed
    by rep_id and hold the reps that get a report (current at as_of); role frames hold aggregates of
    at least `MIN_REPS_FOR_COMPARISON` reps."""

    meta: dict
    reps: pd.DataFrame  # name, role, role_key, peer_name
    values: pd.DataFrame  # metric values
    points: pd.DataFrame  # score points per weighted metric
    headline: pd.DataFrame  # score, rank, n_in_role and the diagnosis's facts
    funnel: pd.DataFrame  # rep_id, step, reached, advanced, rate (long)
    monthly: pd.DataFrame  # rep_id, start, won (long)
    weekly: pd.DataFrame  # rep_id, start, activities (long, the recent weeks)
    quota_now: pd.DataFrame  # start, end, quota
    deals: pd.DataFrame  # rep_id, opportunity_id, account, amount, close_date, flags (long)
    mix: pd.DataFrame  # share of each activity type
    leads: pd.DataFrame  # lead-quality facts
    role_metrics: pd.DataFrame  # role, metric, q1, median, q3, n
    role_funnel: pd.DataFrame  # role, step, q1, median, q3, n
    role_mix: pd.DataFrame  # role, activity, top, team
    role_monthly: pd.DataFrame  # role, start, median
    role_weekly: pd.DataFrame  # role, start, median
    practices: pd.DataFrame  # the team's notable top-performer differences (anonymous)
    change: pd.DataFrame  # per rep: then / now attainment, rank, bottleneck, mix distance (diagnostics.change)
    change_steps: pd.DataFrame  # rep_id, step, then / now reached, advanced, rate, moved (long)
    _rows: dict = field(default_factory=dict, init=False, repr=False)

    FRAMES = ("reps", "values", "points", "headline", "funnel", "monthly", "weekly", "quota_now", "deals", "mix",
              "leads", "role_metrics", "role_funnel", "role_mix", "role_monthly", "role_weekly", "practices", "change",
              "change_steps")

    @property
    def rep_ids(self) -> list[str]:
        return [str(r) for r in self.reps.index]

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in self.FRAMES}

    # ------------------------------------------------------------------ one rep

    def slice(self, rep_id: str) -> "RepSlice":
        """One rep's rows, the aggregates of the rep's role and the peer's name: all a view may see."""
        rep_id = str(rep_id)
        if rep_id not in self.reps.index:
            from ..errors import ReportError

            known = ", ".join(self.rep_ids[:10])
            raise ReportError(f"rep_id {rep_id!r} has no report in this run (not a current rep of the period). "
                              f"Current rep ids include: {known}.")
        rep = _row(self.reps, rep_id)
        role = rep["role_key"]
        return RepSlice(
            rep_id=rep_id, meta=self.meta, rep=rep, values=_row(self.values, rep_id),
            points=_row(self.points, rep_id), headline=_row(self.headline, rep_id),
            funnel=self._long("funnel", rep_id), monthly=self._long("monthly", rep_id),
            weekly=self._long("weekly", rep_id), quota_now=_row(self.quota_now, rep_id) or None,
            deals=self._long("deals", rep_id), mix=_row(self.mix, rep_id) or None,
            leads=_row(self.leads, rep_id) or None,
            role_metrics=_by(self.role_metrics, role, "metric"), role_funnel=_by(self.role_funnel, role, "step"),
            role_mix=_by(self.role_mix, role, "activity"), role_monthly=_by(self.role_monthly, role, "start"),
            role_weekly=_by(self.role_weekly, role, "start"),
            practices=self.practices.to_dict("records"), change=_row(self.change, rep_id) or None,
            change_steps=self._long("change_steps", rep_id))

    def _long(self, name: str, rep_id: str) -> list[dict]:
        """The rows of a long per-rep frame for one rep (positions grouped once per frame)."""
        frame = getattr(self, name)
        if name not in self._rows:
            self._rows[name] = frame.groupby("rep_id", sort=False).indices if len(frame) else {}
        idx = self._rows[name].get(rep_id)
        if idx is None:
            return []
        return [{k: _plain(v) for k, v in r.items()} for r in frame.iloc[idx].drop(columns="rep_id").to_dict("records")]


@dataclass
class RepSlice:
    """One rep's part of `RepInputs`: plain dicts and lists, nothing about any other rep but the peer's name."""

    rep_id: str
    meta: dict
    rep: dict
    values: dict
    points: dict
    headline: dict
    funnel: list[dict]
    monthly: list[dict]
    weekly: list[dict]
    quota_now: dict | None
    deals: list[dict]
    mix: dict | None
    leads: dict | None
    role_metrics: dict[str, dict]
    role_funnel: dict[str, dict]
    role_mix: dict[str, dict]
    role_monthly: dict[str, dict]
    role_weekly: dict[str, dict]
    practices: list[dict]
    change: dict | None = None
    change_steps: list[dict] = field(default_factory=list)


def _row(frame: pd.DataFrame, rep_id: str) -> dict:
    if frame is None or rep_id not in frame.index:
        return {}
    return {k: _plain(v) for k, v in frame.loc[rep_id].items()}


def _by(frame: pd.DataFrame, role: str, key: str) -> dict[str, dict]:
    if frame is None or not len(frame):
        return {}
    part = frame[frame["role"] == role]
    return {str(r[key]): {k: _plain(v) for k, v in r.items() if k not in ("role", key)} for r in part.to_dict("records")}


def _plain(v):
    """numpy and pandas scalars as plain Python; missing as None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v
