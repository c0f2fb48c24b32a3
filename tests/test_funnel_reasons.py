"""Why the funnel's steps cannot be measured names what the export lacks, not something it holds."""
from __future__ import annotations

from salesnb import Dataset
from salesnb.metrics import funnel_counts
from salesnb.metrics.funnel import NO_MIDDLE_STAGES, NO_STAGES

REPS = [{"rep_id": "a", "name": "Ann"}]


def won(oid, stage):
    return {"opportunity_id": oid, "rep_id": "a", "created_date": "2026-01-05", "status": "won", "amount": 100,
            "close_date": "2026-02-01", "furthest_stage": stage}


def test_won_deals_with_their_stage_are_not_told_they_have_no_stage():
    ds = Dataset.from_frames(reps=REPS, opportunities=[won("1", "won"), won("2", "won")])
    why = funnel_counts(ds, "2026", "2026-06-30").attrs["unmeasured"]
    assert why == NO_MIDDLE_STAGES
    assert "have no furthest_stage values" not in why


def test_deals_without_any_stage_are():
    ds = Dataset.from_frames(reps=REPS, opportunities=[won("1", None), won("2", None)])
    assert funnel_counts(ds, "2026", "2026-06-30").attrs["unmeasured"] == NO_STAGES
