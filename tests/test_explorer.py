"""The team explorer driven as a manager would, by setting widget values (no browser, no kernel), on a team
whose figures are worked out by hand below."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from salesnb.dataset import Dataset
from salesnb.explorer import explore
from salesnb.explorer.state import EVERYONE, scopes
from salesnb.terms import NORMALISATION_HELP, NORMALISATION_NAMES

# Six AEs in two teams, hired long before 2026; report date 2026-06-30.
#   rep  name        team  won Q1  won Q2  year   lost  win rate (year)
#   a    Alma Ortiz  East   300     100     400    2     2/4 = 0.50
#   b    Bruno Lee   East   100     250     350    0     2/2 = 1.00
#   c    Chen Wu     East   200     120     320    1     2/3 = 0.67
#   d    Dara Fox    West    50      90     140    0     2/2 = 1.00
#   e    Emil Roy    West    80      20     100    1     2/3 = 0.67
#   f    Femi Ade    West    10      10      20    3     2/5 = 0.40
NAMES = {"a": "Alma Ortiz", "b": "Bruno Lee", "c": "Chen Wu", "d": "Dara Fox", "e": "Emil Roy", "f": "Femi Ade"}
TEAM = {"a": "East", "b": "East", "c": "East", "d": "West", "e": "West", "f": "West"}
MANAGER = {"East": "Ines Park", "West": "Omar Quill"}
WON = {"a": (300, 100), "b": (100, 250), "c": (200, 120), "d": (50, 90), "e": (80, 20), "f": (10, 10)}
LOST = {"a": 2, "b": 0, "c": 1, "d": 0, "e": 1, "f": 3}
# team targets per quarter (team_quotas): East 500, West 200; each rep's own quota 150 a quarter
TEAM_QUARTER = {"East": 500.0, "West": 200.0}
# open deals at the report date: a has two with no next step and a close date gone by; c one with no next step
OPEN = [("a", "Acme", 500.0, None, "2026-06-01"), ("a", "Beta", 700.0, None, "2026-06-10"),
        ("c", "Gamma", 900.0, None, "2026-09-01"), ("d", "Delta", 400.0, "demo", "2026-09-01")]
AS_OF = "2026-06-30"


def hand_team(extra_opps=()) -> Dataset:
    opps = list(extra_opps)
    for rep, (q1, q2) in WON.items():
        opps.append(dict(opportunity_id=f"{rep}-w1", rep_id=rep, created_date="2026-01-10", status="won", amount=q1,
                         close_date="2026-02-15", next_step="x", account=f"{rep} one"))
        opps.append(dict(opportunity_id=f"{rep}-w2", rep_id=rep, created_date="2026-04-05", status="won", amount=q2,
                         close_date="2026-05-20", next_step="x", account=f"{rep} two"))
        opps += [dict(opportunity_id=f"{rep}-l{i}", rep_id=rep, created_date="2026-01-12", status="lost", amount=5.0,
                      close_date="2026-03-01", next_step="x", account=f"{rep} lost") for i in range(LOST[rep])]
    opps += [dict(opportunity_id=f"{rep}-o-{acct}", rep_id=rep, created_date="2026-05-01", status="open", amount=amount,
                  close_date=close, next_step=step, account=acct) for rep, acct, amount, step, close in OPEN]
    reps = [dict(rep_id=r, name=NAMES[r], team=TEAM[r], manager=MANAGER[TEAM[r]], role="AE", hire_date="2020-01-01")
            for r in NAMES]
    quarters = [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"), ("2026-07-01", "2026-09-30"),
                ("2026-10-01", "2026-12-31")]
    quotas = [dict(rep_id=r, period_start=s, period_end=e, quota=150.0) for r in NAMES for s, e in quarters]
    team_quotas = [dict(team=t, period_start=s, period_end=e, quota=q) for t, q in TEAM_QUARTER.items() for s, e in quarters]
    return Dataset.from_frames(reps=reps, opportunities=opps, quotas=quotas, team_quotas=team_quotas)


@pytest.fixture(scope="module")
def dataset():
    return hand_team()


@pytest.fixture
def app(dataset, tmp_path):
    return explore(dataset, period="2026", as_of=AS_OF, save_dir=tmp_path)


def only(app, metric: str, value: float = 10.0) -> None:
    """Move sliders so that only `metric` carries weight (one slider at a time, as a person would)."""
    app.controls.sliders[metric].value = value
    for m, s in app.controls.sliders.items():
        if m != metric:
            s.value = 0.0


def board(app) -> list[list]:
    """The rank table's rows as the page shows them before "Show all": rep id and rank move (0: no arrow)."""
    app.draw("leaderboard")
    rows = app.grid.rows[:app.grid.limit] if app.grid.limit else app.grid.rows
    return [[r["id"], r["move"]] for r in rows]


def shown(app, section: str) -> str:
    """A section's HTML after drawing it (as opening its tab or fold would); the rank table's rows as JSON."""
    app.draw(section)
    if section == "leaderboard":
        return json.dumps(app.grid.rows)
    return app.sections[section].widget.value


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------------------ one leaderboard, rank moves


def test_a_slider_move_reorders_the_one_leaderboard_with_rank_arrows_against_the_preset(app):
    app.controls.preset.value = "outcomes-first"
    only(app, "won_revenue")
    app.controls.preset.value = "custom"  # a no-op: custom is what moved sliders make
    # won revenue alone: a 400 > b 350 > c 320 > d 140 > e 100 > f 20; now make that the base to count against
    assert [r for r, _ in board(app)] == list("abcdef")
    base = app.state
    app.explorer.presets["won only"] = app.view.weights
    app.controls.preset.options = [*app.controls.preset.options[:-1], "won only", "custom"]
    app.controls.preset.value = "won only"
    assert app.state.base == "won only" and not app.state.custom
    only(app, "win_rate")
    # win rate alone: b and d 1.00 (rank 1, by name), c and e 0.67 (rank 3), a 0.50 (5), f 0.40 (6)
    # against won revenue: a 1->5 (-4), b 2->1 (+1), c 3->3, d 4->1 (+3), e 5->3 (+2), f 6->6
    rows = board(app)
    assert rows == [["b", 1], ["d", 3], ["c", 0], ["e", 2], ["a", -4], ["f", 0]]
    assert app.controls.preset.value == "custom" and app.state.weights != base.weights
    assert app.grid.moves_against == "against the won only weights"


def test_weights_show_as_shares_of_the_total_and_each_class_says_its_share(app):
    only(app, "won_revenue", 10.0)
    app.controls.sliders["win_rate"].value = 30.0
    share = {m: text(w.value).strip() for m, w in app.controls.shares.items()}
    assert share["won_revenue"] == "25%" and share["win_rate"] == "75%"
    assert all(v == "0%" for m, v in share.items() if m not in ("won_revenue", "win_rate"))
    # won revenue and win rate are both outcome metrics: that class holds all of the score
    titles = dict(zip(app.controls.kinds, [f.title for f in app.controls.panel.children]))
    assert titles["outcome"].startswith("Outcomes: 100%")


def test_choosing_a_preset_sets_every_slider_and_the_scoring(app):
    from salesnb.scorecard import PRESETS

    only(app, "win_rate")
    app.controls.preset.value = "balanced"
    for m, s in app.controls.sliders.items():
        assert s.value == PRESETS["balanced"].weights.get(m, 0.0), m
    assert app.controls.normalisation.value == PRESETS["balanced"].normalisation and not app.state.custom


def test_all_zero_weights_say_so_and_keep_the_last_ranking(app):
    only(app, "won_revenue")
    before = shown(app, "leaderboard")
    app.controls.sliders["won_revenue"].value = 0.0
    assert "at least one weight" in app.status.value
    assert shown(app, "leaderboard") == before
    app.controls.sliders["win_rate"].value = 5.0
    assert app.status.value == "" and [r for r, _ in board(app)][0] in ("b", "d")


def test_scoring_options_are_plain_words_with_a_line_on_what_each_does(app):
    assert [label for label, _key in app.controls.normalisation.options] == list(NORMALISATION_NAMES.values())
    for key in NORMALISATION_NAMES:
        app.controls.normalisation.value = key
        assert NORMALISATION_HELP[key] in app.controls.scoring_help.value
    app.controls.normalisation.value = "target"
    assert "can pass 100" in shown(app, "board_notes")


def test_a_metric_has_one_colour_in_the_panel_and_the_board_and_no_two_share_one(app):
    from salesnb.explorer.sections import metric_colours

    colours = metric_colours(app.controls.metrics)
    assert len(set(colours.values())) == len(colours)
    only(app, "won_revenue")
    app.controls.sliders["win_rate"].value = 10.0
    app.draw("leaderboard")
    drawn = {x["key"]: x["colour"] for x in app.grid.legend}
    assert drawn == {"won_revenue": colours["won_revenue"], "win_rate": colours["win_rate"]}
    panel = {m: app.controls.panel.children[app.controls.kinds.index("outcome")].content for m in drawn}
    for m, group in panel.items():
        swatches = [row.children[0].value for row in group.children if row.children[1] is app.controls.sliders[m]]
        assert f"background:{colours[m]}" in swatches[0]


# ------------------------------------------------------------------ period, team, role


def test_a_period_change_changes_the_title_and_team_progress(app):
    assert "2026, as of 2026-06-30" in text(shown(app, "title"))
    # the year: won 400+350+320+140+100+20 = 1,330 of a 2,800 target (East 4 x 500 + West 4 x 200)
    assert "1,330 USD" in text(shown(app, "progress")) and "2,800 USD" in text(shown(app, "progress"))
    app.controls.period.value = "2026-Q1"
    assert "2026-Q1, as of 2026-06-30" in text(shown(app, "title"))
    # Q1: won 300+100+200+50+80+10 = 740 of 500 + 200 = 700
    progress = text(shown(app, "progress"))
    assert "740 USD" in progress and "700 USD" in progress and "106%" in progress
    assert "The whole team won 740 USD of its 700 USD target (106%): reached it." in text(shown(app, "summary"))


def test_a_team_filter_narrows_every_section(app):
    app.controls.scope.value = "team:East"
    app.controls.rep.value = "b"
    app.draw_all()
    west = [NAMES[r] for r in "def"]
    for name in app.sections:
        html = shown(app, name)
        assert not any(n in html for n in west), f"{name} shows a West rep"
    assert [r for r, _ in board(app)] == [r for r in app.view.board["rep_id"]]
    assert set(app.view.board["rep_id"]) == {"a", "b", "c"}
    # East's own target: 4 quarters x 500 = 2,000; won 400 + 350 + 320 = 1,070
    assert "East needs 930 USD more to reach its 2,000 USD target (54% won so far)" in text(shown(app, "summary"))
    assert "East" in text(shown(app, "title"))
    assert [label for label, _k in app.controls.scope.options] == ["All teams", "East (Ines Park)", "West (Omar Quill)"]


def test_the_rep_list_follows_the_team_and_a_rep_outside_it_is_let_go(app):
    app.controls.rep.value = "d"
    app.controls.scope.value = "team:East"
    assert app.state.rep == "" and [k for _l, k in app.controls.rep.options] == ["", "a", "b", "c"]


def test_period_work_is_done_once_and_sliders_and_filters_never_redo_it(dataset, tmp_path, monkeypatch):
    import salesnb.analysis as analysis

    calls = []
    real = analysis.analyse
    monkeypatch.setattr(analysis, "analyse", lambda *a, **k: calls.append(k.get("period")) or real(*a, **k))
    app = explore(dataset, period="2026", as_of=AS_OF, save_dir=tmp_path)
    for v in (5.0, 20.0, 0.0, 7.0):
        app.controls.sliders["win_rate"].value = v
    app.controls.scope.value = "team:West"
    app.controls.preset.value = "balanced"
    app.draw_all()
    assert [getattr(p, "label", p) for p in calls] == ["2026"]  # opening analysed the first period, nothing since
    app.controls.period.value = "2026-Q1"
    app.controls.period.value = "2026"
    app.controls.period.value = "2026-Q1"
    assert [getattr(p, "label", p) for p in calls] == ["2026", "2026-Q1"]


# ------------------------------------------------------------------ summary and tables


def test_summary_names_who_is_at_risk_and_the_deals_to_fix_first(app):
    d = app.view.team.diagnosis.reps
    risky = set(d.loc[d["at_risk"].fillna(False).astype(bool), "rep_id"])
    summary = text(shown(app, "summary"))
    for rep in NAMES:
        assert bool(re.search(rf"{NAMES[rep]}\s*:", summary)) == (rep in risky), rep  # agrees with the diagnosis
    # the deals: most flags first, then the largest: Beta (a, 2 flags, 700), Acme (a, 2 flags, 500), Gamma (c, 1)
    order = [summary.index(f"{acct}, ") for acct in ("Beta", "Acme", "Gamma")]
    assert order == sorted(order) and "Delta" not in summary
    assert "Beta, 700 USD (Alma Ortiz): no next step, past its close date (2026-06-10)." in summary


def test_a_period_that_is_over_says_who_finished_short_and_by_how_much(app):
    app.controls.period.value = "2026-Q1"  # over by the report date: nothing is "at risk" any more
    summary = text(shown(app, "summary"))
    # Q1 quota 150 each: f won 10 (7%, 140 short), d 50 (33%, 100 short), e 80 (53%, 70), b 100 (67%, 50)
    assert "Finished short of quota: 4 of 6 reps" in summary and "At risk" not in summary
    lines = re.findall(r"(\w+ \w+) : missed by ([\d,]+ USD): (\d+%) of quota", summary)
    assert lines == [("Femi Ade", "140 USD", "7%"), ("Dara Fox", "100 USD", "33%"), ("Emil Roy", "70 USD", "53%"),
                     ("Bruno Lee", "50 USD", "67%")]
    assert "needs" not in summary and "/day" not in summary


def test_hygiene_leads_with_the_reps_with_most_flags_and_folds_the_clean_ones(app):
    hygiene = shown(app, "hygiene")
    table = hygiene.split("<details")[0]
    assert table.index("Alma Ortiz") < table.index("Chen Wu")  # 4 flags, then 1
    assert not any(NAMES[r] in table for r in "bdef")
    # the fixture logs no activity and no stage dates: staleness is not checked, so it gets no column of zeros
    # and nobody is called up to date on it
    assert "4 reps with no flagged open deal" in text(hygiene) and "up to date" not in text(hygiene)
    assert "Not checked: recent activity" in text(hygiene) and "<th class=\"num\">Stale</th>" not in table


def test_missing_tables_are_named_with_how_to_add_them(app):
    assert "add activities.csv" in shown(app, "audit")
    assert "add leads.csv" in shown(app, "lead_quality")


def test_export_offers_the_three_lists_as_downloads_and_writes_nothing_on_the_server(app, tmp_path):
    import base64
    import io

    from openpyxl import load_workbook

    app.controls.scope.value = "team:East"
    before = sorted(tmp_path.rglob("*"))
    files = app.export()
    assert list(files) == ["leaderboard-2026-East.csv", "at_risk-2026-East.csv", "hygiene-2026-East.csv",
                           "tables-2026-East.xlsx"]
    assert sorted(tmp_path.rglob("*")) == before, "nothing is written on the server"
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', app.downloads.value))
    assert {k: base64.b64decode(v) for k, v in links.items()} == files  # the links hold exactly these files
    board = pd.read_csv(io.BytesIO(files["leaderboard-2026-East.csv"]), encoding="utf-8-sig")
    assert board["Rep id"].tolist() == app.view.board["rep_id"].tolist() and set(board["Team"]) == {"East"}
    deals = pd.read_csv(io.BytesIO(files["hygiene-2026-East.csv"]), encoding="utf-8-sig")
    assert deals["Account"].tolist() == ["Beta", "Acme", "Gamma"] and deals["Amount (USD)"].tolist() == [700, 500, 900]
    book = load_workbook(io.BytesIO(files["tables-2026-East.xlsx"]))
    assert book.sheetnames == ["leaderboard", "at_risk", "hygiene"]
    sheet = book["leaderboard"]
    head = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    assert sheet.cell(2, head.index("Quota attainment") + 1).number_format == "0%"
    assert sheet.cell(2, head.index("Won revenue (USD)") + 1).number_format == "#,##0"
    assert sheet.column_dimensions["D"].width >= len("Rep")
    # a change makes the links stale: they go
    app.controls.scope.value = "team:West"
    assert app.downloads.value == ""


def test_a_cell_a_spreadsheet_would_run_is_written_as_text():
    from salesnb.formula_safe import csv_cell

    assert [csv_cell(v) for v in ("=SUM(A1)", "+1", "-x", "@a", "\tx", "\rx", "Ann", 3, -3)] == [
        "'=SUM(A1)", "'+1", "'-x", "'@a", "'\tx", "'\rx", "Ann", 3, -3]


def test_save_writes_the_weights_and_says_where_and_what_uses_them(app, tmp_path):
    from salesnb.scorecard import load_weights

    only(app, "win_rate", 20.0)
    target = app.save()
    assert target == tmp_path / "weights.toml" and load_weights(target).weights == {"win_rate": 20.0}
    status = text(app.status.value)
    assert str(tmp_path.resolve()) in status and f"salesnb reports --weights {target.resolve()}" in status


def test_opening_from_a_weights_file_starts_from_it_and_counts_moves_against_it(dataset, tmp_path):
    from salesnb.scorecard import Weights, save_weights

    file = save_weights(Weights({"won_revenue": 1.0}, name="mine"), tmp_path / "team.toml")
    app = explore(dataset, period="2026", as_of=AS_OF, weights_file=file, save_dir=tmp_path / "elsewhere")
    assert app.controls.preset.value == "team.toml" and app.controls.sliders["won_revenue"].value == 1.0
    only(app, "win_rate")
    assert board(app)[0] == ["b", 1]
    assert app.save() == file  # saving writes back to the file it started from


def test_scopes_offer_managers_when_the_export_has_no_teams():
    reps = pd.DataFrame({"team": [None, None, None], "manager": ["Kim", "Lou", "Kim"]}, index=["x", "y", "z"])
    assert {k: s.label for k, s in scopes(reps).items()} == {EVERYONE: "All teams", "manager:Kim": "Kim's reps",
                                                             "manager:Lou": "Lou's reps"}


# ------------------------------------------------------------------ the one-on-one view


@pytest.fixture
def ipython(tmp_path, monkeypatch):
    """An IPython shell, as in a kernel: the report's sections display parts of themselves."""
    import sys

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    hooks = sys.displayhook, sys.excepthook
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    yield shell
    InteractiveShell.clear_instance()
    sys.displayhook, sys.excepthook = hooks


def test_drill_down_shows_the_chosen_reps_report_with_the_rank_on_screen(app, ipython):
    only(app, "won_revenue")
    app.controls.rep.value = "c"  # won revenue alone: Chen Wu is 3rd of 6
    html = shown(app, "one_on_one")
    assert "Chen Wu" in html and "3 of 6 AE reps" in text(html)
    peer = app.view.team.diagnosis.reps.set_index("rep_id").at["c", "pair_with"]
    others = [NAMES[r] for r in NAMES if r not in ("c", peer)]
    assert not any(n in html for n in others), "a one-on-one view names no other rep but the peer"
    headings = re.findall(r'<h3 class="snx-section">([^<]+)</h3>', html)
    assert headings[:4] == ["Headline", "Since last time", "What goes well", "The funnel step to work on"]


def test_the_one_on_one_has_the_report_notebooks_sections_in_its_order(app, ipython):
    import nbformat

    from salesnb.config import REPORT_NOTEBOOK

    nb = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    headings = [c.source.splitlines()[0].lstrip("# ") for c in nb.cells if c.cell_type == "markdown"]
    calls = [c.source.strip() for c in nb.cells if c.cell_type == "code" and c.source.strip().startswith("report.")]
    assert len(headings) == len(calls) >= 9  # one heading per section (the title cell is not one)
    app.controls.rep.value = "a"
    assert re.findall(r'<h3 class="snx-section">([^<]+)</h3>', shown(app, "one_on_one")) == headings


def test_rank_stability_names_only_the_reps_whose_rank_moves(app):
    from salesnb.scorecard import rank_stability

    only(app, "won_revenue", 10.0)
    app.controls.sliders["win_rate"].value = 10.0  # two metrics that disagree: some ranks hang on the weights
    st = rank_stability(app.view.team.table, app.view.weights)  # the package's own jitter, without the explorer
    moving = set(st.index[st["changed_share"] > 0])
    assert moving and len(moving) < len(st), "some ranks must move and some not, or the test cannot see it"
    html = text(shown(app, "stability"))
    assert f"The ranks of {len(st) - len(moving)} of {len(st)} reps never move" in html
    for rep, name in NAMES.items():
        assert (name in html) == (rep in moving), name


# ------------------------------------------------------------------ over time


def test_over_time_shows_each_reps_attainment_then_and_now_reps_who_fell_first(dataset, tmp_path):
    # One lost deal of 2025 makes the data start before 2026-Q1, so the last complete quarter at 2026-06-30
    # (Q2) is compared with Q1, both as of their last day. Each rep's quota is 150 a quarter.
    early = dict(opportunity_id="f-2025", rep_id="f", created_date="2025-12-01", status="lost", amount=5.0,
                 close_date="2025-12-20", next_step="x", account="f old")
    app = explore(hand_team([early]), period="2026", as_of=AS_OF, save_dir=tmp_path)
    html = text(shown(app, "since"))
    assert "2026-Q2 against 2026-Q1" in html
    expected = {r: (f"{round(q1 / 150 * 100)}%", f"{round(q2 / 150 * 100)}%") for r, (q1, q2) in WON.items()}
    for r, (then, now) in expected.items():
        assert f"{NAMES[r]} {then} → {now}" in html, (r, then, now)
    # no step has enough deals in both quarters to judge, so none moved: the biggest falls in attainment lead
    falls = sorted(WON, key=lambda r: ((WON[r][1] - WON[r][0]) / 150, NAMES[r]))
    assert [r for r in sorted(WON, key=lambda r: html.index(NAMES[r]))] == falls
    # and the page says so, not that nothing moved
    from salesnb.diagnostics.change import MIN_REACHED

    assert (f"No rep has {MIN_REACHED} or more deals reaching a step in both periods, so no step can be told to "
            "have moved") in html
    assert "0 rose and 0 fell" not in html and "none clearly" not in html and "too few deals to tell" in html


def test_over_time_compares_a_partly_covered_quarter_with_a_note_and_says_when_there_is_no_track_record(app):
    # the hand team's data starts on 2026-01-10: 2026-Q1 is covered from then on (81 of its 90 days, at least
    # half), so 2026-Q2 is compared with it, saying so; there is no earlier year with quotas to test the warning on
    since = text(shown(app, "since"))
    assert "2026-Q2 against 2026-Q1" in since
    assert "The deals in the data start on 2026-01-10: 2026-Q1 is compared from then on (81 of its 90 days)" in since
    assert "Not enough history yet" in text(shown(app, "backtest"))


def test_a_teams_activity_audit_is_the_audit_of_its_reps_over_the_whole_teams_weeks(sample_dir, tmp_path):
    """The explorer audits one team from that team's rows of the facts; the audit must be the one the full
    dataset gives for the same reps, with every rate per week of the days the whole team's activities cover."""
    from salesnb.diagnostics.diagnosis import team_findings
    from salesnb.explorer import open_explorer
    from salesnb.load import load

    app = open_explorer(sample_dir, save_dir=tmp_path)
    west = next(k for label, k in app.controls.scope.options if label.startswith("West"))
    app.controls.scope.value = west
    app.draw("audit")
    shown = app.view.findings
    team = app.view.model.team(app.state.period)
    reps = load(sample_dir).reps
    west_ids = pd.Index([r for r in team.current_ids if reps.set_index("rep_id").at[r, "team"] == "West"])
    expected = team_findings(load(sample_dir), team.table, west_ids)
    assert len(shown.vanity) and "calls" in app.sections["audit"].widget.value
    pd.testing.assert_frame_equal(shown.vanity.reset_index(drop=True), expected.vanity.reset_index(drop=True))


def test_the_funnel_and_lead_quality_say_which_recent_leads_and_deals_their_rates_leave_out(sample_dir, tmp_path):
    from salesnb.explorer import open_explorer

    app = open_explorer(sample_dir, save_dir=tmp_path)
    said = app.view.model.team(app.state.period).diagnosis.settled_leads.note()
    assert said and said.startswith("Leads created from ")
    assert said in text(shown(app, "funnel"))  # its first column is qualifying leads
    deals = app.view.model.team(app.state.period).diagnosis.deals_settling
    assert deals.startswith("Each step counts only the deals") and deals in text(shown(app, "funnel"))
    west = next(k for label, k in app.controls.scope.options if label.startswith("West"))
    app.controls.scope.value = west  # a team's own bands are read on the same settled leads
    assert said in text(shown(app, "lead_quality"))
