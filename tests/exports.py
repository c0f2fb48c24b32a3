"""Writing a tiny CRM export and importing it: shared by the importer tests that state their files by hand."""
from __future__ import annotations

from pathlib import Path

from salesnb.importers import import_export


def import_files(tmp_path: Path, mapping: str, files: dict[str, str]):
    """Write `files` (file name -> text, in the order given) and `mapping` into ``tmp_path/export``, import them
    into ``tmp_path/ds`` and return the import's result (it raises as `import_export` does)."""
    src = tmp_path / "export"
    src.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (src / name).write_text(text)
    (src / "m.toml").write_text(mapping)
    return import_export([src / name for name in files], tmp_path / "ds", src / "m.toml")
