"""docs/importing.md stays true: its worked example is the test data, and importing it gives its tables."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from salesnb.importers import import_export, load_mapping

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "importing.md").read_text()
GENERIC = ROOT / "tests" / "data" / "exports" / "generic"


def doc_files() -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'```\w+ title="([^"]+)"\n(.*?)```', DOC, re.S)}


def doc_table(after: str) -> pd.DataFrame:
    """The markdown table that follows the text `after` in the doc."""
    start = DOC.index(after)
    lines = []
    for line in DOC[start:].splitlines()[1:]:
        if line.startswith("|"):
            lines.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif lines:
            break
    return pd.DataFrame(lines[2:], columns=lines[0])


def test_worked_example_files_are_the_tested_files():
    files = doc_files()
    assert set(files) == {"deals.csv", "reps.csv", "my-crm.toml"}
    for name, text in files.items():
        assert text == (GENERIC / name).read_text(), name


def test_worked_example_imports_to_the_tables_the_doc_shows(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    for name, text in doc_files().items():
        (src / name).write_text(text)
    out = tmp_path / "mydata"
    result = import_export([src / "deals.csv", src / "reps.csv"], out, src / "my-crm.toml")
    assert result.ok, result.format()
    for table, after in (("reps", "writes `mydata/reps.csv`"), ("opportunities", "and `mydata/opportunities.csv`")):
        got = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(got, doc_table(after))


def test_snippets_in_the_format_section_are_valid_mappings(tmp_path):
    extend = re.search(r"```toml\n(# my-salesforce.toml.*?)```", DOC, re.S).group(1)
    (tmp_path / "my-salesforce.toml").write_text(extend)
    m = load_mapping(tmp_path / "my-salesforce.toml")
    assert dict(m.tables["opportunities"].columns["furthest_stage"][0].values)["Verbal Yes"] == "commit"


def test_every_complete_mapping_in_the_doc_loads(tmp_path):
    """Blocks that start with '# name.toml:' are whole mappings: each must load as the doc shows it."""
    blocks = re.findall(r"```toml\n(# ([\w-]+\.toml):.*?)```", DOC, re.S)
    names = [name for _, name in blocks]
    assert {"team-quotas.toml", "history.toml", "current-stage.toml", "my-salesforce.toml"} <= set(names)
    for text, name in blocks:
        (tmp_path / name).write_text(text)
        load_mapping(tmp_path / name)


def test_column_snippets_in_the_doc_load(tmp_path):
    """One-line column examples (combine, sign, fallbacks) are valid in an opportunities mapping."""
    base = ('[tables.opportunities]\nfile = "d.csv"\n[tables.opportunities.columns]\nopportunity_id = "Id"\n'
            'rep_id = "Owner"\ncreated_date = "Created"\nstatus = "Status"\namount = "Amount"\n')
    snippets = re.findall(r"^((?:amount|opportunity_id|lead_source|rep_id) = \{.*\})", DOC, re.M)
    snippets += re.findall(r"`(lead_source = \{ column = \"Source\", pattern = .*?\})`", DOC.replace("\n", " "))
    assert len(snippets) >= 4
    for snippet in snippets:
        key = snippet.split(" = ", 1)[0]
        text = "\n".join(line for line in base.splitlines() if not line.startswith(key + " ="))
        (tmp_path / "m.toml").write_text(text + "\n" + re.sub(r"\s+#.*$", "", snippet) + "\n")
        load_mapping(tmp_path / "m.toml")
