"""Re-execute the committed notebooks on the bundled sample, so their stored outputs are what a manager sees.

Run it (``make notebooks``) after a change in salesnb/ or data/sample/ that changes what the notebooks show,
then review the diff of the outputs: `pytest --nbval` compares against them.
Timings and other volatile metadata are stripped so the diff shows only real changes.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill

HERE = Path(__file__).resolve().parent
NOTEBOOKS = ("team_explorer.ipynb", "rep_report.ipynb")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop execution timings and papermill's run record (they change on every run), and widget views: a view
    needs the kernel that made it (opened later it reads "model not found"); its text snapshot stays instead."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
                output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def kernelspec(name: str = "python3") -> dict:
    """The kernel's spec as JupyterLab writes it on opening: a different display name marks the notebook
    changed ("unsaved") the moment it opens."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(name)
    return {"display_name": spec.display_name, "language": spec.language, "name": name}


def refresh(name: str) -> None:
    path = HERE / name
    fd, tmp = tempfile.mkstemp(suffix=".ipynb", dir=HERE)
    os.close(fd)
    try:
        papermill.execute_notebook(str(path), tmp, cwd=str(HERE), kernel_name="python3", progress_bar=False)
        nb = scrub(nbformat.read(tmp, as_version=4))
        nb.metadata["kernelspec"] = kernelspec()
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"refreshed {path}")


if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        refresh(name)
