"""The shape of an export: what this data holds, recognised once at load, asked by every section.

A CRM export can be valid and still hold far less than the sample: won deals only, no leads, some activity
types only, roles that own no deals, quotas per team only. A section states a finding only when the inputs
it was computed from are held (`ExportShape.lacks`); otherwise it says what is unavailable, why, and how to
add it. The inputs a section needs are listed in one place (`SECTION_INPUTS`), so the rule holds for every
page that words the facts, not by special cases in each.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .schema import ACTIVITY_TYPES

PROFILE_COLUMNS = ("company_size", "has_need", "decision_maker")
HYGIENE_COLUMNS = ("next_step", "stage_changed_date", "close_date")


@dataclass(frozen=True)
class ExportShape:
    """What one dataset holds, as facts (counts and names); fields are added as more shapes are recognised."""

    tables: tuple[str, ...]
    open_deals: int
    won_deals: int
    lost_deals: int
    stage_history: bool  # a stage_history table with rows
    furthest_stage: bool  # any deal says how far it got
    leads: int
    activity_types: tuple[str, ...]  # the types with at least one activity, in schema order
    roles: tuple[str, ...]  # the roles named in reps.csv (empty: no roles)
    roles_without_deals: tuple[str, ...]  # roles none of whose reps owns a deal (e.g. SDRs)
    reps_without_deals: tuple[str, ...]  # rep ids that own no deal at all
    quotas: str  # "per rep", "team only" or "none"
    profile_columns: tuple[str, ...]  # ideal-customer-profile columns of leads with values
    hygiene_columns: tuple[str, ...]  # columns of opportunities with values that hygiene checks read

    @property
    def won_only(self) -> bool:
        """Closed-won exports: no open and no lost deal at all."""
        return self.won_deals > 0 and self.open_deals == 0 and self.lost_deals == 0

    @property
    def stages(self) -> str:
        """How far deals got comes from "stage history", "furthest stage only" or "outcome only"."""
        if self.stage_history:
            return "stage history"
        return "furthest stage only" if self.furthest_stage else "outcome only"

    def holds(self, need: str) -> bool:
        return NEEDS[need][0](self)

    def lacks(self, *needs: str) -> str | None:
        """None when every input in `needs` is held, else why not and how to add it (the first missing one)."""
        for need in needs:
            if not self.holds(need):
                _, why, fix = NEEDS[need]
                return f"{why(self) if callable(why) else why}: {fix(self) if callable(fix) else fix}"
        return None

    def unavailable(self) -> dict[str, str]:
        """Every section of `SECTION_INPUTS` whose inputs this data lacks, with why and how to add them."""
        return {section: reason for section, needs in SECTION_INPUTS.items() if (reason := self.lacks(*needs))}

    def summary(self) -> str:
        """One line: what this data holds (for `validate` and the top of each report)."""
        deals = (f"{self.won_deals:,} won deals only (no open or lost deal)" if self.won_only else
                 f"{self.open_deals:,} open, {self.won_deals:,} won and {self.lost_deals:,} lost deals")
        parts = [deals, f"stages from {self.stages}",
                 f"{self.leads:,} leads" if self.leads else "no leads",
                 ("activities of type " + ", ".join(self.activity_types)) if self.activity_types else "no activities",
                 ("roles " + ", ".join(self.roles)) if self.roles else "no roles",
                 {"per rep": "quotas per rep", "team only": "quotas per team only", "none": "no quotas"}[self.quotas]]
        if self.roles_without_deals:
            parts.append("roles owning no deals: " + ", ".join(self.roles_without_deals))
        if self.reps_without_deals:
            n = len(self.reps_without_deals)
            parts.append(f"{n} rep{'s' if n != 1 else ''} owning no deals")
        if self.leads:
            parts.append(("lead profile from " + ", ".join(self.profile_columns)) if self.profile_columns
                         else "no lead profile columns")
        return "What this data holds: " + "; ".join(parts) + "."

    def to_dict(self) -> dict:
        return {**asdict(self), "won_only": self.won_only, "stages": self.stages}


def _has_values(df: pd.DataFrame | None, column: str) -> bool:
    return df is not None and column in df.columns and bool(df[column].notna().any())


def shape_of(dataset) -> ExportShape:
    """The shape of `dataset` (a `Dataset`): cheap counts over its tables, computed once."""
    opps, reps = dataset.opportunities, dataset.reps
    status = opps["status"]
    tables = tuple(name for name, df in dataset.tables().items() if len(df))
    held = set(dataset.activities["type"].dropna().unique()) if dataset.has("activities") else set()
    role = reps["role"] if "role" in reps.columns else pd.Series(pd.NA, index=reps.index)
    roles = tuple(sorted(str(r) for r in role.dropna().unique()))
    owners = set(opps["rep_id"].dropna())
    owns = reps["rep_id"].isin(owners)
    roles_without = tuple(r for r in roles if not owns[role == r].any())
    quotas = "per rep" if dataset.has("quotas") else ("team only" if dataset.has("team_quotas") else "none")
    leads = dataset.leads if dataset.has("leads") else None
    open_opps = opps[status == "open"]
    return ExportShape(
        tables=tables, open_deals=int((status == "open").sum()), won_deals=int((status == "won").sum()),
        lost_deals=int((status == "lost").sum()), stage_history=dataset.has("stage_history"),
        furthest_stage=_has_values(opps, "furthest_stage"), leads=0 if leads is None else len(leads),
        activity_types=tuple(t for t in ACTIVITY_TYPES if t in held), roles=roles,
        roles_without_deals=roles_without, reps_without_deals=tuple(reps.loc[~owns, "rep_id"].astype(str)),
        quotas=quotas, profile_columns=tuple(c for c in PROFILE_COLUMNS if _has_values(leads, c)),
        hygiene_columns=tuple(c for c in HYGIENE_COLUMNS if _has_values(open_opps, c)))


def _no_lost(s: ExportShape) -> tuple[str, str]:
    """Why rates that compare wins with what was not won cannot be measured, and how to add what is missing:
    an export of open deals only lacks every closed deal, not only the lost ones."""
    if not s.won_deals:
        return ("the data holds no closed deal (open deals only, neither won nor lost)",
                "export the won and lost deals too, so rates compare wins with what was not won")
    only = "won deals only" if not s.open_deals else "open and won deals only"
    return (f"the data holds no lost deal ({only})",
            "export the lost deals too, so rates compare wins with what was not won")


# need -> (held?, why it is not, how to add it); why and how may be read from the shape
NEEDS = {
    "leads": (lambda s: s.leads > 0, "there is no leads table", "add leads.csv (or map a leads export on import)"),
    "activities": (lambda s: bool(s.activity_types), "there is no activities table",
                   "add activities.csv (calls, emails, meetings logged per rep)"),
    "open_deals": (lambda s: s.open_deals > 0, "the data holds no open deal",
                   "export the open deals too, not only the closed ones"),
    "lost_deals": (lambda s: s.lost_deals > 0, lambda s: _no_lost(s)[0], lambda s: _no_lost(s)[1]),
    "quotas": (lambda s: s.quotas == "per rep", "there are no quotas per rep",
               "add quotas.csv (a quota per rep and period)"),
    "profile": (lambda s: bool(s.profile_columns), "the leads have no company_size, has_need or decision_maker values",
                "add one of those columns to leads so the ideal-customer profile can be applied"),
    "next_step": (lambda s: "next_step" in s.hygiene_columns, "the open deals have no next_step values",
                  "export the Next Step field (or map it on import)"),
    "staleness": (lambda s: bool(s.activity_types) or "stage_changed_date" in s.hygiene_columns or s.stage_history,
                  "there are no activities, no stage_changed_date on open deals and no stage history to tell a "
                  "stale deal", "add activities.csv, export each deal's stage change date, or add stage_history"),
    "close_date": (lambda s: "close_date" in s.hygiene_columns, "the open deals have no expected close date",
                   "export the expected close date of open deals"),
}

# section -> the inputs its findings are computed from
SECTION_INPUTS = {
    "hygiene": ("open_deals",),
    "next_step": ("open_deals", "next_step"),
    "stale": ("open_deals", "staleness"),
    "past_close_date": ("open_deals", "close_date"),
    "lead_quality": ("leads", "profile"),
    "lead_step": ("leads",),
    "win_rate": ("lost_deals",),
    "funnel_steps": ("lost_deals",),
    "early_warning": ("quotas",),
}
