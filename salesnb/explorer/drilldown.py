"""One rep's one-on-one view inside the explorer: the report's own sections (`report.Report`), in the report
notebook's order, collected as HTML so they show in place.

The view is built from the period's report inputs for the weights on screen (`Explorer.rep_view`): nothing is
re-analysed, and, as in a report, no other rep is named except the suggested peer.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..present import esc

@lru_cache(maxsize=1)
def sections() -> tuple[tuple[str, str], ...]:
    """(Report method, heading) of each section of the report notebook, in its order: read from the notebook,
    so the one-on-one view shows what the report shows, section for section."""
    import nbformat

    from ..config import REPORT_NOTEBOOK

    out, heading = [], None
    for cell in nbformat.read(REPORT_NOTEBOOK, as_version=4).cells:
        if cell.cell_type == "markdown":
            heading = cell.source.strip().splitlines()[0].lstrip("#").strip() if cell.source.strip() else None
        elif (call := re.fullmatch(r"report\.(\w+)\(\)", cell.source.strip())) and heading:
            out.append((call.group(1), heading))
            heading = None
    return tuple(out)


def report_html(report) -> str:
    """Every section of a `report.Report` as one HTML string: what each shows or returns, charts as inline SVG.

    The sections display parts of themselves: in a kernel (JupyterLab, Voila) they are collected as they are
    shown; in plain Python, as the text they print.
    """
    parts = [_html(report.title())]
    for method, heading in sections():
        shown, result = _capture(getattr(report, method))
        body = "".join(_html(o) for o in [*shown, result] if o is not None)
        parts.append(f'<h3 class="snx-section">{esc(heading)}</h3>{body}')  # the class: sections may hold h3s
    return "".join(parts)


def _capture(section):
    """What a section displays (MIME bundles) and what it returns."""
    from IPython import get_ipython
    from IPython.utils.capture import capture_output

    if get_ipython() is None:  # plain Python (a script, a benchmark): what a section displays is printed
        with capture_output(stdout=True, stderr=False, display=False) as captured:
            result = section()
        return ([{"text/plain": captured.stdout}] if captured.stdout else []), result
    with capture_output(stdout=False, stderr=False) as captured:
        result = section()
    return [o.data for o in captured.outputs], result


def _html(obj) -> str:
    """HTML for a displayed bundle or a returned `Block`."""
    data = obj if isinstance(obj, dict) else {"text/html": getattr(obj, "html", None), "text/plain": repr(obj)}
    if data.get("text/html"):
        return data["text/html"]
    if data.get("image/svg+xml"):
        return f'<div class="snx-chart">{data["image/svg+xml"]}</div>'
    return f"<pre>{esc(data.get('text/plain', ''))}</pre>"
