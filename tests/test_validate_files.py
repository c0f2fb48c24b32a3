"""Paths that are not readable files: folders, link loops, dangling links and pipes named like a table.

(Unreadable files and folders are in tests/test_faults.py: they need a process without root's
capabilities.)
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from salesnb.validate import validate_folder

REPS = "rep_id,name\nr1,Ann\n"
OPPS = "opportunity_id,rep_id,created_date,status,amount,close_date\no1,r1,2026-01-05,won,100,2026-02-01\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "reps.csv").write_text(REPS)
    (out / "opportunities.csv").write_text(OPPS)
    return out


def _errors(folder: Path) -> list[tuple[str, str]]:
    return [(i.file, i.message) for i in validate_folder(folder).errors]


def test_a_required_table_that_is_a_folder_is_named_as_a_folder(folder):
    (folder / "opportunities.csv").unlink()
    (folder / "opportunities.csv").mkdir()
    assert _errors(folder) == [("opportunities.csv", "is a folder, not a file.")]


def test_an_optional_table_that_is_a_folder_is_an_error_not_absent(folder):
    (folder / "activities.csv").mkdir()
    assert _errors(folder) == [("activities.csv", "is a folder, not a file.")]


@pytest.mark.parametrize("name", ["activities.csv", "reps.csv", "quotas.parquet"])
def test_a_symlink_loop_named_like_a_table_is_an_error(folder, name):
    if (folder / name).exists():
        (folder / name).unlink()
    (folder / name).symlink_to(name)
    [(file, message)] = _errors(folder)
    assert file == name and "loop" in message


def test_a_dangling_symlink_names_its_target(folder):
    (folder / "leads.csv").symlink_to("exported/leads.csv")
    [(file, message)] = _errors(folder)
    assert file == "leads.csv" and "exported/leads.csv" in message and "does not exist" in message


def test_a_symlink_to_a_real_file_is_read(folder, tmp_path):
    (tmp_path / "elsewhere.csv").write_text(REPS)
    (folder / "reps.csv").unlink()
    (folder / "reps.csv").symlink_to(tmp_path / "elsewhere.csv")
    assert validate_folder(folder).ok


def test_a_pipe_named_like_a_table_is_an_error_and_never_opened(folder):
    os.mkfifo(folder / "leads.csv")  # opening it for reading would wait for a writer forever
    result = []
    worker = threading.Thread(target=lambda: result.append(_errors(folder)), daemon=True)
    worker.start()
    worker.join(60)
    assert result == [[("leads.csv", "is not a regular file (a pipe, socket or device).")]]


def test_dataset_toml_that_is_a_folder_is_an_error(folder):
    (folder / "dataset.toml").mkdir()
    assert _errors(folder) == [("dataset.toml", "is a folder, not a file.")]


def test_dataset_toml_symlink_loop_is_an_error(folder):
    (folder / "dataset.toml").symlink_to("dataset.toml")
    [(file, message)] = _errors(folder)
    assert file == "dataset.toml" and "loop" in message


def test_the_data_folder_itself(tmp_path, folder):
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "file").write_text("x")
    assert _errors(tmp_path / "loop") == [(str(tmp_path / "loop"), "is a symbolic link that points back to itself "
                                                                   "(a loop).")]
    assert _errors(tmp_path / "file") == [(str(tmp_path / "file"), "is a file, not a folder.")]
    assert _errors(tmp_path / "nope") == [(str(tmp_path / "nope"), "does not exist.")]


def test_both_a_broken_csv_and_a_good_parquet(folder):
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"rep_id": ["r1"], "name": ["Ann"]}), folder / "reps.parquet")
    (folder / "reps.csv").unlink()
    (folder / "reps.csv").mkdir()
    assert _errors(folder) == [("reps.csv", "is a folder, not a file.")]
    shutil.rmtree(folder / "reps.csv")
    assert validate_folder(folder).ok
