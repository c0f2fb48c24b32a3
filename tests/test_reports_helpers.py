"""Fixture datasets for the batch-report tests (and tests of those fixtures).

`hostile_dataset` copies a dataset and renames some reps to ids and names that are unsafe as file names
or dangerous in HTML, everywhere a rep id appears (reps, owners, assisted_by, quotas, leads, activities).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

FIXTURE_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
MINIMAL_NOTEBOOK = FIXTURE_NOTEBOOKS / "minimal_report.ipynb"
EMPTY_NOTEBOOK = FIXTURE_NOTEBOOKS / "empty_parameterised.ipynb"

XSS_NAME = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"
BROKEN_PREFIX = "BROKEN"  # minimal_report.ipynb raises for a rep whose name starts with this

# sample rep id -> (hostile id, hostile name)
HOSTILE = {
    "R001": ("../x", XSS_NAME),
    "R002": ("a/b", "Zoë O'Brien & Co"),
    "R003": ("a b", "Ann Lee"),
    "R004": ("Ωμέγα", "Δήμητρα Παπαδοπούλου"),
    "R005": ("L" * 200, "Long Id"),
    "R006": ("a?b", "Clash One"),  # cleans to the same text as R007's id
    "R007": ("a*b", "Clash Two"),
    "R008": ("index", "Index Person"),
    "R017": ("05", "Ola Five"),  # an employee number with a leading zero
    "R018": (".", "Dot Person"),  # an id that is only punctuation
}


def _rename_ids(s: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return s.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)


def hostile_dataset(src: Path, dst: Path, *, broken: tuple[str, ...] = (), names: dict | None = None) -> dict[str, str]:
    """Copy the dataset in `src` to `dst` with the HOSTILE renames; reps in `broken` (sample ids) get a
    name starting with BROKEN. Returns sample id -> new id."""
    dst.mkdir(parents=True, exist_ok=True)
    ids = {old: new for old, (new, _) in HOSTILE.items()}
    new_names = {old: name for old, (_, name) in HOSTILE.items()} | (names or {})
    for path in Path(src).iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, dst / path.name)
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.stem == "reps":
            for old, name in new_names.items():
                df.loc[df["rep_id"] == old, "name"] = name
            for old in broken:
                df.loc[df["rep_id"] == old, "name"] = f"{BROKEN_PREFIX} " + df.loc[df["rep_id"] == old, "name"]
        if "rep_id" in df.columns:
            df["rep_id"] = _rename_ids(df["rep_id"], ids)
        if "assisted_by" in df.columns:
            df["assisted_by"] = df["assisted_by"].map(
                lambda v: ";".join(ids.get(x, x) for x in v.split(";")) if v else v)
        df.to_csv(dst / path.name, index=False)
    return ids


def renumbered(src: Path, dst: Path, new_id) -> dict[str, str]:
    """Copy the dataset in `src` to `dst` with every rep id replaced by `new_id(i, old)` in every table."""
    reps = pd.read_csv(Path(src) / "reps.csv", dtype=str, keep_default_na=False)
    ids = {old: new_id(i, old) for i, old in enumerate(reps["rep_id"])}
    dst.mkdir(parents=True, exist_ok=True)
    for path in Path(src).iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, dst / path.name)
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "rep_id" in df.columns:
            df["rep_id"] = _rename_ids(df["rep_id"], ids)
        if "assisted_by" in df.columns:
            df["assisted_by"] = df["assisted_by"].map(
                lambda v: ";".join(ids.get(x, x) for x in v.split(";")) if v else v)
        df.to_csv(dst / path.name, index=False)
    return ids


def test_hostile_dataset_renames_every_reference(sample_dir, tmp_path):
    ids = hostile_dataset(sample_dir, tmp_path / "h", broken=("R010",))
    reps = pd.read_csv(tmp_path / "h" / "reps.csv", dtype=str, keep_default_na=False)
    assert "../x" in set(reps["rep_id"]) and "R001" not in set(reps["rep_id"])
    assert reps.loc[reps["rep_id"] == "../x", "name"].item() == XSS_NAME
    assert reps.loc[reps["rep_id"] == "R010", "name"].item().startswith(BROKEN_PREFIX)
    opps = pd.read_csv(tmp_path / "h" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert not set(opps["rep_id"]) & set(ids)  # no old id left as an owner
    helpers = {x for v in opps.get("assisted_by", pd.Series(dtype=str)) if v for x in v.split(";")}
    assert not helpers & set(ids)
