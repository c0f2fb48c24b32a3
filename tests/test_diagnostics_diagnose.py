"""diagnose() end to end on small datasets, the JSON document and the CLI."""
from __future__ import annotations

import json

import pandas as pd

from salesnb.cli import main
from salesnb.dataset import Dataset
from salesnb.diagnostics import diagnose
from salesnb.pages.diagnose_json import to_json

REP_KEYS = {"id", "name", "role", "score", "rank", "breakdown", "attainment", "projection", "at_risk",
            "bottleneck", "strengths", "pair_with"}


def two_table_team() -> Dataset:
    """Four AEs, opportunities only: no quotas, leads or activities."""
    reps = pd.DataFrame({"rep_id": ["a", "b", "c", "d"], "name": ["Ann", "Bob", "Cat", "Dan"], "role": "AE"})
    rows = []
    for rep, wins in (("a", 6), ("b", 5), ("c", 4), ("d", 0)):
        for i in range(10):
            won = i < wins
            rows.append(dict(opportunity_id=f"{rep}{i}", rep_id=rep, created_date="2026-02-01",
                             status="won" if won else "lost", amount=1000.0, close_date="2026-03-01",
                             furthest_stage="won" if won else "commit"))
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(rows))


def test_missing_optional_tables_make_diagnoses_unavailable_not_crash():
    d = diagnose(two_table_team(), period="2026", as_of="2026-06-30")
    assert set(d.unavailable) >= {"vanity", "lead_quality", "early_warning"}
    assert "activities" in d.unavailable["vanity"] and "leads" in d.unavailable["lead_quality"]
    assert "quotas" in d.unavailable["early_warning"]
    assert d.outcome == "won_revenue"
    assert sorted(d.reps["rep_id"]) == ["a", "b", "c", "d"]


def test_json_document_has_the_documented_keys_and_no_nan():
    d = diagnose(two_table_team(), period="2026", as_of="2026-06-30")
    text = to_json(d)
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert set(doc) >= {"period", "as_of", "team", "reps", "vanity", "top_performers", "unavailable"}
    assert set(doc["team"]) >= {"target", "won", "attainment", "projection"}
    assert doc["team"]["won"] == 15 * 1000.0  # 6 + 5 + 4 + 0 wins of 1,000
    assert doc["team"]["target"] is None and doc["team"]["attainment"] is None  # no quotas: null, not NaN
    for r in doc["reps"]:
        assert REP_KEYS <= set(r)
        assert r["attainment"] is None
        assert r["bottleneck"]["step"] in ("none", "insufficient_data", "closing", "committing",
                                           "proposing", "meeting", "qualifying", "prospecting")


def test_cli_json_on_the_sample(sample_dir, capsys):
    assert main(["diagnose", "--data", str(sample_dir), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"]["label"] == "2026"
    names = {r["name"]: r for r in doc["reps"]}
    assert names["John Carter"]["bottleneck"]["step"] == "closing"
    assert {v["metric"]: v["verdict"] for v in doc["vanity"]}["miles"] == "vanity"
    assert all(set(v) >= {"metric", "rho", "low", "high", "n", "verdict"} for v in doc["vanity"])


def test_cli_summary_on_the_two_required_tables(two_table_dir, capsys):
    assert main(["diagnose", "--data", str(two_table_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Diagnosis · ")
    assert "unavailable" in out  # the missing tables are named, not a traceback


def test_cli_bad_period_is_a_clear_error(sample_dir, capsys):
    assert main(["diagnose", "--data", str(sample_dir), "--period", "someday"]) == 2
    err = capsys.readouterr().err
    assert "argument --period: 'someday' is not understood" in err and "2026-Q2" in err


def test_same_inputs_same_document(sample_dir):
    from salesnb.load import load

    ds = load(sample_dir)
    assert to_json(diagnose(ds)) == to_json(diagnose(ds))


def test_the_ideal_customer_profile_from_dataset_toml_sets_the_bands():
    from salesnb.dataset import DatasetMeta, IdealCustomerProfile

    base = two_table_team()
    leads = pd.DataFrame([
        dict(lead_id=f"L{i}", rep_id="abcd"[i % 4], created_date="2026-02-01", status="open",
             company_size=20, has_need=True, decision_maker=True) for i in range(8)
    ])
    strict = Dataset.from_frames(reps=base.reps, opportunities=base.opportunities, leads=leads)
    relaxed = Dataset.from_frames(reps=base.reps, opportunities=base.opportunities, leads=leads,
                                  meta=DatasetMeta(icp=IdealCustomerProfile(min_company_size=10)))
    # 20 employees: below the default minimum of 50 (medium), above a minimum of 10 (high)
    b1 = diagnose(strict, period="2026", as_of="2026-06-30").lead_bands.set_index("band")["leads"]
    b2 = diagnose(relaxed, period="2026", as_of="2026-06-30").lead_bands.set_index("band")["leads"]
    assert (b1["high"], b1["medium"]) == (0, 8)
    assert (b2["high"], b2["medium"]) == (8, 0)


def test_cli_unknown_weights_file_is_a_clear_error(sample_dir, capsys):
    assert main(["diagnose", "--data", str(sample_dir), "--weights", "no-such-weights.toml"]) == 1
    assert "no-such-weights.toml" in capsys.readouterr().err


def test_cli_as_of_before_the_period_starts_is_a_clear_error(sample_dir, capsys):
    # the sample's default period is 2026; 2020-01-01 is before it starts (and before anyone is employed)
    assert main(["diagnose", "--data", str(sample_dir), "--as-of", "2020-01-01"]) == 1
    err = capsys.readouterr().err
    assert "--as-of 2020-01-01 is before period 2026 (2026-01-01..2026-12-31) starts" in err
    assert "Pass an --as-of on or after 2026-01-01" in err and "Traceback" not in err


def test_summary_says_once_which_reps_have_too_few_deals_and_skips_an_unavailable_audit(capsys):
    from salesnb.terminal import summary_text

    # a, b, c, d each have 10 closed deals by 2026-03-01; at as_of 2026-02-15 none has closed yet
    d = diagnose(two_table_team(), period="2026", as_of="2026-02-15")
    text = summary_text(d)
    assert "too few deals yet to tell where the funnel leaks for 4 reps (Ann, Bob, Cat, Dan)" in text
    assert text.count("Too few deals to tell") == 0  # one line for the four, not a sentence each
    assert "Activity metrics vs outcomes" not in text  # no activities table: said once in the notes
    assert "note: vanity unavailable" in text


def test_diagnose_reuses_a_precomputed_table_scorecard_and_funnel(sample_dir):
    from salesnb.load import load
    from salesnb.metrics import funnel_counts, metrics
    from salesnb.scorecard import score

    ds = load(sample_dir)
    table = metrics(ds, "2026", "2026-11-15")
    card = score(table)
    funnel = funnel_counts(ds, table.period, table.as_of)
    reused = diagnose(ds, "2026", "2026-11-15", table=table, card=card, funnel=funnel)
    fresh = diagnose(ds, "2026", "2026-11-15")
    assert to_json(reused) == to_json(fresh)


def test_diagnosis_ranks_agree_with_the_scorecard_on_the_sample(sample_dir):
    from salesnb.load import load
    from salesnb.metrics import metrics
    from salesnb.scorecard import score

    ds = load(sample_dir)
    card = score(metrics(ds, "2026", "2026-11-15"))
    d = diagnose(ds, "2026", "2026-11-15")
    ranks = d.reps.set_index("rep_id")["rank_in_role"].astype(int).to_dict()
    assert ranks == card.scores.set_index("rep_id")["rank_in_role"].astype(int).to_dict()
    assert "rank_overall" not in d.reps  # ranks compare like with like: no cross-role rank


def test_a_team_with_two_roles_is_audited_within_role(tmp_path):
    from salesnb.generate import generate
    from salesnb.load import load

    generate(tmp_path / "team", reps=60, seed=5, volume=0.2, stories=False)
    ds = load(tmp_path / "team")
    d = diagnose(ds)
    current = d.reps.set_index("rep_id")
    roles = current["role"]
    assert roles.nunique() == 2 and roles.value_counts().min() >= 8
    with_outcome = current[d.outcome].notna() if d.outcome in current else pd.Series(True, index=current.index)
    tested = d.vanity[d.vanity["rho"].notna()]
    assert len(tested) and tested["within_role"].all()
    assert (tested["n"] <= int(with_outcome.sum())).all()
    from salesnb.words.manager import vanity as vanity_sentence

    assert all("within role" in vanity_sentence(v, d.outcome) for v in tested.to_dict("records"))
    assert d.top_performers["within_role"].all()
    doc = json.loads(to_json(d))
    assert all(v["within_role"] is True for v in doc["vanity"])


def test_a_to_date_view_is_not_over_and_has_no_warning_nor_verdict():
    # the same team with a yearly quota each: seen year to date on 30 June, the year goes on
    team = two_table_team()
    quotas = pd.DataFrame({"rep_id": ["a", "b", "c", "d"], "period_start": pd.Timestamp("2026-01-01"),
                           "period_end": pd.Timestamp("2026-12-31"), "quota": 20_000.0})
    # an open deal each: a projection weighs open deals (an export without any gets no warning at all)
    open_deals = pd.DataFrame({"opportunity_id": [f"open-{r}" for r in "abcd"], "rep_id": list("abcd"),
                               "created_date": "2026-05-01", "status": "open", "amount": 1000.0,
                               "furthest_stage": "commit"})
    team = Dataset.from_frames(reps=team.reps, opportunities=pd.concat([team.opportunities, open_deals]),
                               quotas=quotas)
    ytd = diagnose(team, period="ytd", as_of="2026-06-30")
    assert "year-to-date view ends on the report date" in ytd.unavailable["early_warning"]
    assert "choose the whole year" in ytd.unavailable["early_warning"]
    assert not ytd.reps["period_over"].any()
    assert ytd.early_warning.empty or not ytd.early_warning.get("finished", pd.Series(dtype=bool)).any()
    # the whole year at the same date: a warning (a projection for every rep), not a verdict
    year = diagnose(team, period="2026", as_of="2026-06-30")
    assert "early_warning" not in year.unavailable and year.reps["projection"].notna().all()
    assert not year.reps["period_over"].any()
    # the year seen after its end is over: verdicts
    assert diagnose(team, period="2026", as_of="2027-01-05").reps["period_over"].all()


def test_a_to_date_view_without_quotas_names_the_quotas_not_the_whole_year():
    # the whole year would have no warning either: what is missing is the quotas
    ytd = diagnose(two_table_team(), period="ytd", as_of="2026-06-30")
    assert "quotas" in ytd.unavailable["early_warning"] and "whole year" not in ytd.unavailable["early_warning"]
