"""Checks across tables: rows of unknown reps are dropped, dangling optional references cleared."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .report import ValidationReport
from .rows import STR, RawTable, present, report_rows, to_mask


def _known(raw: RawTable | None, column: str) -> pa.ChunkedArray | None:
    """The ids of the kept rows of `raw` (the lookup set of a reference check)."""
    if raw is None or column not in raw.data.column_names:
        return None
    ids = raw.columns.get(column, raw.raw(column))
    if not raw.keep.all():
        ids = ids.filter(pa.array(raw.keep))
    # A single array hashes faster as a lookup set than many chunks.
    return ids.combine_chunks() if len(ids) else pa.array([], ids.type)


@dataclass(frozen=True)
class Reference:
    """`table.column` points at `target.key`; unknown values are repaired by dropping the row or clearing it."""

    table: str
    column: str
    target: str
    key: str
    repair: str  # "drop": the row means nothing without it; "clear": an optional link

    def apply(self, raw: RawTable, target: RawTable, found: np.ndarray, report: ValidationReport) -> None:
        ids = raw.columns[self.column]
        bad = present(ids) & ~found & raw.keep
        twins = _zero_twins(ids, bad, _known(target, self.key))
        if twins:  # the same ids with or without leading zeros: a spreadsheet read them as numbers
            zeros = bad & np.array([twins.get(v) is not None for v in ids.to_pylist()]) if bad.any() else bad
            first = ids[int(np.flatnonzero(zeros)[0])].as_py() if zeros.any() else next(iter(twins))
            example = (first, twins[first])
            report_rows(report, "warning", raw, zeros, self.column, raw.raw(self.column),
                        f"{self.column} is not in {target.file}, but is one of its ids once leading zeros are restored "
                        f"or stripped (e.g. {example[0]!r} is {example[1]!r} there); the "
                        f"{'row was left out' if self.repair == 'drop' else 'reference was cleared'}.",
                        "keep the ids as text: a spreadsheet that read them as numbers dropped the zeros (export the "
                        "files again, or open them with the id columns as text), so that both files write each id "
                        "the same way.")
            if self.repair == "drop":
                raw.keep &= ~zeros
            else:
                raw.columns[self.column] = ids = pc.if_else(pa.array(zeros), pa.scalar(None, STR), ids)
            bad &= ~zeros
        if self.repair == "drop":
            report_rows(report, "warning", raw, bad, self.column, raw.raw(self.column),
                        f"{self.column} is not in {target.file}; the row was left out.",
                        f"add the missing {target.name} to {target.file}, or correct the {self.column}.")
            raw.keep &= ~bad
        elif report_rows(report, "warning", raw, bad, self.column, raw.raw(self.column),
                         f"{self.column} is not in {target.file}; the reference was cleared and the row kept.",
                         f"add it to {target.file} or correct the {self.column}."):
            raw.columns[self.column] = pc.if_else(pa.array(bad), pa.scalar(None, STR), ids)


def _zero_twins(ids: pa.ChunkedArray, bad: np.ndarray, known: pa.Array | None) -> dict[str, str]:
    """The unmatched numeric ids that match a target id once leading zeros are stripped: {'60': '00060'}."""
    if known is None or not bad.any():
        return {}
    values = {v for v in ids.filter(pa.array(bad)).to_pylist() if v is not None and v.strip().isdigit()}
    if not values:
        return {}
    numeric = known.filter(pc.fill_null(pc.match_substring_regex(known, r"^\s*\d+\s*$"), False))
    if not len(numeric):
        return {}
    stripped = pc.utf8_ltrim(pc.utf8_trim_whitespace(numeric), "0").to_pylist()
    by_number = {}
    for number, original in zip(stripped, numeric.to_pylist()):
        by_number.setdefault(number, set()).add(original)
    out = {}
    for v in values:
        twins = by_number.get(v.strip().lstrip("0"), set())
        if len(twins) == 1:
            out[v] = next(iter(twins))
    return out


# Two rounds: rows of unknown reps go first, so that what points at them is then found dangling.
REFERENCE_ROUNDS = (
    tuple(Reference(t, "rep_id", "reps", "rep_id", "drop") for t in ("opportunities", "quotas", "leads", "activities")),
    (
        Reference("stage_history", "opportunity_id", "opportunities", "opportunity_id", "drop"),
        Reference("opportunities", "lead_id", "leads", "lead_id", "clear"),
        Reference("leads", "opportunity_id", "opportunities", "opportunity_id", "clear"),
        Reference("activities", "opportunity_id", "opportunities", "opportunity_id", "clear"),
        Reference("activities", "lead_id", "leads", "lead_id", "clear"),
    ),
)


def check_references(raws: dict[str, RawTable], report: ValidationReport, pool: ThreadPoolExecutor,
                     pending: dict | None = None) -> None:
    """Look every reference up, then repair round by round in a fixed order.

    `pending` holds lookups already under way (from `start_lookups`); a later round is
    looked up again only when an earlier one dropped rows, which can leave more references
    dangling.
    """
    rounds = _reference_rounds(raws)
    if pending is None:
        pending = start_lookups(raws, pool)
    results = {ref: future.result() for ref, future in pending.items()}
    repaired = False
    for todo in rounds:
        if repaired:
            results.update({ref: f.result() for ref, f in _submit_lookups(todo, pool).items()})
        for ref, raw, target in todo:
            found = results[ref]
            raw.found[ref.column] = found
            if not found.all_found:
                ref.apply(raw, target, found.mask, report)
                repaired = True


def _reference_rounds(raws: dict[str, RawTable]) -> list[list]:
    """(reference, its table, its target) for each round, where both tables and columns exist."""
    def has(name, column):
        return name in raws and column in raws[name].data.column_names

    return [[(ref, raws[ref.table], raws[ref.target]) for ref in round_
             if has(ref.table, ref.column) and has(ref.target, ref.key)]
            for round_ in REFERENCE_ROUNDS]


def start_lookups(raws: dict[str, RawTable], pool: ThreadPoolExecutor) -> dict:
    """Submit the lookups of every round at once: Reference -> future of its `Found`.

    Ids are kept as written (parsing leaves them alone), so the lookups need only the raw
    columns and can run while the other columns are still being parsed.
    """
    return _submit_lookups([item for todo in _reference_rounds(raws) for item in todo], pool)


def _submit_lookups(todo: list, pool: ThreadPoolExecutor) -> dict:
    """One task per target table, so each key set is hashed once for all columns pointing at it."""
    by_target: dict[str, list] = {}
    for item in todo:
        by_target.setdefault(item[0].target, []).append(item)
    futures = {}
    # Biggest key set first: its hash table outgrows the caches, so it is the slowest lookup.
    for items in sorted(by_target.values(), key=lambda items: -items[0][2].data.num_rows):
        task = pool.submit(_lookup_target, items)
        for i, item in enumerate(items):
            futures[item[0]] = _Part(task, i)
    return futures


class _Part:
    """The i-th result of a task returning a list (a future-like view)."""

    def __init__(self, task, index: int):
        self.task, self.index = task, index

    def result(self):
        return self.task.result()[self.index]


@dataclass
class Found:
    """What one reference lookup found: per row, the position of the id among the target's kept rows."""

    positions: np.ndarray  # int32, -1 where empty or not found
    target_keep: np.ndarray  # the target's kept rows when it was looked up (what `positions` counts)
    all_found: bool

    @property
    def mask(self) -> np.ndarray:
        return self.positions >= 0

    def final_positions(self, keep: np.ndarray, target_keep: np.ndarray) -> np.ndarray:
        """Row of the final target table for each kept row (-1 where none).

        Rows dropped from either table after the lookup are accounted for, so the
        positions index the frames that `to_frame` builds.
        """
        pos = self.positions if keep.all() else self.positions[keep]
        if not np.array_equal(self.target_keep, target_keep):  # the target lost rows after the lookup
            final = np.cumsum(target_keep, dtype=np.int64) - 1
            final[~target_keep] = -1
            remap = np.append(final[np.flatnonzero(self.target_keep)], -1).astype(np.int32)
            pos = remap[pos]
        return pos


def _as_positions(index: pa.ChunkedArray) -> np.ndarray:
    """index_in's result as int32 with -1 for null."""
    if not index.num_chunks:
        return np.empty(0, dtype=np.int32)
    return index.fill_null(-1).to_numpy().astype(np.int32, copy=False)


def _lookup_target(items: list) -> list[Found]:
    """What each (reference, table, target) sharing one target found, in one hash of the target's ids."""
    ref, _, target = items[0]
    columns = [raw.columns.get(r.column, raw.raw(r.column)) for r, raw, _ in items]
    target_keep = target.keep.copy()
    known = _known(target, ref.key)
    probe = pa.chunked_array([c for col in columns for c in col.chunks], type=STR)
    # index_in costs what is_in does and also says where each id is: the metric engine reuses it.
    index = pc.index_in(probe, value_set=known, skip_nulls=True)
    out, start = [], 0
    for col in columns:
        part = index.slice(start, len(col))
        start += len(col)
        out.append(Found(_as_positions(part), target_keep, part.null_count == col.null_count))
    return out


def check_assisted_by(opps: RawTable, reps: RawTable | None, report: ValidationReport) -> None:
    known = _known(reps, "rep_id")
    if known is None or "assisted_by" not in opps.columns:
        return
    col = opps.columns["assisted_by"]
    parts = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(col, ";")))
    if to_mask(pc.or_kleene(pc.is_in(parts, value_set=known), pc.equal(parts, ""))).all():
        return
    counts = pc.list_value_length(pc.split_pattern(col, ";")).fill_null(0).to_numpy(zero_copy_only=False)
    row_of_part = np.repeat(np.arange(len(col)), counts)
    bad_part = ~to_mask(pc.or_kleene(pc.is_in(parts, value_set=known), pc.equal(parts, "")))
    bad = np.zeros(len(col), dtype=bool)
    bad[row_of_part[bad_part]] = True
    report_rows(report, "warning", opps, bad & opps.keep, "assisted_by", opps.raw("assisted_by"),
                "names a rep_id that is not in the reps table; that collaboration credit is ignored.",
                "separate rep_ids with ';' and use ids from the reps table.")
