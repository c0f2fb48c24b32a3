"""Export an executed report notebook to one offline, self-contained HTML file.

The page uses the ``salesnb_report`` nbconvert template (JupyterLab's look with no script, CDN, font,
MathJax, require.js, mermaid or widget reference), hides all code, and inlines SVG charts. After export,
`external_references` double-checks that nothing in the page would load from a host.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache

import nbformat

from ..config import PACKAGE_DIR

TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "salesnb_report"

# Anything that makes a browser fetch: src/srcset/poster/data attributes, <link href>, CSS url() and
# @import, meta refresh. Plain <a href> links are not fetched unless clicked, so they are allowed.
_FETCHING = [
    re.compile(r"""<(?:script|img|iframe|embed|video|audio|source|track|object|input)\b[^>]*?\s(?:src|srcset|poster|data)\s*=\s*["']?\s*(?!data:|#)([^"'\s>]+)""", re.I),
    re.compile(r"""<link\b[^>]*?\shref\s*=\s*["']?\s*(?!data:|#)([^"'\s>]+)""", re.I),
    re.compile(r"""<script\b[^>]*\bsrc\b""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?!data:|#)([^"')\s]+)""", re.I),
    re.compile(r"""@import\s+["']?([^"';\s]+)""", re.I),
    re.compile(r"""<meta\b[^>]*http-equiv\s*=\s*["']?refresh""", re.I),
    re.compile(r"""<(?:image|use)\b[^>]*?\s(?:xlink:)?href\s*=\s*["']?\s*(?!data:|#)([^"'\s>]+)""", re.I),
]


def external_references(html_text: str) -> list[str]:
    """Every reference in `html_text` that would make a browser request a file or a host (should be [])."""
    found: list[str] = []
    for pattern in _FETCHING:
        for m in pattern.finditer(html_text):
            found.append(m.group(0)[:200])
    return found


_SVG_DROP = [
    re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", re.I),
    re.compile(r"<(script|foreignObject|iframe|style)\b.*?</\1\s*>", re.I | re.S),
    re.compile(r"<(script|foreignObject|iframe)\b[^>]*/>", re.I),
    re.compile(r"""\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I),
    re.compile(r"""\s(?:xlink:)?href\s*=\s*("(?!#|data:)[^"]*"|'(?!#|data:)[^']*')""", re.I),
]


def safe_svg(svg: str | list) -> str:
    """An SVG chart ready to inline in the page: no XML prolog, scripts, event handlers or outside links.

    The charts come from vl-convert (data values are XML-escaped there); this is defence in depth.
    """
    text = "".join(svg) if isinstance(svg, list) else str(svg)
    for pattern in _SVG_DROP:
        text = pattern.sub("", text)
    return text


_CHART_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


def chart_class(metadata) -> str:
    """Classes for a chart output named by the report (output metadata ``salesnb_chart``), else nothing."""
    key = (metadata or {}).get("salesnb_chart") if hasattr(metadata, "get") else None
    return f" salesnb-chart salesnb-chart-{key}" if isinstance(key, str) and _CHART_NAME.fullmatch(key) else ""


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        skip_svg_encoding=True,  # inline <svg>: drawn with no request, and searchable by the privacy scan
        embed_images=True,
        # Belt and braces: even if a template block were missed, these point nowhere.
        mathjax_url="",
        require_js_url="",
        jquery_url="",
        widget_renderer_url="",
        jupyter_widgets_base_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )
    exporter.register_filter("safe_svg", safe_svg)
    exporter.register_filter("chart_class", chart_class)
    return exporter


def strip_for_report(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `nb` fit for the reader: no stderr (warnings, logs), no widget state."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def notebook_to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The offline HTML page of an executed notebook, code hidden; raises if it would fetch anything."""
    nb = strip_for_report(nb)
    nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    refs = external_references(body)
    if refs:
        raise RuntimeError(f"the exported report would load {len(refs)} external resource(s), e.g. {refs[0]!r}")
    return body
