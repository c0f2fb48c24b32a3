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
