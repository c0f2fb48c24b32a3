"""Display the sections of a per-rep report from a `RepView`, and draw chart specs offline.

This module is what the report notebook imports, so it stays light: no pandas, no altair. Every value
that comes from data is HTML-escaped (a rep called ``<script>alert(1)</script>`` shows as text).
Each section shows a short note instead when the data it needs is missing.
"""
from __future__ import annotations

import base64
import html
import math
import re
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


# a cell that reads as a figure: 1,250 / -3.5 / 87% / 1.3x / 312,000 USD / +0.42 / — (none)
_FIGURE = re.compile(r"^[+\-−]?\d[\d,]*(\.\d+)?(\s?(%|x|[A-Z]{3}))?$|^[—–-]?$")
_SHORT = 24  # text columns up to this many characters are kept on one line


def _column_style(column: str, values: list[Any]) -> str:
    """Figures right-aligned on one line; text left-aligned, on one line when short (names, roles).

    Inline, because JupyterLab's stylesheet right-aligns every table cell and the notebook
    cannot ship its own CSS.
    """
    texts = [str(v) for v in values]
    if all(isinstance(v, (int, float)) or _FIGURE.match(t) for v, t in zip(values, texts)):
        return "text-align:right;white-space:nowrap"
    if max((len(t) for t in [column, *texts]), default=0) <= _SHORT:
        return "text-align:left;white-space:nowrap"
    return "text-align:left"


def table(columns: list[str], rows: list[list[Any]]) -> Block:
    """A small table; every cell is escaped."""
    styles = [_column_style(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    head = "".join(f'<th style="{st}">{esc(c)}</th>' for c, st in zip(columns, styles))
    body = "".join("<tr>" + "".join(f'<td style="{st}">{esc(v)}</td>' for v, st in zip(row, styles)) + "</tr>"
                   for row in rows)
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


# ---------------------------------------------------------------- wording for the reader

# Funnel steps as a rep says them, and what moves a deal through each.
STEP_NAMES = {
    "prospecting": ("Finding leads", "new leads created"),
    "qualifying": ("Qualifying", "lead → qualified opportunity"),
    "meeting": ("Getting meetings", "qualified → meeting held"),
    "proposing": ("Proposing", "meeting → proposal sent"),
    "committing": ("Getting commitments", "proposal → verbal commitment"),
    "closing": ("Closing", "verbal commitment → signed deal"),
}
ACTIVITY_NAMES = {"call": "Calls", "email": "Emails", "meeting": "Meetings", "visit": "Visits",
                  "social": "Social selling", "mail": "Letters", "task": "Tasks", "other": "Other"}
LABELS = {
    "Effort on leads/deals that ended lost": "Share of activities spent on leads/deals that were lost",
    "Lead -> opportunity": "Leads that became opportunities",
}
NORMALISATION_WORDS = {
    "percentile": "by your position among the reps of your role (best in the role = all the metric's points)",
    "zscore": "by how far you are above or below the average of your role (far above = all the metric's points)",
    "target": "by your value as a share of the target value (at the target = all the metric's points)",
}
HYGIENE_HELP = {
    "no next step": "“no next step”: none is written down on the open deal",
    "stale": "“stale”: no activity logged on the deal in the last 14 days",
    "past close date": "“past close date”: the expected close date has passed and the deal is still open",
}


def step_name(step: Any) -> str:
    """A funnel step's name for people ("closing" -> "Closing"); unknown steps as given."""
    return STEP_NAMES.get(str(step), (str(step).replace("_", " ").capitalize(), ""))[0]


_NO_STEP_WORDS = {"none": "No clear leak", "insufficient_data": "Too few deals yet", "": "—"}


def bottleneck_words(step: Any) -> str:
    """A bottleneck verdict for people: the step's name, "No clear leak" or "Too few deals yet"."""
    if step is None or (isinstance(step, float) and math.isnan(step)):
        return "—"
    return _NO_STEP_WORDS.get(str(step)) or step_name(step)


def label(text: Any) -> str:
    """A metric label as the report shows it (plain words, arrows drawn as arrows)."""
    t = str(text)
    return LABELS.get(t, t).replace("->", "→")


def reader_text(text: str, currency: str = "") -> str:
    """A sentence from the diagnosis, made plainer for the rep: amounts carry the currency, wins are whole
    deals, and pace is called a daily average."""
    cur = f" {currency}" if currency else ""
    t = re.sub(r", run-rate (\d+%) \(needs ([\d,.]+) a day, has managed ([\d,.]+)\)",
               lambda m: f" ({m[1]} at the pace so far). Reaching quota needs {m[2]}{cur} won per day from now "
                         f"on, against {m[3]}{cur} per day so far", text)
    t = re.sub(r"\(needs ([\d,.]+) a day, has managed ([\d,.]+)\)",
               lambda m: f"(needs {m[1]}{cur} won per day from now on, against {m[2]}{cur} per day so far)", t)
    t = re.sub(r"covers ([\d.]+)x of the ([\d,.]+) due", lambda m: f"covers {m[1]}x the {m[2]}{cur} due", t)
    t = re.sub(r"about ([\d.]+) (more )?wins", lambda m: _deals(float(m[1]), m[2] or ""), t)
    return t.replace("->", "→")


def _deals(x: float, more: str) -> str:
    n = max(1, round(x))
    return f"about {n} {more}won deal{'s' if n != 1 else ''}"


def _among_best_but_typical(sentence: str) -> bool:
    """A strength sentence whose value equals the team median ("0, ... (team median 0)") says nothing."""
    m = re.search(r": (.+?), among the best in the role \(team median (.+?)\)", sentence)
    return bool(m) and m[1] == m[2]


# ---------------------------------------------------------------- sections

def _section_note(view, key: str) -> Block | None:
    text = (view.notes or {}).get(key)
    return note(text) if text else None


def title(view) -> Block:
    """The report's title line: rep, role, period and date."""
    role = f" ({view.role})" if view.role else ""
    text = f"{view.name}{role}: period {view.period_label}, as of {view.as_of}"
    return Block(f"<h2>{esc(text)}</h2>", text)


def headline(view) -> Block:
    """Attainment, distance to quota, projection, rank within role, score, and the at-risk flag with its reason."""
    h = view.headline
    cur = view.currency
    won, quota = h.get("won"), h.get("quota")
    if _missing(won) or _missing(quota):
        to_go = "—"
    else:
        to_go = money(quota - won, cur) if quota > won else "quota reached"
    projected = money(h.get("projection"), cur)
    if not _missing(h.get("projected_attainment")):
        projected += f" ({pct(h.get('projected_attainment'))} of quota)"
    role = f" {view.role}" if view.role else ""
    rank = (f"{h['rank']} of {h['n_in_role']}{role} reps, by score" if h.get("rank") is not None
            and h.get("n_in_role") else "—")
    rows = [
        ["Won so far", money(won, cur)],
        ["Quota for the period", money(quota, cur)],
        ["Attainment", f"{pct(h.get('attainment'))} of quota" if not _missing(h.get("attainment")) else "—"],
        ["Still to win", to_go],
        ["Projected at period end", projected],
        ["Rank within role", rank],
        ["Score", f"{num(h.get('score'), 1)} out of 100" if not _missing(h.get("score")) else "—"],
    ]
    head_note = _section_note(view, "headline")
    if head_note:  # the note says what is missing: no rows of dashes
        rows = [r for r in rows if not r[1].startswith("—")]
    parts = [table(["Figure", "Value"], rows)]
    if h.get("status"):
        risky = bool(h.get("at_risk"))
        text = reader_text(str(h["status"]), cur)
        css = "salesnb-status salesnb-risk" if risky else "salesnb-status salesnb-ok"
        parts.append(paragraphs([text], css))
    if head_note:
        parts.append(head_note)
    return _join(parts)


def _with_step_numbers(sentence: str, view) -> str:
    """A funnel-step strength ("Strong at closing (...): clearly above the team ...") with the rep's figures."""
    if not sentence.endswith("at this funnel step."):
        return sentence
    for s in (view.funnel or {}).get("steps", []):
        what = STEP_NAMES.get(s["step"], ("", ""))[1]
        said = _DIAGNOSIS_STEP_WORDS.get(s["step"])
        if what and said and f"Strong at {said}" in sentence and not _missing(s.get("rep")):
            head = sentence.split(": clearly above", 1)[0]
            return (f"{head}: {pct(s['rep'])} of your deals move on ({what}), against a team median of "
                    f"{pct(s['median'])}.")
    return sentence


# How the diagnosis names each step in its sentences (to find the step a sentence is about).
_DIAGNOSIS_STEP_WORDS = {"qualifying": "qualifying", "meeting": "getting in front of the buyer",
                         "proposing": "turning meetings into proposals", "committing": "getting verbal commitments",
                         "closing": "closing"}


def strengths(view) -> Block:
    """What goes well, as sentences."""
    lines = [_with_step_numbers(label(s), view) for s in (view.strengths or []) if not _among_best_but_typical(s)]
    if lines:
        return bullets(lines)
    return _section_note(view, "strengths") or note(
        "No figure stands clearly above the rest of your role this period; the sections below show where "
        "to gain most.")


def funnel(view) -> Block | None:
    """The one funnel step to work on, with the rep's conversion per step vs the team's quartiles."""
    if not view.funnel:
        return _section_note(view, "funnel") or note("Not enough funnel data to compare with the team.")
    f = view.funnel
    focus = f.get("bottleneck")
    rows = []
    for s in f["steps"]:
        name, what = STEP_NAMES.get(s["step"], (step_name(s["step"]), ""))
        deals = (f"{s['advanced']} of {s['reached']}" if s.get("reached") is not None
                 and s.get("advanced") is not None else "—")
        rows.append([name + ("  ◀ work on this" if s["step"] == focus else ""), what, deals, pct(s["rep"]),
                     pct(s["median"]), f"{pct(s['q1'])} – {pct(s['q3'])}"])
    display(paragraphs([reader_text(f["sentence"], view.currency)]))
    display(table(["Step", "Moves a deal from", "Your deals", "You", "Team median", "Team middle half"], rows))
    _chart(view, "funnel")
    return _tail(view, "funnel")


def _mix_sentences(rows: list[dict]) -> list[str]:
    """The largest gaps (5 points or more) between the rep's mix and the top quartile's, biggest first."""
    gaps = [(r["you"] - r["top"], r) for r in rows if not _missing(r.get("you")) and not _missing(r.get("top"))]
    gaps = sorted((g for g in gaps if abs(g[0]) >= 0.05), key=lambda g: -abs(g[0]))[:3]
    out = []
    for gap, r in gaps:
        what = ACTIVITY_NAMES.get(r["type"], str(r["type"])).lower()
        more = "more" if gap > 0 else "less"
        out.append(f"{what.capitalize()}: {pct(r['you'])} of your activities, {pct(r['top'])} for top performers "
                   f"({abs(gap) * 100:.0f} points {more}).")
    return out


def activity_mix(view) -> Block:
    """The rep's share of each activity type against the top quartile's and the team's."""
    if not view.activity_mix:
        return _section_note(view, "activity_mix") or note("No activities recorded.")
    a = view.activity_mix
    sentences = list(a.get("sentences") or []) or _mix_sentences(a["rows"])
    if sentences:
        display(bullets([reader_text(x, view.currency) for x in sentences]))
    else:
        display(paragraphs(["Your mix of activities is close to that of the top performers of your role."]))
    display(table(["Activity", "You", "Top quartile", "Team median"],
                  [[ACTIVITY_NAMES.get(r["type"], r["type"]), pct(r["you"]), pct(r["top"]), pct(r["team"])]
                   for r in a["rows"]]))
    _chart(view, "activity_mix")
    practices(view)
    return _tail(view, "activity_mix")


def practices(view) -> None:
    """What the team's top performers do differently (team-level findings, no names), or why not yet."""
    a = view.activity_mix or {}
    found = [label(x) for x in a.get("practices") or []]
    if found:
        display(paragraphs(["What the top performers of the team (the top quarter) do differently from the rest:"]))
        display(bullets([reader_text(x, view.currency) for x in found]))
    elif a.get("practices_note"):
        display(note(a["practices_note"]))


def lead_quality(view) -> Block:
    """Lead quality mix and conversion for the rep vs the team."""
    if not view.lead_quality:
        return _section_note(view, "lead_quality") or note("No leads recorded.")
    q = view.lead_quality
    if q.get("sentences"):
        display(bullets([reader_text(x, view.currency) for x in q["sentences"]]))
    display(table(["Figure", "You", "Team median"], [[label(r["label"]), r["you"], r["team"]] for r in q["rows"]]))
    return _tail(view, "lead_quality")


def hygiene(view) -> Block:
    """Open deals with no next step, stale deals, close dates in the past: counts and the deals."""
    if not view.hygiene:
        return _section_note(view, "hygiene") or note("No hygiene data.")
    g = view.hygiene
    display(table(["Flag", "Your deals", "Team median"], [[label(r["label"]), r["you"], r["team"]] for r in g["counts"]]))
    if g.get("deals"):
        n = len(g["deals"])
        display(paragraphs([f"{n} open deal{'s' if n != 1 else ''} to update in the CRM:"]))
        cols = list(g["deals"][0].keys())
        shown = [f"Amount ({view.currency})" if c == "Amount" and view.currency else c for c in cols]
        display(table(shown, [[d[c] for c in cols] for d in g["deals"]]))
        flags = {f.strip() for d in g["deals"] for f in str(d.get("Flags", "")).split(",")}
        help_ = [HYGIENE_HELP[f] for f in HYGIENE_HELP if f in flags]
        if help_:
            display(paragraphs(["What the flags mean: " + "; ".join(help_) + ". Updating these in the CRM keeps the "
                                "pipeline, and your projection, trustworthy."], "salesnb-note"))
    else:
        display(paragraphs(["No flagged deals: the pipeline is clean."]))
    return _tail(view, "hygiene")


def trend(view) -> Block:
    """The rep's won amount over time against the team median."""
    if not view.trend:
        return _section_note(view, "trend") or note("No trend to show yet.")
    rows = view.trend["rows"]
    series = view.trend["series"]
    periods = sorted({r["period"] for r in rows})
    by = {(r["period"], r["series"]): r["value"] for r in rows}
    cur = view.currency
    if "You" in series and periods:
        mine = [by.get((p, "You")) or 0.0 for p in periods]
        wins = sum(1 for v in mine if v > 0)
        text = [f"You won deals in {wins} of the {len(periods)} months shown."]
        last = periods[-3:]
        if "Team median" in series and len(periods) >= 3:
            team = sum(by.get((p, "Team median")) or 0.0 for p in last)
            text.append(f"Last 3 months ({last[0]} to {last[-1]}): you won {money(sum(mine[-3:]), cur)}; "
                        f"the team's monthly medians add up to {money(team, cur)}.")
        display(paragraphs(text))
    _chart(view, "trend")

    def month(p: str) -> str:
        return f"{p} (to {view.as_of})" if str(view.as_of).startswith(f"{p}-") else p

    if periods:
        heads = [f"{s} ({cur})" if cur else s for s in series]
        display(table(["Month", *heads], [[month(p), *(money(by.get((p, s)), "") for s in series)] for p in periods]))
    if view.trend.get("pace"):
        pace(view)
    return _tail(view, "trend")


def _week(start: str, as_of: str) -> str:
    """A week's label; the week that holds the report date says it stops there."""
    from datetime import date, timedelta

    end = date.fromisoformat(start) + timedelta(days=6)
    return f"{start} (to {as_of})" if end.isoformat() > str(as_of) else start


def pace(view) -> None:
    """Daily work next to long-term goals: activities per recent week vs the team median, and progress
    on the quota of the period and of the current quota span (e.g. the quarter)."""
    p = view.trend["pace"]
    cur = view.currency
    weeks = p.get("weeks") or []
    goals = p.get("quotas") or []
    display(Block("<h3>Weekly work and the quota</h3>", "Weekly work and the quota"))
    lines = []
    if weeks:
        you = [w["you"] or 0.0 for w in weeks]
        team = [w["team"] or 0.0 for w in weeks]
        lines.append(f"Activities per week over the last {len(weeks)} week{'s' if len(weeks) != 1 else ''}: "
                     f"you averaged {num(sum(you) / len(you), 1)}, the team median {num(sum(team) / len(team), 1)}.")
    for g in goals:
        what = (f"the period {view.period_label}" if g["span"] == "period"
                else f"the current quota period ({g['start']} to {g['end']})")
        share = (g["won"] or 0.0) / g["quota"] if g.get("quota") else None
        lines.append(f"For {what}: {money(g['won'], cur)} won of a {money(g['quota'], cur)} target "
                     f"({pct(share)}).")
    display(paragraphs(lines))
    if weeks:
        _chart(view, "activity_weeks")
        display(table(["Week from", "Your activities", "Team median"],
                      [[_week(w["week"], view.as_of), num(w["you"], 0), num(w["team"], 1)] for w in weeks]))


def peer(view) -> Block:
    """The suggested peer to pair with, and why."""
    if not view.peer:
        focus = (view.funnel or {}).get("bottleneck")
        if focus == "none":
            text = ("No pairing suggested: no funnel step is clearly below the team, so there is no leak to "
                    "learn away. Others may well learn from you.")
        elif focus == "insufficient_data":
            text = "No pairing suggested yet: too few deals so far to name the step to work on."
        else:
            text = "No pairing suggested: no rep of your role is clearly strong at the step you work on."
        return _section_note(view, "peer") or note(text)
    return paragraphs([reader_text(view.peer["sentence"], view.currency)])


def breakdown(view) -> Block:
    """Points per metric and the weights used ("how is my score calculated")."""
    if not view.breakdown:
        return _section_note(view, "breakdown") or note("No score for this rep.")
    w = view.weights or {}
    total = sum(r["weight"] or 0.0 for r in view.breakdown)
    how = NORMALISATION_WORDS.get(w.get("normalisation", "percentile"), "relative to your role")
    text = [f"Weights used: {w.get('name', 'custom')}. Your score is {num(view.headline.get('score'), 1)} out "
            f"of 100. Each metric gives up to its share of the 100 points (its weight), scaled {how}."]
    if total and abs(total - 100.0) >= 1e-6:
        text.append(f"The weights of the metrics used add up to {total:g}, so each one's most points is its "
                    f"weight x 100 / {total:g}.")
    if any(r["value_text"] == "—" for r in view.breakdown):
        text.append("A metric with no value this period (—) gives 0 points.")
    display(paragraphs(text))
    rows = [[label(r["label"]), r["value_text"], "—" if _missing(r["weight"]) else f"{r['weight']:g}",
             num((r["weight"] or 0.0) * 100.0 / total if total else None, 1), num(r["points"], 1)]
            for r in view.breakdown]
    if abs(total - 100.0) < 1e-6:  # weights already in points: one column says both
        display(table(["Metric", "Your value", "Weight (most points)", "Your points"],
                      [[r[0], r[1], r[2], r[4]] for r in rows]))
    else:
        display(table(["Metric", "Your value", "Weight", "Most points", "Your points"], rows))
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
