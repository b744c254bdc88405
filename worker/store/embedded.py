"""Reading the embedded store for the command line, with the standard library's sqlite3.

Why: importing SQLAlchemy and declaring the models costs ~0.5 s of CPU on this project's
machines, ten times what `wire stories` then does on a small store (docs/performance.md
"Start-up"). The statements are still SQLAlchemy's: `worker.store.reads` builds them and
`compiled_reads` holds their SQLite SQL, compiled ahead (`scripts/compile_reads.py`, a test
keeps the two equal), and rows are read as the models' types read them. Anything out of the
ordinary (another database, a URL with options, a store that is missing or at another schema)
returns None, and the caller opens the store through SQLAlchemy, which says what is wrong.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from worker.store import compiled_reads
from worker.store.rows import (
    StoryQuery,
    sqlite_time,
    stories_key,
    story_json,
    time_of,
    versions_json,
)

#: as `worker.store.db` waits for a writer's lock
BUSY_TIMEOUT_S = 30.0


class Row:
    """A row read by column name, as the SQLAlchemy row it stands in for."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def open_embedded(url: str) -> sqlite3.Connection | None:
    """A connection to the SQLite store at `url` when it exists at the current schema, else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url == prefix:
        return None
    path = Path(url[len(prefix):])
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,)
    except sqlite3.Error:
        revision = None
    if revision != compiled_reads.HEAD:
        conn.close()
        return None
    return conn


def list_stories(conn: sqlite3.Connection, query: StoryQuery, now: datetime) -> list[dict[str, Any]]:
    """`worker.store.reads.list_stories` on the embedded store."""
    values = {"provider": query.provider, "since": sqlite_time(query.since),
              "cluster": query.cluster, "now": sqlite_time(now), "limit": query.limit}
    return [story_json(row) for row in _rows(conn, stories_key(query), values)]


def story_versions(conn: sqlite3.Connection, story_id: int) -> list[dict[str, Any]] | None:
    """`worker.store.reads.story_versions` on the embedded store."""
    found = _rows(conn, "story", {"story_id": story_id})
    if not found:
        return None
    return versions_json(found[0], _rows(conn, "history", {"story_id": story_id}))


def get_story(conn: sqlite3.Connection, story_id: int) -> dict[str, Any] | None:
    """`worker.store.reads.get_story` on the embedded store."""
    found = _rows(conn, "story", {"story_id": story_id})
    return story_json(found[0]) if found else None


def _rows(conn: sqlite3.Connection, key: str, values: dict[str, Any]) -> list[Row]:
    table, tail, params = compiled_reads.STATEMENTS[key]
    sql = compiled_reads.HEADS[table] + tail
    given = [p[0] if isinstance(p, list) else values[p] for p in params]
    columns = [(name, compiled_reads.KINDS.get(name)) for name in compiled_reads.COLUMNS[table]]
    out = []
    for record in conn.execute(sql, given):
        row = {}
        for (name, kind), value in zip(columns, record, strict=True):
            if kind == "time":
                value = time_of(value)
            elif kind == "json" and value is not None:
                value = json.loads(value)
            row[name] = value
        out.append(Row(row))
    return out
