"""The words every part of salesnb shares, declared once: funnel steps, activity types, roles, hygiene
flags, score normalisations, the default preset and the colours.

This module sits at the bottom of the house: it imports nothing from salesnb (nor pandas or altair),
so the metric engine, the diagnostics, the charts, the report and the command line can all use it.
"""
from __future__ import annotations

from dataclasses import dataclass

# ------------------------------------------------------------------ the funnel


@dataclass(frozen=True)
class Step:
    """One step of the funnel a manager works on.

    ``rung`` is the canonical stage a deal starts the step from (``None`` for prospecting, which is a
    volume, not a conversion); ``to`` the stage it reaches.
    """

    key: str
    rung: str | None
    to: str | None
    label: str  # "Qualifying": the step's name in a table or chart
    moves: str  # "lead → qualified opportunity": what the step turns into what
    phrase: str  # "qualifying leads into opportunities": the step inside a sentence


STEPS: tuple[Step, ...] = (
    Step("prospecting", None, "lead", "Finding leads", "new leads created", "finding enough leads"),
    Step("qualifying", "lead", "qualified", "Qualifying", "lead → qualified opportunity",
         "qualifying leads into opportunities"),
    Step("meeting", "qualified", "meeting", "Getting meetings", "qualified → meeting held",
         "getting in front of the buyer"),
    Step("proposing", "meeting", "proposal", "Proposing", "meeting → proposal sent",
         "turning meetings into proposals"),
    Step("committing", "proposal", "commit", "Getting commitments", "proposal → verbal commitment",
         "getting verbal commitments"),
    Step("closing", "commit", "won", "Closing", "verbal commitment → signed deal",
         "closing (turning verbal commitments into signed deals)"),
)
# When an export only says won / lost / open, the steps between qualified and won are one step.
# Its rate is over the deals created in the period, like every step's; the win rate is over the deals closed in it,
# so the two can differ: the step says which deals it counts.
WINNING = Step("winning", "qualified", "won", "Winning deals", "opportunity created in the period → won deal",
               "winning the deals in the pipeline")
STEP = {s.key: s for s in (*STEPS, WINNING)}
STEP_KEYS = tuple(s.key for s in STEPS) + (WINNING.key,)
CONVERSION_STEPS = tuple(s.key for s in STEPS if s.rung is not None) + (WINNING.key,)  # qualifying .. closing
STEP_OF_RUNG = {s.rung: s.key for s in STEPS if s.rung is not None}  # "commit" -> "closing"
QUALIFYING = STEP_OF_RUNG["lead"]  # lead -> opportunity: what moves through it is leads, not deals


def volume_phrase(unit: str) -> str:
    """The volume step inside a sentence: finding leads, or, with no leads table, creating opportunities."""
    return STEP["prospecting"].phrase if unit == "leads" else "creating enough qualified opportunities"


# Verdicts besides a step: no step is clearly below the team; too few deals to tell.
NO_LEAK = "none"
TOO_FEW_DEALS = "insufficient_data"


# Stages as a person says them, for steps a CRM's stages collapse (e.g. meeting -> won with no proposal stage).
STAGE_NAMES = {"lead": "lead", "qualified": "qualified opportunity", "meeting": "meeting held",
               "proposal": "proposal sent", "commit": "verbal commitment", "won": "signed deal"}


def described(key, to: str | None = None) -> Step:
    """The step `key` as the data measures it: the canonical step, or, where the data's stages skip some
    (`to` is not the next stage), a step named after the stages it really spans."""
    step = STEP.get(str(key))
    if step is None or step.rung is None or not to or to == step.to:
        return step or Step(str(key), None, None, str(key).replace("_", " ").capitalize(), "", str(key))
    a, z = STAGE_NAMES.get(step.rung, step.rung), STAGE_NAMES.get(to, to)
    return Step(step.key, step.rung, to, f"{a[:1].upper() + a[1:]} → {z}", f"{a} → {z}",
                f"moving deals from {a} to {z}")


def step_of(rung_or_step: str) -> str | None:
    """The step key for a step key, a rung ("commit"), a rung pair ("commit->won") or a funnel metric
    name ("conv_commit_won"); None when it names none."""
    s = str(rung_or_step).strip().lower().replace("→", "->").replace(" ", "")
    if s in STEP:
        return s
    if s == f"{WINNING.rung}->{WINNING.to}":
        return WINNING.key
    if s.startswith("conv_"):
        s = s[5:].split("_")[0]
    s = s.split("->")[0].split("→")[0].strip()
    return STEP_OF_RUNG.get(s)


def step_label(key) -> str:
    """A step's name for people ("closing" -> "Closing"); an unknown key as given, capitalised."""
    step = STEP.get(str(key))
    return step.label if step else str(key).replace("_", " ").capitalize()


# ------------------------------------------------------------------ activities


@dataclass(frozen=True)
class Activity:
    key: str
    label: str  # "Calls": in tables, charts and sliders
    noun: str  # "calls": inside a sentence


ACTIVITIES: tuple[Activity, ...] = (
    Activity("call", "Calls", "calls"),
    Activity("email", "Emails", "emails"),
    Activity("meeting", "Meetings", "meetings"),
    Activity("visit", "Visits", "visits"),
    Activity("social", "Social selling", "social selling touches"),
    Activity("mail", "Letters", "letters"),
    Activity("task", "Tasks", "tasks"),
    Activity("other", "Other", "other activities"),
)
ACTIVITY = {a.key: a for a in ACTIVITIES}
ACTIVITY_KEYS = tuple(a.key for a in ACTIVITIES)


def activity_label(key) -> str:
    a = ACTIVITY.get(str(key))
    return a.label if a else str(key).replace("_", " ").capitalize()


# ------------------------------------------------------------------ roles and groups

# The one key for "no role given": roles are compared within themselves, and reps without a role form
# one group of their own.
NO_ROLE = "(no role)"
NO_TEAM = "(no team)"


def group_key(value, missing: str = NO_ROLE) -> str:
    """The group key of a role (or team) value: the value as text, or `missing` when it is empty."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN
        return missing
    text = str(value).strip()
    return text if text and text not in ("<NA>", "nan", "NaN") else missing


def role_key(role) -> str:
    """The one key of a rep's role: the role as text, or `NO_ROLE` when it is missing."""
    return group_key(role, NO_ROLE)


# ------------------------------------------------------------------ scoring

DEFAULT_PRESET = "outcomes-first"
NORMALISATIONS = ("percentile", "zscore", "target")
# What each normalisation does, in plain words (the explorer's option and the report's explanation).
NORMALISATION_NAMES = {
    "percentile": "Rank in role",
    "zscore": "Distance from the role's average",
    "target": "Share of a target",
}
NORMALISATION_WORDS = {
    "percentile": "by your position among the reps of your role (best in the role = all the metric's points; reps "
                  "tied on a value share the points of the places they take up)",
    "zscore": "by how far you are above or below the average of your role (far above = all the metric's points)",
    "target": "by your value as a share of the target value (at the target = all the metric's points)",
}
NORMALISATION_HELP = {
    "percentile": "Points by rank among the reps of the same role: the best gets all of a metric's points, "
                  "the median half.",
    "zscore": "Points by how far a rep is above or below the role's average: outliers count more than "
              "in a ranking.",
    "target": "Points by value as a share of a target (the role's top-quarter value unless set): at the "
              "target a metric gives all its points, above it up to 1.5 times as many.",
}

# ------------------------------------------------------------------ hygiene

HYGIENE_FLAGS = ("no_next_step", "stale", "past_close_date")
# each hygiene flag and the section of `salesnb.shape.SECTION_INPUTS` whose inputs it is computed from
HYGIENE_CHECKS = {"no_next_step": "next_step", "stale": "stale", "past_close_date": "past_close_date"}


def hygiene_checked(unavailable) -> tuple[str, ...]:
    """The hygiene flags whose inputs the data holds, given the sections it lacks (`unavailable`): a flag it
    cannot check says nothing about a deal, not that the deal is fine."""
    if "hygiene" in unavailable:
        return ()
    return tuple(f for f, section in HYGIENE_CHECKS.items() if section not in unavailable)


HYGIENE_LABELS = {"no_next_step": "No next step", "stale": "Stale", "past_close_date": "Past close date"}
HYGIENE_HELP = {
    "no_next_step": "“no next step”: none is written down on the open deal",
    "stale": "“stale”: no activity logged on the deal in the last 14 days",
    "past_close_date": "“past close date”: the expected close date has passed and the deal is still open",
}

# ------------------------------------------------------------------ colours

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096", "#d69e2e", "#319795",
           "#e53e3e", "#3182ce", "#2f855a", "#b7791f")
# One colour per party in a comparison, the same in every chart: the rep orange, top performers blue,
# the team (median, quartile band) grey.
REP_COLOR = "#dd6b20"
TOP_COLOR = "#2b6cb0"
TEAM_COLOR = "#718096"
TEAM_BAND_COLOR = "#e2e8f0"
RISK_COLOR = "#c53030"
OK_COLOR = "#2f855a"
SERIES = ("You", "Top quartile", "Team median")
SERIES_COLORS = {"You": REP_COLOR, "Top quartile": TOP_COLOR, "Team median": TEAM_COLOR}


# Statistical terms explained in a line, shown on hover wherever the figure appears (explorer, index).
GLOSSARY = {
    "rho": "Rank correlation (Spearman's rho): from -1 to +1, how closely ranking reps by one figure ranks them "
           "by the other. 0 is no relation; +0.3 a weak one; +0.6 or more a strong one.",
    "interval": "90% interval: the range the true value lies in, 9 times out of 10, given how many reps there "
                "are. An interval that spans 0 cannot tell a relation from none.",
    "d": "Effect size (Cohen's d): how far apart two groups are, in standard deviations. 0.2 is small, 0.5 "
         "medium, 0.8 large.",
    "p": "p-value: how often a difference at least this large would appear by chance alone if there were none.",
}

