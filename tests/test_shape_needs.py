"""What the export lacks is named for what it really lacks (shape.NEEDS), from hand-made shapes."""
from __future__ import annotations

from salesnb.shape import ExportShape


def _shape(open_deals: int, won: int, lost: int) -> ExportShape:
    return ExportShape(tables=("reps", "opportunities"), open_deals=open_deals, won_deals=won, lost_deals=lost,
                       stage_history=False, furthest_stage=False, leads=0, activity_types=(), roles=(),
                       roles_without_deals=(), reps_without_deals=(), quotas="none", profile_columns=(),
                       hygiene_columns=())


def test_an_export_of_open_deals_only_lacks_every_closed_deal_not_only_the_lost_ones():
    said = _shape(59, 0, 0).lacks("lost_deals")
    assert said == ("the data holds no closed deal (open deals only, neither won nor lost): export the won and lost "
                    "deals too, so rates compare wins with what was not won")
    assert "won deals only" not in said


def test_an_export_of_won_deals_only_lacks_the_lost_ones():
    assert _shape(0, 6, 0).lacks("lost_deals") == (
        "the data holds no lost deal (won deals only): export the lost deals too, so rates compare wins with what "
        "was not won")
    assert _shape(4, 6, 0).lacks("lost_deals").startswith("the data holds no lost deal (open and won deals only): ")


def test_an_export_with_lost_deals_lacks_none():
    assert _shape(1, 0, 3).lacks("lost_deals") is None
