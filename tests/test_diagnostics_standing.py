"""No praise for a rep below target or the role's median; a result carried by one deal is said so."""
from __future__ import annotations

import pandas as pd
import pytest

from salesnb.diagnostics.concentration import largest_deals, without_largest
from salesnb.report import RepView
from salesnb.report.facts import Funnel, Headline, WeightsUsed
from salesnb.terms import NO_LEAK
from salesnb.words import manager, rep


def _view(**headline) -> RepView:
    h = dict(won=None, quota=None, attainment=None, projection=None, projected_attainment=None, score=None,
             rank=2, n_in_role=8, risk=None)
    return RepView(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-11-11", currency="USD",
                   dataset_name="T", headline=Headline(**{**h, **headline}),
                   weights=WeightsUsed("outcomes-first", "percentile", "role", {"won_revenue": 100.0}),
                   funnel=Funnel(verdict=NO_LEAK))


def test_a_rep_below_the_median_is_neither_praised_nor_given_a_teaching_role():
    assert "Others may well learn from you" in rep.no_peer(_view())
    assert "keep doing what works" in rep.funnel(_view())
    low = _view(below_median=True)
    assert "learn from you" not in rep.no_peer(low)
    assert "keep doing what works" not in rep.funnel(low)
    # the manager's words: on target by projection, but below the role's median
    row = {"bottleneck": NO_LEAK, "projected_attainment": 1.2, "at_risk": False}
    assert manager.bottleneck(row).endswith("keep doing what works.")
    assert "keep doing what works" not in manager.bottleneck({**row, "below_median": True})


def test_the_largest_deal_share_and_attainment_without_it_by_hand():
    o = pd.DataFrame({
        "rep_id": ["a", "a", "b", "b", "c", "a"],
        "status": ["won", "won", "won", "won", "lost", "won"],
        "amount": [100, 300, 100, 100, 900, 5000],
        "close_date": pd.to_datetime(["2026-02-01", "2026-03-01", "2026-02-01", "2026-03-01", "2026-03-01",
                                      "2027-01-05"]),  # a's last deal closes after the period
    })
    got = largest_deals(o, pd.Index(["a", "b", "c"]), "2026-01-01", "2026-12-31", "2026-11-15")
    assert got.loc["a", "largest_deal_share"] == pytest.approx(300 / 400)
    assert got.loc["b", "largest_deal_share"] == pytest.approx(0.5)  # at the bar: carried
    assert list(got["carried_by_one_deal"]) == [True, True, False]  # c won nothing
    rest = without_largest(pd.Series([400.0], index=["a"]), got.loc[["a"], "largest_deal"],
                           pd.Series([500.0], index=["a"]))
    assert rest["a"] == pytest.approx(0.2)  # (400 - 300) / 500


def test_the_rank_and_the_manager_say_when_one_deal_carries_the_result():
    v = _view(carried_by_one_deal=True, largest_deal_share=0.6, attainment_without_largest=0.45)
    assert rep.rank(v) == "2 of 8 AE reps, by score (your largest deal is 60% of your won revenue; without it " \
                          "you would be at 45% of quota)"
    assert rep.rank(_view()) == "2 of 8 AE reps, by score"
    row = {"carried_by_one_deal": True, "largest_deal_share": 0.6, "largest_deal": 60000.0,
           "attainment_without_largest": 0.45}
    assert manager.concentration(row, "USD").startswith("One deal carries this result: the largest deal is 60% of")
    assert manager.concentration({"carried_by_one_deal": False}) == ""
