"""The run's snapshot: data only (Parquet + JSON), checked for version and content when loaded."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from salesnb.analysis import analyse
from salesnb.errors import ReportError
from salesnb.load import load
from salesnb.report import build_view, inputs_for
from salesnb.snapshot import MANIFEST, load_snapshot, save_snapshot


@pytest.fixture(scope="module")
def inputs(sample_dir):
    return inputs_for(analyse(load(sample_dir)))


@pytest.fixture
def saved(inputs, tmp_path):
    return save_snapshot(inputs, tmp_path / "snapshot")


def test_save_and_load_give_the_same_views(inputs, saved):
    loaded = load_snapshot(saved)
    assert loaded.rep_ids == inputs.rep_ids
    for name, frame in inputs.frames().items():
        pd.testing.assert_frame_equal(getattr(loaded, name), frame, check_dtype=False, check_index_type=False,
                                      obj=name)
    for rid in ("R001", "R015", "R022"):
        assert build_view(loaded.slice(rid)) == build_view(inputs.slice(rid))


def test_a_snapshot_holds_only_data_files(saved):
    names = sorted(p.name for p in saved.iterdir())
    assert all(n.endswith((".parquet", ".json")) for n in names), names
    manifest = json.loads((saved / MANIFEST).read_text())
    assert set(manifest["files"]) == set(names) - {MANIFEST}
    for name in names:  # no pickle anywhere: a pickle stream starts with 0x80
        assert not (saved / name).read_bytes().startswith(b"\x80"), name


def test_an_altered_file_is_refused(saved):
    meta = saved / "meta.json"
    meta.write_text(meta.read_text().replace("USD", "EUR"))
    with pytest.raises(ReportError, match="meta.json was altered"):
        load_snapshot(saved)


def test_a_snapshot_of_another_version_is_refused(saved):
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["salesnb"] = "0.0.1+0000"
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ReportError, match="another salesnb version"):
        load_snapshot(saved)


def test_a_missing_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="not a salesnb snapshot"):
        load_snapshot(tmp_path / "nothing")


def test_a_valid_snapshot_is_kept_and_a_broken_one_rewritten(inputs, saved):
    before = (saved / MANIFEST).stat().st_mtime_ns
    assert save_snapshot(inputs, saved) == saved
    assert (saved / MANIFEST).stat().st_mtime_ns == before  # another shard's copy serves as it is
    (saved / "values.parquet").write_bytes(b"junk")
    save_snapshot(inputs, saved)
    assert load_snapshot(saved).rep_ids == inputs.rep_ids
    assert not [p for p in saved.parent.iterdir() if p.name.endswith(".salesnb-tmp")]
