"""What a rep's report may claim: praise only where it is earned, comparisons only against a figure that is shown,
weak evidence called weak, and nothing about colleagues a rep could work back to their figures.

Each rule is checked on a tiny hand-made view or slice whose expected figures are stated by hand.
"""
from __future__ import annotations

import pytest

from salesnb.report import Report, RepView
from salesnb.report.facts import Funnel, Headline, PeriodChange, Risk, Weakest, WeightsUsed
from salesnb.words import rep as words


def _risk(projected: float, at_risk: bool = False, **kw) -> Risk:
    base = dict(at_risk=at_risk, finished=False, won=100.0, attainment=projected * 0.8,
                projected_attainment=projected, likely_low=projected * 0.9, likely_high=projected * 1.1, chance=0.9,
                open_deals=3, pipeline_expected=50.0, pipeline_ratio=1.0, closing=1.0, created_ratio=1.0,
                due_by_now=80.0, pipeline_short=False, closing_slow=False, few_new_deals=False, behind=False,
                verdict=None, short_by=None)
    return Risk(**{**base, **kw})


def _headline(projected: float | None = None, below_median: bool = False, **kw) -> Headline:
    risk = _risk(projected, at_risk=projected < 1.0) if projected is not None else None
    base = dict(won=None, quota=None, attainment=None, projection=None, projected_attainment=projected, score=50.0,
                rank=2, n_in_role=8, risk=risk, below_median=below_median)
    return Headline(**{**base, **kw})


def _view(**kw) -> RepView:
    base = dict(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-11-15", currency="USD",
                dataset_name="T", headline=_headline(),
                weights=WeightsUsed("outcomes-first", "percentile", "role", {"won_revenue": 100.0}))
    return RepView(**{**base, **kw})


def _shown(monkeypatch) -> list:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False, metadata=None: shown.append(obj))
    return shown


def _text(blocks) -> str:
    return "\n".join(repr(b) for b in blocks if b is not None and not isinstance(b, dict))


# ------------------------------------------------------------------ below target is about the target


def test_a_rep_far_above_quota_but_below_the_median_is_not_told_they_are_below_target():
    # 555% of quota projected, below the role's median (everyone's quota is tiny): the weakest step is named
    # for the median, and "below target" is never said
    weakest = Funnel(verdict="none", weakest=Weakest(step="proposing", reached=50, advanced=25, rate=0.5,
                                                     team_median=0.62))
    view = _view(headline=_headline(5.55, below_median=True), funnel=weakest)
    said = words.funnel(view)
    assert "below target" not in said
    assert said.startswith("No step of your funnel is clearly below the team, but your result is below your "
                           "role's median, so start with the step furthest below it:")
    assert "25 of 50 (50%) against a team median of 62%" in said
    # projected at 80% of quota: below target, said as such
    assert "you are below target, so" in words.funnel(_view(headline=_headline(0.8), funnel=weakest))
    # above target and above the median: no push, and the teaching role is offered
    assert words.funnel(_view(headline=_headline(1.3), funnel=Funnel(verdict="none"))).endswith(
        "keep doing what works.")


def test_no_step_below_its_median_names_the_gap_the_rep_has():
    flat = Funnel(verdict="none")
    assert "the gap to quota is in volume" in words.funnel(_view(headline=_headline(0.8), funnel=flat))
    said = words.funnel(_view(headline=_headline(2.0, below_median=True), funnel=flat))
    assert "the gap to your role's median is in volume" in said and "quota" not in said


# ------------------------------------------------------------------ empty sections


def test_a_change_with_nothing_to_compare_shows_no_heading(monkeypatch):
    # a rep who joined after both periods: no attainment, no rank, no step in either
    change = PeriodChange(now="2026-Q3", then="2026-Q2", days_after_end=46, then_attainment=None,
                          now_attainment=None, then_rank=None, now_rank=None, then_n_in_role=None,
                          now_n_in_role=None, then_bottleneck=None, now_bottleneck=None, mix_move=None,
                          then_mix_distance=None, now_mix_distance=None)
    text = repr(Report(_view(change=change), charts={}).since())
    assert "2026-Q3 against 2026-Q2" not in text
    assert text == "Note: Nothing earlier to compare with yet."
    moved = PeriodChange(**{**change.__dict__, "then_attainment": 0.5, "now_attainment": 0.75})
    text = repr(Report(_view(change=moved), charts={}).since())
    assert text.startswith("2026-Q3 against 2026-Q2") and "- Attainment: 50% in 2026-Q2, 75% in 2026-Q3." in text


def test_no_score_means_no_score_breakdown():
    from salesnb.report.build import breakdown
    from salesnb.report.inputs import RepSlice

    meta = {"weights": {"weights": {"won_revenue": 60.0, "win_rate": 40.0}}}

    def of(score):
        return breakdown(RepSlice("x", meta, {}, {"won_revenue": 10.0, "win_rate": 0.2},
                                  {"won_revenue": 0.0, "win_rate": 0.0}, {"score": score}, [], [], [], None, [],
                                  None, None, {}, {}, {}, {}, {}, []))

    assert of(None) == []  # a role of two: points against one colleague would be a verdict on them
    assert [(p.metric, p.points) for p in of(0.0)] == [("won_revenue", 0.0), ("win_rate", 0.0)]
