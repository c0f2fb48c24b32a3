"""Row positions of references (Dataset.positions): what the loader hands the metric engine."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.load import load
from salesnb.metrics import metrics

FILES = {
    "reps.csv": ["rep_id,name", "R1,Ann", "R2,Bob"],
    "opportunities.csv": [
        "opportunity_id,rep_id,created_date,status,amount,close_date",
        "O1,R1,2026-01-05,won,100,2026-02-01",
        "O2,R9,2026-01-06,open,200,",  # unknown rep: the row is dropped
        "O3,R2,2026-01-07,lost,300,2026-03-01",
    ],
    "leads.csv": [
        "lead_id,rep_id,created_date,status,opportunity_id",
        "L1,R1,2025-12-01,open,",
        "L2,R2,2025-12-02,qualified,O3",
    ],
    "activities.csv": [
        "activity_id,rep_id,date,type,opportunity_id,lead_id",
        "A1,R2,2026-01-08,call,O3,L2",
        "A2,R1,2026-01-09,email,O2,",  # O2 was dropped: the link is cleared, the row kept
        "A3,R9,2026-01-10,call,O1,L1",  # unknown rep: the row is dropped
        "A4,R1,2026-01-11,visit,O1,L1",
    ],
}


@pytest.fixture
def folder(tmp_path) -> Path:
    for name, lines in FILES.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path


def test_loader_positions_point_at_the_rows_kept(folder):
    ds = load(folder)
    # Kept: opportunities O1, O3; activities A1, A2, A4. Worked out by hand from FILES:
    expected = {
        ("opportunities", "rep_id"): [0, 1],  # O1 -> R1 (row 0), O3 -> R2 (row 1)
        ("leads", "rep_id"): [0, 1],
        ("leads", "opportunity_id"): [-1, 1],  # L2 -> O3, now row 1 since O2 is gone
        ("activities", "rep_id"): [1, 0, 0],  # A1 R2, A2 R1, A4 R1
        ("activities", "opportunity_id"): [1, -1, 0],  # A1 O3, A2 O2 (dropped), A4 O1
        ("activities", "lead_id"): [1, -1, 0],  # A1 L2, A2 none, A4 L1
    }
    for (table, column), want in expected.items():
        assert ds._positions[(table, column)][0].tolist() == want, (table, column)
        assert ds.positions(table, column).dtype == np.int32


def test_positions_are_looked_up_when_not_loaded_and_follow_a_replaced_frame(folder):
    loaded = load(folder)
    ds = Dataset(**loaded.tables(), meta=loaded.meta)
    assert ds._positions == {}
    assert ds.positions("activities", "opportunity_id").tolist() == [1, -1, 0]
    ds.activities = ds.activities.iloc[::-1].reset_index(drop=True)  # a new frame: A4, A2, A1
    assert ds.positions("activities", "opportunity_id").tolist() == [0, -1, 1]


def test_unknown_references_in_plain_frames_are_minus_one():
    ds = Dataset.from_frames(
        reps=pd.DataFrame({"rep_id": ["R1"], "name": ["Ann"]}),
        opportunities=pd.DataFrame({"opportunity_id": ["O1", "O2"], "rep_id": ["R1", "R7"],
                                    "created_date": ["2026-01-01"] * 2, "status": ["open"] * 2,
                                    "amount": [1.0, 2.0]}),
    )
    assert ds.positions("opportunities", "rep_id").tolist() == [0, -1]


@pytest.mark.parametrize("which", ["small", "sample"])
def test_metrics_are_the_same_with_or_without_the_loader_positions(which, folder, sample_dir):
    loaded = load(folder if which == "small" else sample_dir)
    looked_up = Dataset(**loaded.tables(), meta=loaded.meta)
    for period in (None, "2026-Q1"):
        a, b = metrics(loaded, period=period), metrics(looked_up, period=period)
        pd.testing.assert_frame_equal(a.values, b.values)


def test_positions_found_before_target_rows_were_dropped_are_remapped():
    from salesnb.validate.references import Found

    # Looked up when the target kept rows 0, 1, 3 (so known-set positions 0, 1, 2 are rows 0, 1, 3);
    # since then row 1 was dropped too: final rows are 0 -> 0, 3 -> 1, and 1 -> gone.
    found = Found(np.array([2, 1, -1, 0], dtype=np.int32), np.array([True, True, False, True]), all_found=False)
    final = found.final_positions(keep=np.array([True, True, True, False]), target_keep=np.array([True, False, False, True]))
    assert final.tolist() == [1, -1, -1]
