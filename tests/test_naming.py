"""Safe, unique, stable report file names for any rep id."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb.batch.naming import safe_names, safe_stem

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def test_plain_ids_are_kept_as_they_are():
    assert safe_names(["R001", "r-2", "rep_3"]) == {"R001": "R001", "r-2": "r-2", "rep_3": "rep_3"}


def test_path_tricks_become_plain_names():
    for rep_id in ("../x", "a/b", "..", ".", "/etc/passwd", "a\\b", "C:\\x", "x\x00y", ".hidden"):
        stem = safe_stem(rep_id)
        assert SAFE.match(stem), (rep_id, stem)
        assert "/" not in stem and "\\" not in stem and ".." not in stem


def test_spaces_and_non_latin_letters():
    assert safe_stem("a b").startswith("a_b-")
    assert safe_stem("Zoë").startswith("Zoe-")  # transliterated where possible
    greek = safe_stem("Ωμέγα")
    assert SAFE.match(greek) and greek.startswith("rep-")  # nothing Latin left: hash only


def test_very_long_ids_are_shortened():
    stem = safe_stem("L" * 300)
    assert len(stem) <= 48 + 1 + 10
    assert stem != safe_stem("L" * 299)  # the hash of the full id keeps them apart


def test_ids_that_clean_to_the_same_text_stay_distinct():
    names = safe_names(["a?b", "a*b", "a b", "a/b"])
    assert len(set(names.values())) == 4
    # all four clean to "a_b", so each carries its own hash
    assert all(v.startswith("a_b-") for v in names.values())


def test_case_insensitive_disks_do_not_merge_two_reps():
    names = safe_names(["AB", "ab", "Cd"])
    assert len({v.lower() for v in names.values()}) == 3
    assert names["Cd"] == "Cd"  # no clash, kept readable


def test_reserved_names_are_not_used_as_is():
    for rep_id in ("index", "INDEX", "con", "NUL", "_batch"):
        stem = safe_stem(rep_id)
        assert stem.lower() not in {"index", "con", "nul", "_batch"}


def test_names_are_stable_across_runs_and_batches():
    first = safe_names(["../x", "R1", "Ωμέγα"])
    again = safe_names(["Ωμέγα", "R1", "../x", "R2"])
    assert {k: again[k] for k in first} == first


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=20, unique=True))
def test_any_ids_give_safe_unique_names(ids):
    names = safe_names(ids)
    assert set(names) == set(ids)
    assert len({v.lower() for v in names.values()}) == len(ids)
    for v in names.values():
        assert SAFE.match(v) and len(v) <= 70, v
