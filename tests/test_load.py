"""Loading a dataset folder into a typed Dataset, and writing one back."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesnb.dataset import Dataset, DatasetMeta
from salesnb.errors import DatasetError, SalesnbError
from salesnb.load import load, write_dataset
from salesnb.validate import ValidationReport, validate_folder

FILES = {
    "reps.csv": "rep_id,name,team,hire_date,end_date\n007,Ann,East,2025-01-15,\n0070,Bob,West,,2026-05-31\n",
    "opportunities.csv": (
        "opportunity_id,rep_id,created_date,status,amount,close_date,lead_id,revenue_type\n"
        "001,007,2026-01-05,won,1200.50,2026-02-01,1,recurring\n"
        "002,0070,2026-01-10T09:30:00,open,0,,,\n"
    ),
    "leads.csv": (
        "lead_id,rep_id,created_date,status,company_size,has_need,decision_maker\n"
        "1,007,2025-12-01,qualified,120,yes,TRUE\n"
        "2,,2025-12-02,open,,No,0\n"
    ),
}


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "ds"
    out.mkdir()
    for name, text in FILES.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def test_load_types_and_ids(folder):
    ds = load(folder)
    assert isinstance(ds, Dataset) and ds.source == folder
    assert ds.reps["rep_id"].tolist() == ["007", "0070"]  # ids are never numbers
    assert ds.opportunities["opportunity_id"].tolist() == ["001", "002"]
    assert ds.leads["lead_id"].tolist() == ["1", "2"]
    assert ds.reps["rep_id"].dtype == "str"
    assert str(ds.opportunities["created_date"].dtype) == "datetime64[ms]"
    assert ds.opportunities["amount"].tolist() == [1200.5, 0.0]
    assert ds.opportunities["amount"].dtype == np.float64
    assert ds.opportunities["created_date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-10")]
    assert pd.isna(ds.opportunities["close_date"].iloc[1])
    assert ds.leads["has_need"].dtype == "boolean"
    assert ds.leads["has_need"].tolist() == [True, False]
    assert ds.leads["decision_maker"].tolist() == [True, False]
    assert ds.leads["company_size"].iloc[0] == 120.0 and pd.isna(ds.leads["company_size"].iloc[1])
    assert pd.isna(ds.leads["rep_id"].iloc[1])  # empty = unassigned
    assert pd.isna(ds.opportunities["revenue_type"].iloc[1])


def test_every_canonical_column_is_present(folder):
    ds = load(folder)
    from salesnb.schema import TABLES

    for name, df in ds.tables().items():
        assert list(df.columns) == list(TABLES[name].column_names)
    assert ds.opportunities["furthest_stage"].isna().all()  # absent optional column: empty


def test_absent_optional_tables_are_none(folder):
    ds = load(folder)
    assert ds.quotas is None and ds.activities is None and ds.stage_history is None and ds.team_quotas is None
    assert "activities" in ds.missing("activities")


def test_report_attached_and_default_meta(folder):
    ds = load(folder)
    assert isinstance(ds.report, ValidationReport) and ds.report.ok
    assert ds.meta == DatasetMeta()


def test_dataset_toml_is_read(folder):
    (folder / "dataset.toml").write_text('name = "North"\ncurrency = "EUR"\n[icp]\nmin_company_size = 200\n')
    ds = load(folder)
    assert (ds.meta.name, ds.meta.currency, ds.meta.icp.min_company_size) == ("North", "EUR", 200)


def test_errors_raise_dataset_error_with_report(folder):
    (folder / "opportunities.csv").write_text(FILES["opportunities.csv"].replace("1200.50", "-3"))
    with pytest.raises(DatasetError) as err:
        load(folder)
    assert isinstance(err.value, SalesnbError)
    assert str(err.value) == err.value.report.format()
    assert "opportunities.csv:2: column amount: value '-3'" in str(err.value)


def test_write_then_load_round_trip_csv(folder, tmp_path):
    ds = load(folder)
    out = write_dataset(ds, tmp_path / "copy")
    again = load(out)
    for name, df in ds.tables().items():
        pd.testing.assert_frame_equal(again.table(name), df)
    assert again.report.issues == []
    text = (out / "opportunities.csv").read_text()
    # canonical column order: ..., close_date, furthest_stage, lead_id, account, lead_source, revenue_type, ...
    assert text.splitlines()[1] == "001,007,2026-01-05,won,1200.5,2026-02-01,,1,,,recurring,,,"
    # lead_id, rep_id, created_date, status, source, company_size, has_need, decision_maker, industry, opportunity_id
    assert (out / "leads.csv").read_text().splitlines()[1] == "1,007,2025-12-01,qualified,,120,true,true,,"
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_write_then_load_round_trip_parquet(folder, tmp_path):
    ds = load(folder)
    out = write_dataset(ds, tmp_path / "pq", fmt="parquet")
    assert pq.read_schema(out / "opportunities.parquet").field("created_date").type == pa.date32()
    again = load(out)
    for name, df in ds.tables().items():
        pd.testing.assert_frame_equal(again.table(name), df)


def test_write_from_plain_frames_and_meta(tmp_path):
    out = write_dataset(
        {"reps": pd.DataFrame({"rep_id": ["01"], "name": ["Ann"]}),
         "opportunities": pd.DataFrame({"opportunity_id": ["9"], "rep_id": ["01"], "created_date": ["2026-03-01"],
                                        "status": ["open"], "amount": [10]})},
        tmp_path / "plain", meta=DatasetMeta(name="Tiny", currency="GBP"))
    assert (out / "reps.csv").read_text() == "rep_id,name\n01,Ann\n"
    ds = load(out)
    assert ds.meta.name == "Tiny" and ds.meta.currency == "GBP"
    assert ds.opportunities["amount"].tolist() == [10.0]


def test_write_refuses_to_mix_formats(folder, tmp_path):
    ds = load(folder)
    out = write_dataset(ds, tmp_path / "mixed", fmt="parquet")
    with pytest.raises(DatasetError, match="reps.parquet"):
        write_dataset(ds, out, fmt="csv")


def test_parquet_problems_name_the_row(tmp_path):
    out = tmp_path / "pq"
    out.mkdir()
    pq.write_table(pa.table({"rep_id": ["1", "2"], "name": ["A", "B"]}), out / "reps.parquet")
    pq.write_table(pa.table({"opportunity_id": ["o1", "o2"], "rep_id": ["1", "2"],
                             "created_date": ["2026-01-01", "2026-01-02"], "status": ["open", "won"],
                             "amount": [5.0, -1.0], "close_date": [None, "2026-01-03"]}), out / "opportunities.parquet")
    report = validate_folder(out)
    [issue] = report.errors
    assert (issue.file, issue.line, issue.column, issue.value) == ("opportunities.parquet", 2, "amount", "-1")
    assert "opportunities.parquet row 2: column amount: value '-1'" in report.format()


def test_parquet_with_numeric_ids_and_timestamps(tmp_path):
    out = tmp_path / "pq"
    out.mkdir()
    pq.write_table(pa.table({"rep_id": [7, 8], "name": ["A", "B"]}), out / "reps.parquet")
    pq.write_table(pa.table({"opportunity_id": [1], "rep_id": [7],
                             "created_date": pa.array([pd.Timestamp("2026-01-05 13:00")], pa.timestamp("us")),
                             "status": ["open"], "amount": [5]}), out / "opportunities.parquet")
    ds = load(out)
    assert ds.reps["rep_id"].tolist() == ["7", "8"]
    assert ds.opportunities["created_date"].tolist() == [pd.Timestamp("2026-01-05")]


def test_damaged_parquet_is_a_dataset_error(folder):
    (folder / "leads.csv").unlink()
    (folder / "leads.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DatasetError, match="leads.parquet"):
        load(folder)


def test_large_ids_order_does_not_matter(tmp_path):
    # Unsorted ids go through the hash-based uniqueness check.
    out = tmp_path / "ds"
    out.mkdir()
    (out / "reps.csv").write_text("rep_id,name\nb,B\na,A\n")
    (out / "opportunities.csv").write_text(
        "opportunity_id,rep_id,created_date,status,amount\nz,a,2026-01-01,open,1\ny,b,2026-01-01,open,2\n")
    ds = load(out)
    assert ds.opportunities["opportunity_id"].tolist() == ["z", "y"]


@pytest.mark.parametrize("toml", ['icp = 5', 'fiscal_year_start_month = "jan"', 'fiscal_year_start_month = 13',
                                  '[icp]\nrequire_need = "yes"', 'as_of = 2026'])
def test_wrongly_typed_dataset_toml_settings_name_the_setting(tmp_path, toml):
    from salesnb.dataset import DatasetMeta
    from salesnb.errors import ConfigError

    path = tmp_path / "dataset.toml"
    path.write_text(toml + "\n")
    with pytest.raises(ConfigError) as info:
        DatasetMeta.from_toml(path)
    assert str(path) in str(info.value)
    assert toml.split("=")[0].strip().split("\n")[-1] in str(info.value)


def test_dataset_toml_accepts_a_bare_toml_date_for_as_of(tmp_path):
    from salesnb.dataset import DatasetMeta

    path = tmp_path / "dataset.toml"
    path.write_text("as_of = 2026-11-15\n")
    assert DatasetMeta.from_toml(path).as_of == "2026-11-15"


def test_written_dataset_files_are_ordinary_files_not_private_temp_files(tmp_path):
    import os
    import stat

    from salesnb.load import write_dataset

    old = os.umask(0o022)
    try:
        out = write_dataset({"reps": pd.DataFrame({"rep_id": ["1"], "name": ["A"]})}, tmp_path / "out")
    finally:
        os.umask(old)
    assert stat.S_IMODE((out / "reps.csv").stat().st_mode) == 0o644  # 0o666 & ~0o022, not mkstemp's 0o600


def test_csv_reader_falls_back_to_the_system_allocator_without_jemalloc(folder, monkeypatch):
    from salesnb.validate import read

    def no_jemalloc():
        raise NotImplementedError("built without jemalloc")

    monkeypatch.setattr(pa, "jemalloc_memory_pool", no_jemalloc)
    read.reader_memory_pool.cache_clear()
    try:
        assert read.reader_memory_pool().backend_name == "system"
        ds = load(folder)
        assert ds.reps["rep_id"].tolist() == ["007", "0070"]
        assert ds.opportunities["amount"].tolist() == [1200.5, 0.0]
    finally:
        read.reader_memory_pool.cache_clear()
