"""Reading the store: current stories, versions, clusters (SPEC "Command line", "HTTP API").

Every function takes `now` for the embargo test; only the edges read the clock. The filters'
parameters have fixed names (`provider`, `since`, `cluster`, `now`, `limit`), so the SQL of
`wire stories` and `wire versions` can be compiled ahead for the embedded store
(`compiled_reads`, read by `worker.store.embedded` without importing SQLAlchemy).
"""

from __future__ import annotations

import itertools
import pprint
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import sqlite

from worker.model import STORY_KEYS
from worker.store.models import Json, StoryRow, UTCDateTime, VersionRow
from worker.store.rows import (
    DEFAULT_LIMIT,
    STATUSES,
    StoryQuery,
    stories_key,
    story_json,
    versions_json,
)

__all__ = [
    "DEFAULT_LIMIT",
    "STATUSES",
    "StoryQuery",
    "compiled_reads",
    "get_story",
    "list_stories",
    "stories_select",
    "story_filters",
    "story_json",
    "story_json_sql",
    "story_versions",
]

STORIES = StoryRow.__table__
VERSIONS = VersionRow.__table__


def _status_filter(status: str, now: datetime) -> Any:
    at = bindparam("now", now, type_=UTCDateTime)
    if status == "usable":
        return and_(StoryRow.pubstatus == "usable",
                    or_(StoryRow.embargoed.is_(None), StoryRow.embargoed <= at))
    if status == "embargoed":
        return and_(StoryRow.pubstatus == "usable", StoryRow.embargoed > at)
    if status in ("withheld", "canceled"):
        return StoryRow.pubstatus == status
    if status == "all":
        return None
    raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")


def story_filters(query: StoryQuery, now: datetime) -> list[Any]:
    """The WHERE conditions of a story query (status, provider, since, cluster)."""
    conditions = []
    condition = _status_filter(query.status, now)
    if condition is not None:
        conditions.append(condition)
    if query.provider:
        conditions.append(StoryRow.provider == bindparam("provider", query.provider))
    if query.since:
        conditions.append(StoryRow.version_created >= bindparam("since", query.since))
    if query.cluster is not None:
        conditions.append(StoryRow.cluster_id == bindparam("cluster", query.cluster))
    return conditions


def stories_select(query: StoryQuery, now: datetime) -> Select[Any]:
    stmt = select(STORIES).where(*story_filters(query, now))
    return (stmt.order_by(StoryRow.version_created.desc(), StoryRow.id.desc())
            .limit(bindparam("limit", query.limit, type_=Integer)))


def list_stories(conn: Connection, query: StoryQuery, now: datetime) -> list[dict[str, Any]]:
    """Current versions, newest `version_created` first (SPEC `wire stories`)."""
    return [story_json(row) for row in conn.execute(stories_select(query, now)).all()]


def get_story(conn: Connection, story_id: int) -> dict[str, Any] | None:
    row = conn.execute(_story_select(story_id)).first()
    return story_json(row) if row is not None else None


def story_versions(conn: Connection, story_id: int) -> list[dict[str, Any]] | None:
    """Every version of a story, oldest first by the version key, `current` true for one.

    The current version is the story's row; the others are its history (`versions`).
    """
    story = conn.execute(_story_select(story_id)).first()
    if story is None:
        return None
    return versions_json(story, list(conn.execute(_history_select(story_id))))


@lru_cache(maxsize=8)
def story_json_sql(dialect: str, table: Any = STORIES) -> Any:
    """A story row of `table` as the JSON text `story_json` gives for it, rendered by the
    database (the same keys, in the same order, and values; a test holds the two equal).

    Why: a page of 100 stories is ~500 KB of text; reading each row into Python types,
    building its dictionary and encoding it again cost ~8 ms a page in the API, as much as
    finding the stories (docs/performance.md "API and alerts"). Rendered by PostgreSQL
    (`json_build_object`) or SQLite (`json_object`), the page passes through as text.
    Built once per dialect: its ~100 elements took ~3 ms of Python per page to build.
    """
    c = table.c
    pairs: list[Any] = []
    for key, column in [*((name, c[name]) for name in STORY_KEYS), ("story_id", c.id),
                        ("cluster_id", c.cluster_id), ("received_at", c.received_at),
                        ("updated_at", c.updated_at)]:
        if isinstance(column.type, UTCDateTime):
            value = _time_text(dialect, column)
        elif isinstance(column.type, Json) and dialect != "postgresql":
            value = func.json(column)
        else:
            value = column
        pairs += [literal_column(f"'{key}'"), value]
    if dialect == "postgresql":
        return cast(func.json_build_object(*pairs), Text)
    return func.json_object(*pairs)


def _time_text(dialect: str, column: Any) -> Any:
    """A stored time as `format_time` writes it: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` before
    the Z when it has microseconds; NULL stays NULL."""
    if dialect == "postgresql":
        utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
        fraction = case((func.to_char(utc, literal_column("'US'")) == literal_column("'000000'"),
                         literal_column("''")), else_=func.to_char(utc, literal_column("'.US'")))
        return (func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
                .op("||")(fraction).op("||")(literal_column("'Z'")))
    # SQLite keeps `YYYY-MM-DD HH:MM:SS.ffffff` (`rows.sqlite_time`)
    fraction = func.substr(column, 21, 6)
    return case((column.is_(None), None), else_=(
        func.replace(func.substr(column, 1, 19), literal_column("' '"), literal_column("'T'"))
        .op("||")(case((fraction != literal_column("'000000'"),
                        literal_column("'.'").op("||")(fraction)), else_=literal_column("''")))
        .op("||")(literal_column("'Z'"))))


def _story_select(story_id: int | None) -> Select[Any]:
    return select(STORIES).where(StoryRow.id == bindparam("story_id", story_id))


def _history_select(story_id: int | None) -> Select[Any]:
    return select(VERSIONS).where(VersionRow.story_id == bindparam("story_id", story_id))


def compiled_reads(head: str) -> str:
    """The source of `worker.store.compiled_reads`: the SQLite SQL of the statements above for
    every combination of filters, each with its parameters in order (a name, or a constant
    in a one-element list), and how to read each column. `scripts/compile_reads.py` writes it;
    a test holds the file equal to this."""
    dialect = sqlite.dialect()
    heads = {name: str(select(table).compile(dialect=dialect))
             for name, table in (("stories", STORIES), ("versions", VERSIONS))}
    statements: dict[str, tuple[str, str, list[Any]]] = {}

    def add(key: str, table: str, stmt: Any, names: set[str]) -> None:
        compiled = stmt.compile(dialect=dialect)
        assert compiled.string.startswith(heads[table]), compiled.string
        params = [name if name in names else [compiled.params[name]]
                  for name in compiled.positiontup]
        statements[key] = (table, compiled.string[len(heads[table]):], params)

    for status in STATUSES:
        for provider, since, cluster in itertools.product((None, "p"), (None, "s"), (None, 0)):
            query = StoryQuery(provider=provider, since=datetime.now() if since else None,
                               cluster=cluster, status=status)
            add(stories_key(query), "stories", stories_select(query, datetime.now()),
                {"provider", "since", "cluster", "now", "limit"})
    add("story", "stories", _story_select(None), {"story_id"})
    add("history", "versions", _history_select(None), {"story_id"})

    columns = {name: tuple(c.name for c in table.columns)
               for name, table in (("stories", STORIES), ("versions", VERSIONS))}
    kinds = {c.name: "time" if isinstance(c.type, UTCDateTime) else "json"
             for table in (STORIES, VERSIONS) for c in table.columns
             if isinstance(c.type, UTCDateTime | Json)}

    return (
        '"""The SQLite statements of `wire stories` and `wire versions`, compiled from\n'
        '`worker.store.reads` (`compiled_reads`): written by scripts/compile_reads.py, never by\n'
        'hand."""\n\n'
        f"HEAD = {head!r}\n"
        "#: each table's SELECT of every column, which every statement below begins with\n"
        f"HEADS = {pprint.pformat(heads, width=100)}\n"
        "#: key -> (table, the statement after its HEADS entry, its parameters in order)\n"
        f"STATEMENTS = {pprint.pformat(statements, width=100, sort_dicts=True, compact=True)}\n"
        "#: each table's columns in the order the statements select them, and how the columns\n"
        "#: that are not read as stored are read\n"
        f"COLUMNS = {pprint.pformat(columns, width=100, compact=True)}\n"
        f"KINDS = {pprint.pformat(kinds, width=100, compact=True)}\n"
    )

