"""The items `wire ingest` stored from documents given by hand, by fingerprint.

A poll keeps the fingerprints of a feed's items (`feed_items`, `worker.parse.prescan`) and
does not parse a document whose items it has all seen. Files and URLs given to `wire ingest`
belong to no feed, so their items' fingerprints are kept here, salted by the options that read
them (format, provider, time zone: the same file read another way is read again), each with
the story it became and the key of that version. Ingesting a file again then costs its
fingerprints (~0.02 ms an item) instead of a parse (~0.2 ms, docs/performance.md), and the
counts are what storing it again would count (SPEC "Command line"): an item whose version is
still current is `unchanged`, one a later version replaced is `stale`.

Only a document that became exactly one story per item, without a problem, is recorded (so
the n-th item is the n-th story); any other is parsed every time, and its errors counted every
time. A document is parsed again when one of its stories is gone (retention) or its current
version is older than the one recorded. Rows not recorded again for `KEEP_DAYS` are forgotten.

The trap the poll has too: an item's story can depend on the rest of its document (RSS gives a
guid repeated within a document to the first item only, `guid#link` to the others), its
fingerprint does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Connection, Index, String, bindparam, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from worker.merge import Change, decide_merge
from worker.model import IngestCounts, VersionKey
from worker.store.models import Base, Id, StoryRow, UTCDateTime

#: fingerprints not recorded again for this long are forgotten (the table stays bounded)
KEEP_DAYS = 30


class IngestedItemRow(Base):
    """One item of a document `wire ingest` stored: the story it became, and its version."""

    __tablename__ = "ingested_items"
    __table_args__ = (Index("ix_ingested_items_seen_at", "seen_at"),)

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    story_id: Mapped[int] = mapped_column(Id)
    version_created: Mapped[datetime] = mapped_column(UTCDateTime)
    version_seq: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


_ITEMS = IngestedItemRow.__table__
_STORIES = StoryRow.__table__
_LOOKUP = (
    select(_ITEMS.c.fingerprint, _ITEMS.c.version_created, _ITEMS.c.version_seq,
           _ITEMS.c.content_hash, _STORIES.c.version_created, _STORIES.c.version_seq,
           _STORIES.c.content_hash)
    .select_from(_ITEMS.outerjoin(_STORIES, _STORIES.c.id == _ITEMS.c.story_id))
    .where(_ITEMS.c.fingerprint.in_(bindparam("fingerprints", expanding=True)))
)


def known_counts(conn: Connection, fingerprints: Sequence[str]) -> IngestCounts | None:
    """The counts of storing these items again, when every one is recorded and its story is
    still there with the recorded version or a later one; None: the document must be parsed."""
    rows = {row[0]: row for row in conn.execute(_LOOKUP, {"fingerprints": sorted(set(fingerprints))})}
    counts = IngestCounts()
    for fingerprint in fingerprints:
        row = rows.get(fingerprint)
        if row is None or row[4] is None:
            return None
        change = decide_merge(VersionKey(*row[4:7]), VersionKey(*row[1:4])).change
        if change is Change.UNCHANGED:
            counts.unchanged += 1
        elif change is Change.STALE:
            counts.stale += 1
        else:  # the store holds an older version than the one recorded
            return None
    return counts


def remember(conn: Connection, fingerprints: Sequence[str],
             stored: Sequence[tuple[int, VersionKey]], now: datetime) -> None:
    """Record each item's story and version (fingerprints[i] became stored[i]), in the
    transaction that stored them; forget rows older than KEEP_DAYS."""
    rows = {f: {"fingerprint": f, "story_id": story_id, "version_created": key.version_created,
                "version_seq": key.version, "content_hash": key.content_hash, "seen_at": now}
            for f, (story_id, key) in zip(fingerprints, stored, strict=True)}
    insert = _insert(conn)(_ITEMS)
    conn.execute(insert.on_conflict_do_update(
        index_elements=["fingerprint"],
        set_={c: insert.excluded[c] for c in ("story_id", "version_created", "version_seq",
                                              "content_hash", "seen_at")},
    ), [rows[f] for f in sorted(rows)])  # one order for every writer
    conn.execute(delete(_ITEMS).where(_ITEMS.c.seen_at < now - timedelta(days=KEEP_DAYS)))


def _insert(conn: Connection):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
