"""The manager's index page: every rep with headline figures and a link to the report; failures with
their reason. One static, offline HTML file; every value from data is escaped and isolated."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import quote

from ..metrics.catalogue import CATALOGUE
from ..present import capital, data, esc, num, pct
from ..words.manager import risk_reason, risk_short, span, verdict, verdict_line

SORT_NOTE = ("Sorted with reps at risk first (furthest from quota first), then by rank within role. "
             "Hover over a risk for the full reason.")
SORT_NOTE_NO_RISK = "Sorted by role and rank within role."


@dataclass
class IndexRow:
    """One rep on the index page."""

    rep_id: str
    name: str
    role: str = ""
    status: str = "ok"  # "ok", "failed", "pending" (another shard, or not run yet)
    href: str = ""  # report file name, relative to the index
    pdf_href: str = ""  # the report's PDF, when it has one
    attainment: float | None = None
    projected_attainment: float | None = None
    rank: int | None = None
    n_in_role: int | None = None
    bottleneck: str = ""
    reason: str = ""  # for failures: the cell and the message
    extra: dict = field(default_factory=dict)
    score: float | None = None
    at_risk: bool | None = None  # None: no early-warning verdict (e.g. no quota)
    risk_reason: str = ""  # why the rep is at risk
    risk_short: str = ""  # the likely range, for the narrow column
    likely: str = ""  # the likely range at the period's end ("78–96%")
    finished: bool = False  # the period is over: `outcome` says how it ended
    outcome: str = ""  # "made it: 104% of quota" / "missed by 12,000 USD: 88% of quota"
    made_it: bool | None = None

    @classmethod
    def from_slice(cls, s, href: str, **kw) -> "IndexRow":
        """A rep's headline facts (a `RepSlice` of the run's inputs) as an index row."""
        h, v = s.headline, s.values
        at_risk = h.get("at_risk")
        facts = {**h, "quota": v.get("quota"), "won": v.get("won_revenue")}
        quota = v.get("quota")
        finished = bool(h.get("finished")) and bool(quota)
        return cls(rep_id=s.rep_id, name=str(s.rep["name"]), role=str(s.rep.get("role") or ""), href=href,
                   attainment=v.get("attainment"),
                   projected_attainment=h.get("projected_attainment") if quota else None,
                   rank=None if h.get("rank") is None else int(h["rank"]), n_in_role=h.get("n_in_role"),
                   bottleneck=str(h.get("bottleneck") or ""), score=h.get("score"),
                   at_risk=None if at_risk is None or not quota else bool(at_risk),
                   risk_reason=risk_reason(facts, s.meta["currency"]) if at_risk else "",
                   risk_short=risk_short(facts) if at_risk else "",
                   likely=span(facts) if quota and not finished else "",
                   finished=finished, outcome=verdict_line(facts, s.meta["currency"]) if finished else "",
                   made_it=(h.get("verdict") == "made") if finished else None, **kw)


_esc = esc


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _order(row: IndexRow):
    """At risk first, the lowest projection first among them; then by role and rank; unknowns last."""
    proj = row.projected_attainment if not _missing(row.projected_attainment) else (
        row.attainment if not _missing(row.attainment) else math.inf)
    rank = row.rank if row.rank is not None else math.inf
    if row.at_risk:
        return (0, proj, row.role, rank, row.name, row.rep_id)
    return (1, 0.0, row.role, rank, row.name, row.rep_id)


def sort_rows(rows: list[IndexRow]) -> list[IndexRow]:
    """The order of the index table (see `SORT_NOTE`)."""
    return sorted(rows, key=_order)


def _risk_cell(r: IndexRow) -> str:
    if r.finished:
        css = "ok" if r.made_it else "risk"
        return f'<td class="{css}">{_esc(capital(r.outcome))}</td>'
    if r.at_risk is None:
        return '<td class="muted">—</td>'
    if not r.at_risk:
        return '<td class="ok">on track</td>'
    short = r.risk_short
    return (f'<td class="risk" title="{_esc(r.risk_reason)}"><strong>At risk</strong>'
            + (f'<br><span class="why">{_esc(short)}</span>' if short else "") + "</td>")


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5rem auto; padding: 0 1.5rem; max-width: 70rem; color: #1a202c; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
th { background: #f7fafc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #c53030; }
.muted { color: #718096; }
td.risk { color: #c53030; }
td.risk .why { font-size: 0.85em; color: #742a2a; }
tr.at-risk { background: #fff5f5; }
td.ok { color: #2f855a; }
a.pdf { display: inline-block; margin-top: 0.15em; font-size: 0.8em; border: 1px solid #cbd5e0; border-radius: 3px;
        padding: 0 0.3em; text-decoration: none; }
.summary { font-size: 1.1em; }
"""


def render_index(rows: list[IndexRow], *, title: str, subtitle: str = "", notes: list[str] = (),
                 trust: str = "") -> str:
    """The index page's HTML. Reports are linked by relative file name, so the folder can be moved."""
    ok = [r for r in rows if r.status == "ok"]
    failed = [r for r in rows if r.status == "failed"]
    pending = [r for r in rows if r.status not in ("ok", "failed")]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="muted">{_esc(subtitle)}</p>')
    parts.append(f"<p>{len(ok)} report(s) written, {len(failed)} failed"
                 + (f", {len(pending)} not run here" if pending else "") + ".</p>")
    if ok:
        judged = [r for r in ok if r.at_risk is not None]  # rows built without a verdict: no risk column
        with_score = any(not _missing(r.score) for r in ok)
        n_risk = sum(1 for r in judged if r.at_risk)
        over = [r for r in judged if r.finished]
        if over:
            made = sum(1 for r in over if r.made_it)
            parts.append(f'<p class="summary"><strong>The period is over: {made} of {len(over)} rep(s) made '
                         "quota.</strong></p>")
        elif judged:
            parts.append(f'<p class="summary"><strong>{n_risk} of {len(judged)} rep(s) at risk</strong> of missing '
                         "quota: they are at the top of the table.</p>" if n_risk else
                         '<p class="summary">No rep is flagged at risk of missing quota.</p>')
            if trust:
                parts.append(f'<p class="muted">How far to trust the early warning: {_esc(trust)}</p>')
        heads = ["Rep", "Role", *(["How it ended" if over else "At risk?"] if judged else []),
                 CATALOGUE["attainment"].label, *([] if over else ["Likely at the end"]),
                 *(["Score (of 100)"] if with_score else []), "Rank in role", "Funnel step to work on"]
        parts.append(f'<h2>Reports</h2><p class="muted">{_esc(SORT_NOTE if judged else SORT_NOTE_NO_RISK)}</p>'
                     "<table><thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in heads) + "</tr></thead><tbody>")
        for r in sort_rows(ok):
            rank = f"{r.rank} of {r.n_in_role}" if r.rank is not None and r.n_in_role else (
                str(r.rank) if r.rank is not None else "—")
            step = verdict(r.bottleneck)
            tr = '<tr class="at-risk">' if r.at_risk else "<tr>"
            parts.append(
                f'{tr}<td><a href="{_esc(quote(r.href))}">{data(r.name)}</a> '
                f'<span class="muted">({data(r.rep_id)})</span>'
                + (f'<br><a class="pdf" href="{_esc(quote(r.pdf_href))}" title="the report as a print-ready PDF">'
                   "PDF</a>" if r.pdf_href else "")
                + f'</td><td>{data(r.role)}</td>'
                + (_risk_cell(r) if judged else "")
                + f'<td class="num">{pct(r.attainment)}</td>'
                + ("" if over else f'<td class="num">{_esc(r.likely or "—")}</td>')
                + (f'<td class="num">{num(r.score, 1)}</td>' if with_score else "")
                + f'<td class="num">{_esc(rank)}</td><td>{_esc(step)}</td></tr>')
        parts.append("</tbody></table>")
    if failed:
        parts.append('<h2 class="failed">Failed reports</h2><table><thead><tr><th>Rep</th><th>Reason</th>'
                     "</tr></thead><tbody>")
        for r in failed:
            parts.append(f'<tr class="failed"><td>{data(r.name)} <span class="muted">({data(r.rep_id)})</span>'
                         f"</td><td>{_esc(r.reason)}</td></tr>")
        parts.append("</tbody></table>")
    if pending:
        parts.append("<h2>Not run in this batch</h2><p class=\"muted\">Other shards write these, or the run "
                     "was interrupted; run the command again to finish.</p><ul>")
        parts += [f"<li>{data(r.name)} <span class=\"muted\">({data(r.rep_id)})</span></li>" for r in pending]
        parts.append("</ul>")
    if notes:
        parts.append('<h2>Notes</h2><ul class="muted">' + "".join(f'<li dir="auto">{_esc(n)}</li>' for n in notes)
                     + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
