"""The explorer's one state, the choices each control offers, and the weights a state describes.

A `State` is plain values (what the controls show); every section is drawn from the `View` the model
derives from it. Changing a control is ``replace(state, field=value)``; `changed` says which fields moved,
so only the sections that read them are redrawn.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from ..metrics import CATALOGUE
from ..periods import period_choices  # noqa: F401 (the explorer's period menu; its home is periods)
from ..scorecard import Weights
from ..terms import NO_TEAM, group_key

EVERYONE = ""  # the scope of every current rep
ALL_ROLES = ""  # no role filter


@dataclass(frozen=True)
class State:
    """What the controls show.

    base: the preset (or loaded weights file) chosen last: its caps, floors and targets apply, and ranks
    moved are counted against it. custom: a slider was moved since. weights: every slider's value.
    show_all: the leaderboard lists every rep, not only the first ones. rep: the rep shown in the one-on-one
    view ("" = none).
    """

    period: str
    base: str
    weights: tuple[tuple[str, float], ...]
    normalisation: str
    scope: str = EVERYONE
    role: str = ALL_ROLES
    custom: bool = False
    show_all: bool = False
    rep: str = ""

    @property
    def weight(self) -> dict[str, float]:
        return dict(self.weights)

    @property
    def preset(self) -> str:
        """What the preset control shows: the base preset, or "custom" once a slider moved."""
        return "custom" if self.custom else self.base


def changed(old: State, new: State) -> set[str]:
    """The names of the fields that differ."""
    return {f.name for f in fields(State) if getattr(old, f.name) != getattr(new, f.name)}


def weights_of(state: State, base: Weights) -> Weights:
    """The `Weights` a state describes: the sliders above zero, the chosen normalisation, and the base's caps,
    floors, targets and grouping."""
    return Weights(weights={m: float(v) for m, v in state.weights if v > 0}, normalisation=state.normalisation,
                   floors=dict(base.floors), caps=dict(base.caps), targets=dict(base.targets),
                   group_by=base.group_by, name=state.preset, skip_unavailable=True)


def slider_values(metrics: list[str], weights: Weights) -> tuple[tuple[str, float], ...]:
    """Every slider's value under `weights` (0 for a metric it does not weigh)."""
    return tuple((m, float(weights.weights.get(m, 0.0))) for m in metrics)


def shares(state: State) -> dict[str, float]:
    """Each weight as a share of the total (what a weight means: its part of the 100 points)."""
    total = sum(v for _m, v in state.weights)
    return {m: (v / total if total > 0 else 0.0) for m, v in state.weights}


def weighted_metrics(table, weights: list[Weights]) -> list[str]:
    """Metrics with a weight in any of `weights` that `table` has, in catalogue order (the sliders)."""
    names = {m for w in weights for m, v in w.weights.items() if v > 0}
    return [m for m in CATALOGUE if m in names and m in table.values.columns]


# ------------------------------------------------------------------ periods


# ------------------------------------------------------------------ team or manager


@dataclass(frozen=True)
class Scope:
    """Whose reps the explorer shows: everyone, one team, or one manager's reps."""

    key: str  # EVERYONE, "team:East" or "manager:Ann Lee"
    label: str  # "All teams", "East (Diane Foster)"
    team: str | None = None
    manager: str | None = None

    @property
    def name(self) -> str:
        """The scope inside a sentence: "the whole team", "East", "Ann Lee's reps"."""
        if self.team is not None:
            return self.team
        if self.manager is not None:
            return f"{self.manager}'s reps"
        return "the whole team"


WHOLE = Scope(EVERYONE, "All teams")


def scopes(reps: pd.DataFrame) -> dict[str, Scope]:
    """The scopes a set of current reps offers, key -> `Scope`: everyone, then each team (named with its
    manager when it has one), or each manager when the reps have managers but no teams."""
    out = {EVERYONE: WHOLE}
    teams = reps["team"].map(lambda v: group_key(v, NO_TEAM)) if "team" in reps else None
    managers = reps["manager"] if "manager" in reps else pd.Series(pd.NA, index=reps.index)
    if teams is not None and (teams != NO_TEAM).any():
        for team in sorted(teams.unique()):
            bosses = sorted({str(m) for m in managers[teams == team].dropna()})
            label = f"{team} ({bosses[0]})" if len(bosses) == 1 else team
            out[f"team:{team}"] = Scope(f"team:{team}", label, team=team)
    elif managers.notna().any():
        for boss in sorted({str(m) for m in managers.dropna()}):
            out[f"manager:{boss}"] = Scope(f"manager:{boss}", f"{boss}'s reps", manager=boss)
    return out


def roles(reps: pd.DataFrame) -> list[str]:
    """The role keys among `reps`, sorted."""
    if "role" not in reps:
        return []
    return sorted({group_key(r) for r in reps["role"]})
