"""The archive of fetched documents: every document a feed delivered, as it came.

SPEC "Delivery protocols": each fetched document is archived, and `wire reparse` runs the
archived documents through today's parsers by the normal rules, so a parser fix repairs history
(a re-delivered version is a no-op; a version whose stories parse differently now is stored as
the merge rule says).

- content-addressed: a document is kept once per feed under the SHA-256 of its bytes, with the
  feed, the time it was first fetched, its name and the feed's parse options then; the same
  bytes fetched again (a wireQ entry that came back, an FTP file fetched again after a failed
  move) add nothing;
- compressed with zstd (level 3): wire text compresses 4-8 times, as small as zlib's default
  level makes it at a twelfth of its CPU (a 380 KB document: 2 ms against 24; the compression
  was half of a new item's worker CPU, docs/performance.md). Documents archived with zlib
  before are read as well (`unpack` tells the two by their first bytes);
- where: `WIRE_ARCHIVE` names a folder (files `<digest[:2]>/<digest>.z`, written to a
  temporary name and renamed, so a crash never leaves half a file), or `store` for the
  `archive_blobs` table. Unset, an embedded SQLite store archives into a folder beside its file
  (`wire-archive/` next to `wire.db`) and PostgreSQL into itself, where every worker on every
  machine reaches it;
- the list of what is archived is always in the store (`archive_documents`), so `wire reparse
  --since --feed` is one query;
- retention: `WIRE_ARCHIVE_DAYS` (default 90); `prune` drops older entries and the bytes no
  entry uses any more (the maintenance task runs it hourly).

A poll archives only what it is about to parse: a 304, an unchanged body or a document whose
items are all known archives nothing, so an unchanged feed costs nothing more. A document's
entry is written in the transaction that stores its stories and moves the feed's position
(`pack` before it, `record` in it), so the archive never lists a document whose stories a
crash kept out of the store; one that cannot be read or parsed is archived on its own.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import zstandard
from sqlalchemy import Connection, Engine, delete, exists, select
from sqlalchemy.engine import make_url

from worker.model import Document
from worker.settings import Settings
from worker.store.shared import ArchiveBlobRow, ArchivedDocumentRow, insert_of

FOLDER_NAME = "wire-archive"
LEVEL = 3
#: how a zstd frame begins (RFC 8878); a zlib stream begins with 0x78
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def pack(content: bytes) -> bytes:
    """A document as the archive keeps it (zstd)."""
    return zstandard.ZstdCompressor(level=LEVEL).compress(content)


def unpack(data: bytes) -> bytes:
    """A document as archived: zstd, or zlib when it was archived before zstd."""
    if data.startswith(ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(data)
    return zlib.decompress(data)


@dataclass(frozen=True)
class ArchivedDocument:
    id: int
    feed: str
    digest: str
    fetched_at: datetime
    options: dict[str, Any]
    document: Document


@dataclass(frozen=True)
class Packed:
    """A document ready to enter the archive (`Archive.pack`); `data` is what the store keeps
    (None: its file is written already)."""

    feed: str
    digest: str
    document: Document
    data: bytes | None


@dataclass(frozen=True)
class Archive:
    """Where documents are archived: `folder`, or the store when it is None."""

    folder: Path | None
    retention_days: float = 90.0

    def put(self, engine: Engine, feed: str, document: Document, options: dict[str, Any],
            fetched_at: datetime) -> str:
        """Archive `document` for `feed` in a transaction of its own (nothing if these bytes
        are archived for it already); returns its digest."""
        packed = self.pack(engine, feed, document)
        if packed is not None:
            with engine.begin() as conn:
                self.record(conn, packed, options, fetched_at)
        return hashlib.sha256(document.content).hexdigest() if packed is None else packed.digest

    def pack(self, engine: Engine, feed: str, document: Document) -> Packed | None:
        """A document compressed and, for a folder archive, written to its file (content-
        addressed, so a file no row names is harmless), to be `record`ed in the transaction
        that stores its stories; None when these bytes are archived for the feed already."""
        digest = hashlib.sha256(document.content).hexdigest()
        with engine.connect() as conn:
            known = conn.execute(select(ArchivedDocumentRow.id).where(
                ArchivedDocumentRow.feed == feed, ArchivedDocumentRow.digest == digest)).first()
        if known is not None:
            return None
        data = pack(document.content)
        if self.folder is not None:
            self._write(digest, data)
        return Packed(feed, digest, document, None if self.folder is not None else data)

    def record(self, conn: Connection, packed: Packed, options: dict[str, Any],
               fetched_at: datetime) -> None:
        """Enter a packed document in the archive, in `conn`'s transaction (again: no-op)."""
        insert = insert_of(conn)
        if packed.data is not None:
            conn.execute(insert(ArchiveBlobRow).values(digest=packed.digest, data=packed.data)
                         .on_conflict_do_nothing())
        document = packed.document
        conn.execute(insert(ArchivedDocumentRow).values(
            feed=packed.feed, digest=packed.digest, name=document.name,
            content_type=document.content_type, size=len(document.content), options=options,
            fetched_at=fetched_at,
        ).on_conflict_do_nothing())

    def documents(self, engine: Engine, since: datetime | None = None,
                  feed: str | None = None) -> Iterator[ArchivedDocument]:
        """The archived documents, oldest fetch first (optionally of one feed, since a time)."""
        query = select(ArchivedDocumentRow).order_by(ArchivedDocumentRow.fetched_at,
                                                     ArchivedDocumentRow.id)
        if since is not None:
            query = query.where(ArchivedDocumentRow.fetched_at >= since)
        if feed is not None:
            query = query.where(ArchivedDocumentRow.feed == feed)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            content = self.read(engine, row.digest)
            yield ArchivedDocument(row.id, row.feed, row.digest, row.fetched_at, row.options,
                                   Document(name=row.name, content=content,
                                            content_type=row.content_type,
                                            received_at=row.fetched_at))

    def read(self, engine: Engine, digest: str) -> bytes:
        if self.folder is not None:
            return unpack(self._path(digest).read_bytes())
        with engine.connect() as conn:
            data = conn.execute(select(ArchiveBlobRow.data)
                                .where(ArchiveBlobRow.digest == digest)).scalar_one()
        return unpack(data)

    def prune(self, engine: Engine, now: datetime) -> int:
        """Forget documents first fetched over `retention_days` ago; returns how many."""
        cutoff = now - timedelta(days=self.retention_days)
        with engine.begin() as conn:
            old = conn.execute(select(ArchivedDocumentRow.digest)
                               .where(ArchivedDocumentRow.fetched_at < cutoff)).scalars().all()
            if not old:
                return 0
            conn.execute(delete(ArchivedDocumentRow).where(ArchivedDocumentRow.fetched_at < cutoff))
            still = set(conn.execute(select(ArchivedDocumentRow.digest).where(
                ArchivedDocumentRow.digest.in_(set(old)))).scalars())
            unused = set(old) - still
            if self.folder is None and unused:
                conn.execute(delete(ArchiveBlobRow).where(ArchiveBlobRow.digest.in_(unused),
                             ~exists().where(ArchivedDocumentRow.digest == ArchiveBlobRow.digest)))
        if self.folder is not None:
            for digest in unused:
                self._path(digest).unlink(missing_ok=True)
        return len(old)

    def _path(self, digest: str) -> Path:
        assert self.folder is not None
        return self.folder / digest[:2] / f"{digest}.z"

    def _write(self, digest: str, data: bytes) -> None:
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)


def archive_of(settings: Settings) -> Archive:
    """The archive the settings name (SPEC "Environment": WIRE_ARCHIVE)."""
    days = settings.archive_days
    if settings.archive and settings.archive.strip().lower() == "store":
        return Archive(None, days)
    if settings.archive:
        return Archive(Path(settings.archive).expanduser(), days)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Archive(Path(str(url.database)).resolve().parent / FOLDER_NAME, days)
    return Archive(None, days)
