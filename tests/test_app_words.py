"""The manager's app in plain words: one name per metric (the catalogue's) in the explorer, its exports, the
command line, the reports and their index; why a rep is at risk said in words, the figures behind a fold;
statistical terms explained on hover; the team's progress in every rep's report."""
from __future__ import annotations

import re

import pytest

from salesnb.metrics import CATALOGUE
from salesnb.words import manager as words

ATTAINMENT, WON = CATALOGUE["attainment"].label, CATALOGUE["won_revenue"].label


@pytest.fixture(scope="module")
def app(sample_dir):
    from salesnb.explorer import open_explorer

    app = open_explorer(str(sample_dir))
    app.draw_all()
    return app


def test_one_name_per_metric_in_the_explorer_its_exports_and_the_command_line(app, capsys):
    import io

    from openpyxl import load_workbook

    from salesnb.cli import main

    labels = [c["label"] for c in app.grid.columns]
    assert ATTAINMENT in labels and f"{WON} (USD)" in labels
    assert "Attainment" not in labels and not any(label.startswith("Won (") for label in labels)
    book = load_workbook(io.BytesIO(app.export()["tables-2026.xlsx"]))
    heads = [c.value for c in book["leaderboard"][1]] + [c.value for c in book["at_risk"][1]]
    assert ATTAINMENT in heads and f"{WON} (USD)" in heads and "Attainment" not in heads
    assert f"{ATTAINMENT} so far" in app.sections["attainment"].widget.value
    assert main(["score", "--top", "1"]) == 0
    head = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("role"))
    assert ATTAINMENT.lower() in head and WON.lower() in head


def test_why_a_rep_is_at_risk_is_said_in_words_with_the_figures_in_a_fold(app):
    html = app.sections["summary"].widget.value
    d = app.view.reps
    john = d[d["name"] == "John Carter"].iloc[0]  # the sample's closing bottleneck
    assert bool(john["at_risk"]) and john["bottleneck"] == "closing"
    line = re.search(r"John Carter.*?</li>", html, re.S).group(0)
    why = re.search(r'<span class="why">(.*?)</span>', line).group(1)
    assert "deals are lost at closing" in why and "USD" not in why  # words, not the arithmetic
    assert f"{round(john['bottleneck_rate'] * 100)}% against the role" in why
    assert "<details" in line and "The figures" in line and "chance of reaching it" in line and " USD" in line
    # a recent start is said as such: Omar Haddad joined mid-year
    assert "still ramping up" in re.search(r"Omar Haddad.*?</li>", html, re.S).group(0)


def test_why_in_words_names_only_what_the_facts_hold():
    row = {"likely_low": 0.42, "likely_high": 0.58, "few_new_deals": True}
    assert words.risk_why(row) == "likely 42–58% of quota: too few new deals."
    assert words.risk_why({**row, "few_new_deals": False}) == "likely 42–58% of quota."
    assert words.risk_why(row, tenure_months=2.2).endswith("joined 2 months ago, still ramping up.")
    assert words.risk_why({"likely_low": 0.7, "likely_high": 0.9, "pipeline_short": True}) == \
        "likely 70–90% of quota: too little open pipeline to close the gap."


def test_the_summary_names_where_the_funnel_leaks_even_without_quotas(two_table_dir):
    from salesnb.explorer import open_explorer

    app = open_explorer(str(two_table_dir))
    html = app.sections["summary"].widget.value
    assert "No target" in html and "Where the funnel leaks most" in html
    d = app.view.reps
    worst = d.sort_values("bottleneck_lost_wins", ascending=False).iloc[0]
    assert re.search(rf"{re.escape(worst['name'])}.{{0,40}}loses deals at", html, re.S)


def test_statistical_terms_are_explained_on_hover(app):
    from salesnb.terms import GLOSSARY

    audit = app.sections["audit"].widget.value
    for key in ("rho", "interval"):
        assert f'title="{GLOSSARY[key]}"' in audit.replace("&#x27;", "'")
    assert f'title="{GLOSSARY["d"]}"' in app.sections["top_performers"].widget.value.replace("&#x27;", "'")


def test_every_reps_report_shows_the_teams_progress_and_no_colleague(sample_dir):
    from salesnb.facts import Facts
    from salesnb.report import Report, build_view, inputs_for
    from salesnb.report.facts import RepView

    team = Facts(str(sample_dir)).team()
    inputs = inputs_for(team)
    view = build_view(inputs.slice("R006"))
    t = team.diagnosis.team
    assert view.team.won == pytest.approx(t["won"]) and view.team.target == pytest.approx(t["target"])
    assert RepView.from_dict(view.to_dict()).team == view.team
    html = Report(view).headline().html
    assert f"The whole team has won {t['won']:,.0f} USD of its {t['target']:,.0f} USD target so far" in html
    others = [n for r, n in inputs.reps["name"].items() if r != "R006"]
    assert not any(n in html for n in others)


def test_the_gap_to_target_of_a_finished_period_is_its_end_result_without_a_projection():
    running = {"target": 1_000.0, "won": 800.0, "projection": 1_100.0}
    assert words.gap_to_target(running, "the whole team", "USD") == (
        "The whole team needs 200 USD more to reach its 1,000 USD target (80% won so far); the projection at "
        "period end is 1,100 USD (110% of target).")
    over = words.gap_to_target(running, "the whole team", "USD", finished=True)
    assert over == "The whole team won 800 USD of its 1,000 USD target (80%): 200 USD short."
    assert words.gap_to_target(running | {"won": 1_200.0}, "East", "USD", finished=True) == (
        "East won 1,200 USD of its 1,000 USD target (120%): reached it.")


def test_the_short_verdict_says_why_it_cannot_tell_in_the_reason_s_own_words():
    from salesnb.words.manager import vanity_verdict

    row = {"label": "calls", "verdict": "unclear"}
    assert vanity_verdict(row, "attainment", "too early in the period: only 2 of 9 reps have closed a deal") == (
        "Calls: too early in the period to tell whether it goes with quota attainment.")
    assert vanity_verdict(row, "attainment", "too few closed deals in the period: only 9 deals won or lost in it "
                                             "(needs at least 10)") == (
        "Calls: too few closed deals in the period to tell whether it goes with quota attainment.")
    assert vanity_verdict(row, "attainment", "too few reps: 2 with an outcome to compare (needs at least 3)") == (
        "Calls: too few reps to tell whether it goes with quota attainment.")


def test_a_rep_above_quota_below_the_median_is_told_of_the_gap_to_the_median_not_to_quota():
    from salesnb.words.manager import no_leak

    row = {"projected_attainment": 2.4, "at_risk": False, "below_median": True, "weakest_step": None}
    assert no_leak(row).endswith("no step is below its median: the gap to the role's median is in volume, "
                                 "not conversion.")
    short = {**row, "projected_attainment": 0.8}
    assert no_leak(short).endswith("the gap to quota is in volume, not conversion.")
    assert no_leak({"projected_attainment": 1.3, "at_risk": False, "below_median": False}) == (
        "No step of the funnel is clearly below the team: keep doing what works.")


def test_effort_on_lost_causes_backs_a_low_quality_flag_only_when_above_the_team_s():
    from salesnb.words.manager import lead_quality

    row = {"leads": 200, "low_quality": True, "high_share": 0.2, "low_share": 0.8, "team_low_share": 0.6,
           "wasted_effort_share": 0.44, "team_wasted_effort_share": 0.51}
    assert "did not convert" not in lead_quality(row) and "never convert" not in lead_quality(row)
    above = lead_quality({**row, "wasted_effort_share": 0.6})
    assert "; 60% of activity goes to leads and deals that did not convert, against 51% for the team." in above
