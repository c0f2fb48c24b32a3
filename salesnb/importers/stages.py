"""Stage names onto status and furthest_stage: what a fix should suggest for a stage the mapping does not know,
and the check that a status "*" = "open" does not make a closed stage open.

Presets map the status with a catch-all ("*" = "open") and the funnel stage with a list of the stage names they
know. A stage that neither map lists is already an error (furthest_stage must map every value); its fix says the
status the rows would get, and, for a name that looks closed, to map the status too. A stage that furthest_stage
maps to "won" or to "" (a closed deal whose rung is unknown) but that the status reaches only through "*" is an
error too: an open deal that won, or a lost deal counted as open, is never guessed.
"""
from __future__ import annotations

import fnmatch
import re

import pandas as pd

from .parse import null_mask

CATCH_ALL = "*"
# Words of closed stages in the languages CRM orgs are set up in (only used to word a suggestion).
_WON = r"won|win|wins|gewonnen|gagn[ée]e?|ganad[oa]|ganh[oa]|vint[oa]|renewed"
_LOST = (r"lost|verloren|perdu|perdue|perdid[oa]|pers[oa]|churned|cancell?ed|dead|disqualified|rejected|"
         r"abgesagt|storniert")
_CLOSED = r"closed|geschlossen|abgeschlossen|ferm[ée]e?|cerrad[oa]|chius[oa]|gesloten|fechad[oa]|closed-?out"


def looks_closed(value: str) -> str | None:
    """'won', 'lost' or 'closed' when the stage name says so in a word ('Geschlossen und verloren' -> 'lost')."""
    text = str(value).casefold()
    for kind, words in (("won", _WON), ("lost", _LOST), ("closed", _CLOSED)):
        if re.search(rf"(?<![^\W_])(?:{words})(?![^\W_])", text):
            return kind
    return None


def is_pattern(key: str) -> bool:
    """A value-map key with a wildcard ("*", "?" or "[...]")."""
    return any(ch in key for ch in "*?[")


def match(value: str, values: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    """(mapped value, the key that matched) of one value under a value map: keys match trimmed and
    case-insensitively, a key without wildcards before any pattern, patterns in the map's order."""
    f = str(value).strip().casefold()
    for k, v in values:
        if not is_pattern(k) and k.strip().casefold() == f:
            return v, k
    for k, v in values:
        if is_pattern(k) and fnmatch.fnmatchcase(f, k.strip().casefold()):
            return v, k
    return None, None


def _mapped_source(alts, column: str | None = None):
    """The first alternative with a value map (reading `column` when given)."""
    return next((a for a in alts or () if a.values is not None and a.column is not None
                 and (column is None or a.column == column)), None)


def status_through_catch_all(ctx, column: str, value: str) -> str | None:
    """The status a stage value gets only through the status map's "*" (None when a key names it)."""
    src = _mapped_source(ctx.columns.get("status"), column)
    if src is None:
        return None
    mapped, key = match(value, src.values)
    return mapped if key is not None and key.strip() == CATCH_ALL else None


_GONE = re.compile(r"delet|archiv|merged|remov|trash|duplicat|spam|gel[öo]scht|supprim|eliminad", re.I)


def unmapped_status_fix(src):
    """The fix for status values the mapping does not map, per value: "" (leave the rows out) for a deleted,
    archived or merged record, its closed status for a value that looks closed, else the choices (open is not
    assumed: a deal the map does not know may be closed)."""

    def fix(bad: pd.Series) -> str:
        values = [str(v) for v in bad]
        gone = [v for v in values if _GONE.search(v)]
        closed = [(v, looks_closed(v)) for v in values if v not in gone and looks_closed(v)]
        other = [v for v in values if v not in gone and not looks_closed(v)]
        pair = '"{}" = "{}"'.format
        parts = []
        if gone:
            parts.append(", ".join(pair(v, "") for v in gone[:3]) + " to leave those records out (a deleted, "
                         "archived or merged record is not a deal of the pipeline)")
        if closed:
            parts.append(", ".join(pair(v, "won" if k == "won" else "lost") for v, k in closed[:3])
                         + (' (or "won", if such deals were won)' if any(k == "closed" for _, k in closed) else ""))
        if other:
            parts.append(f"for {', '.join(repr(v) for v in other[:3])}: " + '"won", "lost" or "open" as such deals '
                         'are, or "" to leave them out')
        return f"add each under [{src.key}.values]: " + "; ".join(parts) + ' ("*" matches any other value).'
    return fix


def unmapped_stage_fix(src, ctx):
    """The fix for furthest_stage values the mapping does not map: the rung each reached, or for a name that looks
    closed, its status and "" (or won); and the status those rows would otherwise get."""
    status_key = ctx.table.key + ".columns.status.values"

    def fix(bad: pd.Series) -> str:
        values = [str(v) for v in bad]
        closed = [(v, looks_closed(v)) for v in values if looks_closed(v)]
        opened = [v for v in values if not looks_closed(v)]
        parts = []
        if opened:
            parts.append(f"add each under [{src.key}.values] with the furthest rung a deal at that stage has "
                         f"reached, e.g. \"{opened[0]}\" = \"qualified\" (or meeting, proposal, commit)")
        if closed:
            v, kind = closed[0]
            rung = "won" if kind == "won" else ""
            text = f"a stage that looks closed ({', '.join(repr(c) for c, _ in closed[:3])}) is not a rung: "
            if ctx.table.name == "opportunities":
                text += (f"map its status under [{status_key}], e.g. \"{v}\" = \"{'won' if kind == 'won' else 'lost'}\", "
                         f"and ")
            text += f"under [{src.key}.values] \"{v}\" = \"{rung}\""
            if kind != "won":
                text += " (or the rung the deal reached, when the export says)"
            parts.append(text + "; do not map a lost stage onto the first rung (docs/importing.md, What your "
                                "pipeline data can show)")
        via = [v for v in values if status_through_catch_all(ctx, src.column, v)]
        if via and ctx.table.name == "opportunities":
            parts.append(f"the status map's \"*\" would make these deals '{status_through_catch_all(ctx, src.column, via[0])}': "
                         f"give every closed stage its own status")
        return "; ".join(parts) + " (\"\" for no rung; \"*\" matches any other value)."
    return fix


def _closed_by_stage(stage, value: str) -> str | None:
    """'won' or 'lost' when furthest_stage (reading the status's column) maps `value` to "won" or "" by its own key."""
    if stage is None:
        return None
    rung, key = match(value, stage.values)
    if key is None or key.strip() == CATCH_ALL or rung.strip().casefold() not in ("", "won"):
        return None
    return "won" if rung.strip().casefold() == "won" else "lost"


# A date column only closed deals fill (Dynamics 'Actual Close Date', 'ActualCloseDate', 'Date Closed').
_ACTUAL_CLOSE = re.compile(r"actual.?clos|closed.?(?:date|on|time)|date.?closed", re.I)


def check_catch_all_status(chunk: pd.DataFrame, out: dict, ctx) -> None:
    """Record, as problems, deals made open only by the status map's "*" that are closed: their value looks closed
    ('Closed-Lost to Competition', 'Canceled'), furthest_stage maps it to "won" or "" (a closed stage), or the
    deal has an actual close date (a close_date column only closed deals fill)."""
    if ctx.table.name != "opportunities" or "status" not in out:
        return
    status = _mapped_source(ctx.columns.get("status"))
    if status is None or status.column not in chunk.columns:
        return
    stage = _mapped_source(ctx.columns.get("furthest_stage"), status.column)
    raw = chunk[status.column].astype("str")
    is_open = (out["status"] == "open").to_numpy()
    via_star = {u for u in pd.unique(raw[is_open]) if status_through_catch_all(ctx, status.column, u) == "open"}
    if not via_star:
        return
    flagged = {u: k for u in via_star if (k := _closed_by_stage(stage, u) or looks_closed(u))}
    rows = raw.isin(list(flagged)).to_numpy() & is_open
    if rows.any():
        def fix(bad: pd.Series) -> str:
            shown = ", ".join(f"\"{v}\" = \"{'won' if flagged.get(v) == 'won' else 'lost'}\"" for v in list(bad)[:3])
            return (f"give each its status under [{status.key}.values], e.g. {shown}; a closed deal is never "
                    f"counted as open. If one really is an open stage, write \"<stage>\" = \"open\" there.")
        ctx.problem(f"{status.key}.values", f"have {status.describe()} values that look closed (by their name or "
                    f"furthest_stage) but that status makes open only through \"*\"", raw[rows], fix)
    dated = is_open & raw.isin(list(via_star)).to_numpy() & ~rows
    for a in ctx.columns.get("close_date", ()):
        if a.column is None or a.column not in chunk.columns or not _ACTUAL_CLOSE.search(a.column):
            continue
        has_date = dated & (chunk[a.column].astype("str").str.strip() != "").to_numpy()
        has_date &= ~null_mask(chunk[a.column].astype("str"), ctx.table.nulls)
        if has_date.any():
            fix = (f"give each its status under [{status.key}.values], e.g. \"{raw[has_date].iloc[0]}\" = \"lost\" "
                   f"(or \"won\"): a deal with {a.column!r} filled in is closed, not open.")
            ctx.problem(f"{status.key}.values", f"have {status.describe()} values that status makes open only "
                        f"through \"*\" although {a.column!r} (a date only closed deals have) is filled in",
                        raw[has_date], fix)
            dated &= ~has_date
