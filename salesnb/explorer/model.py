"""The explorer's model: the work done once per period (cached), and the facts of one state (`View`).

Choosing a period analyses it once (`analysis.analyse`: metrics, scorecard, diagnosis); moving a slider
only re-scores with that period's `Scorer`; a team or role filter selects rows of the leaderboard (ranks stay
within the whole role, as in the reports) and recomputes the few team-level findings over those reps
(the vanity audit, top performers, lead bands), cached per period, team and role. A rep's one-on-one view is
built from the period's report inputs (`report.inputs_for`) for the weights on screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from ..analysis import TeamAnalysis, analyse
from ..leaderboard import leaderboard
from ..scorecard import Scorecard, Scorer, Weights, weights_to_toml
from ..terms import NO_TEAM, group_key, role_key
from .state import ALL_ROLES, EVERYONE, Scope, State, period_choices, weights_of
from .state import roles as role_keys
from .state import scopes as scope_choices


@dataclass
class Findings:
    """The team-level findings over the reps of one team and role (`diagnostics.team_findings`, lead bands)."""

    outcome: str
    too_early: str | None
    vanity: pd.DataFrame
    top_performers: pd.DataFrame
    bands: pd.DataFrame | None
    unavailable: dict[str, str]
    n_reps: int


@dataclass
class View:
    """Everything the sections draw for one state. Rows are the current reps of the scope and role."""

    state: State
    team: TeamAnalysis
    scope: Scope
    weights: Weights
    card: Scorecard
    reference: Scorecard
    board: pd.DataFrame  # the one leaderboard, filtered, with rank_change against the base preset
    reps: pd.DataFrame  # diagnosis rows (index rep_id) of the reps on the board
    totals: dict  # target, won, attainment, projection, projected_attainment of the scope
    model: "Explorer" = field(repr=False)

    @property
    def currency(self) -> str:
        return self.team.currency

    @property
    def ids(self) -> list[str]:
        return [str(r) for r in self.board["rep_id"]]

    @property
    def names(self) -> pd.Series:
        return self.team.table.reps["name"]

    @property
    def filtered(self) -> bool:
        return self.state.scope != EVERYONE or self.state.role != ALL_ROLES

    @property
    def where(self) -> str:
        """Whose reps, in words: "East", "the AE reps of East", "the whole team"."""
        role = self.state.role
        if role == ALL_ROLES:
            return self.scope.name
        return f"the {role} reps" + ("" if self.state.scope == EVERYONE else f" of {self.scope.name}")

    @cached_property
    def findings(self) -> Findings:
        return self.model.findings(self.state)


class Explorer:
    """One dataset explored at one report date: periods, weights presets, and the caches.

    facts: where each period's analysis comes from (`facts.Facts`: the disk cache shared with other kernels
    and the command line, or computed); the data itself is never held here, only the rows one team's
    findings need, read when a team or role is chosen."""

    def __init__(self, team: TeamAnalysis, presets: dict[str, Weights], facts=None, weights: str | None = None,
                 period_spec: str | None = None):
        from ..facts import Facts

        if facts is None:
            if team.dataset is None:
                raise ValueError("the explorer needs the facts' source, or the TeamAnalysis's dataset")
            facts = Facts(team.dataset.source, dataset=team.dataset) if team.dataset.source else \
                Facts.in_memory(team.dataset)
        self.facts = facts
        self.as_of = team.as_of
        self.presets = presets
        self.weights_spec = weights or next(iter(presets))  # the base weights: a preset name or a file
        self.period_spec = period_spec  # the period the explorer opened on (its menu is built around it)
        self.periods = period_choices(team.period, self.as_of, int(facts.info["fiscal_year_start_month"]))
        self.first_period = team.period.label
        self._teams = {team.period.label: team}
        self._scorers: dict[tuple, Scorer] = {}
        self._references: dict[tuple, Scorecard] = {}
        self._findings: dict[tuple, Findings] = {}
        self._inputs: dict[tuple, object] = {}
        self._choices: dict[str, tuple] = {}  # period -> (scopes, roles)

    # ------------------------------------------------------------------ once per period
    def has_team(self, period: str) -> bool:
        """The period's analysis is at hand (in this kernel, or in the facts cache): choosing it is quick."""
        return period in self._teams

    def team(self, period: str) -> TeamAnalysis:
        """The analysis of an offered period: kept here, read from the facts cache, or computed once."""
        if period not in self._teams:
            self._teams[period] = self.facts.explorer_team(period, self.periods[period], self.period_spec, self.as_of,
                                                           self.weights_spec)
            for old in [p for p in self._teams if p not in (period, self.first_period)][:-2]:
                self._forget(old)  # a big team's facts are large: keep the last few periods
        return self._teams[period]

    def _forget(self, period: str) -> None:
        self._teams.pop(period, None)
        for cache in (self._scorers, self._references, self._findings, self._inputs):
            for key in [k for k in cache if k[0] == period]:
                del cache[key]
        self._choices.pop(period, None)

    def scorer(self, period: str, group_by) -> Scorer:
        key = (period, group_by)
        if key not in self._scorers:
            self._scorers[key] = Scorer(self.team(period).table, group_by=group_by)
        return self._scorers[key]

    def reference(self, period: str, base: str) -> Scorecard:
        """The card of the base preset: what rank moves are counted against."""
        key = (period, base)
        if key not in self._references:
            w = self.presets[base]
            self._references[key] = self.scorer(period, w.group_by).score(w)
        return self._references[key]

    # ------------------------------------------------------------------ one state
    def view(self, state: State, card: Scorecard | None = None) -> View:
        """The facts of `state` (`card`: its scorecard when the caller has it)."""
        team = self.team(state.period)
        base = self.presets[state.base]
        weights = weights_of(state, base)
        card = card or self.scorer(state.period, weights.group_by).score(weights)
        scope = self.scopes(state.period).get(state.scope)
        if scope is None:
            raise ValueError(f"no scope {state.scope!r} in period {state.period}")
        board = leaderboard(card, team.table, role=state.role or None, team=scope.team, manager=scope.manager,
                            reference=self.reference(state.period, state.base), top=2)
        d = team.diagnosis.reps.set_index("rep_id")
        reps = d.reindex([str(r) for r in board["rep_id"]])
        return View(state=state, team=team, scope=scope, weights=weights, card=card,
                    reference=self.reference(state.period, state.base), board=board, reps=reps,
                    totals=self.totals(team, scope, state.role), model=self)

    def scopes(self, period: str) -> dict[str, Scope]:
        """The teams (or managers) among the period's current reps."""
        return self._period_choices(period)[0]

    def roles(self, period: str) -> list[str]:
        """The role keys among the period's current reps."""
        return self._period_choices(period)[1]

    def _period_choices(self, period: str) -> tuple:
        if period not in self._choices:
            team = self.team(period)
            current = team.table.reps.loc[team.current_ids]
            self._choices[period] = (scope_choices(current), role_keys(current))
        return self._choices[period]

    def totals(self, team: TeamAnalysis, scope: Scope, role: str = ALL_ROLES) -> dict:
        """Target, won, attainment and projection of the scope and role (the team's own target when it has one
        and the view is not narrowed to a role: a team target is not a role's)."""
        from ..diagnostics.diagnosis import team_totals

        d = team.diagnosis
        if scope.key == EVERYONE and role == ALL_ROLES:
            return d.team
        everyone = members(team.table.reps, scope, role)  # leavers too: the team booked their wins
        if scope.team is not None and role == ALL_ROLES:
            rows = d.teams[d.teams["team"].map(lambda v: group_key(v, NO_TEAM)) == scope.team]
        else:
            values = team.table.values.reindex(everyone)
            won = values["won_revenue"].fillna(0.0)
            has = values["quota"].notna() if "quota" in values else pd.Series(False, index=values.index)
            rows = pd.DataFrame({"won_revenue": [won.sum()],
                                 "quota": [values["quota"].sum(min_count=1) if "quota" in values else float("nan")],
                                 "quota_won": [won[has].sum()], "reps_without_quota": [int((~has & (won > 0)).sum())]})
        ew = d.early_warning
        return team_totals(rows, ew[ew["rep_id"].astype(str).isin(everyone)])

    def findings(self, state: State) -> Findings:
        """The audit, top performers and lead bands over the reps of the state's scope and role (cached)."""
        key = (state.period, state.scope, state.role)
        if key not in self._findings:
            self._findings[key] = self._compute_findings(state)
        return self._findings[key]

    def _compute_findings(self, state: State) -> Findings:
        from ..diagnostics.diagnosis import team_findings
        from ..diagnostics.lead_quality import lead_bands

        team = self.team(state.period)
        d = team.diagnosis
        scope = self.scopes(state.period)[state.scope]
        current = team.table.reps.loc[team.current_ids]
        ids = members(current, scope, state.role)
        unavailable = {k: v for k, v in d.unavailable.items() if k in ("vanity", "top_performers")}
        if state.scope == EVERYONE and state.role == ALL_ROLES:
            return Findings(d.outcome, d.too_early, d.vanity, d.top_performers, d.lead_bands, unavailable, len(ids))
        # the scope's own rows: the findings only read them, and a big team's tables are long
        meta = self.facts.meta
        opps = self.facts.rows("opportunities", "rep_id", ids)
        rows = _Rows(opportunities=opps, meta=meta, missing=self.facts.info["missing"], shape=d.shape)
        found = team_findings(rows, team.table, ids, window=d.activity_window)
        bands = None
        leads = self.facts.rows("leads", "rep_id", ids)
        if leads is not None:
            leads = leads[(leads["created_date"] >= team.period.start)
                          & (leads["created_date"] <= min(team.period.end, team.as_of))]
            their = self.facts.rows("opportunities", "opportunity_id", leads["opportunity_id"].dropna().unique())
            bands = lead_bands(leads, their, meta.icp, d.settled_leads.last if d.settled_leads else None)
        return Findings(found.outcome, found.too_early, found.vanity, found.top_performers, bands,
                        found.unavailable, len(ids))

    def inputs(self, view: View):
        """The report inputs of the view's period for the weights on screen (one-on-one views are built from them)."""
        from ..report import inputs_for

        key = (view.state.period, weights_to_toml(view.weights))
        if key not in self._inputs:
            self._inputs[key] = inputs_for(replace(view.team, card=view.card))
        return self._inputs[key]

    def rep_view(self, view: View, rep_id: str):
        """One rep's report view (`report.RepView`), as `salesnb reports` would build it with these weights."""
        from ..report import build_view

        return build_view(self.inputs(view).slice(rep_id))


class _Rows:
    """What one team's findings read of the data: its deals, the settings, what a missing table costs, its shape."""

    def __init__(self, opportunities: pd.DataFrame, meta, missing: dict, shape):
        self.opportunities = opportunities
        self.meta = meta
        self._missing = missing
        self.shape = shape  # the whole export's (shape.ExportShape): what it holds is not a scope's to change

    def missing(self, name: str) -> str | None:
        return self._missing.get(name)

    def has(self, name: str) -> bool:
        return not self._missing.get(name)


def members(reps: pd.DataFrame, scope: Scope, role: str = ALL_ROLES) -> pd.Index:
    """The rep ids of `reps` (a metric table's reps) in the scope and role."""
    keep = pd.Series(True, index=reps.index)
    if scope.team is not None:
        keep &= reps["team"].map(lambda v: group_key(v, NO_TEAM)) == scope.team
    if scope.manager is not None:
        keep &= reps["manager"].astype("string") == scope.manager
    if role != ALL_ROLES:
        keep &= reps["role"].map(role_key) == role
    return reps.index[keep.to_numpy()]
