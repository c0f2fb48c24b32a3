"""An export with a stage history but no stage_changed_date and no activities still tells stale deals: the day
a deal entered its latest stage is when it last changed stage. Tiny hand-built team."""
from __future__ import annotations

from salesnb import Dataset
from salesnb.diagnostics import diagnose

REPS = [{"rep_id": r, "name": n} for r, n in (("a", "Ann"), ("b", "Bob"), ("c", "Cy"))]


def deal(oid, rep, status="open", close=None):
    return {"opportunity_id": oid, "rep_id": rep, "created_date": "2026-01-05", "status": status, "amount": 100,
            "close_date": close, "furthest_stage": "won" if status == "won" else "meeting"}


OPPS = [deal("1", "a"), deal("2", "b"), deal("3", "c", "won", "2026-03-01")]
HISTORY = [
    {"opportunity_id": "1", "stage": "qualified", "entered_date": "2026-01-05"},
    {"opportunity_id": "1", "stage": "meeting", "entered_date": "2026-02-01"},  # 120 days before as_of: stale
    {"opportunity_id": "2", "stage": "qualified", "entered_date": "2026-01-05"},
    {"opportunity_id": "2", "stage": "meeting", "entered_date": "2026-05-25"},  # 7 days before: not stale
    {"opportunity_id": "3", "stage": "qualified", "entered_date": "2026-01-05"},
    {"opportunity_id": "3", "stage": "won", "entered_date": "2026-03-01"},
]


def test_stale_deals_are_told_from_the_stage_history():
    d = diagnose(Dataset.from_frames(reps=REPS, opportunities=OPPS, stage_history=HISTORY), period="2026",
                 as_of="2026-06-01")
    assert "stale" not in d.unavailable
    stale = d.hygiene.set_index("rep_id")["stale"]
    assert (stale["a"], stale["b"]) == (1, 0)
