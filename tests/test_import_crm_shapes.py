"""Exports shaped like real CRM datasets (tests/data/crm_shapes, made by its make_fixtures.py) import with the
mapping written from the docs, and the money figures per rep match pandas computed straight from the raw files.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb.cli import main
from salesnb.errors import MappingError
from salesnb.importers import import_export
from salesnb.load import load
from salesnb.metrics import metrics

SHAPES = Path(__file__).resolve().parent / "data" / "crm_shapes"
STAGE = SHAPES / "stage_only"
NUMERIC = SHAPES / "numeric_ids"
STAGE_FILES = ["sales_pipeline.csv", "sales_teams.csv", "products.csv", "accounts.csv"]
NUMERIC_FILES = ["employees.csv", "deals.csv", "team_quotas.csv"]


def test_the_fixtures_are_what_make_fixtures_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", SHAPES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    assert made == sorted(p.relative_to(SHAPES) for p in SHAPES.rglob("*.csv"))
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (SHAPES / rel).read_bytes(), rel


def raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cli_import(folder: Path, files: list[str], out: Path, capsys) -> str:
    code = main(["import", "--from", str(folder / "mapping.toml"), "--out", str(out)] + [str(folder / f) for f in files])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Validation: passed" in captured.out
    return captured.out


def assert_per_rep(table, won: pd.DataFrame, closed: pd.DataFrame, rep: str, amount: str) -> None:
    """Won revenue and win rate per rep of `table` against pandas on the raw rows (won: won rows; closed: won + lost)."""
    revenue = won.groupby(rep)[amount].apply(lambda s: s.astype(float).sum())
    rate = closed.groupby(rep)["is_won"].mean()
    assert len(rate) > 5
    for rep_id in rate.index:
        assert table.values.loc[rep_id, "won_revenue"] == pytest.approx(revenue.get(rep_id, 0.0)), rep_id
        assert table.values.loc[rep_id, "win_rate"] == pytest.approx(rate[rep_id]), rep_id


# --------------------------------------------------------------------------------------
# (a) stage-only pipeline, roster, price list with a spelling mismatch, accounts


def test_stage_only_pipeline_imports_and_matches_pandas(tmp_path, capsys):
    out = tmp_path / "ds"
    text = cli_import(STAGE, STAGE_FILES, out, capsys)
    deals = raw(STAGE / "sales_pipeline.csv")
    # ids from names, worked out here: lower case, runs of spaces as one hyphen ('Cecily  Lampkin' too)
    deals["rep"] = deals["sales_agent"].str.split().str.join("-").str.lower()
    deals["is_won"] = deals["deal_stage"] == "Won"
    closed = deals[deals["deal_stage"].isin(["Won", "Lost"])]
    table = metrics(load(out), period="2016-01-01..2017-12-31", as_of="2017-12-31")
    assert_per_rep(table, closed[closed["is_won"]], closed, "rep", "close_value")
    # the two agents of the roster without deals are reps with no figures, not zeros
    for agent in ("lajuana-vencill", "hayden-neloms"):
        assert np.isnan(table.values.loc[agent, "won_revenue"])
    assert len(table.values) == len(raw(STAGE / "sales_teams.csv"))  # 'Cecily  Lampkin' is no extra rep

    # Prospecting deals have no engage date: dropped and counted, with their lines.
    prospecting = deals.index[deals["deal_stage"] == "Prospecting"]
    assert f"{len(prospecting)} row(s) of sales_pipeline.csv dropped: empty created_date" in text
    assert f"(lines {', '.join(str(i + 2) for i in prospecting[:5])}, ...)" in text
    assert "accounts.csv: not used" in text

    # Open deals take the list price through the loose join ('GTXPro' finds 'GTX Pro').
    prices = raw(STAGE / "products.csv")
    price = dict(zip(prices["product"].str.replace(" ", "").str.lower(), prices["sales_price"].astype(float)))
    engaging = deals[deals["deal_stage"] == "Engaging"].set_index("opportunity_id")
    got = pd.read_csv(out / "opportunities.csv", dtype={"opportunity_id": str}).set_index("opportunity_id")
    expected = engaging["product"].str.replace(" ", "").str.lower().map(price)
    assert (got.loc[engaging.index, "amount"] == expected).all()
    # Lost deals were engaged: they reached the meeting step; won deals the last one.
    lost = deals.loc[deals["deal_stage"] == "Lost", "opportunity_id"]
    assert set(got.loc[lost, "furthest_stage"]) == {"meeting"}


def test_stage_only_with_names_matching_reports_the_spelling_mismatch(tmp_path):
    src = tmp_path / "export"
    shutil.copytree(STAGE, src)
    mapping = (src / "mapping.toml").read_text()
    (src / "mapping.toml").write_text(mapping.replace('match = "loose"', 'match = "names"'))
    result = import_export([src / f for f in STAGE_FILES], tmp_path / "ds", src / "mapping.toml")
    deals = raw(STAGE / "sales_pipeline.csv")
    [u] = result.unmatched
    assert u.values == [("GTXPro", int((deals["product"] == "GTXPro").sum()), ["GTX Pro"])]
    assert "did you mean 'GTX Pro'?" in result.format() and 'match = "loose"' in result.format()
    # the open GTXPro deals fell back to the default, and the summary counts them
    open_gtx = ((deals["product"] == "GTXPro") & (deals["deal_stage"] == "Engaging")).sum()
    assert result.tables["opportunities"].fills["amount"]["from the default '0' (where no source gave a value)"] \
        == open_gtx


# --------------------------------------------------------------------------------------
# (b) numeric employee ids, three roles, YYYYMMDD, team quotas by Year + Quarter, credit notes


def test_numeric_ids_import_and_match_pandas(tmp_path, capsys):
    out = tmp_path / "ds"
    text = cli_import(NUMERIC, NUMERIC_FILES, out, capsys)
    deals = raw(NUMERIC / "deals.csv")
    credit = deals["amount"].str.startswith("-")
    kept = deals[~credit].copy()  # the mapping drops negative amounts (sign = "drop")
    kept["is_won"] = kept["stage"] == "Closed Won"
    closed = kept[kept["stage"].isin(["Closed Won", "Closed Lost"])]
    ds = load(out)
    table = metrics(ds, period="2021-01-01..2022-12-31", as_of="2022-06-30")
    assert_per_rep(table, closed[closed["is_won"]], closed, "owner_id", "amount")
    assert "05" in table.values.index and "5" not in table.values.index
    assert ds.reps.set_index("rep_id").loc["05", "name"] == "Eve Moss"
    # SDRs own no deals: no revenue figure rather than 0
    employees = raw(NUMERIC / "employees.csv")
    for sdr in employees.loc[employees["role"] == "SDR", "employee_id"]:
        assert np.isnan(table.values.loc[sdr, "won_revenue"])
    # the credit notes are dropped with their lines; the unnamed column is listed with its stray values
    lines = ", ".join(str(i + 2) for i in deals.index[credit])
    assert f"{credit.sum()} row(s) of deals.csv dropped: amount below 0 (sign = \"drop\") (lines {lines})" in text
    stray = (deals.iloc[:, -1] != "").sum()
    assert f"Not imported from deals.csv: (unnamed column 10, {stray} value(s))" in text


def test_numeric_ids_team_quotas_are_dated_quarters(tmp_path, capsys):
    out = tmp_path / "ds"
    cli_import(NUMERIC, NUMERIC_FILES, out, capsys)
    src = raw(NUMERIC / "team_quotas.csv")
    expected = []
    for _, r in src.iterrows():
        year, q = int(r["Year"]), int(r["Quarter"][1])
        start = dt.date(year, 3 * q - 2, 1)
        end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1))
        amount = float(r["Quota"].strip().lstrip("$").replace(",", ""))
        expected.append([r["Team"], start.isoformat(), end.isoformat(), amount])
    got = pd.read_csv(out / "team_quotas.csv", dtype={"quota": float}, keep_default_na=False)
    assert got.values.tolist() == expected


def test_numeric_ids_without_a_sign_rule_name_the_fix(tmp_path):
    src = tmp_path / "export"
    shutil.copytree(NUMERIC, src)
    mapping = (src / "mapping.toml").read_text()
    (src / "mapping.toml").write_text(mapping.replace('amount = { column = "amount", sign = "drop" }',
                                                      'amount = "amount"'))
    with pytest.raises(MappingError) as info:
        import_export([src / f for f in NUMERIC_FILES], tmp_path / "ds", src / "mapping.toml")
    msg = str(info.value)
    deals = raw(NUMERIC / "deals.csv")
    assert f"{deals['amount'].str.startswith('-').sum()} row(s) of deals.csv have 'amount' values that are negative" \
        in msg
    assert 'sign = "abs"' in msg and 'sign = "drop"' in msg
    assert not (tmp_path / "ds").exists()
