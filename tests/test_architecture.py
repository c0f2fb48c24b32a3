"""The shape of the house: no import cycle among salesnb's modules, counting imports inside functions,
and the bottom layer stays free of pandas and altair."""
from __future__ import annotations

import ast
from pathlib import Path

import salesnb

PACKAGE = Path(salesnb.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every salesnb module `name` imports, at the top or inside a function (relative imports resolved)."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            root = ".".join([*base, *(node.module.split(".") if node.module else [])])
            # `from pkg import mod` imports the module when there is one, else a name of the package
            targets = [f"{root}.{a.name}" if f"{root}.{a.name}" in known else root for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_among_salesnb_modules():
    mods = _modules()
    graph = {name: _imports(name, path, set(mods)) for name, path in mods.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_import(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from salesnb import b\n")
    b = tmp_path / "b.py"
    b.write_text("from salesnb.a import f\n")
    known = {"salesnb.a", "salesnb.b"}
    graph = {"salesnb.a": _imports("salesnb.a", a, known), "salesnb.b": _imports("salesnb.b", b, known)}
    assert _cycles(graph) == [["salesnb.a", "salesnb.b"]]


def test_the_bottom_layer_imports_no_pandas_or_altair():
    mods = _modules()
    for name in ("salesnb.terms", "salesnb.present", "salesnb.words.manager", "salesnb.words.rep",
                 "salesnb.report.facts", "salesnb.report.sections"):
        tree = ast.parse(mods[name].read_text(encoding="utf-8"))
        top = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        top |= {(n.module or "").split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and not n.level}
        assert not top & {"pandas", "altair", "numpy"}, name


def test_facts_never_import_words_or_pages():
    """The diagnostics, the metrics and a report's facts are facts: the sentences and the pages that word them
    (the JSON document included) sit above them, never below."""
    mods = _modules()
    known = set(mods)
    facts = [m for m in mods if m.startswith(("salesnb.diagnostics", "salesnb.metrics"))] + \
        ["salesnb.report.facts", "salesnb.report.build", "salesnb.report.gather", "salesnb.shape"]
    for name in facts:
        above = {m for m in _imports(name, mods[name], known) if m.startswith(("salesnb.words", "salesnb.pages"))}
        assert not above, f"{name} imports {sorted(above)}"
