"""The feeds table: config sync, claiming due feeds, a poll's lease and outcome, item fingerprints.

The per-feed schedule lives here, not in Celery beat (docs/design.md "Polling"):

- `sync_feeds` makes the table match the configuration file: new feeds are due at once, changed
  ones take their new settings (a new URL forgets the old validators), removed ones are deleted
  (their stories stay). Idempotent, so two dispatchers syncing at once do no harm.
- `claim_due` claims due feeds in ONE statement: `UPDATE ... SET lease_until, lease_token WHERE
  due AND unleased ... RETURNING`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite runs one
  writer at a time, so the statement is atomic there by itself). Two beats or two dispatchers
  therefore never claim one feed twice; a crashed worker's claim expires.
- `begin_poll` renews the claim if, and only if, the message's token still holds it; `finish_poll`
  writes the outcome and releases the lease under the same condition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from worker.config import FeedConfig, WireConfig
from worker.polling import CLAIM_SLACK, MAX_MESSAGE_EXPIRY
from worker.store.db import autocommit_engine, run_transaction
from worker.store.models import FeedItemRow, FeedRow
from worker.store.raw import RawStatement, multi_row

log = logging.getLogger(__name__)

#: the longest a dispatcher's claim lasts (`worker.polling.claim_seconds` of any feed)
MAX_CLAIM_SECONDS = MAX_MESSAGE_EXPIRY + CLAIM_SLACK
#: fingerprints not seen in a full parse for this long are forgotten (the table stays bounded)
FINGERPRINT_DAYS = 30


@dataclass(frozen=True)
class SyncResult:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _row_values(feed: FeedConfig) -> dict[str, Any]:
    return {
        "provider": feed.provider,
        "url": feed.source if feed.url is not None else None,  # credentials masked
        "folder": feed.folder,
        "format": feed.format,
        "interval": feed.interval,
        "enabled": feed.enabled,
        "config": feed.stored(),  # templates as written, literal secrets masked
    }


def sync_feeds(engine: Engine, config: WireConfig, now: datetime) -> SyncResult:
    """Make the feeds table match the configuration (SPEC: changes apply without restarts)."""
    wanted = {f.name: f for f in config.feeds}
    added, changed = [], []
    with engine.begin() as conn:
        rows = {r.name: r for r in conn.execute(select(FeedRow).order_by(FeedRow.name))}
        removed = sorted(set(rows) - set(wanted))
        if removed:
            conn.execute(delete(FeedRow).where(FeedRow.name.in_(removed)))
        for name in sorted(wanted):
            feed, row = wanted[name], rows.get(name)
            values = _row_values(feed)
            if row is None:
                insert = _insert(engine)(FeedRow).values(
                    name=name, next_poll_at=now, consecutive_failures=0, **values
                )
                if conn.execute(insert.on_conflict_do_nothing()).rowcount:
                    added.append(name)
                continue
            if row.config == values["config"]:
                continue
            changed.append(name)
            if row.url != values["url"] or row.folder != feed.folder:
                values.update(position=None, consecutive_failures=0, next_poll_at=now)
            elif row.next_poll_at is None or row.next_poll_at > now + timedelta(
                seconds=feed.interval
            ):
                values["next_poll_at"] = now + timedelta(seconds=feed.interval)
            if feed.enabled and not row.enabled:
                values["next_poll_at"] = now
            conn.execute(update(FeedRow).where(FeedRow.id == row.id).values(**values))
    return SyncResult(tuple(added), tuple(changed), tuple(removed))


def _insert(engine: Engine | Connection) -> Any:
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


@dataclass(frozen=True)
class Claim:
    feed_id: int
    name: str
    interval: float


def claim_due(
    engine: Engine, now: datetime, token: str, lease_for: float | Callable[[float], float],
    limit: int = 500,
) -> list[Claim]:
    """Claim up to `limit` due, unleased, enabled feeds in one statement; most overdue first.

    `lease_for(interval)` is how long each claim lasts (a number: the same for all). A claim
    only needs to outlast its poll message's wait in the queue: the poll renews it when it
    starts, so a message that is lost or dropped frees its feed that soon (`polling`).
    """
    longest = lease_for if isinstance(lease_for, (int, float)) else MAX_CLAIM_SECONDS
    due = (
        select(FeedRow.id)
        .where(
            FeedRow.enabled.is_(True),
            FeedRow.next_poll_at <= now,
            or_(FeedRow.lease_until.is_(None), FeedRow.lease_until < now),
        )
        .order_by(FeedRow.next_poll_at)
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(FeedRow)
        .where(FeedRow.id.in_(due.scalar_subquery()))
        .values(lease_until=now + timedelta(seconds=longest), lease_token=token)
        .returning(FeedRow.id, FeedRow.name, FeedRow.interval)
    )

    def work(conn: Connection) -> list[Claim]:
        claims = [Claim(r.id, r.name, r.interval) for r in conn.execute(statement)]
        if not isinstance(lease_for, (int, float)):
            shorter = [{"feed_id": c.feed_id, "token": token,
                        "lease_until": now + timedelta(seconds=lease_for(c.interval))}
                       for c in claims if lease_for(c.interval) < longest]
            if shorter:  # our own claims: shortening them needs no lock
                conn.execute(_SET_LEASE, shorter)
        return claims

    return run_transaction(engine, work, autocommit=True)


def release_claim(engine: Engine, feed_id: int, token: str) -> bool:
    """Give a claimed feed back at once (its poll message was dropped unrun); only while
    `token` holds it. The feed is still due, so the next tick claims it again."""
    with autocommit_engine(engine).begin() as conn:
        return bool(conn.execute(_RELEASE, {"feed_id": feed_id, "token": token}).rowcount)


def begin_poll(
    engine: Engine, feed_id: int, token: str, now: datetime, lease_seconds: float,
    time_limit: float,
) -> Any | None:
    """The feed's row when `token` still holds it, else None (another poll owns the feed).

    The claim must outlive the run: the task's hard `time_limit` from now. The dispatcher's
    claim only covers the message's wait in the queue, so it is renewed here to `lease_seconds`
    from now; a claim that already covers the run (a poll run by hand with a long claim) is only
    read. Nobody else can claim the feed meanwhile: the dispatcher claims only feeds whose
    lease has run out.
    """
    params = {"feed_id": feed_id, "token": token,
              "lease_until": now + timedelta(seconds=lease_seconds)}
    # half the slack a fresh claim has past the time limit: room for clock skew and queueing
    enough = now + timedelta(seconds=time_limit + (lease_seconds - time_limit) / 2)

    def work(conn: Connection) -> Any | None:
        row = conn.execute(_HOLDER, params).first()
        if row is None or (row.lease_until is not None and row.lease_until >= enough):
            return row
        return conn.execute(_BEGIN_POLL, params).first()

    return run_transaction(engine, work, autocommit=True)


def set_position(conn: Connection, feed_id: int, token: str, position: Mapping[str, Any]
                 ) -> bool:
    """Keep the feed's source position, in the transaction that stored what it delivered;
    only while `token` holds the feed (False otherwise: another poll owns the feed now)."""
    return bool(conn.execute(_SET_POSITION, {"feed_id": feed_id, "token": token,
                                             "position": dict(position)}).rowcount)


def finish_poll(engine: Engine, feed_id: int, token: str, values: dict[str, Any],
                added: Mapping[str, int] | None = None,
                then: Callable[[Connection], Any] | None = None) -> bool:
    """Write a poll's outcome and release the lease; False when the token no longer holds it.

    `added`: counters of the feed row (`models.POLL_COUNTERS`, `ITEM_COUNTERS`) to add to, in
    the same statement (the poll of an unchanged feed pays no extra statement for them).
    `then(conn)`: more to write in the same transaction, only if the token still held the feed
    (a health transition's alerts); without it the update runs alone, in autocommit.
    """
    added = {name: n for name, n in (added or {}).items() if n}
    statement = _finish_poll(frozenset(values), frozenset(added))
    params = {**values, **{f"add_{name}": n for name, n in added.items()},
              "feed_id": feed_id, "token": token}
    if then is None:
        with autocommit_engine(engine).begin() as conn:  # one statement
            return bool(conn.execute(statement, params).rowcount)

    def work(conn: Connection) -> bool:
        kept = bool(conn.execute(statement, params).rowcount)
        if kept:
            then(conn)
        return kept

    return run_transaction(engine, work)


# The statements of every poll, built once: building an ORM update per call (values
# coerced, a cache key generated) cost more worker CPU than running it (bench, PostgreSQL)
_FEEDS = FeedRow.__table__
_HOLDS_LEASE = and_(_FEEDS.c.id == bindparam("feed_id"), _FEEDS.c.lease_token == bindparam("token"))
_BEGIN_POLL = (update(_FEEDS).where(_HOLDS_LEASE)
               .values(lease_until=bindparam("lease_until")).returning(*_FEEDS.c))
_HOLDER = select(_FEEDS).where(_HOLDS_LEASE)
_SET_POSITION = update(_FEEDS).where(_HOLDS_LEASE).values(position=bindparam("position"))
_SET_LEASE = update(_FEEDS).where(_HOLDS_LEASE).values(lease_until=bindparam("lease_until"))
_RELEASE = update(_FEEDS).where(_HOLDS_LEASE).values(lease_until=None, lease_token=None)




@lru_cache(maxsize=64)
def _finish_poll(columns: frozenset[str], counters: frozenset[str] = frozenset()) -> Any:
    """The outcome update for this set of columns and counters (a poll writes one of a few)."""
    values: dict[str, Any] = {name: bindparam(name) for name in sorted(columns)}
    for name in sorted(counters):
        values[name] = _FEEDS.c[name] + bindparam(f"add_{name}")
    return update(_FEEDS).where(_HOLDS_LEASE).values(lease_until=None, lease_token=None,
                                                     **values)


_ITEMS = FeedItemRow.__table__


@lru_cache(maxsize=16)
def _known(n: int) -> RawStatement:
    """Which of n fingerprints a feed has."""
    names = [f"f{i}" for i in range(n)]
    return RawStatement(select(_ITEMS.c.fingerprint).where(
        _ITEMS.c.feed_id == bindparam("feed_id"),
        _ITEMS.c.fingerprint.in_([bindparam(name) for name in names])), ("feed_id", *names))


def known_fingerprints(engine: Engine, feed_id: int, fingerprints: Iterable[str]) -> set[str]:
    wanted = list(set(fingerprints))
    known: set[str] = set()
    with autocommit_engine(engine).connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            known.update(r[0] for r in _known(len(chunk)).execute(conn, (feed_id, *chunk)))
    return known


def record_fingerprints(
    conn: Connection, feed_id: int, fingerprints: Iterable[str], now: datetime
) -> None:
    """Remember items as ingested, forget very old ones; in the transaction that stored them.

    Both statements run on the driver connection (`worker.store.raw`): SQLAlchemy's parameter
    processing cost 0.7 of the 1.0 ms these statements took for a 100-item document on SQLite.
    """
    wanted = sorted(set(fingerprints))  # one order for every writer: no deadlock on PostgreSQL
    stamp = _seen_at(conn.dialect)(now)
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        _remember(len(chunk)).execute(conn, [v for f in chunk for v in (feed_id, f, stamp)])
    _FORGET.execute(conn, (feed_id, _seen_at(conn.dialect)(now - timedelta(days=FINGERPRINT_DAYS))))


@lru_cache(maxsize=16)
def _remember(n: int) -> RawStatement:
    """The upsert of n fingerprints seen now."""
    def build(values: list[dict[str, Any]]) -> Any:
        insert = postgresql.insert(FeedItemRow).values(values)
        return insert.on_conflict_do_update(index_elements=["feed_id", "fingerprint"],
                                            set_={"seen_at": insert.excluded.seen_at})
    return multi_row(build, ("feed_id", "fingerprint", "seen_at"), n)


_FORGET = RawStatement(delete(_ITEMS).where(_ITEMS.c.feed_id == bindparam("feed_id"),
                                            _ITEMS.c.seen_at < bindparam("before")),
                       ("feed_id", "before"))


@lru_cache(maxsize=4)
def _seen_at(dialect: Any) -> Any:
    """`seen_at` values in the driver's type: the column's own bind processor."""
    processor = _ITEMS.c.seen_at.type.bind_processor(dialect)
    return processor or (lambda value: value)


def feed_rows(engine: Engine) -> dict[str, Any]:
    """Every row of the feeds table by name (for `wire feeds`)."""
    with engine.connect() as conn:
        return {r.name: r for r in conn.execute(select(FeedRow))}
