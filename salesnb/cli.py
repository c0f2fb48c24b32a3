"""`salesnb` on the command line: every command, its options and its exit codes, in one place.

This module parses arguments, calls the package, prints the result and turns salesnb's own errors into a
message that says what to fix (never a traceback). Options every analysis shares (`--data`, `--as-of`,
`--period`, `--weights` / `--preset`) are defined once, and every value is checked the same way.
"""
from __future__ import annotations

import argparse
import signal
import sys

from .errors import SalesnbError, Terminated

EXIT_CODES = """exit codes:
  0    done (warnings and notes are fine)
  1    salesnb could not do it: the message says what to fix (bad data, settings or files; failed reports;
       a message that could not be delivered)
  2    the command line itself is wrong (unknown option, a value in the wrong form)
  3    reports only: a report names another rep (the privacy scan); the reports are kept for inspection,
       get no PDF and are never sent
  130  interrupted (Ctrl-C)
  141  the output pipe closed early (e.g. `salesnb diagnose ... | head`): stopped quietly
  143  stopped by SIGTERM (e.g. a scheduler's timeout)"""

PRESET_NAMES = "outcomes-first (default), balanced or activity-coaching"

IMPORT_EXAMPLES = """examples:
  salesnb import --from salesforce --out mydata Opportunity.csv Task.csv Lead.csv User.csv
  salesnb import --from salesforce --out mydata "report1234.csv"        (a report export)
  salesnb import --from hubspot --out mydata hubspot-deals.csv
  salesnb import --from my-crm.toml --out mydata deals.csv reps.csv

Only opportunities are needed; reps are derived from the owners when there is no reps file.
The export files are never modified. A mapping file says which file feeds which table, which
column is which, how stages map onto the funnel and how dates are written: see
docs/importing.md (presets to start from: salesnb/importers/presets/)."""


# ------------------------------------------------------------------ values, checked the same way everywhere

def _bad_value(exc: SalesnbError, option: str) -> argparse.ArgumentTypeError:
    """argparse names the option itself: the message goes on without repeating it."""
    text = str(exc)
    for head in (f"{option}: ", f"{option} "):
        text = text.removeprefix(head)
    return argparse.ArgumentTypeError(text)


def _as_of(text: str):
    from .periods import parse_iso_date

    try:
        parse_iso_date(text, "--as-of")
    except SalesnbError as exc:
        raise _bad_value(exc, "--as-of") from None
    return text


def _period(text: str):
    from .periods import parse_period_spec

    try:
        return parse_period_spec(text, "--period")
    except SalesnbError as exc:
        raise _bad_value(exc, "--period") from None


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of 1 or more")
    return n


def _port(text: str) -> int:
    n = _positive_int(text)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a port is a whole number from 1 to 65535")
    return n


def _whole_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of 0 or more")
    return n


MAX_VOLUME = 100.0  # 100 is about 50,000 opportunities and 500,000 activities per rep


def _volume(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = float("nan")
    if not 0 < x <= MAX_VOLUME:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above 0 and at most {MAX_VOLUME:g} "
                                         "(1.0 is about 500 opportunities and 5,000 activities per rep)")
    return x


DATA_HELP = ("the dataset folder (only read); default: the bundled sample team, as for every command (a note on "
             "stderr says so)")


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", metavar="DIR", help=DATA_HELP)


def _add_dataset(p: argparse.ArgumentParser) -> None:
    _add_data(p)
    p.add_argument("--as-of", dest="as_of", type=_as_of, metavar="YYYY-MM-DD",
                   help="report date (default: dataset.toml as_of, else the export's own date: its latest recorded "
                        "event, not an expected close date)")
    p.add_argument("--period", type=_period, metavar="P",
                   help='"2026", "2026-Q2", "2026-03", "ytd", "qtd", "mtd" or "2026-01-01..2026-06-30" '
                        "(default: the dataset's default period)")


def _add_compare(p: argparse.ArgumentParser) -> None:
    p.add_argument("--compare-to", dest="compare_to", type=_period, metavar="P",
                   help="the period to compare with in 'since last time' (default: the previous one of the same "
                        "kind, or the quarter before the last complete quarter when the data has no earlier one)")


def _add_weights(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--weights", metavar="FILE", help="a weights file (TOML), e.g. saved from the team explorer")
    group.add_argument("--preset", metavar="NAME", help=PRESET_NAMES)


def _parser(sub, name: str, help_: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_, description=description,
                          epilog=(epilog + "\n\n" if epilog else "") + EXIT_CODES,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


# ------------------------------------------------------------------ commands

def _reports(args) -> int:
    from .reports import run_reports

    from .config import resolve_data_dir

    result = run_reports(resolve_data_dir(args.data), args.out, reps=args.reps, as_of=args.as_of, period=args.period,
                         weights_file=args.weights, preset=args.preset, compare_to=args.compare_to, jobs=args.jobs,
                         force=args.force, shard=args.shard, progress=args.progress, notebook=args.notebook,
                         pdf=args.pdf, paper=args.paper, scheduler=args.scheduler)
    print(result.summary())
    return result.exit_code


def _send(args) -> int:
    from .deliver import send_reports

    result = send_reports(args.data, args.out, smtp=args.smtp, use_ssl=args.ssl, user=args.user, sender=args.sender,
                          cc=args.cc or (), meeting=args.meeting_date, outbox=args.outbox, reps=args.reps,
                          resend=args.resend, cafile=args.cafile, timeout=args.timeout, attempts=args.attempts,
                          retry_wait=args.retry_wait, progress=args.progress)
    print(result.summary())
    return result.exit_code


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} must be a date like 2026-11-20") from None


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = float("nan")
    if not 0 <= x <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds from 0 to 3600")
    return x


SEND_EXAMPLES = """examples:
  salesnb send --data data/sample --out reports                  (writes reports/outbox/*.eml, sends nothing)
  salesnb send --data data/sample --out reports --smtp localhost:25 --from manager@example.com
  SALESNB_SMTP_PASSWORD=... salesnb send --data mydata --out reports --smtp smtp.company.com:587 \\
      --user diane --from diane@company.com --cc diane@company.com --meeting-date 2026-11-20
  salesnb send --data mydata --out reports --smtp smtp.company.com:587 --user diane --resend R007

Which reports go, the ledger, and sending through a company's relay: docs/sending.md."""


def _validate(args) -> int:
    from .dataset import Dataset
    from .validate.folder import check_folder

    frames, meta, report = check_folder(args.data)
    print(report.format())
    if report.ok:  # what the valid data holds: the sections that can and cannot be shown follow from it
        dataset = Dataset(**frames, meta=meta)
        shape = dataset.shape
        print(shape.summary())
        for section, reason in shape.unavailable().items():
            print(f"- {section.replace('_', ' ')} unavailable: {reason}")
        print(as_of_line(dataset))
    return 0 if report.ok else 1


def as_of_line(dataset) -> str:
    """The report date the analyses use by default, and where it comes from."""
    from .errors import ConfigError
    from .periods import default_as_of

    try:
        day = default_as_of(dataset).date()
    except ConfigError as exc:
        return f"Report date: none ({exc})"
    if dataset.meta.as_of:
        return f"Report date: {day} (as_of in dataset.toml)."
    return (f"Report date: {day}, the export's own date: its latest recorded event (deals and leads created, deals "
            "won or lost, activities, stage changes; expected close dates are not events). Set as_of in "
            "dataset.toml or pass --as-of to choose another.")


def _weights_arg(args):
    """The weights a command uses: --weights, --preset, else the ones saved for this dataset, else the default
    preset; and where they come from, in words (printed on stderr, so piped output stays clean)."""
    from .saved_weights import resolve

    return resolve(args.data, getattr(args, "weights", None), getattr(args, "preset", None))


def _score(args) -> int:
    from .facts import Facts
    from .scorecard import score
    from .terminal import leaderboard_text

    weights, said = _weights_arg(args)
    facts = Facts(args.data)
    team = facts.cached(period=args.period, as_of=args.as_of, weights=weights)
    if team is not None:  # analysed before (a kernel, diagnose, the reports): the same table and card
        table, card = team.table, team.card
    else:  # the metrics only: a full analysis is more than a leaderboard needs
        from .diagnostics.evidence import check_period
        from .metrics import metrics

        dataset = facts.dataset()
        table = metrics(dataset, period=args.period, as_of=args.as_of)
        n_current = int(table.reps["active"].sum()) if "active" in table.reps else len(table.reps)
        check_period(dataset, table.period, table.as_of, n_current)
        card = score(table, weights)
    print(said, file=sys.stderr)
    print(leaderboard_text(table, card, args.top))
    return 0


def _diagnose(args) -> int:
    from .facts import Facts
    from .terminal import summary_text

    weights, said = _weights_arg(args)
    d = Facts(args.data).team(period=args.period, as_of=args.as_of, weights=weights,
                              compare_to=args.compare_to).diagnosis
    print(said, file=sys.stderr)
    if args.json:
        from .pages.diagnose_json import to_json

        print(to_json(d))
    else:
        print(summary_text(d))
    return 0


def _cache(args) -> int:
    from .facts import store

    if args.action == "clear":
        data = store.data_key(args.data) if args.data else None
        n, size = store.clear(data=data)
        print(f"Removed {n} folder(s), {size / 1e6:,.1f} MB, from {store.cache_root()}.")
        return 0
    if args.action == "info":
        rows = store.entries()
        print(f"Facts cache: {store.cache_root()}" + ("" if store.enabled() else " (off: SALESNB_CACHE=off)"))
        for e in rows:
            a = e["about"]
            print(f"  {e['dataset']}  {a.get('period', '?')} as of {a.get('as_of', '?')}, weights "
                  f"{a.get('weights', '?')}: {e['bytes'] / 1e6:,.1f} MB")
        print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}, "
              f"{sum(e['bytes'] for e in rows) / 1e6:,.1f} MB. `salesnb cache clear` empties it.")
        return 0
    from .facts.warm import warm

    if not args.data:
        raise _usage("cache warm needs --data DIR")
    weights, said = _weights_arg(args)
    labels = "all" if args.all_periods else (args.periods.split(",") if args.periods else None)

    def progress(label, seconds, hit):
        if not args.quiet:
            print(f"  {label}: {'already there' if hit else f'analysed in {seconds:.1f} s'}", flush=True)

    if not args.quiet:
        print(said, flush=True)
    done = warm(args.data, period=args.period, as_of=args.as_of, weights=weights, labels=labels,
                progress=progress, background=args.background)
    if not args.quiet:
        from .facts import store

        print(f"{len(done)} period(s) ready in {store.cache_root()}.")
    return 0


class _usage(SalesnbError):
    pass


def _import(args) -> int:
    from .importers import import_export

    # A dataset with validation errors is never written (ImportValidationError), so what is written is valid.
    result = import_export(args.sources, args.out, args.source_format, overwrite=args.force,
                           validate=not args.no_validate)
    print(result.format())
    return 0


def _sample(args) -> int:
    from .generate import generate

    stories = args.stories and not args.plant_bottlenecks  # planted bottlenecks replace the stories
    result = generate(args.out, args.reps, args.seed, stories=stories, plant_bottlenecks=args.plant_bottlenecks,
                      start=args.start, as_of=args.as_of, fmt=args.fmt, volume=args.volume, overwrite=args.force)
    print(result.summary())
    if result.truth.stories:
        print("Stories planted: " + ", ".join(
            f"{story} = {rid} {result.truth.reps[rid].name}" for story, rid in result.truth.stories.items()))
    if args.plant_bottlenecks:
        print(f"Bottlenecks planted in {len(result.truth.bottlenecks())} of {args.reps} reps; noise metric: "
              f"{result.truth.noise_metric}")
    return 0


def _notebooks(args) -> int:
    from .workspace import copy_notebooks

    for path in copy_notebooks(args.dir, force=args.force):
        print(f"wrote {path}")
    print(f"Open them with: salesnb lab {args.dir}")
    return 0


def _lab(args) -> int:
    from .workspace import start_lab

    return start_lab(args.dir, port=args.port, browser=args.browser, ip=args.ip, allow_root=args.allow_root,
                     extra=args.extra)


def _dashboard(args) -> int:
    from .explorer import access
    from .explorer.serve import serve_dashboard

    return serve_dashboard(args.data, port=args.port, browser=args.browser, as_of=args.as_of, period=args.period,
                           weights_file=args.weights, ip=args.ip, extra=args.extra,
                           max_pages=args.max_pages or access.MAX_PAGES)


PASS_ON = ("Options after -- are passed on to Jupyter as given, e.g. -- --ServerApp.base_url=/team/ "
           "(see `jupyter lab --help-all` and `voila --help-all`).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesnb",
        description=("salesnb: an outcome-first sales performance workbook. Validate a dataset, score and "
                     "diagnose a team, import CRM exports, and write a private HTML report for every rep."),
        epilog=("Every command that reads a dataset (reports, validate, score, diagnose, dashboard) takes it as --data "
                "DIR; without --data it uses the bundled sample team, and says so.\n"
                "Run 'salesnb COMMAND --help' for the options of one command.\n\n" + EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _parser(sub, "reports", "write a private, offline HTML report for every rep, plus an index (the main job)",
                "Run the per-rep report notebook once per rep (on a Dask cluster: a local one, or --scheduler) and write "
                "OUT/<rep>.html, the executed OUT/<rep>.ipynb and OUT/index.html; with --pdf also OUT/<rep>.pdf, "
                "the same page printed by Chromium (only once the report passed the privacy scan). Reports "
                "already up to date (same data, weights, options and salesnb) are skipped; a failed rep does not "
                "stop the others. Then `salesnb send` e-mails each rep their PDF.",
                "examples:\n  salesnb reports --data mydata --out reports --reps R001,R015\n"
                "  salesnb reports --data mydata --out reports --pdf --paper letter\n"
                "  salesnb reports                            (the bundled sample team, into ./reports)")
    _add_dataset(p)
    _add_weights(p)
    _add_compare(p)
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder, relative to where you run the command (default: reports)")
    p.add_argument("--reps", metavar="ID,...", help="only these rep ids (comma-separated)")
    p.add_argument("--jobs", type=_positive_int, metavar="N",
                   help="worker processes of the local Dask cluster (default: the number of cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the reports on this Dask scheduler's workers instead of a local cluster (they must see "
                        "--out and the data at the same paths; docs/batch-reports.md)")
    p.add_argument("--force", action="store_true", help="redo reports that are already up to date")
    p.add_argument("--shard", metavar="K/N", help="do only shard K of N (1-based; a stable split by rep id)")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="also print each report to OUT/<rep>.pdf with Chromium (default: dataset.toml's [reports] "
                        "pdf, else no)")
    p.add_argument("--paper", choices=("a4", "letter"), type=str.lower, default=None,
                   help="the PDF's paper size (default: dataset.toml's [reports] paper, else a4)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument("--notebook", metavar="FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=_reports)

    p = _parser(sub, "send", "e-mail each rep their own report (the PDF): an outbox to review, or through SMTP",
                "Deliver each rep's report, the PDF written by `salesnb reports --pdf`, to that rep's own address "
                "(the email column of reps.csv), with a short note: the headline and the one-on-one. Without "
                "--smtp it only writes the messages to an outbox as .eml files, for review, and sends nothing. "
                "With --smtp it sends them, one at a time, and records each in the ledger (OUT/_sent/): a report "
                "is never sent twice, a report that changed since it was sent is listed (--resend sends it), "
                "and a report that is missing, out of date or failed the privacy scan is never sent.",
                SEND_EXAMPLES)
    _add_data(p)  # the dataset the reports were made from: the reps' addresses
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="the reports folder, as given to salesnb reports (default: reports)")
    p.add_argument("--smtp", metavar="HOST:PORT", help="send through this mail server (STARTTLS when it offers it; "
                                                        "without encryption only to localhost). Default: outbox only")
    p.add_argument("--ssl", action="store_true", help="TLS from the start (implicit TLS, usually port 465)")
    p.add_argument("--user", metavar="NAME", help="log in as NAME; the password comes from $SALESNB_SMTP_PASSWORD "
                                                   "or the system keyring (keyring set salesnb-smtp NAME)")
    p.add_argument("--from", dest="sender", metavar="ADDRESS",
                   help="the sender, e.g. 'Diane Foster <diane@company.com>' (default: you at this machine)")
    p.add_argument("--cc", action="append", metavar="ADDRESS,...",
                   help="a copy of every message to these addresses (e.g. the manager's); repeatable")
    p.add_argument("--meeting-date", dest="meeting_date", type=_date, metavar="YYYY-MM-DD",
                   help="the one-on-one the message announces (default: 'our next one-on-one')")
    p.add_argument("--outbox", metavar="DIR", help="where the .eml files go without --smtp (default: OUT/outbox)")
    p.add_argument("--reps", metavar="ID,...", help="only these rep ids")
    p.add_argument("--resend", metavar="ID,...", help="send these reps' reports again, even if already sent")
    p.add_argument("--cafile", metavar="FILE", help="trust the mail server's certificate from this authority "
                                                     "(a company's own); default: the system's authorities")
    p.add_argument("--timeout", type=_seconds, default=30.0, metavar="S",
                   help="seconds to wait for the server at each step (default 30)")
    p.add_argument("--attempts", type=_positive_int, default=3, metavar="N",
                   help="tries per message before its rep is reported as failed (default 3)")
    p.add_argument("--retry-wait", dest="retry_wait", type=_seconds, default=2.0, metavar="S",
                   help="seconds before the second try, doubled before each next one (default 2)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.set_defaults(func=_send)

    p = _parser(sub, "validate", "check a dataset folder and say what to fix",
                "Check a dataset folder (reps.csv, opportunities.csv and the optional quotas, leads, activities, "
                "stage_history, team_quotas tables, as CSV or Parquet, and dataset.toml) against the data model. "
                "Every problem is listed in one pass with the file, line, column, value and the fix. Errors stop "
                "the workbook from loading the data; warnings do not (some are repaired while loading, e.g. rows "
                "of unknown reps are left out; others point at dates that cannot be right, e.g. in the future); "
                "notes are for information. The files are only read, never changed. dataset.toml's settings are "
                "checked too; among them max_amount (default 1e12) is the largest amount or quota accepted: a "
                "larger one, or one that is not a finite number, is an error.",
                "examples:\n  salesnb validate --data mydata\n  salesnb validate mydata          (the same)\n"
                "  salesnb validate                 (the bundled sample team)")
    _add_data(p)
    p.add_argument("path", nargs="?", metavar="PATH", help="the dataset folder, as --data (kept for 'salesnb validate "
                                                           "mydata'; give one or the other)")
    p.set_defaults(func=_validate)

    p = _parser(sub, "score", "print the weighted scorecard leaderboard",
                "Compute every rep's metrics for a period and print the weighted scorecard, role by role: rank "
                "within role, score, attainment, won revenue and the metrics that gave most points. Scores are "
                "normalised within each role.")
    _add_dataset(p)
    _add_weights(p)
    p.add_argument("--top", type=_positive_int, metavar="N", help="show only the first N reps of each role")
    p.set_defaults(func=_score)

    p = _parser(sub, "diagnose", "diagnose every rep: funnel bottleneck, vanity metrics, top performers, pairs, risk",
                "Run the diagnostics for a period: each rep's funnel bottleneck against the team (within role), "
                "the vanity-metric audit, what top performers do differently, peer pairing, early warning, lead "
                "quality and pipeline hygiene. --json prints one JSON document (schema: docs/diagnose-json.md).")
    _add_dataset(p)
    _add_weights(p)
    _add_compare(p)
    p.add_argument("--json", action="store_true", help="print one JSON document instead of the summary")
    p.set_defaults(func=_diagnose)

    p = _parser(sub, "import", "turn a Salesforce/HubSpot export or any CSV (via a mapping file) into a dataset",
                "Import CRM export files into a canonical salesnb dataset folder, validate it, and print what was "
                "mapped, what was dropped and why. The export files are only read.", IMPORT_EXAMPLES)
    p.add_argument("--from", dest="source_format", required=True, metavar="FORMAT",
                   help="salesforce (report or API/Data Loader export, detected), salesforce-report, "
                        "salesforce-api, hubspot, or the path of a TOML mapping file")
    p.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write (must be new or empty)")
    p.add_argument("--force", action="store_true",
                   help="replace the salesnb dataset in DIR (a folder holding anything else is refused)")
    p.add_argument("--no-validate", action="store_true", help="skip validating the written dataset")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="export files, or folders holding them")
    p.set_defaults(func=_import)

    p = _parser(sub, "sample", "generate a realistic sample dataset (any number of reps)",
                "Generate a realistic, deterministic sales dataset with every table of the data model and "
                "dataset.toml. The same options always give the same files. Big teams are written a chunk of "
                "reps at a time, so memory stays flat.",
                "examples:\n  salesnb sample --reps 24 --out myteam\n"
                "  salesnb sample --reps 30 --seed 7 --out /tmp/planted --plant-bottlenecks\n"
                "  salesnb sample --reps 2000 --seed 1 --out big-2000 --no-stories")
    p.add_argument("--reps", type=_positive_int, default=24, metavar="N", help="number of reps (default 24)")
    p.add_argument("--seed", type=_whole_number, default=0, metavar="S", help="random seed, 0 or more (default 0)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write the tables into: new or empty (created if needed)")
    p.add_argument("--force", action="store_true",
                   help="replace the salesnb dataset in --out (a folder holding anything else is refused)")
    p.add_argument("--no-stories", dest="stories", action="store_false",
                   help="a plain team without the sample's planted stories (John, Sally, the top performer, ...)")
    p.add_argument("--plant-bottlenecks", action="store_true",
                   help="instead of the stories, give about half the reps one clearly weak funnel step "
                        "(or too few leads) and draw mail counts as pure noise")
    p.add_argument("--volume", type=_volume, default=1.0, metavar="X",
                   help="leads, deals and activities per rep, relative to 1.0 = about 500 opportunities and "
                        f"5,000 activities per rep (default 1.0, at most {MAX_VOLUME:g})")
    p.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv", help="file format (default csv)")
    p.add_argument("--start", type=_as_of, default="2026-01-01", metavar="YYYY-MM-DD",
                   help="first day of the analysed year")
    p.add_argument("--as-of", type=_as_of, default="2026-11-15", metavar="YYYY-MM-DD",
                   help="last day with data (the report date)")
    p.set_defaults(func=_sample)

    p = _parser(sub, "notebooks", "copy the team explorer and report notebooks into a folder to open them",
                "Copy salesnb's notebooks (team_explorer.ipynb, rep_report.ipynb) into DIR, where JupyterLab can "
                "open them. Existing files are kept unless --force.")
    p.add_argument("dir", nargs="?", default="salesnb-notebooks", metavar="DIR",
                   help="folder to copy them into (default: salesnb-notebooks)")
    p.add_argument("--force", action="store_true", help="overwrite notebooks already in DIR")
    p.set_defaults(func=_notebooks)

    p = _parser(sub, "lab", "open JupyterLab on the notebooks (copied into DIR first if missing)",
                "Copy the notebooks into DIR when they are not there yet, then start JupyterLab on DIR. " + PASS_ON,
                "examples:\n  salesnb lab mywork --port 9000 --no-browser\n"
                "  salesnb lab mywork -- --ServerApp.base_url=/salesnb/")
    p.add_argument("dir", nargs="?", default="salesnb-notebooks", metavar="DIR",
                   help="folder with the notebooks (default: salesnb-notebooks)")
    p.add_argument("--port", type=_port, default=None, metavar="N", help="port (default: JupyterLab's)")
    p.add_argument("--ip", default=None, metavar="ADDR", help="address to listen on (default: JupyterLab's, localhost)")
    p.add_argument("--no-browser", dest="browser", action="store_false", help="do not open a browser")
    p.add_argument("--allow-root", action="store_true",
                   help="run as root (passed on to JupyterLab; done by itself when salesnb runs as root)")
    p.set_defaults(func=_lab)

    p = _parser(sub, "dashboard", "serve the team explorer as a web page without code (Voila), until Ctrl-C",
                "Serve the team explorer on a dataset as a dashboard: the same live controls (period, team, role, "
                "weights) and sections as the notebook, with the code hidden, for managers who never open a "
                "notebook. The period on screen is analysed before serving and the others in the background (the "
                "facts cache: `salesnb cache`). Save weights keeps the weights for this dataset (or writes back to "
                "--weights), where `salesnb reports --data DIR` finds them; Export tables downloads the lists in "
                "the browser.",
                "examples:\n  salesnb dashboard                          (the bundled sample team)\n"
                "  salesnb dashboard --data mydata --port 9000 --no-browser\n"
                "  salesnb dashboard --data mydata -- --MappingKernelManager.cull_idle_timeout=600\n\n" + PASS_ON)
    _add_dataset(p)
    p.add_argument("--weights", metavar="FILE", help="a weights file (TOML) to start from; Save weights writes back to it")
    p.add_argument("--port", type=_port, default=None, metavar="N", help="port (default: 8866)")
    p.add_argument("--ip", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default: 127.0.0.1, this machine only; give an address of this "
                        "machine to serve others, who then see your team's figures)")
    p.add_argument("--max-pages", type=_positive_int, default=None, metavar="N",
                   help="pages open at once (default: 8); each holds a kernel, a few hundred MB on a large team, "
                        "so a page beyond them is refused until one is closed")
    p.add_argument("--no-browser", dest="browser", action="store_false", help="do not open a browser")
    p.set_defaults(func=_dashboard)

    p = _parser(sub, "cache", "compute a dataset's facts ahead, show or empty the facts cache",
                "salesnb analyses a dataset's period once and keeps the facts (Parquet and JSON, no code) in a cache "
                "folder of your user's (SALESNB_CACHE_DIR, else the user cache folder: `salesnb cache info` shows "
                "it; never the dataset folder). The explorer, the dashboard, `diagnose`, `score` and `reports` read "
                "them instead of analysing again, as long as the data files, the settings and salesnb are the same. "
                "`warm` computes them ahead (the dashboard does this for every period in the background); `clear` "
                "empties the cache; SALESNB_CACHE=off turns it off.",
                "examples:\n  salesnb cache warm --data mydata --all-periods\n  salesnb cache info\n"
                "  salesnb cache clear")
    p.add_argument("action", choices=("warm", "info", "clear"), help="warm, info or clear")
    _add_dataset(p)
    _add_weights(p)
    p.add_argument("--periods", metavar="LABEL,...", help="warm: these periods of the explorer's menu (e.g. 2026-Q3)")
    p.add_argument("--all-periods", action="store_true", help="warm: every period the explorer offers")
    p.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true", help="warm: print nothing")
    p.set_defaults(func=_cache)
    return parser


def _data_folder(parser: argparse.ArgumentParser, args) -> None:
    """One rule for every command: --data DIR (validate also takes it as PATH), else the bundled sample team."""
    if "data" not in vars(args):
        return
    if getattr(args, "command", "") == "cache" and args.action != "warm":
        return  # info and clear: the whole cache unless --data names one dataset
    path = vars(args).pop("path", None)
    if path is not None and args.data is not None and path != args.data:
        command = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices[args.command]
        command.error(f"the dataset folder is given twice ({path} and --data {args.data}): give it once")
    args.data = path if path is not None else args.data
    if args.data is None:
        from .config import SAMPLE_DIR

        args.data = str(SAMPLE_DIR)
        print(f"salesnb {args.command}: no --data given, so this is the bundled sample team ({SAMPLE_DIR}); give "
              f"--data DIR for your own dataset.", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv and argv[:1] and argv[0] in ("lab", "dashboard"):  # the rest goes to Jupyter as given
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    try:
        args = parser.parse_args(argv)
        args.extra = extra
        _data_folder(parser, args)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    previous = _stop_on_sigterm()
    try:
        return int(args.func(args) or 0)
    except Terminated:
        print("stopped (SIGTERM)", file=sys.stderr)
        return 143
    except SalesnbError as exc:
        print(f"salesnb {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `salesnb diagnose | head` closed the pipe: stop quietly, like other Unix tools.
        sys.stderr.close()
        return 141
    except OSError as exc:
        # The last net under the checks that name the path and the fix: a file or folder salesnb could not
        # read or write (permissions, a full disk, a path that changed while it ran) is not a bug to trace.
        print(f"salesnb {args.command}: {_os_problem(exc)}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _os_problem(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    also = f" (and {exc.filename2})" if exc.filename2 else ""
    return (f"{where}{exc.strerror or exc}{also}. Fix: check that this path exists, that you may read it (an "
            "input) or write there (an output), and that the disk has room; then run the command again.")


def _stop_on_sigterm():
    """SIGTERM (a scheduler's timeout, `kill`) stops the command cleanly: workers torn down, exit 143."""
    def handler(signum, frame):
        raise Terminated
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (called from a test thread)
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["build_parser", "main", "EXIT_CODES"]
