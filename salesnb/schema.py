"""The canonical dataset's tables and columns, declared once.

This module is the contract of `docs/data-model.md`: the loader, the validator,
the importers and the generator all read these declarations instead of
repeating column lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The one funnel ladder every CRM's stages are mapped onto.
FUNNEL = ("lead", "qualified", "meeting", "proposal", "commit", "won")
# Stages an opportunity can have reached (leads are a separate table).
OPPORTUNITY_STAGES = FUNNEL[1:]
OPPORTUNITY_STATUSES = ("open", "won", "lost")
LEAD_STATUSES = ("open", "qualified", "disqualified")
ACTIVITY_TYPES = ("call", "email", "meeting", "visit", "social", "mail", "task", "other")
REVENUE_TYPES = ("one_off", "recurring")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    kind is one of: "id" (string key, never parsed as a number), "str", "date",
    "number" (float), "int", "bool", "choice" (one of `choices`).
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: float | None = None  # inclusive lower bound for numbers
    positive: bool = False  # strictly > 0 (quota)
    money: bool = False  # an amount of the dataset's currency: at most dataset.toml's max_amount
    meaning: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    columns: tuple[Column, ...]
    key: str | None = None  # unique id column, if the table has one
    enables: str = ""  # what the table makes possible (shown when it is missing)
    references: dict[str, str] = field(default_factory=dict)  # column -> table it points into

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "reps",
            required=True,
            key="rep_id",
            enables="everything: who the reps are",
            columns=(
                Column("rep_id", "id", required=True, meaning="unique"),
                Column("name", "str", required=True, meaning="display name"),
                Column("team", "str"),
                Column("region", "str"),
                Column("role", "str"),
                Column("manager", "str"),
                Column("hire_date", "date"),
                Column("end_date", "date"),
                Column("email", "str", meaning="work e-mail address (salesnb send delivers the rep's report to it)"),
            ),
        ),
        Table(
            "opportunities",
            required=True,
            key="opportunity_id",
            enables="everything: revenue, win rate, pipeline, funnel",
            references={"rep_id": "reps", "lead_id": "leads"},
            columns=(
                Column("opportunity_id", "id", required=True),
                Column("rep_id", "id", required=True),
                Column("created_date", "date", required=True),
                Column("status", "choice", required=True, choices=OPPORTUNITY_STATUSES),
                Column("amount", "number", required=True, min_value=0, money=True),
                Column("close_date", "date"),
                Column("furthest_stage", "choice", choices=OPPORTUNITY_STAGES),
                Column("lead_id", "id"),
                Column("account", "str"),
                Column("lead_source", "str"),
                Column("revenue_type", "choice", choices=REVENUE_TYPES),
                Column("assisted_by", "str"),
                Column("next_step", "str"),
                Column("stage_changed_date", "date"),
            ),
        ),
        Table(
            "quotas",
            required=False,
            enables="quota attainment, pacing, gap to target and the team target",
            references={"rep_id": "reps"},
            columns=(
                Column("rep_id", "id", required=True),
                Column("period_start", "date", required=True),
                Column("period_end", "date", required=True),
                Column("quota", "number", required=True, positive=True, money=True),
            ),
        ),
        Table(
            "team_quotas",
            required=False,
            enables="team targets other than the sum of the members' quotas",
            columns=(
                Column("team", "str", required=True),
                Column("period_start", "date", required=True),
                Column("period_end", "date", required=True),
                Column("quota", "number", required=True, positive=True, money=True),
            ),
        ),
        Table(
            "leads",
            required=False,
            key="lead_id",
            enables="lead generation, qualification, lead sources and lead quality",
            references={"rep_id": "reps", "opportunity_id": "opportunities"},
            columns=(
                Column("lead_id", "id", required=True),
                Column("rep_id", "id"),
                Column("created_date", "date", required=True),
                Column("status", "choice", required=True, choices=LEAD_STATUSES),
                Column("source", "str"),
                Column("company_size", "int", min_value=0),
                Column("has_need", "bool"),
                Column("decision_maker", "bool"),
                Column("industry", "str"),
                Column("opportunity_id", "id"),
            ),
        ),
        Table(
            "activities",
            required=False,
            key="activity_id",
            enables="activity metrics, the vanity-metric audit and top-performer practices",
            references={"rep_id": "reps", "opportunity_id": "opportunities", "lead_id": "leads"},
            columns=(
                Column("activity_id", "id", required=True),
                Column("rep_id", "id", required=True),
                Column("date", "date", required=True),
                Column("type", "choice", required=True, choices=ACTIVITY_TYPES),
                Column("opportunity_id", "id"),
                Column("lead_id", "id"),
                Column("duration_minutes", "number", min_value=0),
                Column("miles", "number", min_value=0),
            ),
        ),
        Table(
            "stage_history",
            required=False,
            enables="time in stage, stuck deals and how far lost deals got",
            references={"opportunity_id": "opportunities"},
            columns=(
                Column("opportunity_id", "id", required=True),
                Column("stage", "choice", required=True, choices=OPPORTUNITY_STAGES),
                Column("entered_date", "date", required=True),
            ),
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)
OPTIONAL_TABLES = tuple(name for name, t in TABLES.items() if not t.required)
