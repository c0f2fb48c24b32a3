"""Display the sections of a per-rep report from a `RepView`, and draw chart specs offline.

This module is what the report notebook imports, so it stays light: no pandas, no altair. Every value
that comes from data is HTML-escaped (a rep called ``<script>alert(1)</script>`` shows as text).
Each section shows a short note instead when the data it needs is missing.
"""
from __future__ import annotations

import base64
import html
import math
from typing import Any

from IPython.display import display

SECTION_TITLES = {
    "headline": "Headline",
    "strengths": "What goes well",
    "funnel": "The funnel step to work on",
    "activity_mix": "Activity mix vs top performers",
    "lead_quality": "Lead quality",
    "hygiene": "Pipeline hygiene",
    "trend": "Trend",
    "peer": "A peer to pair with",
    "breakdown": "How the score is made",
}


# ---------------------------------------------------------------- formatting

def esc(value: Any) -> str:
    """HTML-escape any value's text."""
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: Any, digits: int = 0) -> str:
    """A ratio as a percentage, or an em dash when unknown."""
    return "—" if _missing(value) else f"{float(value) * 100:.{digits}f}%"


def money(value: Any, currency: str = "") -> str:
    """An amount with thousands separators and the currency, or an em dash when unknown."""
    if _missing(value):
        return "—"
    return f"{float(value):,.0f} {currency}".strip()


def num(value: Any, digits: int = 1) -> str:
    """A number with `digits` decimals, or an em dash when unknown."""
    return "—" if _missing(value) else f"{float(value):,.{digits}f}"


class Block:
    """A piece of report output with an HTML and a plain-text form (both deterministic, for nbval)."""

    def __init__(self, html_text: str, plain: str):
        self.html = html_text
        self.plain = plain

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.plain


def table(columns: list[str], rows: list[list[Any]]) -> Block:
    """A small table; every cell is escaped."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(str(c)) for i, c in enumerate(columns)]
    plain = "\n".join(
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in [columns, *rows]
    )
    return Block(f'<table class="salesnb">{"<thead><tr>" + head + "</tr></thead>"}<tbody>{body}</tbody></table>', plain)


def paragraphs(lines: list[str], css: str = "") -> Block:
    """Sentences as paragraphs (escaped)."""
    cls = f' class="{css}"' if css else ""
    return Block("".join(f"<p{cls}>{esc(s)}</p>" for s in lines), "\n".join(lines))


def note(text: str) -> Block:
    """A short note shown in place of a section whose data is missing."""
    return Block(f'<p class="salesnb-note"><em>{esc(text)}</em></p>', f"Note: {text}")


def bullets(lines: list[str]) -> Block:
    """An escaped bullet list."""
    items = "".join(f"<li>{esc(s)}</li>" for s in lines)
    return Block(f"<ul>{items}</ul>", "\n".join(f"- {s}" for s in lines))


# ---------------------------------------------------------------- charts

def chart_bundle(spec: dict, alt_text: str | None = None, png: bool = True) -> dict[str, str]:
    """A chart's MIME bundle: SVG (rendered offline by vl-convert), optionally a PNG, and a text line.

    The SVG inlines into exported HTML (no script, no network); the PNG is what JupyterLab shows for an
    untrusted notebook, where SVG output is hidden.
    """
    import vl_convert as vlc

    bundle = {"image/svg+xml": vlc.vegalite_to_svg(spec)}
    if png:
        bundle["image/png"] = base64.b64encode(vlc.vegalite_to_png(spec, scale=1.5)).decode("ascii")
    title = spec.get("title") or next((layer.get("title") for layer in spec.get("layer", []) if layer.get("title")), None)
    if isinstance(title, dict):
        title = title.get("text")
    bundle["text/plain"] = alt_text or (f"Chart: {title}" if title else "Chart")
    return bundle


def show_chart(spec: dict, alt_text: str | None = None) -> None:
    """Display a Vega-Lite spec as SVG + PNG + a text description (see `chart_bundle`)."""
    display(chart_bundle(spec, alt_text), raw=True)


def _chart(view, key: str) -> None:
    bundle = (getattr(view, "rendered", None) or {}).get(key)
    if bundle:
        display(bundle, raw=True)
        return
    spec = (view.charts or {}).get(key)
    if spec:
        show_chart(spec)


# ---------------------------------------------------------------- sections

def _section_note(view, key: str) -> Block | None:
    text = (view.notes or {}).get(key)
    return note(text) if text else None


def title(view) -> Block:
    """The report's title line: rep, role, period and date."""
    role = f" ({view.role})" if view.role else ""
    text = f"{view.name}{role}: {view.period_label}, as of {view.as_of}"
    return Block(f"<h2>{esc(text)}</h2>", text)


def headline(view) -> Block:
    """Attainment, projection, rank within role, score, and the at-risk flag with its reason."""
    h = view.headline
    cur = view.currency
    rows = [
        ["Won", money(h.get("won"), cur)],
        ["Quota", money(h.get("quota"), cur)],
        ["Attainment", pct(h.get("attainment"))],
        ["Projection at period end", money(h.get("projection"), cur)],
        ["Projected attainment", pct(h.get("projected_attainment"))],
        ["Rank within role", f"{h['rank']} of {h['n_in_role']}" if h.get("rank") is not None else "—"],
        ["Score", num(h.get("score"), 1)],
    ]
    parts = [table(["Figure", "Value"], rows)]
    if h.get("status"):
        parts.append(paragraphs([h["status"]], "salesnb-status"))
    if (n := _section_note(view, "headline")):
        parts.append(n)
    return _join(parts)


def strengths(view) -> Block:
    """What goes well, as sentences."""
    if view.strengths:
        return bullets(view.strengths)
    return _section_note(view, "strengths") or note("No clear strength stands out against the team this period.")


def funnel(view) -> Block | None:
    """The one funnel step to work on, with the rep's conversion per step vs the team's quartiles."""
    if not view.funnel:
        return _section_note(view, "funnel") or note("Not enough funnel data to compare with the team.")
    f = view.funnel
    rows = [[s["step"], pct(s["rep"]), pct(s["median"]), f"{pct(s['q1'])} – {pct(s['q3'])}"] for s in f["steps"]]
    display(paragraphs([f["sentence"]]))
    display(table(["Step", "You", "Team median", "Team middle half"], rows))
    _chart(view, "funnel")
    return _tail(view, "funnel")


def activity_mix(view) -> Block:
    """The rep's share of each activity type against the top quartile's and the team's."""
    if not view.activity_mix:
        return _section_note(view, "activity_mix") or note("No activities recorded.")
    a = view.activity_mix
    if a.get("sentences"):
        display(bullets(a["sentences"]))
    display(table(["Activity", "You", "Top quartile", "Team median"],
                  [[r["type"], pct(r["you"]), pct(r["top"]), pct(r["team"])] for r in a["rows"]]))
    _chart(view, "activity_mix")
    return _tail(view, "activity_mix")


def lead_quality(view) -> Block:
    """Lead quality mix and conversion for the rep vs the team."""
    if not view.lead_quality:
        return _section_note(view, "lead_quality") or note("No leads recorded.")
    q = view.lead_quality
    if q.get("sentences"):
        display(bullets(q["sentences"]))
    display(table(["Figure", "You", "Team median"], [[r["label"], r["you"], r["team"]] for r in q["rows"]]))
    return _tail(view, "lead_quality")


def hygiene(view) -> Block:
    """Open deals with no next step, stale deals, close dates in the past: counts and the deals."""
    if not view.hygiene:
        return _section_note(view, "hygiene") or note("No hygiene data.")
    g = view.hygiene
    display(table(["Flag", "Your deals", "Team median"], [[r["label"], r["you"], r["team"]] for r in g["counts"]]))
    if g.get("deals"):
        cols = list(g["deals"][0].keys())
        display(table(cols, [[d[c] for c in cols] for d in g["deals"]]))
    else:
        display(paragraphs(["No flagged deals: the pipeline is clean."]))
    return _tail(view, "hygiene")


def trend(view) -> Block:
    """The rep's won amount over time against the team median."""
    if not view.trend:
        return _section_note(view, "trend") or note("No trend to show yet.")
    _chart(view, "trend")
    rows = view.trend["rows"]
    periods = sorted({r["period"] for r in rows})
    by = {(r["period"], r["series"]): r["value"] for r in rows}
    series = view.trend["series"]
    display(table(["Period", *series], [[p, *(money(by.get((p, s)), "") for s in series)] for p in periods]))
    return _tail(view, "trend")


def peer(view) -> Block:
    """The suggested peer to pair with, and why."""
    if not view.peer:
        return _section_note(view, "peer") or note("No pairing suggested: no clear leak, or no peer in the same role is strong where you leak.")
    return paragraphs([view.peer["sentence"]])


def breakdown(view) -> Block:
    """Points per metric and the weights used ("how is my score calculated")."""
    if not view.breakdown:
        return _section_note(view, "breakdown") or note("No score for this rep.")
    w = view.weights or {}
    display(paragraphs([f"Weights: {w.get('name', 'custom')}, normalised by {w.get('normalisation', 'percentile')} "
                        f"within role. Total score {num(view.headline.get('score'), 1)} out of 100."]))
    display(table(["Metric", "Your value", "Weight", "Points"],
                  [[r["label"], r["value_text"], num(r["weight"], 0), num(r["points"], 1)] for r in view.breakdown]))
    _chart(view, "breakdown")
    return _tail(view, "breakdown")


def _tail(view, key: str) -> Block | None:
    return _section_note(view, key)


def _join(blocks: list[Block]) -> Block:
    return Block("".join(b.html for b in blocks), "\n".join(b.plain for b in blocks if b.plain))


def open_view(snapshot: str = "", rep_id: str = "", *, data_dir: str = "", as_of: str = "", period: str = "",
              weights_file: str = ""):
    """The `RepView` a report shows: from a saved snapshot when given (fast), else computed from `data_dir`.

    An empty `rep_id` picks the first current rep (handy when opening the notebook by hand).
    """
    if snapshot:
        from .snapshot import Snapshot

        snap = Snapshot.load(snapshot)
    else:
        from .team_view import open_team

        snap = open_team(data_dir, as_of=as_of, period=period, weights_file=weights_file)
    return snap.rep_view(rep_id or snap.rep_ids[0])
