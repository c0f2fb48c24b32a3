"""Streaming export files through a mapping into canonical CSVs, chunk by chunk.

Each chunk: drop footer lines -> join lookups -> unpivot -> convert columns -> drop rows
the mapping says to drop or that lack a required value -> write. Rows are numbered by
record (0 = the first under the header) while streaming; messages turn the few they name
into file lines at the end (`lines.py`). Where every written row came from is kept, so that
a validation error in the built dataset can name the source line too.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from ..schema import TABLES
from .mapping import Mapping
from .currencies import (count_currencies, currency_column, currency_column_message, currency_notes,
                         several_currencies)
from .formulas import formula_notes
from .parse import is_unnamed, iter_chunks, null_mask
from .result import MAX_EXAMPLES, Dropped, ImportResult, Problems, TableSummary
from .reps import write_reps
from .roster import Roster
from .run import Run, TableWriter, output_columns
from .transform import Context, drop_marked_rows, to_csv_text, transform_chunk, unpivot, unused_key_notes


def stream_all(mapping: Mapping, plans: list, joins: dict, run: Run, result: ImportResult) -> None:
    """Convert every planned file into the build folder; raise MappingError for values that do not fit."""

    problems = Problems()
    date_formats: dict = {}
    currencies: dict = {}
    date_orders: dict = {}
    formulas: dict = {}
    rep_names: dict[str, str] = {}
    reps_frames: list[tuple[str, pd.DataFrame]] = []
    writers: dict[str, TableWriter] = {}
    drops: dict[tuple[str, str, str], list] = {}
    roster = None
    try:
        for plan in sorted(plans, key=lambda p: p.table.name != "reps"):  # the roster first: owners are matched to it
            t, src = plan.table, plan.src
            if t.name != "reps" and roster is None:
                roster = Roster([f for _, f in reps_frames])
            summary = result.tables.setdefault(t.name, TableSummary(t.name))
            summary.files.append(src.name)
            summary.columns.update(plan.used)
            summary.file_columns[src.name] = dict(plan.used)
            if t.name != "reps":
                summary.file_rows.setdefault(src.name, 0)
            ctx = Context(t, src.name, problems, date_formats, rep_names, plan.effective, currencies=currencies,
                          date_orders=date_orders, formulas=formulas)
            key = TABLES[t.name].key
            if key in plan.effective and any(a.generated for a in plan.effective[key]):
                run.generated_ids[t.name] = plan.effective[key][0].describe()
            if t.name != "reps" and t.name not in writers:
                writers[t.name] = TableWriter(run.build_dir / f"{t.name}.csv", output_columns(t.name, plans),
                                              run.origins.setdefault(t.name, []))
            _stream_table(plan, joins, ctx, mapping, result, writers.get(t.name), reps_frames, run, drops, roster)
        for (key, file, column), seen in currencies.items():
            if (message := several_currencies(key, file, column, seen)) is not None:
                problems.add_message(key, file, message)
        problems.raise_if_any(mapping.path, run.finder)
    finally:
        for w in writers.values():
            w.close()
    for name, w in writers.items():
        result.tables[name].rows_written = w.rows
        for file, records in w.origins:
            per_file = result.tables[name].file_rows
            per_file[file] = per_file.get(file, 0) + len(records)
    for (table, file, reason), (count, records) in drops.items():
        result.dropped.append(Dropped(table, file, reason, count, run.finder.lines(file, records)))
    for j in joins.values():
        if (u := j.unmatched(next(p.table.name for p in plans if j.join in p.joins))) is not None:
            result.unmatched.append(u)
        result.notes += j.notes()
    for (key, column, file), fmt in date_formats.items():
        if fmt != "ISO":
            result.notes.append(f"{file}: [{key}] {column} dates read as {fmt} (detected).")
    result.notes += formula_notes(formulas, run.finder)
    result.notes += currency_notes({k[:2]: v for k, v in currencies.items()}, mapping.currency)
    if roster is not None:
        result.notes += roster.notes(rep_names)
    write_reps(output_columns("reps", plans), reps_frames, rep_names, run, result)


def _read_set(plan) -> set[str]:
    src = plan.src
    cols = read_columns(plan) | ({src.header[0]} if src.header else set())  # footers are found by their first cell
    if (cur := currency_column(src.header, plan.effective.get("amount"))) is not None:
        cols.add(cur)  # each row's currency: several cannot be added up
    return cols | {c for c in src.header if is_unnamed(c)}  # to say whether unnamed columns hold anything


def _stream_table(plan, joins, ctx: Context, mapping: Mapping, result: ImportResult, writer, reps_frames, run: Run,
                  drops: dict, roster=None) -> None:
    """One file of one table, chunk by chunk: drop footer lines, join, unpivot, convert, drop incomplete rows, write."""
    t, src = plan.table, plan.src
    table = TABLES[t.name]
    summary = result.tables[t.name]
    needed = _read_set(plan)
    adjusted = 0
    offset = 0
    considered = 0  # rows read, less footer and summary lines
    cur = currency_column(src.header, plan.effective.get("amount"))
    cur_seen: dict = {}  # currency code -> [rows imported with an amount, first records]
    for chunk in iter_chunks(src.path, src.encoding, src.delimiter, mapping.chunk_rows, needed):
        chunk.index = pd.RangeIndex(offset, offset + len(chunk))  # record numbers, turned into lines in messages
        offset += len(chunk)
        summary.rows_read += len(chunk)
        _count_unnamed(chunk, src.name, t.nulls, run)
        chunk = chunk.loc[:, [c for c in chunk.columns if c]]
        chunk = chunk.loc[:, ~chunk.columns.duplicated()]
        rows_before = chunk.index
        chunk, marked = drop_marked_rows(chunk, t)
        considered += len(chunk)
        if marked.any():
            _count_drop(drops, (t.name, src.name, "footer, subtotal or summary line (drop_rows)"), rows_before[marked])
        for j in plan.joins:
            chunk = joins[j.key_path].apply(chunk, src.name)
        if t.unpivot:
            chunk = unpivot(chunk, t.unpivot, needed)
        if chunk.empty:
            continue
        records = chunk.index.to_numpy()
        ctx.start_chunk(records)
        canon = transform_chunk(chunk.reset_index(drop=True), ctx)  # by position: unpivoted records repeat
        keep = _keep_rows(canon, ctx, table, drops, (t.name, src.name))
        for col, how, positions in ctx.marks:  # fallbacks, defaults and sign rules, counted on rows written
            n = int(keep[positions].sum())
            if n:
                summary.fills.setdefault(col, Counter())[how] += n
                summary.file_fills.setdefault(src.name, {}).setdefault(col, Counter())[how] += n
        ctx.keep_names(keep)
        if cur is not None and cur in chunk.columns:
            with_amount = keep & canon["amount"].fillna(0).ne(0).to_numpy()
            cells = chunk[cur].astype("str")[with_amount]
            cells = cells[~null_mask(cells, t.nulls)]
            count_currencies(cur_seen, cells, records[cells.index.to_numpy()])
        canon = canon[keep]
        canon.index = records[keep]
        if t.created_after_close == "use_close_date" and {"created_date", "close_date"} <= set(canon.columns):
            late = (canon["close_date"] < canon["created_date"]).to_numpy()
            if late.any():
                canon = canon.copy()
                canon.loc[late, "created_date"] = canon.loc[late, "close_date"]
                adjusted += int(late.sum())
        if roster is not None and "rep_id" in canon.columns:
            canon = canon.assign(rep_id=roster.apply(canon["rep_id"], ctx.rep_names))
        if t.name == "stage_history":
            canon = canon.sort_values("entered_date", kind="stable").drop_duplicates(["opportunity_id", "stage"])
        if t.name == "reps":
            reps_frames.append((src.name, canon))
        elif not ctx.problems.items:  # once the import is doomed, stop writing
            writer.write(to_csv_text(canon, t.name), src.name)
        if "rep_id" in canon.columns and t.name != "reps":
            for i in canon["rep_id"].dropna().unique():
                ctx.rep_names.setdefault(i, i)
    result.notes += unused_key_notes(ctx, mapping.preset_keys)
    if not t.unpivot:
        _check_empty_ids(plan, considered, drops, ctx.problems)
    if cur is not None and (message := currency_column_message(src.name, cur, cur_seen, src.header,
                                                               plan.effective["amount"][0].key)) is not None:
        ctx.problems.add_message(plan.effective["amount"][0].key, src.name, message)
    if adjusted:
        result.notes.append(f"{src.name}: {adjusted:,} deal(s) closed before their created date (records loaded into "
                            f"the CRM after the fact): created_date set to the close date (created_after_close).")


def _keep_rows(canon: pd.DataFrame, ctx: Context, table, drops: dict, where: tuple[str, str]) -> np.ndarray:
    """Rows to write: not dropped by a sign rule, no required value empty; the others counted with their records."""
    keep = np.ones(len(canon), dtype=bool)
    for reason, parts in ctx.drops.items():
        marked = np.zeros(len(canon), dtype=bool)
        marked[np.concatenate(parts)] = True
        marked &= keep
        _count_drop(drops, where + (reason,), ctx.records[marked])
        keep &= ~marked
    for col in table.required_columns:
        if col in canon.columns:
            empty = canon[col].isna().to_numpy() & keep
            if empty.any():
                _count_drop(drops, where + (_empty_reason(col),), ctx.records[empty])
            keep &= ~empty
    return keep


def _empty_reason(col: str) -> str:
    return f"empty {col} (missing in the file, or mapped to \"\")"


def _check_empty_ids(plan, rows: int, drops: dict, problems: Problems) -> None:
    """Stop the import when more than half the rows of a file lack a required id (the deal's, its owner's): a
    report grouped by owner writes the owner only on each group's first row, and dropping the rest is no import."""
    t, file = plan.table, plan.src.name
    for col in TABLES[t.name].required_columns:
        if TABLES[t.name].column(col).kind != "id" or col not in plan.effective:
            continue
        count, records = drops.get((t.name, file, _empty_reason(col)), (0, []))
        if rows and count * 2 > rows:
            src = plan.effective[col][0]

            def message(finder, count=count, records=records, src=src, col=col) -> str:
                lines = finder.lines(file, records) if finder is not None else [str(r + 2) for r in records]
                return (f"{count:,} of the {rows:,} row(s) of {file} have no {col} ({src.describe()} empty; lines "
                        f"{', '.join(lines)}{', ...' if count > len(lines) else ''}), so they would be dropped. A "
                        f"report grouped or formatted by that column writes it only on the first row of each group. "
                        f"Fix: export the report as Details Only (Salesforce: Export > Details Only), or fill the "
                        f"value down into every row; if those rows really have none, give a default under [{src.key}] "
                        f"(e.g. default = \"unassigned\").")
            problems.add_message(src.key, file, message)


def _count_unnamed(chunk: pd.DataFrame, file: str, nulls, run: Run) -> None:
    for c in chunk.columns:
        if is_unnamed(c):
            filled = int((~null_mask(chunk[c].astype("str"), nulls)).sum())
            run.unnamed_values[(file, c)] = run.unnamed_values.get((file, c), 0) + filled


def _count_drop(counts: dict, key: tuple, rows) -> None:
    entry = counts.setdefault(key, [0, []])
    rows = list(rows)
    entry[0] += len(rows)
    entry[1] += rows[: max(0, MAX_EXAMPLES - len(entry[1]))]


def read_columns(plan) -> set[str]:
    """The source columns a plan reads from its own file."""
    cols = {c for alts in plan.effective.values() for a in alts for c in a.sources}
    cols |= {j.on for j in plan.joins}
    if plan.table.period is not None:
        cols |= set(plan.table.period.columns)
    if plan.table.unpivot:
        rx = re.compile(plan.table.unpivot)
        cols |= {c for c in plan.src.header if c and rx.search(c)}
    return cols
