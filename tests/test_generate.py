"""The sample-data generator and the bundled sample team.

Story checks recompute everything from the CSV files with plain pandas, the
way a manager's analyst would, so they do not depend on salesnb's own metrics.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.config import SAMPLE_DIR
from salesnb.errors import ConfigError
from salesnb.generate import generate
from salesnb.schema import ACTIVITY_TYPES, OPPORTUNITY_STAGES, TABLES

# The command recorded in data/sample/README.md.
SAMPLE_ARGS = dict(reps=24, seed=15, volume=0.3)
AS_OF = "2026-11-15"
YEAR_START = "2026-01-01"
STAGE_INDEX = {s: i for i, s in enumerate(OPPORTUNITY_STAGES)}  # qualified=0 ... won=4


def read(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of a generated folder, ids as text, the way a careful analyst reads them."""
    ids = {"rep_id": str, "lead_id": str, "opportunity_id": str, "activity_id": str, "assisted_by": str}
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=ids, keep_default_na=False, na_values=[""])
            for name in TABLES}


def small(tmp_path, name="out", **kw) -> tuple[Path, object]:
    args = dict(reps=14, seed=5, volume=0.08) | kw
    out = tmp_path / name
    return out, generate(out, **args)


# ------------------------------------------------------------------ determinism and shape


def test_same_arguments_give_the_same_bytes_and_another_seed_differs(tmp_path):
    a, _ = small(tmp_path, "a")
    b, _ = small(tmp_path, "b")
    c, _ = small(tmp_path, "c", seed=6)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "opportunities.csv").read_bytes() != (c / "opportunities.csv").read_bytes()
    assert (a / "activities.csv").read_bytes() != (c / "activities.csv").read_bytes()


def test_every_table_is_written_with_the_canonical_columns(tmp_path):
    out, result = small(tmp_path)
    expected_files = {f"{name}.csv" for name in TABLES} | {"dataset.toml"}
    assert {p.name for p in out.iterdir()} == expected_files
    for name, table in TABLES.items():
        header = (out / f"{name}.csv").read_text().splitlines()[0]
        assert header == ",".join(table.column_names), name
        rows = len((out / f"{name}.csv").read_text().splitlines()) - 1
        assert result.rows[name] == rows > 0, name
        assert result.paths[name] == out / f"{name}.csv"


def test_dataset_toml_names_the_period_and_as_of(tmp_path):
    import tomllib

    out, _ = small(tmp_path)
    meta = tomllib.loads((out / "dataset.toml").read_text())
    assert meta["default_period"] == "2026"
    assert meta["as_of"] == AS_OF
    assert meta["currency"] == "USD" and meta["name"]


def test_ids_point_at_rows_that_exist(tmp_path):
    out, _ = small(tmp_path, reps=20, stories=True)
    t = read(out)
    reps = set(t["reps"].rep_id)
    opps, leads = set(t["opportunities"].opportunity_id), set(t["leads"].lead_id)
    for name in ("opportunities", "quotas", "leads", "activities"):
        assert set(t[name].rep_id.dropna()) <= reps, name
    assert set(t["opportunities"].lead_id.dropna()) <= leads
    assert set(t["leads"].opportunity_id.dropna()) <= opps
    assert set(t["activities"].opportunity_id.dropna()) <= opps
    assert set(t["activities"].lead_id.dropna()) <= leads
    assert set(t["stage_history"].opportunity_id) <= opps
    helpers = set(t["opportunities"].assisted_by.dropna().str.split(";").explode())
    assert helpers and helpers <= reps
    for name in ("reps", "opportunities", "leads", "activities"):
        key = TABLES[name].key
        assert t[name][key].is_unique, name
    assert t["reps"].rep_id.str.fullmatch(r"R\d{3}").all()  # ids are text with leading zeros


def test_rows_are_internally_consistent(tmp_path):
    out, _ = small(tmp_path, reps=20)
    t = read(out)
    o, sh, leads, acts = t["opportunities"], t["stage_history"], t["leads"], t["activities"]
    # Won deals reached "won"; nothing else did.
    assert ((o.status == "won") == (o.furthest_stage == "won")).all()
    assert o.close_date.notna().all()
    closed = o[o.status != "open"]
    assert (closed.close_date >= closed.created_date).all()
    assert (o.amount > 0).all()
    # Stage history: one row per stage up to the furthest, in time order.
    per_opp = sh.groupby("opportunity_id").stage.apply(list)
    expected = o.set_index("opportunity_id").furthest_stage.map(lambda s: list(OPPORTUNITY_STAGES[:STAGE_INDEX[s] + 1]))
    assert per_opp.sort_index().tolist() == expected.sort_index().tolist()
    assert sh.groupby("opportunity_id").entered_date.is_monotonic_increasing.all()
    # A lead is qualified exactly when it became an opportunity, and the link goes both ways.
    assert ((leads.status == "qualified") == leads.opportunity_id.notna()).all()
    back = o.set_index("opportunity_id").lead_id
    linked = leads.dropna(subset=["opportunity_id"])
    assert (back.loc[linked.opportunity_id].to_numpy() == linked.lead_id.to_numpy()).all()
    # Next steps only on open deals, and some open deals have none (hygiene).
    assert o[o.status != "open"].next_step.isna().all()
    assert 0 < o[o.status == "open"].next_step.isna().sum() < (o.status == "open").sum()
    # Every activity type occurs; miles only on visits and some meetings.
    assert set(acts.type) == set(ACTIVITY_TYPES)
    with_miles = acts[acts.miles.notna()]
    assert set(with_miles.type) == {"visit", "meeting"}
    assert acts[acts.type == "visit"].miles.notna().all()
    assert (acts[acts.type == "meeting"].miles.notna().mean()) < 0.3
    assert (acts.date <= AS_OF).all() and (o.created_date <= AS_OF).all()
    # Activities fall on weekdays.
    assert (pd.to_datetime(acts.date).dt.day_of_week < 5).all()


def test_big_teams_get_many_teams_and_roles_to_compare(tmp_path):
    out, _ = small(tmp_path, reps=60, stories=False, volume=0.02)
    reps = read(out)["reps"]
    assert reps.team.nunique() == 5  # about 12 per team
    assert reps.role.value_counts().min() >= 8


# ------------------------------------------------------------------ writing safely


def test_nothing_reaches_the_folder_when_generation_fails(tmp_path, monkeypatch):
    import salesnb.generate as gen

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(gen, "simulate_chunk", broken)
    out = tmp_path / "never"
    with pytest.raises(RuntimeError):
        generate(out, reps=12, seed=0)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left behind


def test_refuses_to_mix_csv_and_parquet_tables_in_one_folder(tmp_path):
    out = tmp_path / "mixed"
    out.mkdir()
    (out / "reps.parquet").write_bytes(b"")
    with pytest.raises(ConfigError, match="reps.parquet"):
        generate(out, reps=12, seed=0, volume=0.05)
    assert [p.name for p in out.iterdir()] == ["reps.parquet"]


def test_bad_arguments_are_explained(tmp_path):
    with pytest.raises(ConfigError, match="at least 12 reps"):
        generate(tmp_path / "x", reps=5)
    with pytest.raises(ConfigError, match="stories=False"):
        generate(tmp_path / "x", reps=20, plant_bottlenecks=True)
    with pytest.raises(ConfigError, match="after start"):
        generate(tmp_path / "x", reps=20, as_of="2025-01-01")
    assert not (tmp_path / "x").exists()


def test_parquet_output_has_the_same_rows(tmp_path):
    import pyarrow.parquet as pq

    csv_out, csv_res = small(tmp_path, "csv")
    pq_out, pq_res = small(tmp_path, "pq", fmt="parquet")
    assert pq_res.rows == csv_res.rows
    for name in TABLES:
        assert pq.read_table(pq_out / f"{name}.parquet").num_rows == csv_res.rows[name]


# ------------------------------------------------------------------ command line


def run_cli(argv):
    from salesnb.cli import main

    return main(argv)


def test_cli_writes_the_dataset_and_says_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "cli"
    assert run_cli(["sample", "--reps", "30", "--seed", "4", "--out", str(out), "--volume", "0.05",
                    "--plant-bottlenecks"]) == 0
    printed = capsys.readouterr().out
    assert "activities.csv" in printed and "Bottlenecks planted" in printed and "mail" in printed
    assert len(read(out)["reps"]) == 30


def test_cli_help_documents_the_options(capsys):
    assert run_cli(["sample", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--reps", "--seed", "--out", "--no-stories", "--plant-bottlenecks", "--volume"):
        assert option in text


# ------------------------------------------------------------------ planted bottlenecks (issue 4)


def rung_rates(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per rep: leads, and conversion at each rung, from decided leads and closed deals only."""
    leads = t["leads"][t["leads"].status != "open"]
    out = pd.DataFrame({"leads": t["leads"].groupby("rep_id").size(),
                        "qualifying": leads.groupby("rep_id").status.apply(lambda s: (s == "qualified").mean())})
    closed = t["opportunities"][t["opportunities"].status != "open"]
    reached = closed.furthest_stage.map(STAGE_INDEX)
    for i, rung in enumerate(("meeting", "proposing", "committing", "closing"), start=1):
        at = closed[reached >= i - 1].groupby("rep_id").size()
        on = closed[reached >= i].groupby("rep_id").size()
        out[rung] = (on / at).reindex(out.index).fillna(0)
    return out


def test_planted_bottlenecks_show_in_the_data(tmp_path):
    out, result = small(tmp_path, reps=30, seed=11, stories=False, plant_bottlenecks=True, volume=0.4)
    planted = result.truth.bottlenecks()
    # About half the reps: 15 expected, well inside 6..24 for any seed.
    assert 6 <= len(planted) <= 24
    assert set(planted.values()) <= {"prospecting", "qualifying", "meeting", "proposing", "committing", "closing"}
    assert result.truth.noise_metric == "mail"
    assert all(result.truth.reps[rep].archetype == f"weak_{step}" for rep, step in planted.items())
    rates = rung_rates(read(out))
    clean = [r for r in rates.index if r not in planted]
    for rep, step in planted.items():
        column = "leads" if step == "prospecting" else step
        typical = rates.loc[clean, column].median()
        # A third of the normal rate: clearly below every unplanted rep's median.
        assert rates.loc[rep, column] < 0.6 * typical, (rep, step, rates.loc[rep, column], typical)


def test_unplanted_team_has_no_bottlenecks_in_truth(tmp_path):
    _, result = small(tmp_path, reps=20, stories=False)
    assert result.truth.bottlenecks() == {}
    assert {t.archetype for t in result.truth.reps.values()} == {"typical"}


# ------------------------------------------------------------------ the bundled sample's stories


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return read(SAMPLE_DIR)


@pytest.fixture(scope="module")
def per_rep(sample) -> pd.DataFrame:
    """One row per rep with the figures a manager would look at, computed with plain pandas."""
    reps, o, leads, acts, quotas = (sample[k] for k in ("reps", "opportunities", "leads", "activities", "quotas"))
    won = o[(o.status == "won") & (o.close_date >= YEAR_START) & (o.close_date <= AS_OF)]
    q = quotas[quotas.period_start <= AS_OF].copy()
    ps, pe, asof = pd.to_datetime(q.period_start), pd.to_datetime(q.period_end), pd.Timestamp(AS_OF)
    q["ytd"] = q.quota * ((np.minimum(pe, asof) - ps).dt.days + 1) / ((pe - ps).dt.days + 1)
    acts26 = acts[acts.date >= YEAR_START]
    closed = o[o.status != "open"]
    good = (leads.company_size >= 50) & leads.has_need & leads.decision_maker
    helpers = o.assisted_by.dropna().str.split(";").explode()
    df = pd.DataFrame({
        "name": reps.set_index("rep_id").name,
        "won": won.groupby("rep_id").amount.sum(),
        "won_deal": won.groupby("rep_id").amount.mean(),
        "opps": o.groupby("rep_id").size(),
        "commits": o[o.furthest_stage.isin(["commit", "won"])].groupby("rep_id").size(),
        "win_rate": closed.groupby("rep_id").status.apply(lambda s: (s == "won").mean()),
        "icp_share": good.groupby(leads.rep_id).mean(),
        "miles": acts26.groupby("rep_id").miles.sum(),
        "meetings": acts26[acts26.type == "meeting"].groupby("rep_id").size(),
        "visits": acts26[acts26.type == "visit"].groupby("rep_id").size(),
        "assists": helpers.value_counts(),
    }).fillna({"won": 0, "assists": 0, "visits": 0})
    df["attainment"] = df.won / q.groupby("rep_id").ytd.sum()
    df = df.join(rung_rates(sample))
    return df


def who(per_rep, name):
    matches = per_rep.index[per_rep.name == name]
    assert len(matches) == 1, name
    return matches[0]


def test_sample_is_reproduced_by_the_documented_command(tmp_path):
    out = tmp_path / "again"
    generate(out, **SAMPLE_ARGS)
    for path in sorted(SAMPLE_DIR.iterdir()):
        if path.name == "README.md":
            continue
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    readme = (SAMPLE_DIR / "README.md").read_text()
    assert "salesnb sample --reps 24 --seed 15 --volume 0.3 --out data/sample" in readme


def test_sample_is_small_enough_to_commit_and_has_two_teams(sample):
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir()) < 5_000_000
    reps = sample["reps"]
    assert 20 <= len(reps) <= 30
    assert sorted(reps.team.unique()) == ["East", "West"]
    assert (reps.role == "AE").sum() >= 8
    q = sample["quotas"]
    assert set(pd.to_datetime(q.period_start).dt.month) == {1, 4, 7, 10}  # quarterly


def test_top_performer_sells_most_and_drives_least(per_rep, sample):
    top = who(per_rep, "Priya Shah")
    assert per_rep.won.idxmax() == top
    assert per_rep.attainment.idxmax() == top
    assert per_rep.miles.idxmin() == top
    # Sells by phone, email, social and office meetings: those make up almost all her activities.
    acts = sample["activities"]
    mine = acts[acts.rep_id == top].type.value_counts(normalize=True)
    assert mine[["call", "email", "social", "meeting"]].sum() > 0.85
    assert per_rep.visits[top] < 0.2 * per_rep.visits.drop(top).min()
    assert acts[(acts.rep_id == top) & (acts.type == "meeting")].miles.isna().all()  # meetings in her office


def test_john_has_a_full_pipeline_but_cannot_close(per_rep):
    john = who(per_rep, "John Carter")
    assert per_rep.closing.idxmin() == john
    assert per_rep.commits.idxmax() == john
    assert per_rep.opps[john] > per_rep.opps.median() * 1.3
    assert per_rep.closing[john] < 0.5 * per_rep.closing.median()


def test_sally_qualifies_few_but_closes_what_she_has(per_rep):
    sally = who(per_rep, "Sally Nguyen")
    assert per_rep.qualifying.idxmin() == sally
    assert 0.7 < per_rep.leads[sally] / per_rep.leads.median() < 1.3  # a normal number of leads
    assert per_rep.opps[sally] < 0.5 * per_rep.opps.median()
    assert sally in per_rep.win_rate.nlargest(3).index


def test_john_and_sally_miss_their_target_by_similar_margins(per_rep):
    john, sally = who(per_rep, "John Carter"), who(per_rep, "Sally Nguyen")
    assert per_rep.attainment[john] < 0.9 and per_rep.attainment[sally] < 0.9
    assert abs(per_rep.attainment[john] - per_rep.attainment[sally]) < 0.1


def test_a_rep_fills_the_pipeline_with_poor_leads(per_rep):
    kevin = who(per_rep, "Kevin Brooks")
    assert per_rep.leads.idxmax() == kevin
    assert per_rep.icp_share.idxmin() == kevin
    assert per_rep.won_deal.idxmin() == kevin
    assert per_rep.qualifying[kevin] < per_rep.qualifying.median()
    assert per_rep.opps[kevin] > per_rep.opps.median()


def test_the_collaborator_shows_up_in_others_wins(per_rep, sample):
    grace = who(per_rep, "Grace Kim")
    assert per_rep.assists.idxmax() == grace
    assert per_rep.assists[grace] > 2 * per_rep.assists.drop(grace).max()
    o = sample["opportunities"]
    helped = o[o.assisted_by.fillna("").str.contains(grace)]
    assert (helped.status == "won").all() and (helped.rep_id != grace).all()


def test_the_mid_year_hire_and_the_leaver(sample):
    reps, quotas, acts, o = (sample[k] for k in ("reps", "quotas", "activities", "opportunities"))
    omar = reps[reps.name == "Omar Haddad"].iloc[0]
    assert omar.hire_date == "2026-07-01"
    assert quotas[quotas.rep_id == omar.rep_id].period_start.min() == "2026-07-01"
    assert acts[acts.rep_id == omar.rep_id].date.min() >= "2026-07-01"
    tom = reps[reps.name == "Tom Reilly"].iloc[0]
    assert tom.end_date == "2026-06-30"
    assert quotas[quotas.rep_id == tom.rep_id].period_end.max() == "2026-06-30"
    assert acts[acts.rep_id == tom.rep_id].date.max() <= "2026-06-30"
    assert (o[o.rep_id == tom.rep_id].status != "open").all()  # history kept, nothing left open
    assert len(o[o.rep_id == tom.rep_id]) > 20
    assert reps.end_date.notna().sum() == 1


def test_miles_are_vanity_and_meetings_a_driver(per_rep):
    ranks = per_rep[["attainment", "won", "miles", "meetings", "opps"]].rank()
    rho = ranks.corr()  # Spearman: Pearson on ranks
    assert abs(rho.loc["miles", "attainment"]) < 0.3
    assert abs(rho.loc["miles", "won"]) < 0.3
    assert rho.loc["meetings", "won"] > 0.4
    assert rho.loc["opps", "won"] > 0.4


@pytest.mark.skipif(importlib.util.find_spec("salesnb.load") is None, reason="the loader is not in this tree")
def test_sample_loads_without_errors_or_warnings():
    from salesnb.load import load

    ds = load(SAMPLE_DIR)
    assert ds.report.ok
    assert not ds.report.errors and not ds.report.warnings
    assert len(ds.reps) == 24
    assert ds.opportunities.rep_id.dtype == "str"


@pytest.mark.skipif(importlib.util.find_spec("salesnb.load") is None, reason="the loader is not in this tree")
@pytest.mark.parametrize("kw", [dict(stories=False, reps=80, fmt="parquet"),
                                dict(stories=False, plant_bottlenecks=True, reps=30)])
def test_generated_teams_load_without_errors_or_warnings(tmp_path, kw):
    from salesnb.load import load

    out, result = small(tmp_path, **(dict(volume=0.05) | kw))
    ds = load(out)
    assert ds.report.ok and not ds.report.warnings
    assert len(ds.activities) == result.rows["activities"]
    if kw["reps"] == 80:
        assert ds.reps.end_date.notna().any() or (ds.reps.hire_date >= "2026-01-01").any()  # joiners or leavers


# ------------------------------------------------------------------ teams unlike the sample (bench/)


def test_shapes_make_seasons_phased_quotas_earlier_years_big_deals_and_new_hires(tmp_path):
    from salesnb.generate import Shape

    shape = Shape(season=(0.15, 0.15, 0.2, 0.5), phased_quotas=True, history_years=1, big_deals=0.02,
                  new_hires=0.5, spread=0.2)
    out, _ = small(tmp_path, reps=12, volume=0.3, stories=False, as_of="2026-12-31", shape=shape)
    t = read(out)
    won = t["opportunities"][t["opportunities"].status == "won"]
    closed = pd.to_datetime(won.close_date)
    year = won[closed.dt.year == 2025]
    q4 = year.amount[pd.to_datetime(year.close_date).dt.quarter == 4].sum() / year.amount.sum()
    assert 0.35 < q4 < 0.6  # about half the year closes in Q4 (15/15/20/50 of the deals' flow)
    q = t["quotas"].assign(period_start=lambda d: pd.to_datetime(d.period_start))
    assert set(q.period_start.dt.year) == {2025, 2026}  # quotas for the earlier year too
    full = q[q.rep_id.isin(t["reps"].rep_id[pd.to_datetime(t["reps"].hire_date) < "2025-01-01"])]
    by_q = full[full.period_start.dt.year == 2026].groupby(full.period_start.dt.quarter)["quota"].sum()
    assert (by_q / by_q.sum()).round(2).tolist() == [0.15, 0.15, 0.2, 0.5]
    assert pd.to_datetime(t["opportunities"].created_date).min() < pd.Timestamp("2025-01-01")
    amounts = t["opportunities"].amount
    assert amounts.max() > 6 * amounts.median()  # a few very large deals
    hired = pd.to_datetime(t["reps"].hire_date)
    assert ((hired > "2025-08-01") & (hired < "2026-06-01")).sum() >= 2  # new hires around the year's start


def test_bad_shapes_are_explained(tmp_path):
    from salesnb.generate import Shape

    for bad, said in [(Shape(season=(0.5, 0.5)), "four positive quarter shares"),
                      (Shape(phased_quotas=True), "give season too"), (Shape(history_years=9), "0..5"),
                      (Shape(big_deals=0.9), "big_deals")]:
        with pytest.raises(ConfigError, match=said):
            generate(tmp_path / "x", reps=4, stories=False, shape=bad)


def test_events_seed_replays_the_same_team_with_other_luck(tmp_path):
    a, _ = small(tmp_path, "a")
    same, _ = small(tmp_path, "same", events_seed=5)  # the default is the team's own seed
    replay, _ = small(tmp_path, "replay", events_seed=99)
    for f in a.iterdir():
        assert (same / f.name).read_bytes() == f.read_bytes(), f.name
    for f in ("reps.csv", "quotas.csv", "team_quotas.csv"):
        assert (replay / f).read_bytes() == (a / f).read_bytes(), f
    for f in ("opportunities.csv", "leads.csv", "activities.csv"):
        assert (replay / f).read_bytes() != (a / f).read_bytes(), f
