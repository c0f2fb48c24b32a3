"""The snapshot of a batch run: `RepInputs` saved as data only, for the report tasks to read.

    folder = save_snapshot(inputs, out / "_batch" / "snapshot-<key>")
    inputs = load_snapshot(folder)

A snapshot is a folder of Parquet files (one per table) and JSON (`meta.json`, `manifest.json`). Nothing
in it is code: whoever can write to a shared output folder cannot make a machine that reads it run
anything. `manifest.json` names the snapshot format, the salesnb that wrote it and a sha256 of every
file; `load_snapshot` refuses a snapshot from another version or one whose files were altered.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ReportError
from .fingerprint import file_hash, package_hash

SNAPSHOT_FORMAT = "salesnb-snapshot/2"
MANIFEST = "manifest.json"
META = "meta.json"


def save_snapshot(inputs, folder: str | os.PathLike) -> Path:
    """Write `inputs` to `folder` (created whole in a temporary folder beside it, then renamed into place).

    An existing valid snapshot at `folder` is kept as it is: shards of one run write the same snapshot,
    and whichever lands first serves the others.
    """
    import pandas as pd

    folder = Path(folder)
    if folder.is_dir():
        try:
            check_snapshot(folder)
            return folder
        except ReportError:
            shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".salesnb-tmp", dir=folder.parent))
    try:
        files = {}
        for name, frame in inputs.frames().items():
            path = tmp / f"{name}.parquet"
            pd.DataFrame(frame).to_parquet(path, index=True)
            files[path.name] = file_hash(path)
        (tmp / META).write_text(json.dumps(inputs.meta, ensure_ascii=False, sort_keys=True, allow_nan=False,
                                           default=str), encoding="utf-8")
        files[META] = file_hash(tmp / META)
        manifest = {"format": SNAPSHOT_FORMAT, "salesnb": package_hash(), "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another shard renamed its copy into place first: use theirs
            check_snapshot(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def check_snapshot(folder: Path) -> dict:
    """The manifest of a snapshot that is complete, unaltered and written by this salesnb; else ReportError."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ReportError(f"{folder} is not a salesnb snapshot (no readable {MANIFEST}): run the reports again.") \
            from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ReportError(f"{folder / MANIFEST} lists no files, so it is not a salesnb snapshot: run the reports "
                          "again to rebuild it.")
    if manifest.get("format") != SNAPSHOT_FORMAT or manifest.get("salesnb") != package_hash():
        raise ReportError(f"{folder} was written by another salesnb version ({manifest.get('salesnb')}, this is "
                          f"{package_hash()}): run the reports again to rebuild it.")
    from .report.inputs import RepInputs

    missing = sorted({META, *(f"{name}.parquet" for name in RepInputs.FRAMES)} - set(manifest["files"]))
    if missing:  # an empty or cut manifest would pass the checks below, then fail every report
        raise ReportError(f"{folder / MANIFEST} does not list {', '.join(missing)}: the snapshot is incomplete. "
                          "Run the reports again to rebuild it.")
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or file_hash(path) != digest:
            raise ReportError(f"{path} was altered or is missing since the snapshot was written: run the "
                              "reports again to rebuild it.")
    return manifest


def load_snapshot(folder: str | os.PathLike):
    """The `RepInputs` saved in `folder`, after checking version and content."""
    import pandas as pd

    from .report.inputs import RepInputs

    folder = Path(folder)
    manifest = check_snapshot(folder)
    frames = {name.removesuffix(".parquet"): pd.read_parquet(folder / name)
              for name in manifest["files"] if name.endswith(".parquet")}
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    return RepInputs(meta=meta, **frames)
