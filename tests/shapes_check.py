"""What must hold for a valid dataset of any shape (tests/test_shapes_property.py runs it on generated shapes).

`run_commands` runs the commands in-process, as a user would (validate, diagnose --json); `report_texts` words
two reps' reports; `explorer_texts` draws the dashboard's sections. Each returns what it saw, for the checks.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

# A clear error names the input it needs; anything else escaping a command is a crash.
CLEAR_ERROR = re.compile(r"^salesnb \w+: .*(csv|column|table|period|date|as_of|dataset)", re.S)


def _run(argv: list[str]) -> tuple[int, str, str]:
    from salesnb.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def _no_nan(text: str) -> dict:
    def refuse(name):
        raise AssertionError(f"{name} in the JSON document")
    return json.loads(text, parse_constant=refuse)


def run_commands(folder: Path, period: str | None):
    """validate, then diagnose --json: (the JSON document, the `TeamAnalysis` diagnose made, the exception that
    escaped diagnose or None). Document and analysis are None when a command stopped with a clear error
    (validate's names the file, line and fix); the analysis is kept when only the wording of the JSON failed."""
    from salesnb.facts.source import Facts

    rc, out, err = _run(["validate", str(folder)])
    assert "Traceback" not in out + err
    if rc != 0:
        assert rc == 1 and "Errors (fix these" in out and re.search(r"\w+\.csv:\d+: column \w+", out), out
        return None, None, None
    extra = ["--period", period] if period else []
    made = []
    real = Facts.team

    def keep(self, *args, **kwargs):  # the analysis diagnose made, for the reports and the dashboard
        made.append(real(self, *args, **kwargs))
        return made[-1]

    Facts.team = keep
    try:
        rc, out, err = _run(["diagnose", "--data", str(folder), "--json", *extra])
    except Exception as exc:  # a crash: the caller's test fails with it; the analysis is still worth checking
        return None, (made[-1] if made else None), exc
    finally:
        Facts.team = real
    if rc != 0:
        assert CLEAR_ERROR.match(err.strip()), f"diagnose exit {rc} without naming the missing input: {err}"
        return None, None, None
    return _no_nan(out), made[-1], None


def report_texts(team, rep_ids) -> dict[str, str]:
    """The plain text of every section of each rep's report (the notebook's calls, without a kernel)."""
    import IPython.display

    from salesnb.report import Report, build_view, inputs_for

    inputs = inputs_for(team)
    texts = {}
    for rid in rep_ids:
        shown = []
        real = IPython.display.display
        IPython.display.display = lambda obj, raw=False: shown.append(obj)
        try:
            view = build_view(inputs.slice(rid))
            json.dumps(view.to_dict(), allow_nan=False) if hasattr(view, "to_dict") else None
            r = Report(view, charts={})
            blocks = [r.title(), r.headline(), r.strengths(), r.funnel(), r.activity_mix(), r.lead_quality(),
                      r.hygiene(), r.trend(), r.peer(), r.breakdown()]
            if hasattr(r, "since"):
                blocks.append(r.since())
        finally:
            IPython.display.display = real
        texts[rid] = "\n".join(_text(b) for b in [*blocks, *shown] if b is not None and not isinstance(b, dict))
    return texts


def _text(obj) -> str:
    html = getattr(obj, "data", None)
    return re.sub(r"<[^>]+>", " ", html) if isinstance(html, str) else repr(obj)


def explorer_texts(team) -> str:
    """The dashboard's sections for the whole team, as text."""
    from salesnb.explorer import findings, sections
    from salesnb.explorer import export as xport
    from salesnb.explorer.state import slider_values, weighted_metrics
    from salesnb.explorer.model import Explorer
    from salesnb.explorer.state import State
    from salesnb.scorecard import PRESETS
    from salesnb.terms import DEFAULT_PRESET

    presets = dict(PRESETS)
    model = Explorer(team, presets)
    w = presets[DEFAULT_PRESET]
    state = State(period=team.period.label, base=DEFAULT_PRESET,
                  weights=slider_values(weighted_metrics(team.table, list(presets.values())), w),
                  normalisation=w.normalisation)
    view = model.view(state)
    parts = [sections.title(view), sections.summary(view), sections.progress(view), sections.leaderboard(view),
             sections.attainment(view), sections.at_risk(view), sections.hygiene(view), sections.stability(view),
             findings.bottlenecks(view), findings.funnel_heat(view), findings.pairing(view), findings.audit(view),
             findings.top_performers(view), findings.lead_quality(view)]
    xport.tables(view)
    if view.ids:
        model.rep_view(view, view.ids[0])
    return "\n".join(re.sub(r"<[^>]+>", " ", p) for p in parts if isinstance(p, str))
