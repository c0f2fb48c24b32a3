"""A team with no target says why and which rows would give it one (words.manager.no_target, diagnose's text)."""
from __future__ import annotations

import pandas as pd

from salesnb.dataset import Dataset
from salesnb.diagnostics import diagnose
from salesnb.terminal import summary_text
from salesnb.words.manager import no_target


def test_no_target_names_the_rows_to_add():
    assert no_target("per rep", "2025") == (
        "no target: no quota covers 2025: add quotas.csv rows for it (rep_id, period_start, period_end, quota; see "
        "docs/data-model.md)")
    assert no_target("team only", "2025-Q1").startswith("no target: no quota covers 2025-Q1: add team_quotas.csv rows "
                                                          "for it (team, period_start")
    assert no_target("none", "2026").startswith("no target: the data has no quotas: add quotas.csv, a quota per rep "
                                                "and period")


def _team_with_quotas_for_2026_only() -> Dataset:
    reps = pd.DataFrame({"rep_id": ["a", "b", "c"], "name": ["Ann", "Bob", "Cat"], "role": "AE"})
    rows = [dict(opportunity_id=f"{rep}{year}{i}", rep_id=rep, created_date=f"{year}-02-01",
                 status="won" if i < 3 else "lost", amount=1000.0, close_date=f"{year}-03-01",
                 furthest_stage="won" if i < 3 else "commit")
            for rep in "abc" for year in (2025, 2026) for i in range(6)]
    quotas = pd.DataFrame({"rep_id": ["a", "b", "c"], "period_start": "2026-01-01", "period_end": "2026-12-31",
                           "quota": 10000.0})
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(rows), quotas=quotas)


def test_a_past_year_without_quotas_says_how_to_add_them():
    d = diagnose(_team_with_quotas_for_2026_only(), period="2025", as_of="2026-06-30")
    team = [line for line in summary_text(d).splitlines() if line.startswith("Team: ")]
    # 3 reps x 3 won deals of 1,000 in 2025
    assert team == ["Team: won 9,000 USD; no target: no quota covers 2025: add quotas.csv rows for it (rep_id, "
                    "period_start, period_end, quota; see docs/data-model.md)"]
