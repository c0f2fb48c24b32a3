"""Property: whatever the files hold, the loader returns a Dataset or raises SalesnbError."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnb.dataset import Dataset
from salesnb.errors import SalesnbError
from salesnb.load import load
from salesnb.schema import TABLES
from salesnb.validate import ValidationReport, validate_folder

GOOD = {
    "reps.csv": "rep_id,name\n1,Ann\n2,Bob\n",
    "opportunities.csv": "opportunity_id,rep_id,created_date,status,amount,close_date\n"
                         "o1,1,2026-01-01,won,5,2026-01-09\no2,2,2026-01-02,open,1,\n",
}
COLUMN_NAMES = sorted({c for t in TABLES.values() for c in t.column_names}) + ["junk", "", " rep_id", "Rep_ID"]
VALUES = st.one_of(
    st.sampled_from(["", "1", "2", "o1", "o2", "007", "2026-01-01", "2026-02-30", "2026-01-01T10:00:00Z",
                     "won", "lost", "open", "call", "meeting", "qualified", "yes", "no", "-1", "0", "1e400",
                     "nan", "inf", "1,5", "NULL", "rep_id", '"', '""', "\n", "\r\n", ";", "\x00", "\ufeff"]),
    st.text(max_size=8),
)


@st.composite
def csv_text(draw) -> bytes:
    header = draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=0, max_size=7))
    rows = draw(st.lists(st.lists(VALUES, min_size=0, max_size=len(header) + 2), max_size=6))
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    quote = draw(st.booleans())

    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote or any(ch in v for ch in ',"\n\r') else v

    lines = [sep.join(header)] + [sep.join(cell(v) for v in row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


FILE_CONTENT = st.one_of(csv_text(), st.binary(max_size=200))
TABLE_NAMES = st.sampled_from(sorted(TABLES))


def _check(files: dict[str, bytes | str], parquet: dict[str, pa.Table] | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in files.items():
            (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
        for name, table in (parquet or {}).items():
            pq.write_table(table, folder / name)
        report = validate_folder(folder)
        assert isinstance(report, ValidationReport)
        report.format()
        report.to_frame()
        try:
            ds = load(folder)
        except SalesnbError:
            assert not report.ok
            return
        assert isinstance(ds, Dataset) and report.ok


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=TABLE_NAMES, content=FILE_CONTENT)
def test_one_malformed_table_among_good_ones(table, content):
    files = dict(GOOD)
    files[f"{table}.csv"] = content
    _check(files)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=st.dictionaries(TABLE_NAMES, FILE_CONTENT, max_size=4))
def test_any_folder_of_malformed_tables(tables):
    _check({f"{name}.csv": content for name, content in tables.items()})


PARQUET_COLUMNS = st.sampled_from([
    pa.array([1, None], pa.int64()), pa.array([1.5, float("nan")]), pa.array(["x", None]),
    pa.array([True, False]), pa.array([0, 19000], pa.date32()), pa.array([0, 10**12], pa.timestamp("ms")),
    pa.array([[1], []], pa.list_(pa.int64())), pa.array([b"\xff", b"a"], pa.binary()),
    pa.array(["open", "won"]).dictionary_encode(),
])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=st.dictionaries(st.sampled_from(COLUMN_NAMES[:-3]), PARQUET_COLUMNS, max_size=6),
       table=st.sampled_from(["reps", "opportunities", "activities"]))
def test_parquet_tables_of_any_types(columns, table):
    files = {k: v for k, v in GOOD.items() if k != f"{table}.csv"}
    _check(files, {f"{table}.parquet": pa.table(columns) if columns else pa.table({"x": pa.array([], pa.int8())})})
