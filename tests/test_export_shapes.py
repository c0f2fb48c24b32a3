"""Valid exports of other shapes than the sample's: every command runs, and says only what the data holds."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from salesnb.cli import main
from salesnb.metrics.catalogue import CATALOGUE
from salesnb.schema import ACTIVITY_TYPES


def _sample_without(sample_dir, tmp_path, activity_type: str):
    """A copy of the sample with every activity of `activity_type` left out (the sample itself is not touched)."""
    out = tmp_path / f"no-{activity_type}"
    shutil.copytree(sample_dir, out)
    with open(sample_dir / "activities.csv", newline="", encoding="utf-8") as src:
        rows = list(csv.reader(src))
    col = rows[0].index("type")
    kept = [rows[0]] + [r for r in rows[1:] if r[col] != activity_type]
    assert len(kept) < len(rows), f"the sample has no {activity_type} activities to leave out"
    with open(out / "activities.csv", "w", newline="", encoding="utf-8") as dst:
        csv.writer(dst).writerows(kept)
    return out


@pytest.mark.parametrize("activity_type", ACTIVITY_TYPES)
def test_diagnose_runs_with_each_activity_type_absent_and_says_nothing_of_it(sample_dir, tmp_path, capsys,
                                                                             activity_type):
    folder = _sample_without(sample_dir, tmp_path, activity_type)
    metric = f"act_{activity_type}"
    label = CATALOGUE[metric].label

    assert main(["diagnose", "--data", str(folder)]) == 0
    text = capsys.readouterr().out
    audit = text.split("Activity metrics vs outcomes:")[1].split("\n\n")[0]
    assert "- [" in audit  # the audit is there, for the other types
    assert f"] {label}" not in audit

    assert main(["diagnose", "--json", "--data", str(folder)]) == 0
    doc = json.loads(capsys.readouterr().out)
    audited = {v["metric"] for v in doc["vanity"]}
    assert metric not in audited
    assert {f"act_{t}" for t in ACTIVITY_TYPES if t != activity_type} <= audited
    assert not any((v["sentence"] or "").startswith(label) for v in doc["vanity"])


# ------------------------------------------------------------------ the shape of an export


def won_only_team():
    """Three AEs with won deals only, one SDR who owns no deal, quotas per team only, no leads or activities."""
    import pandas as pd

    from salesnb.dataset import Dataset

    reps = pd.DataFrame({"rep_id": ["a", "b", "c", "s"], "name": ["Ann", "Bob", "Cat", "Sam"],
                         "role": ["AE", "AE", "AE", "SDR"], "team": "East"})
    deals = [dict(opportunity_id=f"{r}{i}", rep_id=r, created_date="2026-01-05", close_date="2026-02-01",
                  status="won", amount=100.0) for r, n in (("a", 3), ("b", 2), ("c", 1)) for i in range(n)]
    team_quotas = pd.DataFrame({"team": ["East"], "period_start": ["2026-01-01"], "period_end": ["2026-12-31"],
                                "quota": [1000.0]})
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(deals), team_quotas=team_quotas)


def test_the_shape_of_a_won_only_export_with_an_sdr_who_owns_no_deal():
    shape = won_only_team().shape
    assert (shape.open_deals, shape.won_deals, shape.lost_deals) == (0, 6, 0)
    assert shape.won_only and shape.stages == "outcome only"
    assert shape.roles == ("AE", "SDR") and shape.roles_without_deals == ("SDR",)
    assert shape.reps_without_deals == ("s",)
    assert shape.quotas == "team only" and shape.leads == 0 and shape.activity_types == ()
    assert shape.profile_columns == () and shape.hygiene_columns == ()
    assert shape.summary() == (
        "What this data holds: 6 won deals only (no open or lost deal); stages from outcome only; no leads; "
        "no activities; roles AE, SDR; quotas per team only; roles owning no deals: SDR; 1 rep owning no deals.")
    gone = shape.unavailable()
    assert set(gone) == {"hygiene", "next_step", "stale", "past_close_date", "lead_quality", "lead_step", "win_rate",
                         "funnel_steps", "early_warning"}
    assert gone["hygiene"].startswith("the data holds no open deal: export the open deals too")
    assert gone["lead_quality"].startswith("there is no leads table: add leads.csv")


def test_the_sample_holds_everything_and_validate_says_so(sample_dir, capsys):
    assert main(["validate", str(sample_dir)]) == 0
    out = capsys.readouterr().out
    assert ("What this data holds: 240 open, 599 won and 2,627 lost deals; stages from stage history; "
            "8,273 leads; activities of type call, email, meeting, visit, social, mail, task, other") in out
    assert "unavailable" not in out


def test_validate_names_what_a_two_table_export_cannot_show(two_table_dir, capsys):
    assert main(["validate", str(two_table_dir)]) == 0
    out = capsys.readouterr().out
    assert "no leads; no activities" in out and "quotas" in out
    assert "- lead quality unavailable: there is no leads table: add leads.csv" in out
