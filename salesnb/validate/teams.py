"""Team targets must name teams the reps belong to.

A row of team_quotas is the manager's target for one team. A team name that no rep of reps.csv carries (a
typo, another spelling, a renamed team) cannot be applied: left out, the team would be measured against the
sum of its members' quotas, or against no target, while the manager set another. So it is an error, with the
closest team names of reps.csv and the fix (docs/data-model.md, How the loader treats what it finds).
"""
from __future__ import annotations

import difflib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .report import ValidationReport
from .rows import RawTable, present, report_rows, to_mask

SHOWN_TEAMS = 8


def _teams(reps: RawTable) -> list[str]:
    if "team" not in reps.data.column_names:
        return []
    teams = reps.columns.get("team", reps.raw("team"))
    kept = teams.filter(pa.array(reps.keep)) if not reps.keep.all() else teams
    return sorted(t for t in pc.unique(kept).to_pylist() if t is not None and str(t).strip())


def closest_teams(team: str, teams: list[str]) -> list[str]:
    """The reps' teams most like `team`: same letters in another case or spacing first, then similar spellings."""
    folded = " ".join(team.split()).casefold()
    same = [t for t in teams if " ".join(t.split()).casefold() == folded]
    return same or difflib.get_close_matches(team, teams, n=2, cutoff=0.5)


def check_team_quotas(team_quotas: RawTable | None, reps: RawTable | None, report: ValidationReport) -> None:
    """An error for each team_quotas row whose team no rep belongs to (or for every row when reps have no team)."""
    if team_quotas is None or reps is None or "team" not in team_quotas.data.column_names:
        return
    col = team_quotas.columns.get("team", team_quotas.raw("team"))
    given = present(col) & team_quotas.keep
    if not given.any():
        return
    teams = _teams(reps)
    if not teams:
        report_rows(report, "error", team_quotas, given, "team", team_quotas.raw("team"),
                    f"is a team target, but {reps.file} gives no rep a team, so no target can be matched to its "
                    f"members.",
                    f"add a team column to {reps.file} with each rep's team, spelled as in {team_quotas.file}; or "
                    f"remove {team_quotas.file} to measure teams against the sum of their members' quotas.")
        return
    known = to_mask(pc.fill_null(pc.is_in(col, value_set=pa.array(teams, col.type)), False))
    bad = given & ~known
    if not bad.any():
        return
    values = col.to_pylist()
    shown = ", ".join(repr(t) for t in teams[:SHOWN_TEAMS]) + (", ..." if len(teams) > SHOWN_TEAMS else "")

    def detail(i: int) -> str:
        close = closest_teams(str(values[i]), teams)
        return f"(closest teams in {reps.file}: {' or '.join(repr(c) for c in close)})" if close else \
            f"(no team in {reps.file} is close to it)"

    report_rows(report, "error", team_quotas, np.asarray(bad), "team", team_quotas.raw("team"),
                f"is not the team of any rep in {reps.file}, so this target cannot be applied.",
                f"write the team as {reps.file} does (its teams: {shown}), or give the reps of this team that team "
                f"in {reps.file}; remove the row if the team no longer exists.", detail=detail)
