"""A report task's own work before its notebook runs: the rep's view and charts, from the run's snapshot.

Runs in the worker process, so the team-wide work (done once, saved in the snapshot) is shared and the
per-rep work (this rep's view and its charts) is done only for the reps being reported, in parallel.
A worker loads the snapshot once and keeps it for the next reps it handles.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..atomic import write_text_atomic


@lru_cache(maxsize=2)
def _inputs(snapshot: str, manifest_mtime: float):
    from ..snapshot import load_snapshot

    return load_snapshot(snapshot)


def prepare_view(snapshot: str | Path, rep_id: str, view_path: str | Path, last: dict | None = None):
    """Build `rep_id`'s view from the snapshot (and the record of its last report, when given), draw its
    charts, and write both (JSON) to `view_path`. Returns the view."""
    from ..report.build import build_view
    from ..report.charts import draw
    from ..snapshot import MANIFEST

    snapshot = Path(snapshot)
    inputs = _inputs(str(snapshot), (snapshot / MANIFEST).stat().st_mtime)
    view = build_view(inputs.slice(rep_id), last)
    doc = {"view": view.to_dict(), "charts": draw(view)}
    path = Path(view_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(doc, ensure_ascii=False, allow_nan=False))
    return view
