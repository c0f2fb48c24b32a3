"""The manager's index page: every rep with headline figures and a link to the report; failures with
their reason. One static, offline HTML file; every value from data is escaped."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass
class IndexRow:
    """One rep on the index page."""

    rep_id: str
    name: str
    role: str = ""
    status: str = "ok"  # "ok", "failed", "pending" (another shard, or not run yet)
    href: str = ""  # report file name, relative to the index
    attainment: float | None = None
    projected_attainment: float | None = None
    rank: int | None = None
    n_in_role: int | None = None
    bottleneck: str = ""
    reason: str = ""  # for failures: the cell and the message
    extra: dict = field(default_factory=dict)


def _esc(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _pct(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v) * 100:.0f}%"


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5rem auto; padding: 0 1.5rem; max-width: 70rem; color: #1a202c; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
th { background: #f7fafc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #c53030; }
.muted { color: #718096; }
"""


def render_index(rows: list[IndexRow], *, title: str, subtitle: str = "") -> str:
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
        parts.append("<h2>Reports</h2><table><thead><tr><th>Rep</th><th>Role</th><th>Attainment</th>"
                     "<th>Projected attainment</th><th>Rank in role</th><th>Funnel step to work on</th>"
                     "</tr></thead><tbody>")
        for r in ok:
            rank = f"{r.rank} of {r.n_in_role}" if r.rank is not None and r.n_in_role else (
                str(r.rank) if r.rank is not None else "—")
            parts.append(
                f'<tr><td><a href="{_esc(quote(r.href))}">{_esc(r.name)}</a> '
                f'<span class="muted">({_esc(r.rep_id)})</span></td><td>{_esc(r.role)}</td>'
                f'<td class="num">{_pct(r.attainment)}</td><td class="num">{_pct(r.projected_attainment)}</td>'
                f'<td class="num">{_esc(rank)}</td><td>{_esc(r.bottleneck) or "—"}</td></tr>')
        parts.append("</tbody></table>")
    if failed:
        parts.append('<h2 class="failed">Failed reports</h2><table><thead><tr><th>Rep</th><th>Reason</th>'
                     "</tr></thead><tbody>")
        for r in failed:
            parts.append(f'<tr class="failed"><td>{_esc(r.name)} <span class="muted">({_esc(r.rep_id)})</span>'
                         f"</td><td>{_esc(r.reason)}</td></tr>")
        parts.append("</tbody></table>")
    if pending:
        parts.append("<h2>Not run in this batch</h2><p class=\"muted\">Other shards write these, or the run "
                     "was interrupted; run the command again to finish.</p><ul>")
        parts += [f"<li>{_esc(r.name)} <span class=\"muted\">({_esc(r.rep_id)})</span></li>" for r in pending]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
