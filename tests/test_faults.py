"""Fault injection: every bad file, setting, value, path or signal gets a clear answer, and nothing is lost.

One table of cases (`CASES`). A case breaks a fresh copy of the bundled sample (or, for `reports`, of a
small generated team), or puts an obstacle in the output folder beside it, runs one command, and the
runner asserts for every case: the exit code; the fragments of the message (file:line, column, value,
and the fix: an exit-1 answer always names one); that no traceback is printed; that no input file
changed (sha256, mode and kind of every path under the case's folder, before and after); that nothing
was written outside the one folder a successful command writes (a failed command writes nothing: the
case's folder, its working directory and its TMPDIR hold exactly what they held); that nothing partial
or temporary is left (temporary files, prepared views, reports without a status recording them); and
that a signalled command leaves none of its processes (workers, kernels) running. Commands run
in-process through `salesnb.cli.main` (fast); permission and signal cases run as a subprocess.

Adding a case is one line: `Case(name, breaker, command, exit code, fragments...)`; the breakers,
`Case` and the runner are in tests/faults.py.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from faults import (PLACES, TRACEBACK, Case, File, at, both, cell, chmod, copied, fifo, fingerprint, fix,
                    folder_named, leftovers, line, link, no, nothing, once, out, out_is_file, recode, remove, rename,
                    root_can_be_restricted, run_case, size_below, toml, truncate, write)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from salesnb import cli
from salesnb.batch.naming import safe_stem
from salesnb.config import SAMPLE_DIR
from salesnb.generate import generate

V, S, D = ("validate", "--data", "{data}"), ("score", "--data", "{data}"), ("diagnose", "--data", "{data}")
SAMPLE_NOTE = "no --data given, so this is the bundled sample team"

OPP, ACT, REPS, LEADS, QUOTAS = "opportunities.csv", "activities.csv", "reps.csv", "leads.csv", "quotas.csv"
EIGHT_BAD = ('name = ""\ncurrency = "dollars"\nfiscal_year_start_month = 13\ndefault_period = "banana"\n'
             'as_of = "2026-13-45"\nmax_amount = -1\n[icp]\nmin_company_size = -5\nrequire_need = "yes"\n')
HIRED_2040 = ("reps.csv:2: column hire_date: value '2040-01-01': rep R001 (Dana Khan) is hired after the report "
              "date (2026-11-15)", "(first: activities.csv:2, date 2025-10-03)")
DENIED = "cannot be read (Permission denied)"
# `reports` on the small team: one rep, the tiny fixture notebook (the real one where it is the point)
REPORTS = ("reports", "--data", "{data}", "--out", "{out}", "--no-progress", "--reps", "R001")
R = (*REPORTS, "--notebook", "{nb}")
SLOW = (*REPORTS, "--jobs", "1", "--notebook", "{slow}")  # a report still running when the signal comes
SMALL_TEAM = dict(team="small")
LONG = "\u202e" + "x" * 100_000  # a 100,000-character name that starts by reversing what follows
LONG_SHOWN = "\u2068\u202e" + "x" * 38 + "…\u2069"  # clipped to 40 characters, then isolated
NOT_ISO, NOT_REAL = "is not an ISO date", "is not a real date"
YEARS = "is outside the years salesnb can handle (1678..2261)"
IN_THE_WAY = fix("Move or delete it, or choose another --out.")
NO_WRITE = "salesnb may not write in this folder (Permission denied)"
OS_FIX = fix("Fix: check that this path exists")

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
    Case("team quota of a team no rep is in", cell("team_quotas.csv", 2, "team", "East Coast"), D, 1,
         at("team_quotas.csv", 2, "team", "East Coast"), "(closest teams in reps.csv: 'East')",
         fix("write the team as reps.csv does (its teams: 'East', 'West')")),
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
    Case("reports: unreadable dataset.toml", chmod("dataset.toml", 0), R, 1, f"dataset.toml: {DENIED}", no_root=True,
         **SMALL_TEAM),
    Case("reports: unreadable data folder", chmod("", 0), R, 1, DENIED, "Fix:", no_root=True, **SMALL_TEAM),
    Case("reports: unreadable table", chmod(ACT, 0), R, 1, f"{ACT}: {DENIED}", no_root=True, **SMALL_TEAM),
    Case("reports: read-only output folder", out("./", mode=0o555), R, 1, f"out: {NO_WRITE}",
         fix("or choose another --out"), no_root=True, **SMALL_TEAM),
    Case("reports: read-only status folder", out("_batch/status/", mode=0o555), R, 1, f"out/_batch/status: {NO_WRITE}",
         fix("chmod -R u+w"), no_root=True, **SMALL_TEAM),
    Case("reports: output folder cannot be created", out("./", mode=0o555), (*R[:4], "{out}/new", *R[5:]), 1,
         "cannot create the output folder", "may not write in", fix("Choose an --out where you may write"),
         no_root=True, **SMALL_TEAM),
    Case("import: unreadable export", copied("{export}", "export.csv", mode=0),
         ("import", "--from", "salesforce", "--out", "{out}", "{data}/export.csv"), 1,
         "export.csv: Permission denied", OS_FIX, no_root=True),
    Case("sample: read-only folder", out("./", mode=0o555), ("sample", "--reps", "2", "--no-stories", "--out",
                                                             "{out}/team"), 1, "Permission denied", OS_FIX,
         no_root=True),
    # -- bad command-line values: every command answers the same way (exit 2 for the command line itself)
    Case("reports: impossible --as-of", nothing, (*R, "--as-of", "2026-02-30"), 2,
         f"argument --as-of: '2026-02-30' {NOT_REAL}", "use an ISO date YYYY-MM-DD"),
    Case("reports: --as-of in words", nothing, (*R, "--as-of", "next tuesday"), 2, f"'next tuesday' {NOT_ISO}"),
    Case("reports: US --as-of", nothing, (*R, "--as-of", "03/04/2026"), 2, f"'03/04/2026' {NOT_ISO}"),
    Case("score: a year as --as-of", nothing, (*S, "--as-of", "2026"), 2, f"argument --as-of: '2026' {NOT_ISO}"),
    Case("sample: impossible --as-of", nothing, ("sample", "--out", "{out}", "--as-of", "2026-02-30"), 2,
         f"'2026-02-30' {NOT_REAL}"),
    Case("sample: US --start", nothing, ("sample", "--out", "{out}", "--start", "03/04/2026"), 2,
         f"argument --start: '03/04/2026' {NOT_ISO}"),
    Case("diagnose: --period banana", nothing, (*D, "--period", "banana"), 2,
         "argument --period: 'banana' is not understood", '"2026-Q2" (fiscal quarter)'),
    Case("score: --period year 0", nothing, (*S, "--period", "0000"), 2, f"argument --period: '0000' {YEARS}"),
    Case("reports: --period year 9999", nothing, (*R, "--period", "9999"), 2, f"'9999' {YEARS}"),
    Case("diagnose: --period range with a bad end", nothing, (*D, "--period", "2026-01-01..2026-02-30"), 2,
         "needs an ISO date YYYY-MM-DD at both ends ('2026-02-30' is not a real date"),
    Case("period year 9999 in dataset.toml", toml('default_period = "9999"\n'), V, 1,
         f"dataset.toml:1: setting default_period: value '9999': {YEARS}"),
    Case("reports: US as_of in dataset.toml", toml('as_of = "03/04/2026"\n'), R, 1,
         f"dataset.toml:1: setting as_of: value '03/04/2026': {NOT_ISO}", **SMALL_TEAM),
    Case("reports: --reps ,", nothing, (*R[:-2], "--reps", ",", *R[-2:]), 1, "--reps ',' names no rep id",
         fix("or leave --reps out for every rep"), **SMALL_TEAM),
    Case("reports: unknown --reps", nothing, (*R[:-2], "--reps", "R999", *R[-2:]), 1,
         "--reps: unknown rep id(s) 'R999': not in reps.csv", fix("Known ids include: 'R001'"), **SMALL_TEAM),
    Case("reports: --shard 3/2", nothing, (*R, "--shard", "3/2"), 1, "--shard 3/2",
         fix("K must be between 1 and N")),
    Case("reports: --jobs 0", nothing, (*R, "--jobs", "0"), 2, "argument --jobs: '0' must be a whole number of 1"),
    Case("reports: --weights is a folder", nothing, (*R, "--weights", "{data}"), 1, "is a folder",
         fix("give a weights file (TOML)")),
    Case("reports: --weights missing", nothing, (*R, "--weights", "nope.toml"), 1, "nope.toml: no such file",
         fix("leave --weights out to use the default weights")),
    Case("reports: --weights and --preset", nothing, (*R, "--weights", "w.toml", "--preset", "balanced"), 2,
         "argument --preset: not allowed with argument --weights"),
    Case("score: no --data is the sample, and says so", nothing, ("score", "--top", "1"), 0, SAMPLE_NOTE),
    Case("reports: data folder missing", nothing, (*R[:2], "{data}/nope", *R[3:]), 1, "nope: does not exist.",
         "Fix: check the path of the folder"),
    Case("score: unknown preset", nothing, (*S, "--preset", "nope"), 1, "unknown weights preset 'nope'",
         fix("Presets: outcomes-first, balanced, activity-coaching")),
    Case("score: weights file not UTF-8", write("w.toml", b"\xff\xfe[weights]\n"), (*S, "--weights", "{data}/w.toml"),
         1, "w.toml: is not UTF-8 text", fix("Save it as UTF-8")),
    Case("diagnose: an enormous weight", write("w.toml", "[weights]\nwon_revenue = 1e308\n"),
         (*D, "--weights", "{data}/w.toml"), 1, "weight of won_revenue is 1e+308; weights must be at most 1,000,000",
         fix("only their ratios matter")),
    Case("reports: a weight of true", write("w.toml", "[weights]\nwon_revenue = true\n"),
         (*R, "--weights", "{data}/w.toml"), 1, "weights.won_revenue = True is not a number",
         "Fix: write a plain number, e.g. won_revenue = 2.", **SMALL_TEAM),
    Case("score: --top 0", nothing, (*S, "--top", "0"), 2, "argument --top: '0' must be a whole number of 1"),
    Case("validate: no folder is the sample, and says so", nothing, ("validate",), 0, SAMPLE_NOTE,
         "No problems found"),
    Case("validate: the folder as PATH, as before", cell(OPP, 2, "amount", "abc"), ("validate", "{data}"), 1,
         at(OPP, 2, "amount", "abc"), no(SAMPLE_NOTE)),
    Case("validate: the folder twice", nothing, ("validate", "{data}", "--data", "{data}/x"), 2,
         "the dataset folder is given twice"),
    Case("unknown command", nothing, ("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    Case("sample: --volume inf", nothing, ("sample", "--out", "{out}", "--volume", "inf"), 2,
         "argument --volume: 'inf' must be a number above 0 and at most 100"),
    Case("sample: --volume nan", nothing, ("sample", "--out", "{out}", "--volume", "nan"), 2, "'nan' must be a number"),
    Case("sample: --seed -1", nothing, ("sample", "--out", "{out}", "--seed", "-1"), 2,
         "argument --seed: '-1' must be a whole number of 0 or more"),
    Case("sample: --reps 0", nothing, ("sample", "--out", "{out}", "--reps", "0"), 2, "'0' must be a whole number"),
    Case("sample: too few reps for the stories", nothing, ("sample", "--out", "{out}", "--reps", "3"), 1,
         "the sample stories need at least 12 reps, got 3", fix("pass --no-stories")),
    Case("sample: start after as_of", nothing, ("sample", "--out", "{out}", "--start", "2026-12-01", "--as-of",
                                                "2026-01-01"), 1, fix("as_of (2026-01-01) must come after start")),
    Case("sample: --out is a file", nothing, ("sample", "--out", "{data}/reps.csv", "--no-stories"), 1,
         fix("is a file, not a folder: choose a folder to write the dataset into")),
    Case("sample: a small team is written whole", nothing, ("sample", "--reps", "2", "--no-stories", "--volume",
                                                            "0.05", "--out", "{out}/team"), 0,
         "Wrote out/team", File("out/team/dataset.toml", 'as_of = "2026-11-15"'), writes="out"),
    Case("import: unknown --from", nothing, ("import", "--from", "nope", "--out", "{out}", "{export}"), 1,
         "--from nope: not a known format", "Fix: give one of those names"),
    Case("import: --out not empty", nothing, ("import", "--from", "salesforce", "--out", "{data}", "{export}"), 1,
         "the folder is not empty", fix("pass --force")),
    Case("import: missing export", nothing, ("import", "--from", "salesforce", "--out", "{out}", "nope.csv"), 1,
         "nope.csv: no such file or folder", fix("Give the export files")),
    Case("import: mapping not TOML", toml("x = \n"), ("import", "--from", "{data}/dataset.toml", "--out", "{out}",
                                                      "{export}"), 1, "not valid TOML", fix("Fix the syntax")),
    Case("import: an export is imported", nothing, ("import", "--from", "salesforce", "--out", "{out}", "{export}"),
         0, "Validation: passed", File("out/opportunities.csv", "opportunity_id"), writes="out"),
    Case("notebooks: folder is a file", nothing, ("notebooks", "{data}/reps.csv"), 1,
         fix("is a file, not a folder: give a folder to put the notebooks in")),
    Case("notebooks: copied", nothing, ("notebooks", "{out}"), 0, "wrote out/rep_report.ipynb",
         File("out/team_explorer.ipynb", '"cells"'), writes="out"),
    # -- output obstacles: a clean error before anything is written
    Case("reports: _batch is a file", out(file="_batch"), R, 1, "out/_batch is a file where salesnb keeps a folder",
         IN_THE_WAY, **SMALL_TEAM),
    Case("reports: _batch/status is a file", out(file="_batch/status"), R, 1, "out/_batch/status is a file",
         IN_THE_WAY, **SMALL_TEAM),
    Case("reports: _batch/views is a file", out(file="_batch/views"), R, 1, "out/_batch/views is a file", IN_THE_WAY,
         **SMALL_TEAM),
    Case("reports: _batch/logs is a file", out(file="_batch/logs"), R, 1, "out/_batch/logs is a file", IN_THE_WAY,
         **SMALL_TEAM),
    Case("reports: _failed is a file", out(file="_failed"), R, 1, "out/_failed is a file", IN_THE_WAY, **SMALL_TEAM),
    Case("reports: index.html is a folder", out("index.html/"), R, 1,
         "out/index.html is a folder, where salesnb writes the index page", IN_THE_WAY, **SMALL_TEAM),
    Case("reports: --out is a file", out_is_file, R, 1, "is a file, not a folder", fix("Give a folder"), **SMALL_TEAM),
    Case("reports: a report is a folder", out("R001.html/"), R, 1,
         "out/R001.html is a folder, where salesnb writes a report file", IN_THE_WAY, **SMALL_TEAM),
    Case("reports: a notebook is a folder", out("R001.ipynb/"), R, 1, "out/R001.ipynb is a folder", IN_THE_WAY,
         **SMALL_TEAM),
    Case("reports: a status is a folder", out("_batch/status/R001.json/"), R, 1, "status/R001.json is a folder",
         IN_THE_WAY, **SMALL_TEAM),
    Case("reports: a failed notebook is a folder", out("_failed/R001.ipynb/"), R, 1, "_failed/R001.ipynb is a folder",
         IN_THE_WAY, **SMALL_TEAM),
    Case("reports: --out inside the data", nothing, (*R[:4], "{data}/reports", *R[5:]), 1,
         "is inside the input folder", fix("Choose an output folder outside it"), **SMALL_TEAM),
    Case("reports: --out under a file", out(file="notes.txt"), (*R[:4], "{out}/notes.txt/reports", *R[5:]), 1,
         "out/notes.txt is a file, not a folder, so the output folder cannot be created there",
         fix("Choose another --out"), **SMALL_TEAM),
    # -- signals: the command stops, its workers and their kernels die with it, nothing partial is left
    Case("reports: SIGTERM", nothing, SLOW, 143, "stopped (SIGTERM)", no("report(s) written"),
         signal=signal.SIGTERM, writes="out", **SMALL_TEAM),
    Case("reports: SIGINT", nothing, SLOW, 130, "interrupted", no("report(s) written"), signal=signal.SIGINT,
         writes="out", **SMALL_TEAM),
    Case("reports: SIGKILL to the main process", nothing, SLOW, -signal.SIGKILL, no("report(s) written"),
         signal=signal.SIGKILL, writes="out", **SMALL_TEAM),
    # -- what reports and the terminal show: a period with no data, right-to-left overrides, huge names
    Case("reports: a period with no data yet", nothing, (*REPORTS, "--period", "2026-12", "--as-of", "2026-12-31"), 0,
         "1 report(s) written", File("out/R001.html", "period 2026-12, as of 2026-12-31"), writes="out", **SMALL_TEAM),
    Case("reports: right-to-left overrides in a name and an id", both(rename("Gavin Iyer", "Gavin \u202eIyer.exe"),
                                                                      rename("R001", "R\u202e001")),
         (*REPORTS[:-1], "R\u202e001"), 0, "1 report(s) written",
         File("out/index.html", "<bdi>Gavin \u202eIyer.exe</bdi>", "(<bdi>R\u202e001</bdi>)"),
         File("out/" + safe_stem("R\u202e001") + ".html", "<title>\u2068Gavin \u202eIyer.exe\u2069: sales report",
              "<h2><bdi>Gavin \u202eIyer.exe</bdi>"), writes="out", **SMALL_TEAM),
    Case("score: a right-to-left override is isolated", cell(REPS, 2, "name", "Dana \u202eKhan"), S, 0,
         "  \u2068Dana \u202eKhan\u2069  "),
    Case("score: an isolate a name leaves open is closed", cell(REPS, 2, "name", "Dana \u2067Khan"), S, 0,
         "  \u2068Dana \u2067Khan\u2069\u2069  "),
    Case("score: a 100,000-character name", cell(REPS, 2, "name", LONG), S, 0, LONG_SHOWN, size_below(10_000)),
    Case("diagnose: a 100,000-character name", cell(REPS, 2, "name", LONG), D, 0, LONG_SHOWN, size_below(20_000)),
    Case("validate: a 100,000-character name", cell(REPS, 2, "name", LONG), V, 0, "No problems found",
         size_below(1_000)),
]


@pytest.fixture(scope="session")
def small_team(tmp_path_factory) -> Path:
    """Six generated reps with little data: a report run on one or two of them takes seconds."""
    folder = tmp_path_factory.mktemp("small-team") / "data"
    generate(folder, reps=6, seed=7, volume=0.05, stories=False)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, tmp_path, monkeypatch, request):
    if case.no_root and (why := root_can_be_restricted()):
        pytest.skip(why)
    if case.signal is not None and not Path("/proc/self/stat").exists():
        pytest.skip("signal cases follow the command's processes through /proc (Linux)")
    root = tmp_path / "case"
    shutil.copytree(request.getfixturevalue("small_team") if case.team == "small" else SAMPLE_DIR, root / "data")
    (root / "tmp").mkdir()
    case.make(root / "data")
    before = fingerprint(root)
    try:
        code, out, survivors = run_case(case, root, monkeypatch)
        after = fingerprint(root)
    finally:
        for path in [root / "data", *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
            os.chmod(path, 0o755)  # let pytest clean up after the permission cases
    assert TRACEBACK not in out, out
    assert code == case.code, out
    for fragment in case.fragments:
        if isinstance(fragment, File):
            text = (root / fragment.path).read_text(encoding="utf-8")
            for part in fragment.fragments:
                assert (part not in text) if isinstance(part, no) else (part in text), f"{part!r} in {fragment.path}"
        elif isinstance(fragment, size_below):
            assert len(out) < fragment, f"{len(out):,} characters of output"
        elif isinstance(fragment, no):
            assert fragment not in out, f"{fragment!r} should not be in:\n{out}"
        elif isinstance(fragment, once):
            assert out.count(fragment) == 1, f"{fragment!r} should be in once:\n{out}"
        else:
            assert fragment in out, f"{fragment!r} not in:\n{out}"
    if code == 1:
        assert "Fix" in out or any(isinstance(f, fix) for f in case.fragments), out  # the answer names a fix
    assert survivors == [], "still running after the command ended"
    assert leftovers(root) == []
    # No input changed, and nothing was written outside the one folder the command may write (cwd and
    # TMPDIR are in root): a failed command has written nothing at all.
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    allowed = {p for p in changed if case.writes and (p == case.writes or p.startswith(case.writes + "/"))}
    assert changed - allowed == set(), sorted(changed - allowed)[:10]


def test_the_table_is_well_formed():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 100
    assert all(c.fragments for c in CASES)
    assert all(c.writes is None for c in CASES if c.code not in (0, -signal.SIGKILL, 130, 143))


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


@st.composite
def renamed(draw) -> tuple[str, bytes]:
    """Odd text added to a rep's name: damage a report run often gets through to its notebook."""
    lines = SMALL["reps.csv"].split("\n")
    n = draw(st.integers(1, 3))
    cells = lines[n].split(",")
    cells[1] += draw(CELL_TEXT)
    lines[n] = ",".join(cells)
    return "reps.csv", "\n".join(lines).encode("utf-8", "surrogatepass")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=st.lists(st.one_of(damaged(), renamed()), min_size=1, max_size=2))
@example(damage=[("reps.csv", SMALL["reps.csv"].replace("Ann", "Ann \u202e💥").encode())])
def test_random_damage_to_a_report_run_gets_an_answer(damage):
    """The same damage fed to `reports`: a report, or a clear error; the data untouched, nothing partial left."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data, scratch = root / "data", root / "tmp"
        data.mkdir()
        scratch.mkdir()
        for name, text in SMALL.items():
            (data / name).write_text(text, encoding="utf-8")
        for name, content in damage:
            (data / name).write_bytes(content)
        before = fingerprint(data)
        out = io.StringIO()
        with mock.patch.dict(os.environ, {"TMPDIR": str(scratch)}), mock.patch.object(tempfile, "tempdir", str(scratch)), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(["reports", "--data", str(data), "--out", str(root / "out"), "--reps", "r1", "--jobs", "1",
                             "--no-progress", "--notebook", PLACES["nb"]])
        text = out.getvalue()
        assert TRACEBACK not in text, text
        assert code in (0, 1, 3), text
        assert "report(s) written" in text if code != 1 else text.startswith("salesnb reports: ") or "FAILED r1" in text
        assert fingerprint(data) == before
        assert leftovers(root) == [] and list(scratch.iterdir()) == []
