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
    view = _view(headline=_headline(5.55, below_median=True, quota=100.0), funnel=weakest)
    said = words.funnel(view)
    assert "below target" not in said
    assert said.startswith("No step of your funnel is clearly below the team, but your result is below your "
                           "role's median, so start with the step furthest below it:")
    assert "25 of 50 (50%) against a team median of 62%" in said
    # projected at 80% of quota: below target, said as such
    assert "you are below target, so" in words.funnel(_view(headline=_headline(0.8), funnel=weakest))
    # no quota: the result is not measured, so it is not said to be below the median either
    unmeasured = words.funnel(_view(headline=_headline(None, below_median=True), funnel=weakest))
    assert "below your role's median" not in unmeasured
    assert "but with no quota to measure your result by, start with the step furthest below it" in unmeasured
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


# ------------------------------------------------------------------ no aggregate of too few reps


def test_figures_that_set_a_rep_against_a_small_role_are_blanked():
    import math

    import pandas as pd

    from salesnb.report.gather import role_figures

    ids = ["a1", "a2", "b1", "b2", "b3", "b4"]
    frame = pd.DataFrame({"pipeline_ratio": [0.38, 2.6, 0.5, 1.0, 1.5, 2.0],
                          "created_ratio": [0.7] * 6, "closing": [0.75] * 6, "bottleneck_team_rate": [0.4] * 6,
                          "projection": [10.0] * 6}, index=ids)
    small = pd.Series([True, True, False, False, False, False], index=ids)  # a role of two, a role of four
    out = role_figures(frame, small)
    for col in ("pipeline_ratio", "created_ratio", "closing", "bottleneck_team_rate"):
        assert math.isnan(out.at["a1", col]) and math.isnan(out.at["a2", col])  # 0.38 would give the other's 2.6
    assert out.at["b1", "pipeline_ratio"] == 0.5 and out.at["b1", "closing"] == 0.75
    assert list(out["projection"]) == [10.0] * 6  # the rep's own figures stay


def test_a_steps_team_figures_are_blanked_where_too_few_reps_have_deals_there():
    import math

    import pandas as pd

    from salesnb.report.gather import step_figures

    ids = ["r1", "r2", "r3"]
    role = pd.Series("AE", index=ids)
    frame = pd.DataFrame({"bottleneck": ["closing", "meeting", "prospecting"],
                          "bottleneck_source": ["rung", "rung", "volume"],
                          "bottleneck_team_median": [0.5, 0.7, 160.0], "bottleneck_team_q1": [0.4, 0.6, 120.0],
                          "bottleneck_team_q3": [0.6, 0.8, 200.0], "bottleneck_team_rate": [0.5, 0.7, 150.0],
                          "bottleneck_lost_wins": [3.0, 2.0, 4.0], "bottleneck_rate": [0.2, 0.3, None],
                          "weakest_step": ["meeting", "closing", None], "weakest_median": [0.7, 0.5, None]},
                         index=ids)
    # the role's figures of meeting are shown (8 reps with enough deals), those of closing are not (3)
    role_funnel = pd.DataFrame({"role": ["AE"], "step": ["meeting"], "q1": [0.6], "median": [0.7], "q3": [0.8],
                                "n": [8]})
    out = step_figures(frame, role, role_funnel)
    for col in ("bottleneck_team_median", "bottleneck_team_q1", "bottleneck_team_q3", "bottleneck_team_rate",
                "bottleneck_lost_wins"):
        assert math.isnan(out.at["r1", col])  # a leak at closing: against three reps, one of them the reader
        assert not math.isnan(out.at["r2", col]) and not math.isnan(out.at["r3", col])  # meeting; a volume step
    assert out.at["r1", "bottleneck_rate"] == 0.2  # the rep's own rate stays
    assert out.at["r1", "weakest_median"] == 0.7 and math.isnan(out.at["r2", "weakest_median"])


def test_top_performer_differences_need_four_reps_on_each_side():
    from types import SimpleNamespace

    import pandas as pd

    from salesnb.report.gather import _practices

    tp = pd.DataFrame({"feature": ["calls", "deal_size"], "label": ["calls per week", "average deal size"],
                       "kind": ["number", "money"], "top_mean": [13.5, 14000.0], "rest_mean": [8.6, 10000.0],
                       "ratio": [1.57, 1.4], "size": ["large", "large"], "within_role": [False, False],
                       "n_top": [6, 2], "n_rest": [17, 6], "notable": [True, True]})
    shown, why = _practices(SimpleNamespace(top_performers=tp))
    assert list(shown["feature"]) == ["calls"]  # a top quarter of two: the reader one of them knows the other's
    assert "fewer than 4 reps" in why
    shown, why = _practices(SimpleNamespace(top_performers=tp.iloc[:1]))
    assert list(shown["feature"]) == ["calls"] and why == ""


def test_the_whole_teams_progress_needs_four_current_reps():
    from types import SimpleNamespace

    from salesnb.report.gather import _team_progress

    def team(n):
        return SimpleNamespace(current_ids=list(range(n)),
                               diagnosis=SimpleNamespace(team={"won": 856550.0, "target": 864000.0,
                                                               "projection": 960000.0}))

    assert _team_progress(team(3)) is None  # the reader's own won off the total leaves two colleagues' sum
    assert _team_progress(team(4)) == {"won": 856550.0, "target": 864000.0, "projection": 960000.0}


def test_an_at_risk_rep_of_a_small_role_is_not_set_against_its_median():
    risk = _risk(0.4, at_risk=True, pipeline_short=True, pipeline_ratio=None, closing_slow=True, closing=None,
                 pipeline_expected=9141.0, open_deals=5)
    view = _view(headline=_headline(0.4, risk=risk), few_in_role=True)
    said = words.risk(view)
    assert "median" not in said and "as often as the team's" not in said and "—" not in said
    assert said.endswith("Your pipeline and pace are not set against the team: too few reps in your role to "
                         "compare with.")
    behind = _risk(0.4, at_risk=True, pipeline_short=True, pipeline_ratio=None, behind=True, won=100.0,
                   due_by_now=300.0)
    said = words.risk(_view(headline=_headline(0.4, risk=behind), few_in_role=True))
    assert said.endswith("Why: you have won 100 USD of the 300 USD the season expects by now.")


def test_a_role_of_two_gets_no_aggregate_and_no_comparison(sample_dir, tmp_path):
    """The sample with two AEs made a role of their own: their reports hold no figure of the other and no
    sentence that sets them against one another."""
    import shutil

    import pandas as pd

    from salesnb.analysis import analyse
    from salesnb.load import load
    from salesnb.report import build_view, inputs_for

    data = tmp_path / "two"
    shutil.copytree(sample_dir, data)
    reps = pd.read_csv(data / "reps.csv", dtype=str)
    pair = ["R006", "R015"]
    reps.loc[reps["rep_id"].isin(pair), "role"] = "Lead AE"
    reps.to_csv(data / "reps.csv", index=False)
    inputs = inputs_for(analyse(load(data)))
    for rid in pair:
        s = inputs.slice(rid)
        assert not s.role_metrics and not s.role_funnel and not s.role_mix and not s.role_monthly
        view = build_view(s)
        assert view.few_in_role and view.breakdown == [] and view.peer is None and view.strengths == []
        if view.headline.risk is not None:
            r = view.headline.risk
            assert (r.pipeline_ratio, r.created_ratio, r.closing) == (None, None, None)
        if view.funnel is not None and view.funnel.leak is not None:
            k = view.funnel.leak
            assert (k.team_median, k.team_q1, k.team_q3, k.team_rate, k.lost_wins) == (None,) * 5
        q = view.lead_quality
        assert (q.team_low_share, q.team_high_share, q.team_high_conversion) == (None, None, None)
        assert all(r.team is None for r in q.rows)
        assert view.change is None or view.change.mix_move is None
        text = "\n".join(x for x in (words.funnel(view), words.lead_quality(view), words.no_strengths(view),
                                     words.mix_close(view), words.no_peer(view), words.risk(view) or "") if x)
        assert "too few reps in your role to compare with" in text
        assert "median" not in text and "—" not in text and "in line" not in text and "close to" not in text


# ------------------------------------------------------------------ what goes well


def _strengths(values: dict, role: dict, weights: dict, modest: bool = False, funnel=(), headline=None,
               role_funnel=None, over: bool = False):
    from salesnb.report.build import strengths
    from salesnb.report.inputs import RepSlice

    meta = {"weights": {"weights": weights}, "period_over": over}
    return strengths(RepSlice("x", meta, {}, values, {}, headline or {}, list(funnel),
                              [], [], None, [], None, None, role, role_funnel or {}, {}, {}, {}, []), modest=modest)


def test_among_the_best_needs_the_best_quarter_a_spread_a_figure_and_enough_deals():
    cover = {"pipeline_coverage": {"q1": 0.02, "median": 0.03, "q3": 0.04, "n": 8}}
    # 0.04x against a median of 0.03x: both read "0.0x", no figure to be proud of
    assert _strengths({"pipeline_coverage": 0.04, "open_deals": 9.0}, cover, {"pipeline_coverage": 10.0}) == []
    cover = {"pipeline_coverage": {"q1": 0.3, "median": 0.6, "q3": 1.2, "n": 8}}
    assert [s.key for s in _strengths({"pipeline_coverage": 1.2, "open_deals": 9.0}, cover,
                                      {"pipeline_coverage": 10.0})] == ["pipeline_coverage"]
    assert _strengths({"pipeline_coverage": 1.2, "open_deals": 4.0}, cover, {"pipeline_coverage": 10.0}) == []
    # a tie at the bottom: most of the role at 0 assisted revenue, no spread to stand out of
    assisted = {"assisted_revenue": {"q1": 0.0, "median": 0.0, "q3": 0.0, "n": 8}}
    assert _strengths({"assisted_revenue": 500.0, "assisted_deals": 6.0}, assisted, {"assisted_revenue": 5.0}) == []
    # less is better, and 0 stale deals is no figure of merit
    stale = {"stale_deals": {"q1": 1.0, "median": 2.0, "q3": 4.0, "n": 8}}
    assert _strengths({"stale_deals": 0.0}, stale, {"stale_deals": 5.0}) == []
    # a win rate of 100% on one closed deal, and 50% on two, is no strength; 50% on 10 won of 20 is
    win = {"win_rate": {"q1": 0.0, "median": 0.0, "q3": 0.4, "n": 8}}
    assert _strengths({"win_rate": 1.0, "deals_won": 1.0}, win, {"win_rate": 15.0}) == []
    assert _strengths({"win_rate": 0.5, "deals_won": 1.0}, win, {"win_rate": 15.0}) == []
    assert [s.value for s in _strengths({"win_rate": 0.5, "deals_won": 10.0}, win, {"win_rate": 15.0})] == [0.5]


def test_a_rep_below_target_gets_only_figures_that_stand_out_said_without_praise():
    role = {"win_rate": {"q1": 0.15, "median": 0.19, "q3": 0.25, "n": 8}}
    at_edge = {"win_rate": 0.25, "deals_won": 10.0}
    assert [s.key for s in _strengths(at_edge, role, {"win_rate": 15.0})] == ["win_rate"]
    assert _strengths(at_edge, role, {"win_rate": 15.0}, modest=True) == []  # on the quartile: does not stand out
    above = _strengths({"win_rate": 0.3, "deals_won": 10.0}, role, {"win_rate": 15.0}, modest=True)
    view = _view(headline=_headline(0.02), strengths=above)  # projected at 2% of quota
    assert words.strength(view, above[0]) == "Win rate: 30%, in the best quarter of your role (team median 19%)."
    below_median = _view(headline=_headline(1.5, below_median=True), strengths=above)
    assert "among the best" not in words.strength(below_median, above[0])
    on_target = _view(headline=_headline(1.5), strengths=above)
    assert words.strength(on_target, above[0]) == "Win rate: 30%, among the best in the role (team median 19%)."
    # a quota, no projection and short of it so far: not known to be on target, so no praise either
    unknown = _view(headline=_headline(None, quota=200.0, attainment=0.0), strengths=above)
    assert "among the best" not in words.strength(unknown, above[0])


def test_a_funnel_strength_needs_the_roles_median_at_that_step():
    from salesnb.report.facts import Strength

    funnel = [{"step": "qualifying", "reached": 244, "advanced": 128, "rate": 128 / 244, "to": "qualified"}]
    head = {"strengths": "qualifying"}
    assert _strengths({}, {}, {}, funnel=funnel, headline=head) == []  # a role of two: no median shown
    shown = _strengths({}, {}, {}, funnel=funnel, headline=head,
                       role_funnel={"qualifying": {"q1": 0.4, "median": 0.45, "q3": 0.5, "n": 8}})
    assert [(s.key, s.team_median) for s in shown] == [("qualifying", 0.45)]
    step = Strength("step", "meeting", 0.84, 0.71)
    assert words.strength(_view(headline=_headline(0.5), strengths=[step]), step) == (
        "Getting meetings: 84% of your deals move on (qualified → meeting held), clearly above the rest of your "
        "role (team median 71%).")


# ------------------------------------------------------------------ comparisons need their figure


def test_the_mix_is_close_to_the_top_only_when_the_top_is_shown():
    from salesnb.report.facts import ActivityMix, MixRow

    no_top = ActivityMix(rows=[MixRow("call", 0.3, None, 0.28), MixRow("email", 0.7, None, 0.72)])
    said = words.mix_close(_view(activity_mix=no_top))
    assert "close to" not in said
    assert said == ("Your mix of activities is not set against the top performers: too few reps in the top quarter "
                    "of your role to show its mix.")
    assert said != words.mix_close(_view(activity_mix=no_top, few_in_role=True))
    assert "too few reps in your role" in words.mix_close(_view(activity_mix=no_top, few_in_role=True))
    top = ActivityMix(rows=[MixRow("call", 0.3, 0.32, 0.28)])
    assert words.mix_close(_view(activity_mix=top)).startswith("Your mix of activities is close to")


def test_a_small_roles_funnel_is_not_judged_against_it():
    view = _view(headline=_headline(1.2), funnel=Funnel(verdict="none"), few_in_role=True)
    said = words.funnel(view)
    assert "keep doing what works" not in said and "clearly below" not in said
    assert said == "Your funnel is not set against the team: too few reps in your role to compare with."
    assert words.no_peer(view) == "No pairing suggested: too few reps in your role to compare with."
    assert words.no_strengths(view) == "No figure of yours is set against others: too few reps in your role to " \
                                       "compare with."


# ------------------------------------------------------------------ weak evidence


def _leads(share, n, low, high, median=0.36):
    from salesnb.report.facts import LeadQuality

    return LeadQuality(leads=n, high_share=share, high_share_low=low, high_share_high=high, team_high_share=median)


def test_lead_quality_is_in_line_only_when_its_interval_says_so():
    # 36% of 132 leads, 90% interval 29-43%: within 10 points of the median 36% on both sides
    said = words.lead_quality(_view(lead_quality=_leads(0.36, 132, 0.29, 0.43)))
    assert said == ("Your lead quality is in line with the team: 36% of your 132 leads fit the ideal-customer "
                    "profile (team median 36%; 90% interval 29–43%).")
    # 27% of 15 leads, interval 13-48%: holds the median but is far too wide to call it in line
    said = words.lead_quality(_view(lead_quality=_leads(4 / 15, 15, 0.13, 0.48)))
    assert "in line" not in said
    assert said == ("27% of your 15 leads fit the ideal-customer profile, below the team median of 36%; on 15 "
                    "leads this could still be chance (weak evidence; 90% interval 13–48%).")
    # 26% of 108, interval 20-33%: the median is out of it, a clear gap
    said = words.lead_quality(_view(lead_quality=_leads(28 / 108, 108, 0.20, 0.33)))
    assert said.startswith("Fewer of your leads fit the ideal-customer profile than the team's: 26% of your 108 "
                           "leads, against a team median of 36%")
    # one lead: too few to compare, said with its count
    said = words.lead_quality(_view(lead_quality=_leads(0.0, 1, 0.0, 0.73, median=0.0)))
    assert "in line" not in said and "0 of your 1 lead fit" in said
    # no team median (a small role): not compared
    assert "team median —" not in (words.lead_quality(_view(lead_quality=_leads(0.38, 254, 0.33, 0.43,
                                                                                median=None))) or "")


def test_the_share_interval_is_the_wilson_interval():
    from salesnb.report.build import _share_interval

    # 28 of 108 at 90%: z = 1.6449, centre 0.26518, half-width 0.06877 (worked by hand)
    low, high = _share_interval(28 / 108, 108)
    assert low == pytest.approx(0.19641, abs=2e-4) and high == pytest.approx(0.33395, abs=2e-4)
    assert _share_interval(None, 10) == (None, None) and _share_interval(0.5, 0) == (None, None)


def test_a_rate_of_a_handful_of_deals_in_the_score_table_says_how_few():
    from salesnb.report.build import breakdown
    from salesnb.report.inputs import RepSlice

    meta = {"weights": {"weights": {"won_revenue": 50.0, "win_rate": 50.0}}}
    values = {"won_revenue": 12730.0, "deals_won": 1.0, "win_rate": 0.5}  # one won of two closed
    parts = {p.metric: p for p in breakdown(RepSlice("x", meta, {}, values, {"won_revenue": 50.0, "win_rate": 40.0},
                                                     {"score": 90.0}, [], [], [], None, [], None, None, {}, {},
                                                     {}, {}, {}, []))}
    assert parts["win_rate"].few_deals == 2 and parts["won_revenue"].few_deals is None  # a sum is a fact
    assert words.part_value(parts["win_rate"]) == "50% (on 2 deals: weak evidence)"
    assert words.part_value(parts["won_revenue"], "USD") == "12,730 USD"


def test_a_small_roles_tables_and_charts_have_no_team_figures_to_show(monkeypatch):
    from salesnb.report.charts import specs
    from salesnb.report.facts import ActivityMix, MixRow, Quartiles, StepFigures

    shown = _shown(monkeypatch)
    mix = ActivityMix(rows=[MixRow("call", 0.42, None, None), MixRow("email", 0.58, None, None)])
    steps = [StepFigures("meeting", 98, 62, 62 / 98, None)]
    view = _view(activity_mix=mix, funnel=Funnel(verdict="none", steps=steps), few_in_role=True)
    Report(view, charts={}).activity_mix()
    Report(view, charts={}).funnel()
    text = _text(shown)
    assert "Team median" not in text and "Top quartile" not in text and "—" not in text
    assert "Calls     42%" in text and "62 of 98" in text
    bars = next(iter(specs(view)["activity_mix"]["datasets"].values()))
    assert {b["group"] for b in bars} == {"You"}  # no team bar drawn at 0
    shown.clear()
    with_team = _view(funnel=Funnel(verdict="none", steps=[StepFigures("meeting", 98, 62, 62 / 98,
                                                                       Quartiles(0.7, 0.75, 0.8, 8))]))
    Report(with_team, charts={}).funnel()
    assert "Team median" in _text(shown) and "70% – 80%" in _text(shown)


# ------------------------------------------------------------------ hygiene says what it could not check


def test_open_deals_that_nothing_can_be_checked_on_are_not_called_none():
    # an export with open deals but no next step, no activities or stage dates, and no expected close dates:
    # every flag is unchecked, so the section names the missing columns, never "No open deals to check"
    lacks = {"next_step": "the opportunities have no next_step values", "stale": "there are no activities",
             "past_close_date": "the open deals have no expected close date"}
    text = repr(Report(_view(unavailable=lacks), charts={}).hygiene())
    assert "No open deals to check" not in text
    assert "Not checked: next steps (the opportunities have no next_step values)" in text
    assert "close dates (the open deals have no expected close date)" in text
    # with a check the data can make and no deal to flag, there is nothing open to check
    checked = repr(Report(_view(unavailable={"next_step": lacks["next_step"]}), charts={}).hygiene())
    assert "No open deals to check." in checked


# ------------------------------------------------------------------ "on track" is reassurance: earned only


def test_on_track_needs_a_clear_chance_and_a_rep_not_below_the_median():
    # projected at 110% with a 90% chance of reaching quota: on track
    assert words.risk(_view(headline=_headline(1.1))).startswith("On track: you are likely to end at 99–121% of quota")
    # the same, below the role's median: no reassurance, the outlook only
    below = words.risk(_view(headline=_headline(1.1, below_median=True)))
    assert below.startswith("Not flagged at risk: you are likely to end at 99–121% of quota")
    # a coin flip (53%) is not "on track" either
    flip = _headline(1.05)
    flip = Headline(**{**flip.__dict__, "risk": _risk(1.05, chance=0.53)})
    assert words.risk(_view(headline=flip)).startswith("Not flagged at risk:")


# ------------------------------------------------------------------ a finished period looks back, not ahead


def test_a_finished_period_shows_what_it_was_short_by_not_what_is_still_to_win():
    done = _headline(None, won=96.0, quota=100.0, attainment=0.96, finished=True)
    text = repr(Report(_view(headline=done), charts={}).headline())
    assert "Still to win" not in text and "Short by" in text and "4 USD" in text
    made = _headline(None, won=120.0, quota=100.0, attainment=1.2, finished=True)
    text = repr(Report(_view(headline=made), charts={}).headline())
    assert "Still to win" not in text and "Short by" not in text
    running = _headline(None, won=96.0, quota=100.0, attainment=0.96)
    assert "Still to win" in repr(Report(_view(headline=running), charts={}).headline())


def test_a_finished_period_has_no_pipeline_strength():
    cover = {"pipeline_coverage": {"q1": 0.3, "median": 0.6, "q3": 1.2, "n": 8}}
    values, weights = {"pipeline_coverage": 11.6, "open_deals": 9.0}, {"pipeline_coverage": 10.0}
    assert [s.key for s in _strengths(values, cover, weights)] == ["pipeline_coverage"]
    assert _strengths(values, cover, weights, over=True) == []  # what is open now is the next period's


def test_a_monthly_median_of_zero_is_not_offered_as_the_team_s_bar():
    from salesnb.report.facts import Point, Trend

    zero = Trend(months=[Point(f"2026-0{m}-01", 0.0, 0.0, 0) for m in (7, 8, 9)])
    said = words.trend(_view(trend=zero))
    assert said[1] == ("Last 3 months (2026-07 to 2026-09): you won 0 USD; in each of those months at least half of "
                       "the team won nothing, so its monthly median is 0 and gives no bar.")
    some = Trend(months=[Point(f"2026-0{m}-01", 100.0, 50.0, 1) for m in (7, 8, 9)])
    assert words.trend(_view(trend=some))[1].endswith("you won 300 USD; the team's monthly medians add up to 150 USD.")


def test_a_role_ratio_reads_the_same_percent_in_the_report_as_in_diagnose():
    import pandas as pd

    from salesnb.present import pct
    from salesnb.report.gather import role_figures

    # 0.2545: diagnose says 25%; rounded first to three digits (0.255) it read 26%
    frame = pd.DataFrame({"pipeline_ratio": [0.2545, 0.7849], "created_ratio": [0.785, 1.2349]}, index=["a", "b"])
    shown = role_figures(frame.copy(), pd.Series(False, index=frame.index))
    for col in frame:
        assert [pct(x) for x in shown[col]] == [pct(x) for x in frame[col]], col
