"""The sections of a rep's report notebook: each shows one part of a `RepView`, in the rep's words.

    report = open_report(view_file)          # what a batch run prepared; or open_report(rep_id="R07")
    report.headline()                        # one call per notebook cell

A section with nothing to show says why in a short note (and what to add to the data to see it).
Imports neither pandas nor altair when the view comes prepared: a report kernel starts in a moment.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from ..present import (Block, bullets, by_unit, capital, count, data, esc, heading, join, money, note, num,
                       paragraphs, pct, points, table)
from ..terms import (HYGIENE_HELP, HYGIENE_LABELS, NORMALISATION_WORDS, QUALIFYING, activity_label, described,
                     hygiene_checked)
from ..metrics.catalogue import CATALOGUE
from ..words import rep as words
from .facts import RepView


def _show(block: Block | None) -> None:
    from IPython.display import display

    if block is not None:
        display(block)


class Report:
    """One rep's report: the view's facts, worded and drawn section by section.

    charts: chart key -> SVG drawn in advance (a batch run draws them in the rep's task); None draws
    them here when a section is shown.
    """

    def __init__(self, view: RepView, charts: Mapping[str, str] | None = None):
        self.view = view
        self._charts = dict(charts) if charts is not None else None

    # ------------------------------------------------------------------ helpers
    def _note(self, key: str) -> Block | None:
        text = self.view.unavailable.get(key)
        return note(text) if text else None

    def chart(self, key: str) -> None:
        """Show a chart as SVG (inlined into the exported page, drawn offline) with a text line.

        The output's metadata names the chart (``salesnb_chart``): the exported page classes it by that name,
        which its print stylesheet sizes and places by (beside its data table, or on a line of its own).
        """
        from IPython.display import display

        if self._charts is None:
            from .charts import draw

            self._charts = draw(self.view)
        svg = self._charts.get(key)
        if svg:
            display({"image/svg+xml": svg, "text/plain": f"Chart: {key.replace('_', ' ')}"}, raw=True,
                    metadata={"salesnb_chart": key})

    def _leads_note_here(self, f) -> bool:
        """Which recent leads the rates leave out is said once: under the funnel when its first step is
        qualifying leads, else under lead quality."""
        return bool(self.view.leads_settling and f is not None and any(s.step == QUALIFYING for s in f.steps))

    # ------------------------------------------------------------------ sections
    def title(self) -> Block:
        text = words.title(self.view)
        head = Block(f"<h2>{data(self.view.name)}{' (' + data(self.view.role) + ')' if self.view.role else ''}: "
                     f"period {esc(self.view.period_label)}, as of {esc(self.view.as_of)}</h2>", text)
        return join([head, note(self.view.holds)]) if self.view.holds else head

    def headline(self) -> Block:
        v, h, cur = self.view, self.view.headline, self.view.currency
        projected = money(h.projection, cur)
        if h.projected_attainment is not None:
            ranged = h.risk and h.risk.likely_low is not None and not h.risk.finished
            projected += f" ({pct(h.projected_attainment)} of quota{'; ' + words.likely_range(v) if ranged else ''})"
        over = h.finished or bool(h.risk and h.risk.finished)
        rows = [[f"{CATALOGUE['won_revenue'].label}{'' if over else ' so far'}", money(h.won, cur)],
                ["Quota for the period", money(h.quota, cur)],
                [CATALOGUE["attainment"].label, f"{pct(h.attainment)} of quota" if h.attainment is not None else "—"],
                *([] if over and words.to_go(v) == "quota reached" else
                  [["Short by" if over else "Still to win", words.to_go(v)]]),
                *([] if over or "projection" in v.unavailable else [["Projected at period end", projected]]),
                ["Rank within role" if v.role else "Rank in the team", words.rank(v)],
                words.score_row(v), *([["Joined", words.joined_row(v)]] if h.joined else [])]
        missing = self._note("headline")
        if missing:  # the note says what is missing: no rows of dashes
            rows = [r for r in rows if not r[1].startswith("—")]
        parts = [table(["Figure", "Value"], rows)]
        if h.joined:  # the row stays short; how a new hire is counted is said under the table
            parts.append(paragraphs([words.joined(v)], "salesnb-note"))
        status = words.risk(v)
        if status:
            css = "salesnb-status salesnb-risk" if h.risk and h.risk.at_risk else "salesnb-status salesnb-ok"
            parts.append(paragraphs([status], css))
            if h.risk and h.risk.at_risk and v.warning_record:
                parts.append(paragraphs([words.warning_record(v)], "salesnb-note"))
        if v.team is not None:  # the whole team, anonymous: where the rep's effort lands
            parts.append(paragraphs([words.team_progress(v)], "salesnb-note"))
        why = v.unavailable.get("projection")  # no projection (a to-date view), said as a sentence
        return join([*parts, missing, note(capital(why) + ".") if why and not missing else None,
                     self._note("score")])

    def since(self) -> Block:
        """Since the last report (an earlier batch run) and since the previous comparable period."""
        v = self.view
        parts = []
        if v.last_report:
            parts.append(paragraphs([words.since_last_report(v)]))
        lines = words.since_period(v) if v.change else []
        if len(lines) > 1:  # a heading over no change at all (a rep new to the team) is not shown
            parts += [paragraphs(lines[:1]), bullets(lines[1:])]
        if not parts:
            return self._note("change") or note("Nothing earlier to compare with yet.")
        return join(parts)

    def strengths(self) -> Block:
        lines = [words.strength(self.view, s) for s in self.view.strengths]
        return bullets(lines) if lines else note(words.no_strengths(self.view))

    def funnel(self) -> Block | None:
        f = self.view.funnel
        if f is None:
            return self._note("funnel") or note("No opportunities in this period yet: no funnel to compare.")
        _show(paragraphs([words.funnel(self.view)]))
        if f.steps:
            rows = []
            for s in f.steps:
                mark = ("  ◀ work on this" if f.leak is not None and s.step == f.leak.step else
                        "  ◀ also below" if s.step in f.also_weak else "")
                team = s.team
                step = described(s.step, s.to)
                rows.append([step.label + mark, step.moves, f"{s.advanced} of {s.reached}",
                             pct(s.rate), pct(team.median) if team else "—",
                             f"{pct(team.q1)} – {pct(team.q3)}" if team else "—"])
            _show(_table(["Step", "Moves a deal from", "Your deals", "You", "Team median", "Team middle half"], rows,
                         team=(4, 5), css="salesnb salesnb-funnel"))
            self.chart("funnel")
            if self._leads_note_here(f):
                _show(note(self.view.leads_settling))
            if self.view.deals_settling and any(s.step != QUALIFYING for s in f.steps):
                _show(note(self.view.deals_settling))
        return self._note("funnel_steps")

    def activity_mix(self) -> Block | None:
        m = self.view.activity_mix
        if m is None:
            return self._note("activity_mix") or note("No activities recorded in this period.")
        gaps = words.mix_gaps(self.view)
        _show(bullets(gaps) if gaps else paragraphs([words.mix_close(self.view)]))
        _show(_table(["Activity", "You", "Top quartile", "Team median"],
                     [[activity_label(r.activity), pct(r.you), pct(r.top), pct(r.team)] for r in m.rows], team=(2, 3)))
        self.chart("activity_mix")
        found = words.practices(self.view)
        if found:
            _show(paragraphs(["What the top performers of the team (the top quarter) do differently from the rest:"]))
            _show(bullets(found))
        elif m.practices_unavailable:
            _show(note(f"What top performers do differently: {m.practices_unavailable}."))
        return None

    def lead_quality(self) -> Block:
        q = self.view.lead_quality
        if q is None:
            return self._note("lead_quality") or note("No leads recorded in this period.")
        cur = self.view.currency
        sentence = words.lead_quality(self.view)
        rows = [[words.count_label(self.view, r.metric) if r.unit == "count" else words.metric_label(r.metric),
                 by_unit(r.you, r.unit, cur), by_unit(r.team, r.unit, cur)] for r in q.rows]
        return join([bullets([sentence]) if sentence else None, _table(["Figure", "You", "Team median"], rows, team=(2,)),
                     note(self.view.leads_settling) if self.view.leads_settling and not
                     self._leads_note_here(self.view.funnel) else None,
                     self._note("lead_quality")])

    def hygiene(self) -> Block:
        g = self.view.hygiene
        if "hygiene" in self.view.unavailable:
            return note(words.hygiene_unchecked(self.view.unavailable))
        if g is None:  # nothing checked: say what the data lacks, not that there is no open deal
            if not hygiene_checked(self.view.unavailable):
                return note(words.hygiene_unchecked(self.view.unavailable))
            return note("No open deals to check.")
        rows = [[words.metric_label(r.metric), count(r.you), num(r.team, 1) if r.team is not None else "—"]
                for r in g.counts]
        parts = [_table(["Flag", "Your deals", "Team median"], rows, team=(2,))]
        if g.deals:
            cur = self.view.currency
            parts.append(paragraphs([words.hygiene_deals(len(g.deals))]))
            parts.append(table(["Deal", "Account", f"Amount ({cur})" if cur else "Amount", "Expected close", "Flags"],
                               [[d.opportunity_id, d.account, money(d.amount), d.close_date or "",
                                 ", ".join(HYGIENE_LABELS[f].lower() for f in d.flags)] for d in g.deals],
                               data_columns=(0, 1)))
            seen = {f for d in g.deals for f in d.flags}
            help_ = [HYGIENE_HELP[f] for f in HYGIENE_HELP if f in seen]
            if help_:
                parts.append(paragraphs(["What the flags mean: " + "; ".join(help_) + ". Updating these in the CRM "
                                         "keeps the pipeline, and your projection, trustworthy."], "salesnb-note"))
        else:
            parts.append(paragraphs([words.hygiene_clean(self.view.unavailable)]))
            return join(parts)  # the sentence names what could not be checked
        unchecked = words.hygiene_unchecked(self.view.unavailable)
        return join([*parts, note(unchecked) if unchecked else None])

    def trend(self) -> Block | None:
        t = self.view.trend
        if t is None:
            return self._note("won_per_month") or note("No trend to show yet.")
        cur, as_of = self.view.currency, self.view.as_of
        if not t.months:
            _show(self._note("won_per_month"))
        lines = words.trend(self.view)
        if lines:
            _show(paragraphs(lines))
        if t.months:
            self.chart("trend")
            heads = [f"You ({cur})" if cur else "You", f"Team median ({cur})" if cur else "Team median"]
            _show(_table(["Month", *heads], [[_month(p.start, as_of), money(p.you), money(p.team)] for p in t.months],
                         team=(2,)))
        pace = words.pace(self.view)
        if pace:
            _show(heading(words.pace_heading(self.view), 3))
            _show(paragraphs(pace))
        if t.weeks:
            self.chart("activity_weeks")
            _show(_table(["Week from", "Your activities", "Team median"],
                         [[_week(p.start, as_of), num(p.you, 0), num(p.team, 1)] for p in t.weeks], team=(2,)))
        return None

    def peer(self) -> Block:
        return paragraphs([words.peer(self.view)]) if self.view.peer else note(words.no_peer(self.view))

    def breakdown(self) -> Block | None:
        v = self.view
        if not v.breakdown:
            return self._note("score") or note("No score for you this period.")
        how = words.in_group(v, NORMALISATION_WORDS.get(v.weights.normalisation, "relative to your role"))
        _show(paragraphs(words.breakdown(v, how)))
        total = sum(p.weight for p in v.breakdown)
        cur = v.currency
        rows = [[words.metric_label(p.metric), words.part_value(p, cur), f"{p.weight:g}",
                 points(p.weight * 100.0 / total if total else None), points(p.points)] for p in v.breakdown]
        if abs(total - 100.0) < 1e-6:  # weights already in points: one column says both
            _show(table(["Metric", "Your value", "Weight (most points)", "Your points"],
                        [[r[0], r[1], r[2], r[4]] for r in rows]))
        else:
            _show(table(["Metric", "Your value", "Weight", "Most points", "Your points"], rows))
        self.chart("breakdown")
        return self._note("score")


def _table(columns: list[str], rows: list[list], team: tuple[int, ...], **kw) -> Block:
    """A table whose `team` columns (the role's figures) are left out when no row has one: a role too small to
    show its figures gets the rep's own, not columns of dashes."""
    empty = {i for i in team if all(str(r[i]) in ("—", "— – —") for r in rows)}
    keep = [i for i in range(len(columns)) if i not in empty]
    return table([columns[i] for i in keep], [[r[i] for i in keep] for r in rows], **kw)


def _month(start: str, as_of: str) -> str:
    return f"{start[:7]} (to {as_of})" if as_of.startswith(start[:7]) else start[:7]


def _week(start: str, as_of: str) -> str:
    """A week's label; the week that holds the report date says it stops there."""
    from datetime import date, timedelta

    end = date.fromisoformat(start) + timedelta(days=6)
    return f"{start} (to {as_of})" if end.isoformat() > as_of else start


# ------------------------------------------------------------------ opening a report


def read_prepared(path: str | Path) -> tuple[RepView, dict[str, str]]:
    """A view and its drawn charts from the file a batch run wrote for the report notebook."""
    from ..errors import ReportError

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"view file {path} does not exist: run the reports again (salesnb reports).") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"view file {path} cannot be read ({exc}): run the reports again.") from None
    return RepView.from_dict(doc["view"]), dict(doc.get("charts") or {})


def open_report(view_file: str = "", rep_id: str = "", *, data_dir: str = "", as_of: str = "", period: str = "",
                weights_file: str = "") -> Report:
    """The report the notebook shows: the view a batch run prepared (`view_file`), else computed here from
    `data_dir` for `rep_id` (empty: the first current rep; handy when opening the notebook by hand)."""
    if view_file:
        return Report(*read_prepared(view_file))
    from ..analysis import open_team
    from .build import build_view
    from .gather import inputs_for

    inputs = inputs_for(open_team(data_dir, as_of=as_of, period=period, weights_file=weights_file))
    return Report(build_view(inputs.slice(rep_id or inputs.rep_ids[0])))
