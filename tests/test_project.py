"""The project's own promises: one dependency list, two README commands, CI running the same one."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert m, requirement
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_name_and_spec(r) for r in reqs)


def _environment_requirements() -> dict[str, str]:
    # environment.yml is a flat list; parse the "  - name>=x" lines without a YAML dependency.
    reqs = {}
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("\ndependencies:\n", 1)[1]
    for line in dependencies.splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+[^#]*)$", line)
        if m and not m.group(1).startswith(("pip", "python")):
            name, spec = _name_and_spec(m.group(1).strip())
            reqs[name] = spec
    return reqs


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_package_itself():
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert re.search(r"- pip:\n\s+- -e \.", text)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme
    assert re.search(r"^exec make test$", ci, re.M)


def test_readme_main_command_is_a_make_target():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make reports" in readme
    assert re.search(r"^reports: .*## ", makefile, re.M)


def test_make_alone_prints_the_help():
    out = subprocess.run(["make", "-s", "-C", str(ROOT)], capture_output=True, text=True, check=True).stdout
    for target in ("reports", "test", "lab", "sample"):
        assert re.search(rf"^\s+{target}\s+\S", out, re.M), out


def test_cli_help_lists_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "salesnb", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("reports", "validate", "score", "diagnose", "import", "sample"):
        assert command in out


def test_public_api_names_resolve_and_survive_submodule_imports():
    import importlib

    import salesnb

    for name in salesnb.__all__:
        assert getattr(salesnb, name) is not None, name
    importlib.import_module("salesnb.load")
    importlib.import_module("salesnb.metrics")
    assert callable(salesnb.load_dataset) and callable(salesnb.compute_metrics) and callable(salesnb.score)
