"""Every field docs/diagnose-json.md documents is in the `diagnose --json` document, with its documented type."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from salesnb.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "diagnose-json.md"
# section heading in the doc -> how to reach the objects it describes in the document
SECTIONS = {
    "Top level": lambda doc: [doc],
    "`team`": lambda doc: [doc["team"]],
    "`reps[]`": lambda doc: doc["reps"],
    "`reps[].bottleneck`": lambda doc: [r["bottleneck"] for r in doc["reps"]],
    "`vanity[]`": lambda doc: doc["vanity"],
    "`top_performers[]`": lambda doc: doc["top_performers"],
    "`reps[].outlook`": lambda doc: [r["outlook"] for r in doc["reps"] if r["outlook"]],
    "`warning`": lambda doc: [doc["warning"]] if doc["warning"] else [],
    "`track_record`": lambda doc: [doc["track_record"]] if doc["track_record"] else [],
    "`change`": lambda doc: [doc["change"]] if doc["change"] else [],
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def documented_fields() -> dict[str, list[tuple[str, str, str]]]:
    """Section -> [(field, type cell, meaning cell)] from the markdown tables of the doc."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if section in SECTIONS and len(cells) >= 3 and cells[0].startswith("`"):
            typ = "|".join(cells[1:-1])  # a type like `"a"` \| `"b"` spans cells once split on |
            for name in re.findall(r"`([a-z_]+)`", cells[0]):
                out.setdefault(section, []).append((name, typ, cells[-1]))
    return out


def type_ok(value, typ: str, meaning: str) -> bool:
    if value is None:
        return "null" in typ or "may be null" in meaning
    base = typ.replace("\\", "").split("|")[0].strip()
    if base.startswith('`"'):  # an enumeration of strings
        return value in re.findall(r'`"([a-z_]+)"`', typ)
    if base == "`driver`":
        return value in ("driver", "vanity", "unclear")
    checks = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
        "list of str": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "date": lambda v: isinstance(v, str) and bool(ISO_DATE.match(v)),
    }
    assert base in checks, f"type {base!r} in the doc is not one this test knows"
    return checks[base](value)


def test_the_doc_tables_are_found():
    fields = documented_fields()
    assert set(fields) == set(SECTIONS)
    at_risk = [row for row in fields["`reps[]`"] if row[0] == "at_risk"]
    assert at_risk and at_risk[0][1].startswith("bool") and "null" in at_risk[0][1]
    assert len(fields["`reps[]`"]) >= 20


def check(doc: dict) -> list[str]:
    problems = []
    for section, rows in documented_fields().items():
        for obj in SECTIONS[section](doc):
            for name, typ, meaning in rows:
                if name not in obj:
                    problems.append(f"{section}: {name} missing")
                elif not type_ok(obj[name], typ, meaning):
                    problems.append(f"{section}: {name} = {obj[name]!r} is not {typ}")
    return problems


@pytest.fixture(scope="module")
def sample_doc(sample_dir):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["diagnose", "--data", str(sample_dir), "--json"]) == 0
    return json.loads(buf.getvalue())


def test_every_documented_field_is_there_with_its_type_on_the_sample(sample_doc):
    assert sample_doc["reps"] and sample_doc["vanity"] and sample_doc["top_performers"]
    assert sample_doc["track_record"] and sample_doc["warning"] and sample_doc["change"]
    assert all(r["outlook"] for r in sample_doc["reps"])
    assert check(sample_doc) == []


def test_breakdown_points_sum_to_the_score_on_the_sample(sample_doc):
    for r in sample_doc["reps"]:
        assert sum(r["breakdown"].values()) == pytest.approx(r["score"], abs=0.05)


def test_a_one_owner_dataset_without_quotas_still_matches_the_schema(two_table_dir, capsys):
    assert main(["diagnose", "--data", str(two_table_dir), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert check(doc) == []


def test_sentences_carry_the_currency_and_whole_deals_on_the_sample(sample_doc):
    # the sample's dataset.toml says USD; a reason with an amount names it, in whole units
    reasons = [r["at_risk_reason"] for r in sample_doc["reps"] if r["at_risk"]]
    assert reasons and any("USD" in text for text in reasons)
    for text in reasons:
        assert text.startswith("likely ") and " chance of reaching it" in text, text
        assert not re.search(r"\d\.\d+ USD", text), text  # whole amounts
        assert all(re.search(r"\d USD", part) for part in text.split("; ") if "USD" in part), text
    for r in sample_doc["reps"]:
        sentence = r["bottleneck"]["sentence"]
        assert not re.search(r"\d\.\d+ (more )?(won deals?|wins)", sentence), sentence
    closing = [r["bottleneck"]["sentence"] for r in sample_doc["reps"] if r["bottleneck"]["step"] == "closing"]
    assert closing and all(re.search(r"about \d+ more won deals?\.$", s) for s in closing)
