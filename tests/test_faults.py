"""Fault injection: every bad file, setting, value or path gets a clear answer, and nothing is lost.

One table of cases (`CASES`). A case breaks a fresh copy of the bundled sample, runs one
command, and the runner asserts for every case: the exit code; the fragments of the message
(file:line, column, value, fix where they apply); that no traceback is printed; that no input
file changed (sha256, mode and kind of every path under the case's folder, before and after);
and that nothing partial or temporary is left (the case's folder, its working directory and
its TMPDIR hold exactly what they held before). Commands run in-process through
`salesnb.cli.main` (fast); cases that need another process (permissions) run as a subprocess.

Adding a case is one line: `Case(name, breaker, command, exit code, fragments...)`; the breakers,
`Case` and the runner are in tests/faults.py.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from faults import (TRACEBACK, Case, at, both, cell, chmod, fifo, fingerprint, folder_named, line, link, no, once,
                    recode, remove, root_can_be_restricted, run_case, toml, truncate, write)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnb import cli
from salesnb.config import SAMPLE_DIR

V, S, D = ("validate", "{data}"), ("score", "--data", "{data}"), ("diagnose", "--data", "{data}")

OPP, ACT, REPS, LEADS, QUOTAS = "opportunities.csv", "activities.csv", "reps.csv", "leads.csv", "quotas.csv"
EIGHT_BAD = ('name = ""\ncurrency = "dollars"\nfiscal_year_start_month = 13\ndefault_period = "banana"\n'
             'as_of = "2026-13-45"\nmax_amount = -1\n[icp]\nmin_company_size = -5\nrequire_need = "yes"\n')
HIRED_2040 = ("reps.csv:2: column hire_date: value '2040-01-01': rep R001 (Dana Khan) is hired after the report "
              "date (2026-11-15)", "(first: activities.csv:2, date 2025-10-03)")
DENIED = "cannot be read (Permission denied)"

CASES = [
    # -- bad values: file, line, column, value and fix
    Case("amount not a number", cell(OPP, 2, "amount", "abc"), V, 1, at(OPP, 2, "amount", "abc"), "is not a number"),
    Case("amount negative", cell(OPP, 2, "amount", "-5"), V, 1, at(OPP, 2, "amount", "-5"), "is negative"),
    Case("amount 1.7e308", cell(OPP, 7, "amount", "1.7e308"), V, 1, at(OPP, 7, "amount", "1.7e308"), "max_amount"),
    Case("amount 1.7e308 diagnose", cell(OPP, 7, "amount", "1.7e308"), D, 1, at(OPP, 7, "amount", "1.7e308")),
    Case("amount inf", cell(OPP, 2, "amount", "inf"), V, 1, at(OPP, 2, "amount", "inf"), "not a finite number"),
    Case("amount nan", cell(OPP, 2, "amount", "nan"), V, 1, at(OPP, 2, "amount", "nan"), "not a finite number"),
    Case("amount 1e309", cell(OPP, 2, "amount", "1e309"), S, 1, at(OPP, 2, "amount", "1e309"), "not a finite number"),
    Case("amount with currency", cell(OPP, 2, "amount", "$5,000"), V, 1, at(OPP, 2, "amount", "$5,000"), "symbol"),
    Case("quota zero", cell(QUOTAS, 2, "quota", "0"), V, 1, at(QUOTAS, 2, "quota", "0"), "greater than 0"),
    Case("quota beyond bound", cell(QUOTAS, 3, "quota", "2e12"), V, 1, at(QUOTAS, 3, "quota", "2e12"), "max_amount"),
    Case("team quota negative", cell("team_quotas.csv", 2, "quota", "-1"), V, 1,
         at("team_quotas.csv", 2, "quota", "-1")),
    Case("impossible date", cell(OPP, 2, "created_date", "2026-02-30"), V, 1, at(OPP, 2, "created_date", "2026-02-30"),
         "is not a date", "YYYY-MM-DD"),
    Case("US date", cell(OPP, 3, "created_date", "03/04/2026"), S, 1, at(OPP, 3, "created_date", "03/04/2026")),
    Case("excel serial close date", cell(OPP, 7, "close_date", "45231"), V, 1, at(OPP, 7, "close_date", "45231"),
         "Excel date serial number (45231 is 2023-11-01)", no("needs a close date"), "Found 1 error"),
    Case("excel serial activity date", cell(ACT, 2, "date", "45931"), V, 1, at(ACT, 2, "date", "45931"),
         "(45931 is 2025-10-01)"),
    Case("unknown status", cell(OPP, 2, "status", "maybe"), V, 1, at(OPP, 2, "status", "maybe"), "open, won, lost"),
    Case("unknown stage", cell(OPP, 2, "furthest_stage", "closing"), V, 1, at(OPP, 2, "furthest_stage", "closing")),
    Case("unknown activity type", cell(ACT, 5, "type", "fax"), D, 1, at(ACT, 5, "type", "fax")),
    Case("bool not a bool", cell(LEADS, 2, "has_need", "perhaps"), V, 1, at(LEADS, 2, "has_need", "perhaps")),
    Case("company size fraction", cell(LEADS, 2, "company_size", "12.5"), V, 1,
         at(LEADS, 2, "company_size", "12.5"), "whole number"),
    Case("duplicate id", cell(OPP, 3, "opportunity_id", "O0000001"), V, 1, at(OPP, 3, "opportunity_id", "O0000001"),
         "first used on line 2"),
    Case("won without close date", cell(OPP, 7, "close_date", ""), S, 1, f"{OPP}:7: column close_date",
         "needs a close date"),
    Case("closed before created", cell(OPP, 7, "close_date", "2025-01-01"), V, 1,
         at(OPP, 7, "close_date", "2025-01-01"), "close_date is before created_date"),
    Case("empty required rep", cell(OPP, 4, "rep_id", ""), V, 1, f"{OPP}:4: column rep_id", "is required"),
    Case("end before hire", cell(REPS, 2, "end_date", "2020-01-01"), V, 1, at(REPS, 2, "end_date", "2020-01-01")),
    Case("overlapping quotas", cell(QUOTAS, 3, "period_start", "2026-03-15"), V, 1,
         at(QUOTAS, 3, "period_start", "2026-03-15"), "overlaps", "see line 2"),
    Case("NUL beyond 64 KiB", cell(ACT, 30000, "rep_id", "R0\x0018"), V, 1, at(ACT, 30000, "rep_id", "R0\x0018"), "NUL"),
    Case("NUL in a name", cell(REPS, 3, "name", "Rosa\x00"), S, 1, at(REPS, 3, "name", "Rosa\x00"), "NUL"),
    Case("hired in 2040", cell(REPS, 2, "hire_date", "2040-01-01"), V, 1, HIRED_2040),
    Case("hired in 2040 score", cell(REPS, 2, "hire_date", "2040-01-01"), S, 1, HIRED_2040),
    Case("hired in 2040 diagnose", cell(REPS, 2, "hire_date", "2040-01-01"), D, 1, HIRED_2040),
    Case("hired after first deals", cell(REPS, 2, "hire_date", "2025-10-20"), V, 0,
         "reps.csv:2: column hire_date: value '2025-10-20': rep R001 (Dana Khan) was hired on 2025-10-20, but",
         "(first: activities.csv:2, date 2025-10-03)", "Fix:"),
    Case("activity in 2099", cell(ACT, 100, "date", "2099-01-01"), V, 0, at(ACT, 100, "date", "2099-01-01"),
         "in the future (after today, 2026-12-01)", "Fix:"),
    Case("deal in 2030", both(cell(OPP, 7, "created_date", "2030-01-05"), cell(OPP, 7, "close_date", "2030-02-01")),
         V, 0, at(OPP, 7, "created_date", "2030-01-05"), at(OPP, 7, "close_date", "2030-02-01"), "in the future"),
    Case("activity after as_of", cell(ACT, 100, "date", "2026-11-20"), V, 0, at(ACT, 100, "date", "2026-11-20"),
         "after the report date as_of = 2026-11-15"),
    Case("activity in 2099 score runs", cell(ACT, 100, "date", "2099-01-01"), S, 0, "Scorecard", no("Fix")),
    Case("right-to-left override in a name", cell(REPS, 2, "name", "Dana \u202eKhan"), V, 0, "No problems found"),
    Case("orphan rep is a warning", cell(ACT, 9, "rep_id", "R999"), V, 0, at(ACT, 9, "rep_id", "R999"), "left out"),
    # -- bad files
    Case("required table missing", remove(OPP), V, 1, "the required table opportunities is missing", "Fix:"),
    Case("required table is a folder", folder_named(OPP), V, 1, f"{OPP}: is a folder, not a file.", no("missing")),
    Case("required table is a folder, score", folder_named(OPP), S, 1, f"{OPP}: is a folder, not a file."),
    Case("optional table is a folder", folder_named(ACT), D, 1, f"{ACT}: is a folder, not a file."),
    Case("optional table is a link loop", link(ACT, ACT), V, 1, f"{ACT}: is a symbolic link that points back"),
    Case("required table is a link loop", link(OPP, OPP), S, 1, f"{OPP}: is a symbolic link that points back"),
    Case("dangling link", link(REPS, "export/reps.csv"), V, 1, "reps.csv: is a symbolic link to export/reps.csv, which"),
    Case("pipe named like a table", fifo(LEADS), V, 1, f"{LEADS}: is not a regular file"),
    Case("empty file", write(REPS, b""), V, 1, "reps.csv: is empty (no header line). The reps table is required."),
    Case("header only", write(OPP, "opportunity_id,rep_id,created_date,status,amount\n"), V, 1,
         f"{OPP}: has a header but no rows."),
    Case("empty optional table", write(LEADS, b""), V, 0, f"{LEADS}: is empty (no header line). It is treated as absent"),
    Case("utf-16", recode(REPS, "utf-16"), V, 1, "reps.csv: is UTF-16 text", "CSV UTF-8"),
    Case("latin-1", both(cell(REPS, 4, "name", "Zoë"), recode(REPS, "latin-1")), V, 1, "reps.csv:4", "not UTF-8",
         "Windows-1252"),
    Case("semicolons", write(REPS, "rep_id;name\nR001;Dana\n"), V, 1, "separated by semicolons"),
    Case("ragged row", line(OPP, 5, "O0000004,R001,2025-10-20,lost,100,2025-11-01,proposal,,,,,,,,extra"), V, 1,
         f"{OPP}:5", "has 15 values but the header has 14 columns"),
    Case("truncated file", truncate(OPP, 5000), V, 1, f"{OPP}:", "values but the header has 14 columns"),
    Case("missing required column", write(REPS, "rep_id,team\nR001,East\n"), V, 1,
         "reps.csv:1: column name: the required column name is missing"),
    Case("duplicate header", write(REPS, "rep_id,name,name\nR001,Dana,Dana\n"), V, 1, "appears twice in the header"),
    Case("binary garbage", write(QUOTAS, bytes(range(256)) * 8), V, 1, QUOTAS, "Fix:"),
    Case("csv and parquet", write("reps.parquet", b"PAR1"), V, 1, "both reps.csv and reps.parquet exist"),
    Case("damaged parquet", both(remove(OPP), write("opportunities.parquet", b"PAR1junkPAR1")), S, 1,
         "opportunities.parquet: is not a readable Parquet file"),
    Case("dataset.toml is a folder", folder_named("dataset.toml"), V, 1, "dataset.toml: is a folder, not a file."),
    Case("data folder is a file", lambda data: None, ("validate", "{data}/reps.csv"), 1, "is a file, not a folder"),
    Case("data folder missing", lambda data: None, ("score", "--data", "{data}/nope"), 1, "nope: does not exist."),
    Case("data folder is a link loop", link("loop", "loop"), ("validate", "{data}/loop"), 1, "loop: is a symbolic link"),
    # -- bad settings: dataset.toml, setting, value and fix
    Case("period banana", toml('default_period = "banana"\n'), V, 1,
         "dataset.toml:1: setting default_period: value 'banana': is not understood", '"2026-Q2"', '"ytd"'),
    Case("period banana score", toml('default_period = "banana"\n'), S, 1, "dataset.toml:1: setting default_period"),
    Case("as_of month 13", toml('as_of = "2026-13-45"\n'), V, 1, "dataset.toml:1: setting as_of: value '2026-13-45'",
         "use an ISO date YYYY-MM-DD, e.g. 2026-11-15"),
    Case("as_of US date", toml('as_of = "03/04/2026"\n'), D, 1, "setting as_of: value '03/04/2026': is not an ISO date"),
    Case("as_of a year", toml("as_of = 2026\n"), V, 1, "setting as_of: value '2026'"),
    Case("as_of a timestamp", toml("as_of = 2026-11-15T10:00:00\n"), V, 1, "value '2026-11-15T10:00:00'"),
    Case("negative company size", toml("[icp]\nmin_company_size = -5\n"), V, 1,
         "dataset.toml:2: setting icp.min_company_size: value '-5': cannot be negative"),
    Case("fiscal month 13", toml("fiscal_year_start_month = 13\n"), V, 1, "setting fiscal_year_start_month: value '13'"),
    Case("fiscal month as text", toml('fiscal_year_start_month = "april"\n'), V, 1, "= 4 for April"),
    Case("bad currency", toml('currency = "dollars"\n'), V, 1, "setting currency: value 'dollars'", "ISO 4217"),
    Case("lowercase currency", toml('currency = "eur"\n'), V, 1, 'currency = "EUR"'),
    Case("unknown setting", toml('colour = "blue"\n'), V, 1, "setting colour: value 'blue': is not a setting"),
    Case("misspelt setting", toml("as-of = 2026-11-15\n"), V, 1, "did you mean as_of?"),
    Case("unknown icp setting", toml("[icp]\nmin_size = 5\n"), V, 1, "setting icp.min_size", "min_company_size"),
    Case("icp not a table", toml("icp = 5\n"), V, 1, "setting icp: value '5': must be a table"),
    Case("period as a number", toml("default_period = 2026\n"), V, 1, 'write default_period = "2026"'),
    Case("eight bad settings", toml(EIGHT_BAD), V, 1, "Found 8 errors", "dataset.toml:9: setting icp.require_need"),
    Case("eight bad settings score", toml(EIGHT_BAD), S, 1, "Found 8 errors"),
    Case("toml syntax", toml('name = "x"\ncurrency = \n'), V, 1, "dataset.toml:2: is not valid TOML", once("Fix")),
    Case("toml not utf-8", toml('name = "Caf\xe9"\n'.encode("latin-1")), V, 1, "dataset.toml:1: is not UTF-8 text"),
    Case("max_amount negative", toml("max_amount = -1\n"), V, 1, "setting max_amount: value '-1'"),
    Case("max_amount as text", toml('max_amount = "lots"\n'), V, 1, "setting max_amount: value 'lots'"),
    Case("max_amount below the deals", toml("max_amount = 1000\n"), V, 1, "rows: is more than max_amount (1,000)"),
    Case("max_amount raised", both(toml("max_amount = 1e15\n"), cell(OPP, 7, "amount", "2e12")), V, 0,
         "No problems found"),
    # -- permissions: another process, without root's power to read anything
    Case("unreadable table", chmod(REPS, 0), V, 1, f"reps.csv: {DENIED}", "chmod", no_root=True),
    Case("unreadable optional table", chmod(ACT, 0), D, 1, f"{ACT}: {DENIED}", no_root=True),
    Case("unreadable dataset.toml", chmod("dataset.toml", 0), V, 1, f"dataset.toml: {DENIED}", no_root=True),
    Case("unreadable data folder", chmod("", 0), S, 1, DENIED, "Fix:", no_root=True),
    Case("data folder not enterable", chmod("", 0o644), V, 1, DENIED, no(OPP), no_root=True),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, tmp_path, monkeypatch):
    if case.no_root and (why := root_can_be_restricted()):
        pytest.skip(why)
    root = tmp_path / "case"
    shutil.copytree(SAMPLE_DIR, root / "data")
    (root / "tmp").mkdir()
    case.make(root / "data")
    before = fingerprint(root)
    try:
        code, out = run_case(case, root, monkeypatch)
        after = fingerprint(root)
    finally:
        os.chmod(root / "data", 0o755)  # let pytest clean up after the permission cases
    assert TRACEBACK not in out, out
    assert code == case.code, out
    for fragment in case.fragments:
        if isinstance(fragment, no):
            assert fragment not in out, f"{fragment!r} should not be in:\n{out}"
        elif isinstance(fragment, once):
            assert out.count(fragment) == 1, f"{fragment!r} should be in once:\n{out}"
        else:
            assert fragment in out, f"{fragment!r} not in:\n{out}"
    if code == 1:
        assert "Fix" in out, out
    assert after == before  # no input changed, nothing partial or temporary left (cwd and TMPDIR are in root)


def test_the_table_is_well_formed():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 60
    assert all(c.fragments for c in CASES)


# ---- random damage to a small team: validate answers 0 or 1, never a traceback


SMALL = {
    "reps.csv": "rep_id,name,team,hire_date\nr1,Ann,East,2025-01-15\nr2,Bob \u05d1,West,\nr3,Cy,East,2025-06-01\n",
    "opportunities.csv": "opportunity_id,rep_id,created_date,status,amount,close_date,furthest_stage\n"
                         "o1,r1,2026-01-05,won,1200,2026-02-01,won\no2,r2,2026-01-10,open,500,,meeting\n"
                         "o3,r3,2026-01-12,lost,0,2026-03-01,proposal\n",
    "activities.csv": "activity_id,rep_id,date,type,opportunity_id,miles\na1,r1,2026-01-06,call,o1,0\n"
                      "a2,r2,2026-01-11,visit,o2,22.5\n",
    "quotas.csv": "rep_id,period_start,period_end,quota\nr1,2026-01-01,2026-03-31,10000\n",
    "dataset.toml": 'name = "Small"\nas_of = 2026-03-31\n',
}
WEIRD = st.sampled_from(["\u202e", "\u2066", "\u200f", "\x00", "\r", "\n", '"', ",", ";", "\ufeff", "\u0301", "💥",
                         "1e309", "nan", "45231", "2099-01-01", "-0", "", " "])
CELL_TEXT = st.one_of(WEIRD, st.text(max_size=6), st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                          max_size=4))


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SMALL)))
    lines = SMALL[name].split("\n")
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert", "bytes", "cut"]))
    n = draw(st.integers(0, len(lines) - 1))
    cells = lines[n].split(",")
    i, j = draw(st.integers(0, len(cells) - 1)), draw(st.integers(0, len(cells) - 1))
    if kind == "delete":
        del cells[i]
    elif kind == "duplicate":
        cells.insert(i, cells[i])
    elif kind == "swap":  # two columns swapped on every line
        lines = [",".join(_swap(line.split(","), i, j)) for line in lines]
    elif kind == "truncate":
        lines[n] = lines[n][:draw(st.integers(0, max(0, len(lines[n]) - 1)))]
    elif kind == "insert":
        cells[i] = cells[i] + draw(CELL_TEXT)
    if kind in ("delete", "duplicate", "insert"):
        lines[n] = ",".join(cells)
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        data = draw(st.binary(max_size=300))
    elif kind == "cut":
        data = data[:draw(st.integers(0, len(data)))]
    return name, data


def _swap(cells: list[str], i: int, j: int) -> list[str]:
    if max(i, j) < len(cells):
        cells[i], cells[j] = cells[j], cells[i]
    return cells


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=st.lists(damaged(), min_size=1, max_size=3))
def test_random_damage_gets_an_answer_not_a_traceback(damage):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for name, text in SMALL.items():
            (data / name).write_text(text, encoding="utf-8")
        for name, content in damage:
            (data / name).write_bytes(content)
        before = fingerprint(Path(tmp))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(["validate", str(data)])
        assert code in (0, 1)
        assert TRACEBACK not in out.getvalue()
        assert ("No problems found" in out.getvalue()) or ("Found" in out.getvalue())
        assert fingerprint(Path(tmp)) == before
