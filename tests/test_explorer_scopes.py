"""The explorer on teams that hold less than the sample: a team of two, a role that carries no quota, quotas for
only some reps. What it says is worked out by hand on tiny teams; it never crashes and never states a figure
for the wrong reps."""
from __future__ import annotations

import re

from salesnb.dataset import Dataset
from salesnb.explorer import explore
from salesnb.words.manager import gap_to_target, hygiene_none_flagged

AS_OF = "2026-06-30"


def deal(oid, rep, status, amount, close=None, created="2026-01-10"):
    return dict(opportunity_id=oid, rep_id=rep, created_date=created, status=status, amount=amount,
                close_date=close, next_step="x")


def team(reps, opps, quotas) -> Dataset:
    return Dataset.from_frames(reps=reps, opportunities=opps, quotas=quotas)


def year_quota(rep, q):
    return dict(rep_id=rep, period_start="2026-01-01", period_end="2026-12-31", quota=q)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def shown(app, section: str) -> str:
    app.draw(section)
    return text(app.sections[section].widget.value)


def test_a_team_of_two_opens_and_its_snapshot_says_there_are_no_ranks(tmp_path):
    # two reps: too few to score, so every rank is missing (it used to stop the notebook's last line)
    reps = [dict(rep_id=r, name=n, role="AE") for r, n in (("a", "Ann Lee"), ("b", "Bob Stone"))]
    opps = [deal("1", "a", "won", 100, "2026-02-01"), deal("2", "b", "won", 50, "2026-03-01"),
            deal("3", "a", "open", 70), deal("4", "b", "lost", 20, "2026-03-05")]
    app = explore(team(reps, opps, [year_quota("a", 400), year_quota("b", 400)]), period="2026", as_of=AS_OF,
                  save_dir=tmp_path)
    snapshot = app.text()
    assert "Leaderboard (outcomes-first): no ranks (too few reps share a role to compare them)." in snapshot
    assert app._repr_mimebundle_()["text/plain"] == snapshot


def test_a_role_without_quotas_is_not_given_the_whole_team_s_target_or_risk(tmp_path):
    # AEs a, b, c with a 300 quota each; SDRs s, t own no deal and have no quota
    reps = [dict(rep_id=r, name=f"Rep {r.upper()}", role="AE") for r in "abc"]
    reps += [dict(rep_id=r, name=f"Rep {r.upper()}", role="SDR") for r in "st"]
    opps = [deal(f"{r}{i}", r, "won", 100, "2026-02-01") for r in "abc" for i in range(2)]
    opps += [deal(f"{r}o", r, "open", 100) for r in "abc"] + [deal("al", "a", "lost", 10, "2026-03-01")]
    app = explore(team(reps, opps, [year_quota(r, 300) for r in "abc"]), period="2026", as_of=AS_OF,
                  save_dir=tmp_path)
    app.set(role="SDR")
    summary = shown(app, "summary")
    assert "No target for the SDR reps in this period" in summary
    assert "900 USD" not in summary  # the AEs' target
    assert "No rep of the SDR reps has a quota and a projection in this period" in summary
    assert "No target for the SDR reps" in shown(app, "progress")
    app.set(role="AE")  # the AEs' own target: 600 won of 900
    assert "needs 300 USD more to reach its 900 USD target (67% won so far)" in shown(app, "summary")


def test_the_progress_bar_counts_what_the_target_covers(tmp_path):
    # a: quota 100, won 60; b: quota 100, won 150; c: no quota, won 500 -> 210 of 200 (105%), not 710 (355%)
    reps = [dict(rep_id=r, name=f"Rep {r.upper()}", role="AE") for r in "abcd"]
    opps = [deal("1", "a", "won", 60, "2026-02-01"), deal("2", "b", "won", 150, "2026-02-01"),
            deal("3", "c", "won", 500, "2026-02-01"), deal("4", "d", "lost", 10, "2026-02-01"),
            deal("5", "a", "open", 10)]
    app = explore(team(reps, opps, [year_quota("a", 100), year_quota("b", 100)]), period="2026", as_of=AS_OF,
                  save_dir=tmp_path)
    progress = shown(app, "progress")
    assert "210 USD 105%" in progress and "355%" not in progress
    assert "Only the reps with a quota are counted: 1 without one won 500 USD." in progress


def test_a_shortfall_never_reads_as_100_percent():
    # 45,855,380 of 45,890,000 is 99.92%: "100% won so far" would hide 34,620 USD
    said = gap_to_target({"target": 45_890_000.0, "won": 45_855_380.0}, "the whole team", "USD")
    assert said == "The whole team needs 34,620 USD more to reach its 45,890,000 USD target (99.9% won so far)."
    over = gap_to_target({"target": 45_890_000.0, "won": 45_855_380.0}, "East", "USD", finished=True)
    assert over == "East won 45,855,380 USD of its 45,890,000 USD target (99.9%): 34,620 USD short."


def test_no_open_deal_is_not_none_of_zero():
    assert hygiene_none_flagged(0, {}) == "No open deal to check."
    assert hygiene_none_flagged(2, {}).startswith("None of 2 open deals is flagged on")


def test_a_to_date_target_says_how_many_days_it_covers():
    from salesnb.periods import resolve_period
    from salesnb.words.manager import to_date_span

    qtd = resolve_period("qtd", "2026-04-03")  # 1, 2 and 3 April: three days of the quarter
    assert to_date_span(qtd) == " for the 3 days of the quarter so far"
    assert to_date_span(resolve_period("2026-Q2", "2026-04-03")) == ""
    said = gap_to_target({"target": 300.0, "won": 1200.0}, "the whole team", "USD", span=to_date_span(qtd))
    assert said == ("The whole team has won 1,200 USD of its 300 USD target for the 3 days of the quarter so far "
                    "(400%): reached.")


def test_the_audit_chart_draws_no_panel_for_an_activity_too_few_reps_log(tmp_path):
    from salesnb.explorer.charts import audit_chart

    reps = [dict(rep_id=r, name=f"Rep {r.upper()}", role="AE") for r in "abcd"]
    opps = [deal(f"{r}{i}", r, "won", 100 * (k + 1), "2026-03-01") for k, r in enumerate("abcd") for i in range(3)]
    opps += [deal(f"{r}l", r, "lost", 10, "2026-03-02") for r in "abcd"]
    acts = [dict(activity_id=f"c{r}{i}", rep_id=r, date="2026-02-02", type="call") for k, r in enumerate("abcd")
            for i in range(5 + 3 * k)]
    acts += [dict(activity_id="v1", rep_id="a", date="2026-02-03", type="visit")]  # 1 of 4 reps logs visits
    ds = Dataset.from_frames(reps=reps, opportunities=opps, activities=acts)
    app = explore(ds, period="2026", as_of=AS_OF, save_dir=tmp_path)
    found = app.view.findings.vanity.set_index("metric")
    assert not bool(found.at["act_visit", "covered"]) and bool(found.at["act_call", "covered"])
    svg = audit_chart(app.view)
    assert "calls: unclear" in svg and "visits" not in svg.lower()
