"""What each batch run told each rep, kept so the next report can say what happened since.

    OUT/_history/<rep>.json     {"format": 1, "records": [{as_of, bottleneck, rate, at_risk, ...}, ...]}

A record is data only: the report date, the step it named and its rate then, the early warning and the
projection, the suggested peer. The next run's report for the same rep shows the latest record from an
earlier date. A record is used only for the same dataset (its name) and the same rep (id and name); any
other is ignored, with a note for the manager (on the index page), never shown to a rep.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text_atomic

FORMAT = 1
KEEP = 12  # records kept per rep


def record_of(view) -> dict:
    """The record of what `view`'s report said."""
    f = view.funnel
    step, to, rate, median = None, None, None, None
    if f is not None and f.leak is not None:
        step, to, rate, median = f.leak.step, f.leak.to, f.leak.rate, f.leak.team_median
    elif f is not None and f.weakest is not None:
        step, to, rate, median = f.weakest.step, f.weakest.to, f.weakest.rate, f.weakest.team_median
    h = view.headline
    return {"dataset": view.dataset_name, "rep_id": view.rep_id, "name": view.name, "as_of": view.as_of,
            "period": view.period_label, "bottleneck": step, "bottleneck_to": to, "rate": rate, "team_median": median,
            "at_risk": None if h.risk is None else h.risk.at_risk, "projected_attainment": h.projected_attainment,
            "peer": view.peer.name if view.peer else None}


def _read(path: Path) -> list[dict]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("records"), list):
        return []
    return [r for r in doc["records"] if isinstance(r, dict) and isinstance(r.get("as_of"), str)]


def last_before(path: Path, dataset: str, rep_id: str, name: str, as_of: str) -> tuple[dict | None, str | None]:
    """(the latest record of this rep from before `as_of`, a note for the manager when records were ignored)."""
    records = _read(path)
    mine = [r for r in records if r.get("dataset") == dataset and r.get("rep_id") == rep_id and r.get("name") == name]
    note = None
    if len(mine) < len(records):
        other = next(r for r in records if r not in mine)
        note = (f"{Path(path).name}: {len(records) - len(mine)} earlier record(s) belong to another dataset or rep "
                f"({other.get('dataset')!r}, {other.get('name')!r}) and were ignored for {name}.")
    earlier = [r for r in mine if r["as_of"] < as_of]
    return (max(earlier, key=lambda r: r["as_of"]) if earlier else None), note


def remember(path: Path, record: dict) -> None:
    """Add (or replace, for the same date) `record` in the rep's history file, atomically."""
    path = Path(path)
    keep = [r for r in _read(path) if r["as_of"] != record["as_of"] and r.get("rep_id") == record["rep_id"]]
    keep = sorted([*keep, record], key=lambda r: r["as_of"])[-KEEP:]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps({"format": FORMAT, "records": keep}, ensure_ascii=False, indent=1,
                                       allow_nan=False, default=str))
