"""Engines and the schema: SQLite (WAL) embedded, PostgreSQL in production.

Every command calls `open_store(url)`: an empty store gets the schema (by running the packaged
Alembic migrations, so embedded and migrated stores are the same); a store at an older schema is
refused with an error naming `wire migrate`; `migrate(engine)` upgrades it. Creating or migrating
takes a lock (a PostgreSQL advisory lock; a file lock beside a SQLite file) so that several
processes starting on one empty store do not race.

The check every command makes reads the store's revision (one query) and compares it with
`HEAD_REVISION`; Alembic is imported only to create or upgrade a schema. Importing Alembic and
scanning its script directory cost ~0.17 s of CPU at every start of `wire` (docs/performance.md
"Start-up"); a test holds the constant equal to the migrations' head.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from worker.errors import OutdatedSchema, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
T = TypeVar("T")

#: SQLite waits this long for another writer before "database is locked"
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: SQLite's page cache per connection (its default is 2 MiB). The near-duplicate index takes
#: random keys, so its B-tree pages are touched at random: with 2 MiB they fall out between
#: stories and are read again. 16 MiB keeps them at hand (bench: near-dup stage 0.216 -> 0.184
#: ms per new story at 10,000 stories); worker memory grows by that much once, then stays.
SQLITE_CACHE_KIB = 16_384
SQLITE_PAGE_SIZE = 8192
#: WAL pages before a commit copies them into the database file (SQLite's default: 1,000, 8 MB
#: here). A commit of 100 new stories writes ~500 pages, so the default checkpointed every
#: other commit, each time rewriting the near-dup index pages it had just logged. 4,000 (a 32
#: MB WAL) cut the commit stage from 0.061-0.070 to 0.054-0.057 ms per new story at 10,000
#: stories and the whole item from 0.70-0.77 to 0.66-0.67 ms at 100,000 (interleaved runs).
SQLITE_WAL_AUTOCHECKPOINT = 4000
_MIGRATE_LOCK_KEY = 7_314_201_911  # PostgreSQL advisory lock id for schema changes
#: the revision of the newest migration in `worker/store/migrations/versions` (a new migration
#: changes it; tests/test_startup.py compares it with Alembic's head)
HEAD_REVISION = "0019"


def make_engine(url: str) -> Engine:
    """An engine for the store URL, tuned per backend."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # no pre-ping: a dead pooled connection is replaced when its first statement fails
    # (`run_transaction`), not checked with a round trip before every use
    return create_engine(url, pool_size=5, max_overflow=5)


#: PostgreSQL SQLSTATEs after which the whole transaction is run again: serialization failure,
#: deadlock (two documents claiming overlapping near-duplicate keys in crossing orders)
RETRY_SQLSTATES = frozenset({"40001", "40P01"})
MAX_ATTEMPTS = 5


def run_transaction(
    engine: Engine, work: Callable[[Connection], T], autocommit: bool = False
) -> T:
    """`work(conn)` in one transaction, committed; the one retry wrapper of the store.

    Run again when the connection turned out dead (once: the pool does not ping a connection
    before lending it, a round trip per transaction that cost 0.45 of 3.3 ms of worker CPU per
    unchanged poll on PostgreSQL; a connection the server closed meanwhile fails its first
    statement instead, SQLAlchemy invalidates the pool, and the next run gets a new one), and
    when PostgreSQL aborted it for a deadlock or a serialization failure (up to MAX_ATTEMPTS).
    `work` must therefore be safe to run again: it only reads and writes through `conn`.

    `autocommit`: each statement of `work` is its own transaction, for work that is one
    statement, or a read and then one write that re-checks what it read in its WHERE. On
    PostgreSQL that saves the BEGIN and COMMIT round trips (psycopg sends each on its own).
    """
    if autocommit:
        engine = autocommit_engine(engine)
    reconnected = False
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as e:
            if e.connection_invalidated and not reconnected:
                reconnected = True
                log.info("store connection lost, retrying on a new one",
                         extra={"error": str(e.orig)})
                continue
            if getattr(e.orig, "sqlstate", None) not in RETRY_SQLSTATES or attempt == MAX_ATTEMPTS:
                raise
            log.info("write conflict, retrying", extra={"attempt": attempt})
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


@lru_cache(maxsize=16)
def autocommit_engine(engine: Engine) -> Engine:
    """The engine's pool, its connections in autocommit mode while lent out."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    # only a new, empty file takes it (before WAL mode). A ~6 KB story row overflows a 4 KiB
    # page; larger pages cost more as the near-dup index grows, because each commit rewrites
    # every page its random keys touched. Measured CPU per new story (bench stories, 100 per
    # commit) at 10,000 / 100,000 indexed stories: 4 KiB 0.53 / 0.53 ms, 8 KiB 0.45 / 0.55,
    # 16 KiB 0.46 / 0.65. An existing store keeps its page size.
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "worker.store:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The schema revision this wire-ingest needs."""
    return HEAD_REVISION


def alembic_head() -> str | None:
    """The head of the packaged migrations, as Alembic finds it (a scan of the scripts)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision (Alembic's `alembic_version` row); None when it has none."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_store(url: str) -> Engine:
    """An engine on a store whose schema is current; creates the schema in an empty store.

    Raises OutdatedSchema (naming `wire migrate`) for a store at an older schema, StoreError
    when the store cannot be reached.
    """
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except Exception as e:
        raise StoreError(_safe(url), f"cannot open the store: {e}") from e
    head = head_revision()
    if revision == head:
        return engine
    if revision is None:
        with engine.connect() as conn:
            has_tables = bool(inspect(conn).get_table_names())
        if not has_tables:
            migrate(engine)
            return engine
        raise OutdatedSchema(
            _safe(url), "the store has tables but no schema version; run `wire migrate`"
        )
    raise OutdatedSchema(
        _safe(url), f"the store's schema is at {revision}, this wire-ingest needs {head}: "
        "run `wire migrate`"
    )


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the store to the current schema; returns (before, after)."""
    from alembic import command

    with _schema_lock(engine):
        before = current_revision(engine)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        return before, current_revision(engine) or HEAD_REVISION


@contextlib.contextmanager
def _schema_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATE_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATE_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
