"""The store's tables, as typed SQLAlchemy 2 models.

- `stories`: one row per story `(provider, guid)` holding its *current* version (the SPEC keys),
  its cluster and bookkeeping. The current version lives here, denormalized, so that reading
  stories never joins and the SPEC merge rule is one conditional upsert on this row.
- `versions`: the history: every distinct version received that is not current, unique on the
  version key, so re-deliveries are insert-or-ignore no-ops. A version an update replaces is
  copied in by a row trigger on `stories` (migration 0004), in the statement that replaced it;
  `wire versions` lists the history and the current version together.
- `feeds`: the configured feeds and their poll schedule (next poll, lease, failures, validators).

Times are stored as UTC: `timestamptz` on PostgreSQL, fixed-width ISO text on SQLite (so that
comparisons in SQL order correctly on both).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import text
from sqlalchemy.types import TypeDecorator

from worker.store.rows import sqlite_time, time_of

Id = BigInteger().with_variant(Integer, "sqlite")


class Json(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL.

    The PostgreSQL type is looked up when a PostgreSQL dialect asks for it: importing the
    dialect package here (for `JSON().with_variant(JSONB(), ...)`) cost every command that
    opens a SQLite store ~0.02 s of CPU at start (it imports asyncio for its asyncpg driver).
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    On SQLite the value is written as `sqlite_time` text directly (what SQLAlchemy's SQLite
    DATETIME writes, without its per-value format dictionary: the hot upsert binds three
    times per story).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return sqlite_time
        return super().bind_processor(dialect)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return time_of(value)


class Base(DeclarativeBase):
    pass


class StoryFields:
    """The SPEC keys of one version, shared by `stories` (current) and `versions` (history)."""

    version: Mapped[int | None] = mapped_column(BigInteger)
    version_seq: Mapped[int] = mapped_column(BigInteger)  # version or 0: the key's middle part
    version_created: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pubstatus: Mapped[str] = mapped_column(String(16))
    embargoed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urgency: Mapped[int | None] = mapped_column(Integer)
    signals: Mapped[list[str]] = mapped_column(Json)
    headline: Mapped[str] = mapped_column(Text)
    slugline: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    subjects: Mapped[list[str]] = mapped_column(Json)
    keywords: Mapped[list[str]] = mapped_column(Json)
    credits: Mapped[list[str]] = mapped_column(Json)
    link: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)


#: the columns of one version, in model order: the SPEC keys the store keeps and `version_seq`.
#: Every statement that writes or copies a version takes its column list from here.
VERSION_COLUMNS: tuple[str, ...] = tuple(StoryFields.__annotations__)


class StoryRow(StoryFields, Base):
    __tablename__ = "stories"
    __table_args__ = (
        UniqueConstraint("provider", "guid", name="uq_stories_provider_guid"),
        Index("ix_stories_version_created", "version_created"),
        Index("ix_stories_cluster_id", "cluster_id"),
        # (content_hash, id): the oldest story with the same words is one probe (migration 0011)
        Index("ix_stories_content_hash", "content_hash", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(64))
    guid: Mapped[str] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(Id)
    #: when the story was first received, and when its current version last changed
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: how many times the current version changed (1 on insert): tells new from updated
    revision: Mapped[int] = mapped_column(Integer, default=1)


class VersionRow(StoryFields, Base):
    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint(
            "story_id", "version_created", "version_seq", "content_hash", name="uq_versions_key"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    story_id: Mapped[int] = mapped_column(Id, ForeignKey("stories.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    provider: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    folder: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32), default="auto")
    interval: Mapped[float] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the configuration as last loaded (JSON), so config changes apply without restarts
    config: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(64))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    #: where the feed's source is (`worker.fetch.base.Position`: an HTTP feed's validators, a
    #: cursor, a queue's receipts), written with the documents it delivered (migration 0007)
    position: Mapped[dict[str, Any] | None] = mapped_column(Json)


class FeedItemRow(Base):
    """Cheap per-item fingerprints already ingested from one feed (`worker.parse.prescan`).

    A poll whose every item fingerprint is known here ends without the full parse. Rows are
    written only after the pipeline stored the items, so a crash mid-poll re-parses next time.
    """

    __tablename__ = "feed_items"
    __table_args__ = (Index("ix_feed_items_seen_at", "feed_id", "seen_at"),)

    feed_id: Mapped[int] = mapped_column(
        Id, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Columns migration 0002 adds to `feeds`: the last poll's figures, shown by `wire feeds`.
FeedRow.last_duration = mapped_column(Float, nullable=True)  # type: ignore[attr-defined]
FeedRow.last_new = mapped_column(Integer, nullable=True)  # type: ignore[attr-defined]
FeedRow.last_updated = mapped_column(Integer, nullable=True)  # type: ignore[attr-defined]
Index("ix_feeds_next_poll_at", FeedRow.__table__.c.next_poll_at)


class DedupeBandRow(Base):
    """One LSH band key of a story's text: the shared near-duplicate index (`worker.dedupe`).

    Every worker claims and looks up keys here, so the index is one for all processes. A key
    belongs to the first story that claimed it (primary key (band, hash)): the insert that
    claims it is also what serializes two workers racing on copies of one story. `at` is the
    story's version_created when it was indexed, in whole Unix seconds: lookups and pruning are
    bounded by it (BRIN on PostgreSQL: rows arrive in roughly time order, so that index stays
    tiny). An integer and not a time, because it is in every row of the hot insert: on SQLite a
    time is 26 bytes of text, and the smaller row cut the insert of a story's 17 keys by a fifth
    (migration 0005). No foreign key, on purpose: the hot path inserts 17 rows per story and
    pruning deletes by time.
    """

    __tablename__ = "dedupe_bands"
    __table_args__ = (Index("ix_dedupe_bands_at", "at", postgresql_using="brin"),)

    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    story_id: Mapped[int] = mapped_column(Id)
    at: Mapped[int] = mapped_column(BigInteger)


class DedupeRecentRow(Base):
    """SQLite: the band keys claimed since the last fold, moved into `dedupe_bands` in key
    order every `worker.dedupe.index.RECENT_MAX` rows (why: `index.fold_recent`). A key is in
    one of the two tables at most. Present on PostgreSQL too, and empty there."""

    __tablename__ = "dedupe_recent"
    __table_args__ = {"sqlite_with_rowid": False}

    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    story_id: Mapped[int] = mapped_column(Id)
    at: Mapped[int] = mapped_column(BigInteger)


class StoryChangeRow(Base):
    """One change of a story's current version: the change feed (`GET /changes`).

    Written by row triggers on `stories` (migrations 0008, 0012) in the transaction that wrote
    the version, at its commit, and by the embargo task (`embargo_lifted`). Ids are in commit
    order (`worker.store.changes` says how). The version is named by its key (in `stories`
    while current, in `versions` afterwards).
    """

    __tablename__ = "story_changes"
    __table_args__ = (
        Index("uq_story_changes_lifted", "story_id", "version_created", "version_seq",
              "content_hash", unique=True, sqlite_where=text("kind = 'embargo_lifted'"),
              postgresql_where=text("kind = 'embargo_lifted'")),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    story_id: Mapped[int] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(16))
    version_created: Mapped[datetime] = mapped_column(UTCDateTime)
    version_seq: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivered:
    """When an alert fired and what became of its delivery (story and feed alerts alike)."""

    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: pending (to deliver or retry), delivered, failed (given up)
    outcome: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)


class AlertRow(Delivered, Base):
    """One alert: a rule fired on one change of a story's version (`worker.store.alerts`).

    Written in the transaction of the version (an outbox), at most once per (rule, story,
    version key, change); the delivery's outcome is kept on it. `seq`: its place in commit
    order, set as it commits (migration 0013).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule", "story_id", "version_created", "version_seq", "content_hash",
                         "change", name="uq_alerts_once"),
        Index("ix_alerts_pending", "rule", "seq", sqlite_where=text("outcome = 'pending'"),
              postgresql_where=text("outcome = 'pending'")),
        Index("ix_alerts_fired_at", "fired_at"),
        Index("ix_alerts_seq", "seq"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(200))
    story_id: Mapped[int] = mapped_column(Id)
    change: Mapped[str] = mapped_column(String(16))
    version_created: Mapped[datetime] = mapped_column(UTCDateTime)
    version_seq: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInteger)


class AlertQueueRow(Base):
    """A rule's delivery lease: the one worker holding it delivers the rule's alerts."""

    __tablename__ = "alert_queues"

    rule: Mapped[str] = mapped_column(String(200), primary_key=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(64))


# Operations (migration 0015): feed health, per-feed counters, samples for the status page's
# charts, tombstones of purged stories.
#: poll outcomes and item changes counted on the feed row by each poll's one outcome update
POLL_COUNTERS = ("polls_ok", "polls_not_modified", "polls_unchanged", "polls_error")
ITEM_COUNTERS = ("items_new", "items_updated", "items_unchanged", "items_stale",
                 "items_duplicate")
#: the state the last poll decided (`worker.ops.health`), and since when
FeedRow.health = mapped_column(String(16), nullable=True)  # type: ignore[attr-defined]
FeedRow.health_since = mapped_column(UTCDateTime, nullable=True)  # type: ignore[attr-defined]
#: when a poll last brought a new or updated story
FeedRow.last_story_at = mapped_column(UTCDateTime, nullable=True)  # type: ignore[attr-defined]
for _counter in (*POLL_COUNTERS, *ITEM_COUNTERS):
    setattr(FeedRow, _counter, mapped_column(BigInteger, nullable=False, default=0,
                                             server_default="0"))


Index("ix_versions_received_at", VersionRow.__table__.c.received_at)


class OpsSampleRow(Base):
    """The deployment's counters summed over every feed, once a minute (`wire.ops.sample`):
    the status page's charts are the differences between consecutive samples."""

    __tablename__ = "ops_samples"

    at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    counters: Mapped[dict[str, Any]] = mapped_column(Json)


class TombstoneRow(Base):
    """A story purged by retention (`worker.ops.housekeeping`): its identity and the key of
    its last current version, so that a re-delivery of what it had is stale, never new."""

    __tablename__ = "story_tombstones"

    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    guid: Mapped[str] = mapped_column(Text, primary_key=True)
    version_created: Mapped[datetime] = mapped_column(UTCDateTime)
    version_seq: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)



class FeedAlertRow(Delivered, Base):
    """One alert on a feed's health transition (`worker.alerts.feed_events`), written in the
    transaction that records the transition; delivered like story alerts (migration 0018)."""

    __tablename__ = "feed_alerts"
    __table_args__ = (Index("ix_feed_alerts_pending", "rule", "id",
                            sqlite_where=text("outcome = 'pending'"),
                            postgresql_where=text("outcome = 'pending'")),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(200))
    feed: Mapped[str] = mapped_column(String(200))
    #: failing, quiet or recovered
    event: Mapped[str] = mapped_column(String(16))
    #: the feed as `wire feeds --json` showed it at the transition
    feed_state: Mapped[dict[str, Any]] = mapped_column(Json)


# the delivery protocols' shared state (tokens) and the archive: their own module, same metadata
# the items `wire ingest` stored from documents given by hand: their own module, same metadata
from worker.store import ingested as _ingested  # noqa: F401
from worker.store import shared as _shared  # noqa: F401
