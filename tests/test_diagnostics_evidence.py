"""Minimum evidence, a verdict just under quota, lone scores, period checks, JSON rounding, --preset.

Each expected value is worked out by hand in the test from a tiny frame built for it.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from salesnb.cli import main
from salesnb.diagnostics import early_warning, evidence, vanity
from salesnb.errors import ConfigError
from salesnb.pages.diagnose_json import clean, to_document
from salesnb.periods import Period
from salesnb.present import pct_below
from salesnb.words.manager import risk_reason
from salesnb.words.manager import vanity as vanity_sentence

# -- minimum evidence ------------------------------------------------------------------------


def test_too_early_when_most_reps_tie_at_zero():
    # 6 reps, 2 with a win: need max(3, ceil(0.5 * 6)) = 3 reps with a non-zero outcome
    outcome = pd.Series([0.4, 0.1, 0.0, 0.0, 0.0, 0.0], index=list("abcdef"))
    reason = evidence.too_early(outcome, n_closed=50)
    assert reason == ("too early in the period: only 2 of 6 reps have closed a deal "
                      "(needs at least 3; the others tie at zero)")


def test_too_early_when_too_few_deals_have_closed():
    # 3 of 6 reps with a win meets the rep rule; 9 closed deals is one short of 10
    outcome = pd.Series([0.4, 0.1, 0.2, 0.0, 0.0, 0.0], index=list("abcdef"))
    assert evidence.too_early(outcome, n_closed=9) == (
        "too early in the period: only 9 deals won or lost so far (needs at least 10)")
    assert evidence.too_early(outcome, n_closed=10) is None


def test_a_finished_period_is_not_too_early_but_short_of_evidence():
    # the same counts as above, once the period is over: waiting will not help, so it does not say "early"
    outcome = pd.Series([0.4, 0.1, 0.0, 0.0, 0.0, 0.0], index=list("abcdef"))
    assert evidence.too_early(outcome, n_closed=50, over=True) == (
        "too few closed deals in the period: only 2 of 6 reps closed a deal (needs at least 3; the others tie "
        "at zero)")
    outcome = pd.Series([0.4, 0.1, 0.2, 0.0, 0.0, 0.0], index=list("abcdef"))
    assert evidence.too_early(outcome, n_closed=9, over=True) == (
        "too few closed deals in the period: only 9 deals won or lost in it (needs at least 10)")


def test_a_team_of_fewer_than_three_reps_is_too_small_whenever_it_is():
    # one rep with a win: no other rep to tie with and no wait that helps
    assert evidence.too_early(pd.Series([0.8], index=["a"]), n_closed=40) == (
        "too few reps: 1 with an outcome to compare (needs at least 3)")
    assert evidence.too_early(pd.Series([0.8, np.nan, 0.0], index=list("abc")), n_closed=40, over=True) == (
        "too few reps: 2 with an outcome to compare (needs at least 3)")


def test_too_early_counts_only_reps_with_an_outcome():
    # 8 reps, 3 without a quota (NaN) are left out: 5 compared, need max(3, ceil(2.5)) = 3, 3 have wins
    outcome = pd.Series([0.3, 0.2, 0.1, 0.0, 0.0, np.nan, np.nan, np.nan], index=list("abcdefgh"))
    assert evidence.too_early(outcome, n_closed=12) is None


def test_closed_deals_counts_won_and_lost_in_the_window_known_at_as_of():
    opps = pd.DataFrame({
        "rep_id": ["A", "A", "A", "A", "B", "B", "C"],
        "status": ["won", "lost", "won", "open", "lost", "won", "won"],
        "created_date": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05",
                                        "2026-01-01", "2026-02-20", "2026-01-01"]),
        "close_date": pd.to_datetime(["2026-01-10", "2026-01-20", "2026-03-01", "2026-02-01",
                                      "2025-12-31", "2026-02-25", "2026-01-15"]),
    })
    got = evidence.closed_deals(opps, pd.Index(["A", "B"]), "2026-01-01", "2026-12-31", "2026-02-15")
    # A: won 01-10 and lost 01-20 count; won 03-01 is after as_of; the open deal never counts
    # B: lost 2025-12-31 is before the window; won 02-25 is after as_of; C is not asked for
    assert got.loc["A"].tolist() == [1, 1]
    assert got.loc["B"].tolist() == [0, 0]
    assert list(got.index) == ["A", "B"]


def test_vanity_audit_waits_for_evidence_even_for_a_perfect_relation():
    reps = [f"r{i}" for i in range(12)]
    activity = pd.DataFrame({"miles": np.arange(12.0)}, index=reps)
    outcome = pd.Series(np.arange(12.0), index=reps)  # perfectly monotone: a driver on its own
    assert vanity.audit(activity, outcome)["verdict"].iloc[0] == "driver"
    reason = "too early in the period: only 2 of 12 reps have closed a deal"
    row = vanity.audit(activity, outcome, too_early=reason).iloc[0]
    assert row["verdict"] == "unclear"
    assert row["rho"] == pytest.approx(1.0)
    sentence = vanity_sentence(row, "won_revenue", reason)
    assert reason in sentence and "ρ = 1.00, n = 12" in sentence


def test_day_one_on_the_sample_calls_no_driver_and_holds_back_the_top_performers(sample_dir):
    from salesnb.diagnostics import diagnose
    from salesnb.load import load

    ds = load(sample_dir)
    d = diagnose(ds, as_of="2026-01-01")
    # count the reps with a win on 2026-01-01 straight from the opportunities table
    o = ds.opportunities
    current = set(d.reps["rep_id"])
    winners = o[(o["status"] == "won") & (o["close_date"] == pd.Timestamp("2026-01-01"))
                & o["rep_id"].isin(current)]["rep_id"].nunique()
    n = len(current)
    need = max(3, -(-n // 2))
    assert winners < need
    assert d.too_early == (f"too early in the period: only {winners} of {n} reps have closed a deal "
                           f"(needs at least {need}; the others tie at zero)")
    assert set(d.vanity["verdict"]) == {"unclear"}
    assert d.vanity.set_index("metric").loc["miles", "verdict"] == "unclear"
    assert len(d.top_performers) == 0
    assert d.unavailable["top_performers"] == f"not yet available: {d.too_early}"
    doc = to_document(d)
    assert doc["top_performers"] == [] and doc["too_early"] == d.too_early


# -- the 90% bar is never shown as reached ---------------------------------------------------


def test_pct_below_the_bar_keeps_a_decimal():
    assert pct_below(0.898, 0.9) == "89.8%"
    assert pct_below(0.89951, 0.9) == "89.9%"  # rounding up would print 90.0%
    assert pct_below(0.85, 0.9) == "85%"
    assert pct_below(0.95, 0.9) == "95%"


def test_a_verdict_just_under_quota_does_not_round_up_to_it():
    # a finished period: 99,960 won of a 100,000 quota is a miss by 40, and reads 99.9%, never 100%
    frame = pd.DataFrame({"quota": [100_000.0], "won": [99_960.0], "projection": [99_960.0], "low": [0.0],
                          "high": [0.0], "chance": [0.0], "pipeline_expected": [0.0], "closing": [1.0],
                          "created_pace": [1.0], "due_by_now": [100_000.0]}, index=["A"])
    out = early_warning.warn(frame, finished=True)
    assert out.loc["A", "verdict"] == "missed" and not out.loc["A", "at_risk"]
    assert risk_reason(out.loc["A"], "USD") == "missed by 40 USD: 99.9% of quota"


# -- lone scores -------------------------------------------------------------------------------


def test_a_group_smaller_than_the_minimum_gets_no_score():
    from salesnb.leaderboard import leaderboard, lone_groups, withheld_notes
    from salesnb.metrics import MetricTable
    from salesnb.scorecard import score

    reps = pd.DataFrame({"name": ["Ann", "Ben", "Cal", "Dee"], "team": pd.NA, "role": ["AE", "AE", "AE", "SE"],
                         "active": True}, index=pd.Index(["A", "B", "C", "D"], name="rep_id"))
    assert lone_groups(reps, "role") == {"SE": ["D"]}
    notes = withheld_notes(reps, "role")
    assert len(notes) == 1 and notes[0].startswith("No score for Dee: only 1 current rep in role SE")
    assert lone_groups(reps, None) == {} and withheld_notes(reps, None) == []  # 4 in the whole team: enough
    table = MetricTable.from_frame(pd.DataFrame({"won_revenue": [80.0, 60.0, 40.0, 90.0]}, index=reps.index), reps)
    board = leaderboard(score(table, {"won_revenue": 1}), table).set_index("rep_id")
    assert board.loc[["A", "B", "C"], "rank"].tolist() == [1, 2, 3] and board.loc[["A", "B", "C"], "n_in_role"].eq(3).all()
    assert np.isnan(board.loc["D", "score"]) and pd.isna(board.loc["D", "rank"])


@pytest.fixture
def sample_with_a_lone_se(sample_dir, tmp_path):
    """The sample with one current rep (R001 Dana Khan) moved into a role of her own."""
    out = tmp_path / "lone"
    shutil.copytree(sample_dir, out)
    reps = pd.read_csv(out / "reps.csv", dtype=str, keep_default_na=False)
    reps.loc[reps["rep_id"] == "R001", "role"] = "SE"
    reps.to_csv(out / "reps.csv", index=False)
    return out


def test_cli_score_says_a_lone_rep_has_no_score(sample_with_a_lone_se, capsys):
    assert main(["score", "--data", str(sample_with_a_lone_se), "--as-of", "2026-11-15"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Dana Khan" in x)
    assert line.split()[:5] == ["SE", "—", "Dana", "Khan", "—"]  # role, no rank, name, no score
    assert "note: No score for Dana Khan: only 1 current rep in role SE, fewer than the 3" in out


def test_diagnose_json_gives_a_lone_rep_a_null_score(sample_with_a_lone_se, capsys):
    assert main(["diagnose", "--data", str(sample_with_a_lone_se), "--as-of", "2026-11-15", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    dana = next(r for r in doc["reps"] if r["id"] == "R001")
    assert dana["score"] is None and dana["rank"] is None
    assert any(n.startswith("No score for Dana Khan") for n in doc["notes"])
    assert all(r["score"] is not None for r in doc["reps"] if r["id"] != "R001")


# -- periods that cannot be scored -----------------------------------------------------------


def test_cli_score_as_of_before_the_period_is_an_error(sample_dir, capsys):
    assert main(["score", "--data", str(sample_dir), "--as-of", "2026-01-01", "--period", "2026-Q2"]) == 1
    err = capsys.readouterr().err
    assert "--as-of 2026-01-01 is before period 2026-Q2 (2026-04-01..2026-06-30) starts" in err
    assert "Pass an --as-of on or after 2026-04-01" in err


def test_cli_score_period_before_the_data_is_an_error(sample_dir, capsys):
    from salesnb.load import load

    first = load(sample_dir).opportunities["created_date"].min().date()
    assert first > pd.Timestamp("2025-03-31").date()  # 2025-Q1 ends before the data starts
    assert main(["score", "--data", str(sample_dir), "--as-of", "2026-01-01", "--period", "2025-Q1"]) == 1
    err = capsys.readouterr().err
    assert f"ends before the data starts (first opportunity created {first})" in err


def test_check_period_with_no_current_rep_names_the_cause(sample_dir):
    from salesnb.load import load

    ds = load(sample_dir)
    per = Period(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31"), "2026")
    with pytest.raises(ConfigError, match="no rep is employed at as_of 2026-06-01"):
        evidence.check_period(ds, per, pd.Timestamp("2026-06-01"), n_current=0)
    evidence.check_period(ds, per, pd.Timestamp("2026-06-01"), n_current=5)  # fine: no error


# -- JSON rounding -----------------------------------------------------------------------------


def test_json_rounds_money_rates_and_counts():
    doc = clean({"won": 1234.5678, "attainment": 0.123456, "deals": 0.0, "rho": -0.333333,
                 "reps": [{"n": 12.0, "amount": 99.999}]})
    assert doc == {"won": 1234.57, "attainment": 0.1235, "deals": 0, "rho": -0.3333,
                   "reps": [{"n": 12, "amount": 100.0}]}
    assert isinstance(doc["deals"], int) and isinstance(doc["reps"][0]["n"], int)


def test_diagnose_json_bottleneck_deals_are_ints(sample_dir, capsys):
    assert main(["diagnose", "--data", str(sample_dir), "--as-of", "2026-01-01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert all(type(r["bottleneck"]["deals"]) is int for r in doc["reps"])
    for r in doc["reps"]:
        assert r["won"] is None or round(r["won"], 2) == r["won"]


# -- --preset ----------------------------------------------------------------------------------


def test_cli_diagnose_preset_scores_with_that_preset(sample_dir, capsys):
    from salesnb.diagnostics import diagnose
    from salesnb.load import load

    assert main(["diagnose", "--data", str(sample_dir), "--as-of", "2026-11-15", "--preset", "balanced",
                 "--json"]) == 0
    by_cli = {r["id"]: r["score"] for r in json.loads(capsys.readouterr().out)["reps"]}
    d = diagnose(load(sample_dir), as_of="2026-11-15", weights="balanced")
    by_api = {r["id"]: r["score"] for r in to_document(d)["reps"]}
    default = {r["id"]: r["score"] for r in to_document(diagnose(load(sample_dir), as_of="2026-11-15"))["reps"]}
    assert by_cli == by_api and by_cli != default
    assert d.too_early is None  # mid-November every rep has closed deals: the audits run


def test_cli_diagnose_preset_and_weights_together_is_a_usage_error(sample_dir):
    assert main(["diagnose", "--data", str(sample_dir), "--preset", "balanced", "--weights", "w.toml"]) == 2


def test_day_one_summary_says_once_why_every_verdict_is_unclear(sample_dir, capsys):
    assert main(["diagnose", "--data", str(sample_dir), "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "[driver]" not in out and "What top performers do differently" not in out
    assert out.count("- every verdict unclear: too early in the period: only ") == 1
    assert "note: top_performers unavailable: not yet available: too early in the period" in out
