"""Fingerprints by hand: a file's hash is sha256 of its bytes; several files' hash covers each name and its
bytes in name order, so any change to a name or a byte changes it, and the order given does not."""
from __future__ import annotations

import hashlib
import re

from salesnb import __version__
from salesnb.fingerprint import file_hash, files_hash, package_hash


def test_a_file_hash_is_the_sha256_of_its_bytes_even_past_one_read(tmp_path):
    p = tmp_path / "big.bin"
    data = bytes(range(256)) * 5000  # 1.28 MB: more than one 1 MiB read
    p.write_bytes(data)
    assert file_hash(p) == hashlib.sha256(data).hexdigest()


def test_several_files_hash_their_names_and_bytes_in_name_order(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"x,1\n")
    b.write_bytes(b"y,2\n")
    expected = hashlib.sha256(b"a.csv\0" + b"x,1\n" + b"b.csv\0" + b"y,2\n").hexdigest()
    assert files_hash([b, a]) == files_hash([str(a), str(b)]) == expected
    before = expected
    b.write_bytes(b"y,3\n")
    assert files_hash([a, b]) != before
    c = tmp_path / "c.csv"
    c.write_bytes(b"y,2\n")
    b.write_bytes(b"y,2\n")
    assert files_hash([a, c]) != files_hash([a, b])  # same bytes under another name
    assert files_hash([]) == hashlib.sha256().hexdigest()


def test_the_package_hash_names_the_version_and_a_digest():
    got = package_hash()
    assert re.fullmatch(re.escape(__version__) + r"\+[0-9a-f]{16}", got)
    assert package_hash() == got
