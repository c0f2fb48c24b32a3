"""Valid exports of other shapes than the sample's: every command runs, and says only what the data holds."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from salesnb.cli import main
from salesnb.metrics.catalogue import CATALOGUE
from salesnb.schema import ACTIVITY_TYPES
from salesnb.pages.diagnose_json import to_json


def _sample_without(sample_dir, tmp_path, activity_type: str):
    """A copy of the sample with every activity of `activity_type` left out (the sample itself is not touched)."""
    out = tmp_path / f"no-{activity_type}"
    shutil.copytree(sample_dir, out)
    with open(sample_dir / "activities.csv", newline="", encoding="utf-8") as src:
        rows = list(csv.reader(src))
    col = rows[0].index("type")
    kept = [rows[0]] + [r for r in rows[1:] if r[col] != activity_type]
    assert len(kept) < len(rows), f"the sample has no {activity_type} activities to leave out"
    with open(out / "activities.csv", "w", newline="", encoding="utf-8") as dst:
        csv.writer(dst).writerows(kept)
    return out


@pytest.mark.parametrize("activity_type", ACTIVITY_TYPES)
def test_diagnose_runs_with_each_activity_type_absent_and_says_nothing_of_it(sample_dir, tmp_path, capsys,
                                                                             activity_type):
    folder = _sample_without(sample_dir, tmp_path, activity_type)
    metric = f"act_{activity_type}"
    label = CATALOGUE[metric].label

    assert main(["diagnose", "--data", str(folder)]) == 0
    text = capsys.readouterr().out
    audit = text.split("Activity metrics vs outcomes:")[1].split("\n\n")[0]
    assert "- [" in audit  # the audit is there, for the other types
    assert f"] {label}" not in audit

    assert main(["diagnose", "--json", "--data", str(folder)]) == 0
    doc = json.loads(capsys.readouterr().out)
    audited = {v["metric"] for v in doc["vanity"]}
    assert metric not in audited
    assert {f"act_{t}" for t in ACTIVITY_TYPES if t != activity_type} <= audited
    assert not any((v["sentence"] or "").startswith(label) for v in doc["vanity"])


# ------------------------------------------------------------------ the shape of an export


def won_only_team(activities: bool = False):
    """Three AEs with won deals only, one SDR who owns no deal, quotas per team only, no leads (and no activities
    unless `activities`: a call a month each, linked to the rep's first deal)."""
    import pandas as pd

    from salesnb.dataset import Dataset

    reps = pd.DataFrame({"rep_id": ["a", "b", "c", "s"], "name": ["Ann", "Bob", "Cat", "Sam"],
                         "role": ["AE", "AE", "AE", "SDR"], "team": "East"})
    deals = [dict(opportunity_id=f"{r}{i}", rep_id=r, created_date="2026-01-05", close_date="2026-02-01",
                  status="won", amount=100.0) for r, n in (("a", 3), ("b", 2), ("c", 1)) for i in range(n)]
    team_quotas = pd.DataFrame({"team": ["East"], "period_start": ["2026-01-01"], "period_end": ["2026-12-31"],
                                "quota": [1000.0]})
    acts = pd.DataFrame([dict(activity_id=f"x{r}{m}", rep_id=r, date=f"2026-{m:02d}-10", type="call",
                              opportunity_id=f"{r}0") for r in "abc" for m in range(1, 4)]) if activities else None
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(deals), team_quotas=team_quotas,
                               activities=acts)


def test_the_shape_of_a_won_only_export_with_an_sdr_who_owns_no_deal():
    shape = won_only_team().shape
    assert (shape.open_deals, shape.won_deals, shape.lost_deals) == (0, 6, 0)
    assert shape.won_only and shape.stages == "outcome only"
    assert shape.roles == ("AE", "SDR") and shape.roles_without_deals == ("SDR",)
    assert shape.reps_without_deals == ("s",)
    assert shape.quotas == "team only" and shape.leads == 0 and shape.activity_types == ()
    assert shape.profile_columns == () and shape.hygiene_columns == ()
    assert shape.summary() == (
        "What this data holds: 6 won deals only (no open or lost deal); stages from outcome only; no leads; "
        "no activities; roles AE, SDR; quotas per team only; roles owning no deals: SDR; 1 rep owning no deals.")
    gone = shape.unavailable()
    assert set(gone) == {"hygiene", "next_step", "stale", "past_close_date", "lead_quality", "lead_step", "win_rate",
                         "funnel_steps", "early_warning"}
    assert gone["hygiene"].startswith("the data holds no open deal: export the open deals too")
    assert gone["lead_quality"].startswith("there is no leads table: add leads.csv")


def test_the_sample_holds_everything_and_validate_says_so(sample_dir, capsys):
    assert main(["validate", str(sample_dir)]) == 0
    out = capsys.readouterr().out
    assert ("What this data holds: 240 open, 599 won and 2,627 lost deals; stages from stage history; "
            "8,273 leads; activities of type call, email, meeting, visit, social, mail, task, other") in out
    assert "unavailable" not in out


def test_validate_names_what_a_two_table_export_cannot_show(two_table_dir, capsys):
    assert main(["validate", str(two_table_dir)]) == 0
    out = capsys.readouterr().out
    assert "no leads; no activities" in out and "quotas" in out
    assert "- lead quality unavailable: there is no leads table: add leads.csv" in out


# ------------------------------------------------------------------ scores in words


def _view(normalisation: str, score: float, parts):
    from salesnb.report.facts import Headline, RepView, WeightsUsed

    head = Headline(won=None, quota=None, attainment=None, projection=None, projected_attainment=None, score=score,
                    rank=1, n_in_role=4, risk=None)
    return RepView(rep_id="r", name="Ann", role="AE", period_label="2026", as_of="2026-06-30", currency="",
                   dataset_name="t", headline=head, breakdown=parts,
                   weights=WeightsUsed(name="custom", normalisation=normalisation, group_by="role",
                                       weights={p.metric: p.weight for p in parts}))


def test_a_share_of_target_is_never_called_a_score_out_of_100():
    from salesnb.report.facts import ScorePart
    from salesnb.words import rep as words

    parts = [ScorePart("won_revenue", "money", 1500.0, 60.0, 90.0), ScorePart("activities", "count", 80.0, 40.0, 41.8)]
    view = _view("target", 131.8, parts)
    assert words.score_row(view) == ["Points against targets", "131.8 (100 = every metric at its target)"]
    text = " ".join(words.breakdown(view, "against targets"))
    assert "out of 100" not in text and "131.8" in text
    assert words.score_row(_view("percentile", 72.5, parts)) == ["Score", "72.5 out of 100"]


def test_a_met_target_says_so_and_a_missing_value_earns_nothing():
    from salesnb.report.facts import ScorePart
    from salesnb.words import rep as words

    met = ScorePart("pipeline_coverage", "ratio", None, 10.0, 10.0)  # quota reached: nothing left to cover
    gone = ScorePart("win_rate", "ratio", None, 10.0, 0.0)
    assert words.part_value(met) == "target met (nothing left to cover)"
    assert words.part_value(gone) == "—"
    assert "A metric with no value this period (—) gives 0 points." in words.breakdown(
        _view("percentile", 10.0, [met, gone]), "by percentile")


# ------------------------------------------------------------------ no sentence without its inputs


def test_a_won_only_export_gets_no_rates_no_too_few_deals_and_no_clean_pipeline():
    from salesnb.diagnostics import diagnose
    from salesnb.terminal import summary_text

    d = diagnose(won_only_team(), "2026", "2026-12-31")
    doc = json.loads(to_json(d))
    said = " ".join([summary_text(d), *(r["bottleneck"]["sentence"] for r in doc["reps"]),
                     *(h["sentence"] for h in doc["hygiene"])])
    for claim in ("100%", "Too few deals", "too few deals", "clean", "later in the period", "up to date"):
        assert claim not in said, claim
    assert doc["reps"][0]["bottleneck"]["sentence"].startswith("No funnel verdict: the data holds no lost deal")
    assert {"hygiene", "win_rate", "lead_quality"} <= set(doc["unavailable"])
    assert doc["hygiene"][0]["sentence"].startswith("Pipeline hygiene not checked: the data holds no open deal")
    assert "win_rate" not in d.breakdown.columns  # not a metric of this export: no 100% to score


def test_a_won_only_export_has_no_pipeline_or_lost_effort_figure_to_score():
    # no open deal exported: a pipeline of 0 would be scored as the worst coverage; no lost deal: no effort on them
    from salesnb.metrics import metrics

    t = metrics(won_only_team(), "2026", "2026-12-31")
    for m in ("pipeline_coverage", "open_pipeline", "open_deals", "past_close_date", "wasted_effort_share"):
        assert m not in t.values.columns, m
    assert t.unavailable["open_pipeline"].startswith("the data holds no open deal")
    with_acts = won_only_team(activities=True)
    t = metrics(with_acts, "2026", "2026-12-31")
    assert "wasted_effort_share" not in t.values.columns
    assert t.unavailable["wasted_effort_share"].startswith("the data holds no lost deal")


def test_hygiene_says_only_what_the_data_let_it_check():
    from salesnb.words import manager, rep

    row = {"open_deals": 4, "no_next_step": 0, "stale": 0, "past_close_date": 0}
    no_next = {"next_step": "the open deals have no next_step values: export the Next Step field"}
    assert manager.hygiene(row, no_next) == (
        "None of 4 open deals is flagged on recent activity, close dates. Not checked: next steps (the open deals "
        "have no next_step values: export the Next Step field).")
    assert manager.hygiene(row, {}) == "None of 4 open deals is flagged on next steps, recent activity, close dates."
    gone = {"hygiene": "the data holds no open deal: export the open deals too"}
    assert manager.hygiene({"open_deals": 0}, gone) == (
        "Pipeline hygiene not checked: the data holds no open deal: export the open deals too.")
    assert rep.hygiene_clean({}) == ("None of your open deals is without a next step or stale or past its close "
                                     "date: the pipeline is clean.")
    assert "clean" not in rep.hygiene_clean(no_next)


def test_after_the_period_no_one_is_told_to_look_again_later_in_it():
    from salesnb.words import manager

    row = {"bottleneck": "insufficient_data", "bottleneck_deals_step": "closing", "bottleneck_deals": 3,
           "bottleneck_deals_needed": 12}
    assert manager.bottleneck(row).endswith("review again later in the period.")
    assert manager.bottleneck({**row, "period_over": True}) == (
        "Too few deals to tell where the funnel leaks (3 reached the closing step; about 12 are needed): the period "
        "is over, so this period cannot tell.")


def test_months_with_a_won_deal_are_counted_by_deals_not_by_revenue():
    from salesnb.report.facts import Point, Trend
    from salesnb.words import rep as words

    view = _view("percentile", 50.0, [])
    # three months: a won deal with no amount, nothing, two deals worth 500
    view.trend = Trend(months=[Point("2026-01-01", 0.0, None, deals=1), Point("2026-02-01", 0.0, None, deals=0),
                               Point("2026-03-01", 500.0, None, deals=2)])
    assert words.trend(view)[0] == "You won deals in 2 of the 3 months shown."


def _stage_only_team():
    """Ann: a won deal, a deal lost at meeting, one lost at proposal; Bob: one lost at meeting. No deal is
    recorded at qualified (the CRM's first stage maps to meeting) and there is no stage history."""
    import pandas as pd

    from salesnb.dataset import Dataset

    reps = pd.DataFrame({"rep_id": ["a", "b"], "name": ["Ann", "Bob"], "role": "AE"})
    deal = dict(created_date="2026-02-01", amount=1.0, close_date="2026-03-01")
    rows = [dict(deal, opportunity_id="a1", rep_id="a", status="won", furthest_stage="won"),
            dict(deal, opportunity_id="a2", rep_id="a", status="lost", furthest_stage="meeting"),
            dict(deal, opportunity_id="a3", rep_id="a", status="lost", furthest_stage="proposal"),
            dict(deal, opportunity_id="b1", rep_id="b", status="lost", furthest_stage="meeting")]
    return Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(rows))


def test_a_step_that_is_100_percent_by_construction_is_not_measured():
    from salesnb.metrics import funnel_counts, metrics

    ds = _stage_only_team()
    f = funnel_counts(ds, "2026", "2026-12-31").set_index(["rep_id", "step"])
    assert "qualified->meeting" not in set(f.index.get_level_values("step"))
    # by hand: Ann's 3 deals reached meeting, 2 went on (a1 won, a3 proposal); of those 2, a1 won
    assert tuple(f.loc[("a", "meeting->proposal"), ["reached", "advanced"]]) == (3, 2)
    assert tuple(f.loc[("a", "proposal->won"), ["reached", "advanced"]]) == (2, 1)
    assert tuple(f.loc[("b", "meeting->proposal"), ["reached", "advanced"]]) == (1, 0)
    assert "100% by construction" in f.attrs["not_measured"]
    table = metrics(ds, "2026", "2026-12-31")
    assert "conv_qualified_meeting" not in table.values
    assert "100% by construction" in table.unavailable["conv_qualified_meeting"]


def test_a_rep_who_owns_no_deal_is_not_ranked_among_those_who_do():
    import pandas as pd

    from salesnb.dataset import Dataset
    from salesnb.diagnostics import diagnose

    reps = pd.DataFrame({"rep_id": ["a", "b", "c", "n"], "name": ["Ann", "Bob", "Cat", "Ned"], "role": "AE"})
    rows = [dict(opportunity_id=f"{r}{i}", rep_id=r, created_date="2026-02-01", close_date="2026-03-01",
                 amount=1000.0, status="won" if i < w else "lost", furthest_stage="won" if i < w else "commit")
            for r, w in (("a", 6), ("b", 5), ("c", 4)) for i in range(10)]
    d = diagnose(Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(rows)), "2026", "2026-12-31")
    r = d.reps.set_index("rep_id")
    assert pd.isna(r.at["n", "rank_in_role"]) and pd.isna(r.at["n", "score"])
    assert list(r.loc[["a", "b", "c"], "rank_in_role"]) == [1, 2, 3] and r.at["a", "n_in_role"] == 3
    assert r.at["n", "bottleneck_unmeasured"] == "this rep owns no deals in this data"
    assert any(n.startswith("Not ranked: Ned owns no deals") for n in d.notes)


def test_a_role_that_owns_no_deals_gets_no_early_warning_on_its_revenue_quota():
    """SDRs who own no deal but carry a revenue quota: 0 won, so a forecast would flag every one of them."""
    import pandas as pd

    from salesnb.dataset import Dataset
    from salesnb.diagnostics import diagnose

    reps = pd.DataFrame({"rep_id": ["a", "b", "c", "s", "t"], "name": ["Ann", "Bob", "Cat", "Sam", "Tom"],
                         "role": ["AE", "AE", "AE", "SDR", "SDR"]})
    deals = [dict(opportunity_id=f"{r}{i}", rep_id=r, created_date="2026-01-05", close_date="2026-02-01",
                  status=("won" if i % 2 == 0 else "lost"), amount=100.0) for r in "abc" for i in range(6)]
    deals += [dict(opportunity_id=f"{r}-open", rep_id=r, created_date="2026-05-05", status="open", amount=100.0)
              for r in "abc"]  # an open deal each: without any, no rep gets a projection
    quotas = pd.DataFrame({"rep_id": list("abcst"), "period_start": "2026-01-01", "period_end": "2026-12-31",
                           "quota": 1000.0})
    d = diagnose(Dataset.from_frames(reps=reps, opportunities=pd.DataFrame(deals), quotas=quotas),
                 period="2026", as_of="2026-06-30")
    at_risk = d.reps.set_index("rep_id")["at_risk"]
    assert at_risk[["s", "t"]].isna().all()  # no verdict either way
    assert at_risk[["a", "b", "c"]].notna().all()  # the AEs still get theirs (300 won of 1,000 by mid-year)
    assert any("No early warning for the SDR role" in n for n in d.notes)
    doc = json.loads(to_json(d))
    assert [r["at_risk"] for r in doc["reps"] if r["id"] in ("s", "t")] == [None, None]
