"""Pieces of the batch job that need no kernel: privacy scan, offline export checks, index, sharding."""
from __future__ import annotations

import re

import nbformat
import pytest

from salesnb.batch.export import external_references, notebook_to_html, safe_svg
from salesnb.batch.index import IndexRow, render_index
from salesnb.batch.privacy import scan_report
from salesnb.errors import ConfigError
from salesnb.batch.select import parse_rep_list, parse_shard, shard_of

TEAM = [("R1", "Ann Lee"), ("R10", "Bob Stone"), ("R2", "Ann"), ("a/b", "Zoë O'Brien")]


# ---------------------------------------------------------------- privacy scan

def test_scan_finds_another_reps_name_and_id():
    page = "<p>Report for Ann Lee (R1)</p><p>Bob Stone closed more.</p><svg aria-label='rep: R10'></svg>"
    leaks = scan_report(page, "R1", TEAM)  # "Ann" (R2) only inside the own name: not a leak
    assert {(leak.rep_id, leak.what) for leak in leaks} == {("R10", "name"), ("R10", "id")}


def test_scan_matches_whole_words_only():
    # R1's report: R10's id only occurs inside "R100"; R2's name "Ann" only inside the own name "Ann Lee"
    # and inside "AnnLee2"
    page = "<p>Ann Lee, R1, deal R100, AnnLee2</p>"
    assert scan_report(page, "R1", TEAM) == []


def test_scan_allows_the_suggested_peer_name_only():
    page = "<p>Pair with Bob Stone.</p>"
    assert scan_report(page, "R1", TEAM, allowed_names=["Bob Stone"]) == []
    leaks = scan_report(page + "<p>R10</p>", "R1", TEAM, allowed_names=["Bob Stone"])
    assert [(x.rep_id, x.what) for x in leaks] == [("R10", "id")]


def test_scan_undoes_html_escaping():
    page = "<p>Zo&euml; O&#x27;Brien</p>"
    leaks = scan_report(page, "R1", TEAM)
    assert [(x.rep_id, x.what) for x in leaks] == [("a/b", "name")]


def test_scan_finds_a_short_name_inside_a_longer_one():
    # "Ann" (R2) is inside "Ann Lee" (R1); in R10's report both are someone else
    leaks = scan_report("<p>Ann Lee</p>", "R10", TEAM)
    assert {(x.rep_id, x.what) for x in leaks} == {("R1", "name"), ("R2", "name")}


def test_scan_ignores_style_sheets():
    assert scan_report("<style>.R10 { color: red }</style><p>hello</p>", "R1", TEAM) == []


# ---------------------------------------------------------------- offline export

@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
    '<img src="//example.com/x.png">',
    '<style>@import url("https://x.org/a.css");</style>',
    '<div style="background: url(http://x.org/b.png)"></div>',
    '<script src="require.js"></script>',
    '<iframe src="https://example.com"></iframe>',
])
def test_external_references_are_found(snippet):
    assert external_references(f"<html><body>{snippet}</body></html>")


def test_inline_data_and_plain_links_are_not_requests():
    page = ('<img src="data:image/png;base64,AAAA"><a href="https://example.com/docs">docs</a>'
            '<svg xmlns="http://www.w3.org/2000/svg"><use href="#m"/></svg><p>see http://x.org</p>')
    assert external_references(page) == []


def test_safe_svg_drops_scripts_handlers_and_outside_links():
    svg = ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
           '<script>alert(2)</script><a href="https://evil.example"><rect width="1" height="1"/></a>'
           '<foreignObject><div>x</div></foreignObject><path d="M0,0"/></svg>')
    out = safe_svg(svg)
    for bad in ("<?xml", "onload", "<script", "evil.example", "foreignObject"):
        assert bad not in out
    assert "<rect" in out and "<path" in out


def _nb(outputs_cell):
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code_here = 1")
    code.outputs = outputs_cell
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), code]
    return nb


def test_export_hides_code_inlines_svg_and_requests_nothing():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    nb = _nb([nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "image/png": "AAAA",
                                                             "text/plain": "Chart"}),
              nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy\n")])
    page = notebook_to_html(nb, "A <title>")
    assert "secret_code_here" not in page
    svg_at = page.index('data-mime-type="image/svg+xml"')
    assert "<svg" in page[svg_at:svg_at + 300] and "<rect" in page[svg_at:svg_at + 300]
    assert "data:image/png;base64,AAAA" not in page  # the SVG wins; no duplicate bitmap
    assert "UserWarning" not in page
    assert "<title>A &lt;title&gt;</title>" in page
    assert external_references(page) == []
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "mathjax", "require.min.js", "mermaid"):
        assert cdn not in page.lower()


# ---------------------------------------------------------------- index page

def test_index_escapes_everything_and_lists_failures_with_reason():
    rows = [
        IndexRow("../x", "<script>alert(1)</script>", role="AE", href="x-1.html", attainment=0.5,
                 projected_attainment=1.25, likely="112–131%", rank=2, n_in_role=7, bottleneck="closing"),
        IndexRow("R2", "Bob & Co", status="failed", reason="cell 4 (f(x)): ValueError: <bad>"),
        IndexRow("R3", "Cy", status="pending"),
    ]
    page = render_index(rows, title="Team <1>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="x-1.html">' in page
    assert ">50%<" in page and ">112–131%<" in page and "2 of 7" in page and ">Closing<" in page
    assert "Bob &amp; Co" in page and "ValueError: &lt;bad&gt;" in page
    assert "1 report(s) written, 1 failed, 1 not run here" in page
    assert external_references(page) == []


def _row(name, *, at_risk, rank, projected, score, bottleneck="none", i=0):
    facts = {"quota": 1000.0, "at_risk": at_risk, "projected_attainment": projected, "likely_low": projected - 0.1,
             "likely_high": projected + 0.1, "chance": 0.1, "behind": True, "won": 300.0, "due_by_now": 500.0}
    from salesnb.words.manager import risk_reason, risk_short

    return IndexRow(name, name, role="AE", href=f"{i}.html", attainment=0.5, projected_attainment=projected, rank=rank,
                    n_in_role=4, bottleneck=bottleneck, score=score, at_risk=at_risk,
                    risk_reason=risk_reason(facts, "EUR") if at_risk else "",
                    risk_short=risk_short(facts) if at_risk else "")


def test_index_lists_at_risk_reps_first_with_reason_and_score():
    rows = [_row("Top", at_risk=False, rank=1, projected=1.3, score=80.0, i=0),
            _row("Mid", at_risk=False, rank=2, projected=1.0, score=50.0, i=1),
            _row("Slow <b>", at_risk=True, rank=3, projected=0.7, score=30.0, bottleneck="insufficient_data", i=2),
            _row("Worst", at_risk=True, rank=4, projected=0.4, score=10.0, bottleneck="closing", i=3)]
    page = render_index(rows, title="T")
    body = page[page.index("<tbody>"):]
    # at risk first, the lowest projection (40% < 70%) first; then the rest by rank in role
    order = [body.index(f'href="{i}.html"') for i in (3, 2, 0, 1)]
    assert order == sorted(order)
    assert "2 of 4 rep(s) at risk" in page and "at risk first" in page
    # the likely range in the cell, the whole reason (with the currency) on hover, all escaped
    assert "likely 30–50% of quota</span>" in page
    assert ('title="likely 30–50% of quota; about a 1 in 10 chance of reaching it; behind (won 300 EUR of the '
            '500 EUR the season expects by now)"') in page
    assert "Slow &lt;b&gt;" in page and "Slow <b>" not in page
    assert ">80.0<" in page and ">10.0<" in page  # scores
    assert ">Too few deals yet<" in page and ">No clear leak<" in page and "insufficient_data" not in page


def test_index_without_risk_verdicts_claims_no_risk_either_way():
    rows = [IndexRow("R1", "Ann", href="a.html", rank=2, n_in_role=2), IndexRow("R2", "Bob", href="b.html", rank=1, n_in_role=2)]
    page = render_index(rows, title="T")
    assert "at risk" not in page.lower() and "Score" not in page
    assert page.index('href="b.html"') < page.index('href="a.html"')  # by rank


def test_rep_lists_are_parsed_in_one_place():
    assert parse_rep_list("R1, R2,R1") == ["R1", "R2"]
    assert parse_rep_list(None) is None and parse_rep_list(["7", "05"]) == ["7", "05"]
    for bad in (",", " ", ", ,"):
        with pytest.raises(ConfigError, match="names no rep id"):
            parse_rep_list(bad)


# ---------------------------------------------------------------- sharding

def test_parse_shard():
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(None) is None
    for bad in ("0/4", "5/4", "x/2", "1-2", "1/0"):
        with pytest.raises(ConfigError):
            parse_shard(bad)


def test_shards_split_every_rep_exactly_once_and_stably():
    ids = [f"R{i:03d}" for i in range(200)] + ["../x", "Ωμέγα"]
    n = 4
    shards = {k: [r for r in ids if shard_of(r, n) == k] for k in range(1, n + 1)}
    assert sorted(r for s in shards.values() for r in s) == sorted(ids)
    assert all(len(s) > 20 for s in shards.values())  # roughly balanced, none empty
    assert all(shard_of(r, n) == shard_of(r, n) for r in ids)
    # independent of which other reps exist: the shard of a rep is a function of its id alone
    assert shard_of("R007", 4) == shard_of("R007", 4) and shard_of("R007", 1) == 1


# ---------------------------------------------------------------- one rep's task

def _task(tmp_path, notebook="unused.ipynb"):
    from salesnb.batch.runner import RepTask

    return RepTask(rep_id="R1", notebook=str(notebook), parameters={"rep_id": "R1"},
                   html_path=str(tmp_path / "R1.html"), ipynb_path=str(tmp_path / "R1.ipynb"),
                   failed_path=str(tmp_path / "_failed" / "R1.ipynb"), title="R1")


def test_kernel_start_race_is_retried_once(tmp_path, monkeypatch):
    import zmq

    from salesnb.batch import runner

    calls = []

    def flaky(task, out_tmp):
        calls.append(out_tmp)
        if len(calls) == 1:
            raise zmq.error.ZMQError(98, "Address already in use")
        return _nb([nbformat.v4.new_output("display_data", data={"text/html": "<p>ok</p>"})])

    monkeypatch.setattr(runner, "_execute", flaky)
    monkeypatch.setattr(runner.time, "sleep", lambda s: None)
    outcome = runner.run_rep(_task(tmp_path))
    assert outcome.ok and outcome.attempts == 2 and len(calls) == 2
    assert (tmp_path / "R1.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert nbformat.read(tmp_path / "R1.ipynb", as_version=4).cells[1].source == "secret_code_here = 1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_other_start_errors_fail_the_rep_without_retry_and_drop_a_stale_report(tmp_path, monkeypatch):
    from salesnb.batch import runner

    (tmp_path / "R1.html").write_text("old report", encoding="utf-8")
    calls = []

    def broken(task, out_tmp):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(runner, "_execute", broken)
    outcome = runner.run_rep(_task(tmp_path))
    assert not outcome.ok and len(calls) == 1
    assert outcome.reason == "before any cell ran: RuntimeError: Kernel died before replying to kernel_info"
    assert not (tmp_path / "R1.html").exists()


# ---------------------------------------------------------------- atomic writes

def test_atomic_write_replaces_whole_files_and_leaves_no_temp(tmp_path):
    from salesnb.atomic import write_text_atomic

    target = tmp_path / "R1.html"
    write_text_atomic(target, "first")
    write_text_atomic(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["R1.html"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's private one


def test_sweep_removes_own_leftovers_and_keeps_another_shards_fresh_ones(tmp_path):
    import os
    import time

    from salesnb.atomic import sweep_temp_files, temp_path_for

    mine = temp_path_for(tmp_path / "R1.html")
    theirs = temp_path_for(tmp_path / "R2.html")
    old = temp_path_for(tmp_path / "R3.ipynb")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (tmp_path / "R1.html").write_text("report", encoding="utf-8")
    assert sweep_temp_files(tmp_path, owned={"R1"}) == 2
    assert not mine.exists() and not old.exists() and theirs.exists()
    assert (tmp_path / "R1.html").exists()


def _view(**kw):
    from salesnb.report.facts import Headline, RepView, WeightsUsed

    base = dict(rep_id="x", name="A", role="AE", period_label="2026", as_of="2026-06-30", currency="EUR",
                dataset_name="T", headline=Headline(None, None, None, None, None, None, None, 0, None),
                weights=WeightsUsed("custom", "percentile", "role", {}))
    return RepView(**{**base, **kw})


def test_strengths_give_their_numbers_in_the_reps_words():
    from salesnb.report import Report
    from salesnb.report.facts import Strength

    view = _view(currency="USD", strengths=[Strength("step", "meeting", 0.84, 0.71),
                                            Strength("metric", "win_rate", 0.55, 0.19, "ratio")])
    assert repr(Report(view, {}).strengths()).splitlines() == [
        "- Strong at getting in front of the buyer: 84% of your deals move on (qualified → meeting held), "
        "against a team median of 71%.",
        "- Win rate: 55%, among the best in the role (team median 19%).",
    ]


def test_headline_gives_distance_to_quota_and_a_plain_risk_sentence():
    from salesnb.report import Report
    from salesnb.report.facts import Headline, Risk

    risk = Risk(at_risk=True, finished=False, won=60.0, attainment=0.3, projected_attainment=0.5, likely_low=0.38,
                likely_high=0.64, chance=0.02, open_deals=2, pipeline_expected=10.0, pipeline_ratio=0.5, closing=0.9,
                created_ratio=0.7, due_by_now=100.0, pipeline_short=True, closing_slow=False, few_new_deals=True,
                behind=True, verdict=None, short_by=None)
    view = _view(headline=Headline(won=60.0, quota=200.0, attainment=0.3, projection=100.0, projected_attainment=0.5,
                                   score=20.0, rank=3, n_in_role=4, risk=risk))
    block = Report(view, {}).headline()
    text = repr(block)
    assert "Still to win             140 EUR" in text  # 200 - 60
    assert "100 EUR (50% of quota; likely 38–64%)" in text
    assert "3 of 4 AE reps, by score" in text and "20.0 out of 100" in text
    assert text.endswith("At risk: you are likely to end at 38–64% of quota, with almost no chance of reaching it. "
                         "Why: your 2 open deals are expected to bring 10 EUR, 50% of what your role's median rep's "
                         "bring for the same quota; you create new deals at 70% of your role's median pace; you have "
                         "won 60 EUR of the 100 EUR the season expects by now.")
    assert "salesnb-risk" in block._repr_html_()
    one = Risk(**{**risk.__dict__, "open_deals": 1})
    view_one = _view(headline=Headline(won=60.0, quota=200.0, attainment=0.3, projection=100.0,
                                       projected_attainment=0.5, score=20.0, rank=3, n_in_role=4, risk=one))
    assert "Why: your 1 open deal is expected to bring 10 EUR" in repr(Report(view_one, {}).headline())
    # once the period is over: the verdict, and no projection or pace
    over = Risk(**{**risk.__dict__, "at_risk": False, "finished": True, "verdict": "missed", "short_by": 140.0})
    view = _view(headline=Headline(won=60.0, quota=200.0, attainment=0.3, projection=60.0, projected_attainment=0.3,
                                   score=20.0, rank=3, n_in_role=4, risk=over))
    text = repr(Report(view, {}).headline())
    assert text.endswith("The period is over: you reached 30% of quota, 140 EUR short.")
    assert "Projected" not in text and "per day" not in text and "likely" not in text


def test_a_new_hire_sees_when_they_joined_and_how_that_is_counted_and_a_veteran_does_not():
    from salesnb.report import Report
    from salesnb.report.facts import Headline

    base = dict(won=60.0, quota=200.0, attainment=0.3, projection=None, projected_attainment=None, score=20.0,
                rank=3, n_in_role=4, risk=None)
    new = repr(Report(_view(headline=Headline(**base, joined="2026-03-02")), {}).headline())
    row = next(line for line in new.splitlines() if line.startswith("Joined"))
    assert "2026-03-02" in row and "ramping up" in row
    # the row stays short (a phone shows it on a line or two); how a new hire is counted is said under the table
    assert row.split(None, 1)[1].strip() == "2026-03-02 (ramping up)"
    assert "You joined on 2026-03-02, so you are counted as ramping up. Your first 120 days count as 0.6" in new
    assert "your number of new leads is set against" in new
    # without a leads table the pace is counted in opportunities created, and the sentence says so
    no_leads = repr(Report(_view(headline=Headline(**base, joined="2026-03-02", volume_unit="opportunities")),
                           {}).headline())
    assert "your number of opportunities created is set against" in no_leads and "leads" not in no_leads
    veteran = repr(Report(_view(headline=Headline(**base)), {}).headline())
    assert "Joined" not in veteran and "ramping" not in veteran


def _shown(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    return shown


def test_breakdown_shows_most_points_when_weights_do_not_add_to_100(monkeypatch):
    from salesnb.report import Report
    from salesnb.report.facts import Headline, ScorePart

    shown = _shown(monkeypatch)
    view = _view(currency="USD", headline=Headline(None, None, None, None, None, 40.0, None, 0, None),
                 breakdown=[ScorePart("won_revenue", "money", 10.0, 3.0, 30.0),
                            ScorePart("win_rate", "ratio", None, 1.0, 0.0)])
    Report(view, {}).breakdown()
    text = "\n".join(repr(b) for b in shown if not isinstance(b, dict))
    # weights 3 + 1 = 4: at most 75 and 25 points
    assert "Most points" in text and "75.0" in text and "25.0" in text and "10 USD" in text
    assert "add up to 4" in text and "(—) gives 0 points" in text


def test_trend_table_carries_currency_and_marks_the_month_so_far(monkeypatch):
    from salesnb.report import Report
    from salesnb.report.facts import Point, Trend

    shown = _shown(monkeypatch)
    view = _view(currency="USD", trend=Trend(months=[Point("2026-05-01", 0.0, 5.0), Point("2026-06-01", 10.0, 5.0)]))
    Report(view, {}).trend()
    text = "\n".join(repr(b) for b in shown if not isinstance(b, dict))
    assert "You won deals in 1 of the 2 months shown." in text
    assert "You (USD)" in text and "2026-06 (to 2026-06-30)" in text


def test_tables_right_align_figures_and_keep_short_text_on_one_line():
    from salesnb.present import table

    why = "The step to work on is closing: 9 of 59 (15%) vs a team median of 70%."
    html_text = table(["Rep", "Attainment", "Projection", "Score", "Why"],
                      [["Ann Lee", "75%", "266,534 USD", 1.5, why], ["Bob Roy", "—", "1,200 USD", -2, ""]]).html
    styles = re.findall(r'<th style="([^"]*)">', html_text)
    assert styles == ["text-align:left;white-space:nowrap"] + ["text-align:right;white-space:nowrap"] * 3 + [
        "text-align:left"]
    assert html_text.count('<td style="text-align:left">') == 2  # the long sentences may wrap


def test_bottleneck_verdicts_read_as_words():
    from salesnb.words.manager import verdict

    assert [verdict(s) for s in ("closing", "none", "insufficient_data", None, float("nan"))] == [
        "Closing", "No clear leak", "Too few deals yet", "—", "—"]


def test_attainment_since_the_previous_period_says_when_there_was_no_quota_to_compare():
    from salesnb.report.facts import PeriodChange
    from salesnb.words import rep as words

    def change(then, now):
        return PeriodChange("2026-Q3", "2026-Q2", 0, then, now, None, None, None, None, None, None, None, None, None)

    assert words.since_period(_view(change=change(0.64, 0.14)))[1] == "Attainment: 64% in 2026-Q2, 14% in 2026-Q3."
    # a rep who joined in Q3 had no quota in Q2: no dash set against a figure
    assert words.since_period(_view(change=change(None, 0.46)))[1] == (
        "Attainment: 46% in 2026-Q3 (no quota of yours in 2026-Q2).")
    assert words.since_period(_view(change=change(0.5, None)))[1] == (
        "Attainment: 50% in 2026-Q2 (no quota of yours in 2026-Q3).")
