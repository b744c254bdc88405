"""The archive's bytes: zstd now, and the documents archived with zlib before still read back
(worker.archive)."""

from __future__ import annotations

import hashlib
import zlib

from tests.agency_server import rss, wire_items
from worker.archive import ZSTD_MAGIC, Archive, pack, unpack


def test_a_document_is_archived_with_zstd_and_read_back_as_it_came():
    content = rss(wire_items(20))
    data = pack(content)
    assert data.startswith(ZSTD_MAGIC) and len(data) < len(content) / 3
    assert unpack(data) == content


def test_documents_archived_with_zlib_before_read_back(tmp_path):
    content = rss(wire_items(5))
    digest = hashlib.sha256(content).hexdigest()
    old = tmp_path / digest[:2] / f"{digest}.z"  # where the folder archive kept it
    old.parent.mkdir()
    old.write_bytes(zlib.compress(content, 6))
    assert unpack(zlib.compress(content, 6)) == content
    assert Archive(tmp_path).read(None, digest) == content  # type: ignore[arg-type]
