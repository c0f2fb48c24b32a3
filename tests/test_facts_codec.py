"""The facts codec, value by value: each kind it writes comes back as the same value of the same type, the
JSON on disk is strict, and what it cannot write or must not build is refused with a `CodecError`."""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.facts import codec
from salesnb.periods import Period


def back(v):
    return codec.from_plain(json.loads(json.dumps(codec.to_plain(v), allow_nan=False)))


@pytest.mark.parametrize("value, kind", [
    (None, type(None)), (True, bool), (False, bool), ("$f", str), (np.bool_(True), bool), (np.int64(7), int),
    (np.float32(0.5), float), (3, int), (2.25, float), (Path("a/b.csv"), Path),
])
def test_plain_values_come_back_equal_and_of_a_plain_type(value, kind):
    got = back(value)
    assert type(got) is kind or isinstance(got, kind)
    assert got == value or (value is None and got is None)


def test_special_floats_missing_values_and_times_come_back_exactly():
    assert back(float("inf")) == math.inf and back(-math.inf) == -math.inf and math.isnan(back(math.nan))
    assert back(pd.NaT) is pd.NaT and back(pd.NA) is pd.NA
    for unit in ("s", "ms", "ns"):
        ts = pd.Timestamp("2026-03-01 12:30:05").as_unit(unit)
        got = back(ts)
        assert got == ts and got.unit == unit
    got = back(np.datetime64("2026-03-01T00:00:00"))
    assert got == pd.Timestamp("2026-03-01") and isinstance(got, pd.Timestamp)
    assert back(pd.Timedelta(days=3, seconds=1)) == pd.Timedelta(days=3, seconds=1)


def test_containers_keep_their_kind():
    assert back((1, (2, "x"))) == (1, (2, "x")) and isinstance(back((1,)), tuple)
    assert back({3, 1, 2}) == {1, 2, 3} and back(frozenset({"a"})) == {"a"}
    assert back([1, [2, None]]) == [1, [2, None]]
    arr = back(np.array([1.5, 2.5]))
    assert isinstance(arr, np.ndarray) and arr.tolist() == [1.5, 2.5]
    idx = back(pd.Index(["r1", "r2"], name="rep_id"))
    assert isinstance(idx, pd.Index) and idx.tolist() == ["r1", "r2"] and idx.name == "rep_id"
    # keys that are not plain text, or that look like the codec's own markers, are kept as items
    odd = {7: "int", ("a", 1): "tuple", "$ts": "marker", "plain": {"nested": 1}}
    assert back(odd) == odd
    assert back({"a": 1, "b": [2]}) == {"a": 1, "b": [2]}
    assert codec.to_plain({"a": 1}) == {"a": 1}  # plain text keys stay a plain JSON object


@settings(max_examples=60, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4),
    max_leaves=20))
def test_any_tree_of_plain_values_comes_back_equal(value):
    assert back(value) == value


def test_a_dataclass_comes_back_as_itself_and_ignores_a_field_it_no_longer_has():
    p = Period(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"), "2026-Q1", "quarter")
    got = back(p)
    assert got == p and type(got) is Period
    tree = codec.to_plain(p)
    tree["fields"]["gone_since"] = 1  # written by an older salesnb
    assert codec.from_plain(tree) == p


def test_what_cannot_be_written_or_must_not_be_built_is_refused():
    with pytest.raises(codec.CodecError, match="complex"):
        codec.to_plain(1j)

    @dataclasses.dataclass
    class Foreign:
        x: int = 1
    with pytest.raises(codec.CodecError, match="not a salesnb dataclass"):
        codec.to_plain(Foreign())
    with pytest.raises(codec.CodecError, match="plain JSON"):
        codec.to_plain(pd.DataFrame({"a": [1]}))
    with pytest.raises(codec.CodecError, match="not a dataclass"):
        codec.from_plain({"$dc": "salesnb.terms:role_key", "fields": {}})
    with pytest.raises(codec.CodecError, match="not a salesnb class"):
        codec.from_plain({"$dc": "salesnbx.evil:Thing", "fields": {}})


def test_frames_keep_columns_index_attrs_and_each_column_kind(tmp_path):
    frame = pd.DataFrame({"text": ["a", None, "c"], "lists": [("x",), ["y", "z"], None],
                          "mixed": [1, "two", None], 5: [1.0, 2.0, 3.0]},
                         index=pd.Index([10, 20, 30], name="n"))
    frame.attrs = {"why": "a reason", "count": 3}
    series = pd.Series([1, 2], name=4)
    empty = pd.DataFrame(index=pd.RangeIndex(0))
    files = codec.dump({"frame": frame, "series": series, "empty": empty}, tmp_path)
    assert [f.name for f in files] == ["f0.parquet", "f1.parquet", "f2.parquet", codec.TREE]
    json.loads((tmp_path / codec.TREE).read_text(encoding="utf-8"),
               parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    got = codec.load(tmp_path)
    f = got["frame"]
    assert list(f.columns) == ["text", "lists", "mixed", 5] and f.index.name == "n" and f.index.tolist() == [10, 20, 30]
    assert f.attrs == {"why": "a reason", "count": 3}
    assert f["text"].tolist()[::2] == ["a", "c"] and pd.isna(f["text"].tolist()[1])
    assert f["lists"].tolist() == [["x"], ["y", "z"], None]
    assert f["mixed"].tolist()[:2] == [1, "two"] and type(f["mixed"].tolist()[0]) is int
    assert f[5].tolist() == [1.0, 2.0, 3.0]
    assert got["series"].name == 4 and got["series"].tolist() == [1, 2]
    assert got["empty"].shape == (0, 0)
    assert frame.attrs == {"why": "a reason", "count": 3}  # the frame written is not changed


def test_the_tree_on_disk_is_readable_text_with_plain_numbers(tmp_path):
    codec.dump({"name": "Zoë Ørsted", "rate": 2.5, "tags": {1, "a"}, "$ts": "not a time"}, tmp_path)
    raw = (tmp_path / codec.TREE).read_bytes()
    assert "Zoë Ørsted".encode("utf-8") in raw  # names stay readable, not \u escapes
    tree = json.loads(raw)
    assert tree["$items"][1] == ["rate", 2.5]  # a finite number is a JSON number
    got = codec.load(tmp_path)
    assert got == {"name": "Zoë Ørsted", "rate": 2.5, "tags": {1, "a"}, "$ts": "not a time"}


def test_a_salesnb_class_that_is_not_a_dataclass_is_never_built():
    with pytest.raises(codec.CodecError, match="not a dataclass"):
        codec.from_plain({"$dc": "salesnb.facts.codec:CodecError", "fields": {}})


def test_a_frame_parquet_cannot_hold_is_refused_naming_its_columns(tmp_path):
    with pytest.raises(codec.CodecError, match=r"cannot write a frame with columns \['z'\]"):
        codec.dump({"f": pd.DataFrame({"z": [1 + 2j]})}, tmp_path)
