"""An export without an id column: ids made from the columns that tell deals apart, or from the row, stable
across re-imports. The fixture tests/data/exports/no_ids/ is a pipeline spreadsheet of six deals with no id."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesnb.errors import MappingError
from salesnb.importers import ImportValidationError, import_export

NO_IDS = Path(__file__).resolve().parent / "data" / "exports" / "no_ids"
HASHED = 'opportunity_id = { hash = ["Account", "Opportunity", "Created On"] }'


def raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def export(tmp_path: Path, id_spec: str = HASHED, rows: pd.DataFrame | None = None, name: str = "export") -> Path:
    src = tmp_path / name
    shutil.copytree(NO_IDS, src)
    (src / "mapping.toml").write_text((src / "mapping.toml").read_text().replace(HASHED, id_spec))
    if rows is not None:
        rows.to_csv(src / "pipeline.csv", index=False)
    return src


def ids(src: Path, out: Path):
    result = import_export([src / "pipeline.csv"], out, src / "mapping.toml")
    deals = raw(out / "opportunities.csv")
    return dict(zip(deals["opportunity_id"], deals["account"] + "/" + deals["created_date"])), result


def test_hashed_ids_are_the_hash_of_the_values_as_written(tmp_path):
    got, result = ids(export(tmp_path), tmp_path / "ds")
    rows = raw(NO_IDS / "pipeline.csv")
    expected = {}
    for _, r in rows.iterrows():
        digest = hashlib.sha1(f"{r['Account']}\x1f{r['Opportunity']}\x1f{r['Created On']}".encode()).hexdigest()
        expected["h-" + digest[:12]] = f"{r['Account']}/{r['Created On']}"
    assert got == expected
    assert "opportunity_id       <- a hash of 'Account' + 'Opportunity' + 'Created On'" in result.format()


def test_hashed_ids_are_stable_across_re_imports_in_any_row_order(tmp_path):
    first, _ = ids(export(tmp_path, name="a"), tmp_path / "ds1")
    again, _ = ids(export(tmp_path, name="b"), tmp_path / "ds2")
    shuffled = raw(NO_IDS / "pipeline.csv").iloc[::-1]
    reordered, _ = ids(export(tmp_path, rows=shuffled, name="c"), tmp_path / "ds3")
    assert first == again == reordered


def test_ids_from_the_row_are_the_file_name_and_row_number_stable_for_the_same_file(tmp_path):
    src = export(tmp_path, "opportunity_id = { from_row = true }")
    first, result = ids(src, tmp_path / "ds1")
    again, _ = ids(src, tmp_path / "ds2")
    assert list(first) == [f"pipeline-{n}" for n in range(1, 7)]
    assert first == again
    assert "opportunity_id       <- the file name and row number" in result.format()


def test_hashed_ids_that_collide_stop_the_import_with_the_fix(tmp_path):
    src = export(tmp_path, 'opportunity_id = { hash = ["Account", "Opportunity"] }')  # Globex/New logo twice
    with pytest.raises(ImportValidationError) as info:
        ids(src, tmp_path / "ds")
    msg = str(info.value)
    assert "pipeline.csv line 7" in msg and "duplicate opportunity_id" in msg
    assert "Add a column that tells them apart to hash = [...], or use from_row = true" in msg
    assert not (tmp_path / "ds").exists()


def test_a_row_without_any_of_the_hashed_values_is_dropped_and_counted(tmp_path):
    rows = raw(NO_IDS / "pipeline.csv")
    rows.loc[3, ["Account", "Opportunity"]] = ""
    src = export(tmp_path, 'opportunity_id = { hash = ["Account", "Opportunity"] }', rows.drop(index=5))
    got, result = ids(src, tmp_path / "ds")
    assert len(got) == 4
    [d] = result.dropped
    assert (d.count, d.examples, d.reason.startswith("empty opportunity_id")) == (1, ["5"], True)


@pytest.mark.parametrize("spec, key", [
    ('opportunity_id = { hash = "Account" }', "tables.opportunities.columns.opportunity_id.hash"),
    ('opportunity_id = { from_row = 1 }', "tables.opportunities.columns.opportunity_id.from_row"),
    ('opportunity_id = { from_row = true, column = "Account" }', "tables.opportunities.columns.opportunity_id"),
    ('opportunity_id = { hash = ["Acount"] }', "tables.opportunities.columns.opportunity_id"),
])
def test_id_options_are_checked(tmp_path, spec, key):
    with pytest.raises(MappingError) as info:
        ids(export(tmp_path, spec), tmp_path / "ds")
    assert f"[{key}]" in str(info.value)


def test_ids_are_made_only_for_the_id_column(tmp_path):
    src = export(tmp_path)
    text = (src / "mapping.toml").read_text().replace('account = "Account"', 'account = { from_row = true }')
    (src / "mapping.toml").write_text(text)
    with pytest.raises(MappingError) as info:
        ids(src, tmp_path / "ds")
    assert "[tables.opportunities.columns.account]" in str(info.value)
