"""Pages of current stories: newest first, or ranked by full-text search (`GET /stories`).

Keyset paging: a page ends at the position of its last story and the next page starts after it,
so stories that do not change are listed once, whatever the wire adds meanwhile (an update
moves a story up, above a reader paging down: it is in the change feed, the sync mechanism).

- Without words: by (version_created, id) descending, the `wire stories` order.
- With words: ranked, best first, by (score, id) ascending where a lower score is better.
  PostgreSQL: the `search` tsvector (headline A, body B, the story's own language; migration
  0009) matched against the words parsed by `websearch_to_tsquery` in every configured language
  and `simple`, OR-ed (what the GIN index answers), then checked and ranked (`ts_rank_cd`)
  against the words as the story's own language parses them. SQLite: FTS5 (`stories_fts`, and
  `stories_fts_en` with the Porter stemmer), ranked by bm25 with the headline weighted 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    REAL,
    Connection,
    Float,
    Integer,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import REGCONFIG

from worker.store.models import StoryRow
from worker.store.reads import StoryQuery, story_filters, story_json

STORIES = StoryRow.__table__
SEARCH = literal_column("stories.search")
#: the text search configurations a query is parsed in (migration 0009's languages)
PG_CONFIGS = ("simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
              "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
              "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
              "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish")
#: bm25 column weights (headline, body_text) on SQLite
BM25 = "3.0, 1.0"
_TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class StoryPage:
    stories: list[dict[str, Any]]
    #: the position to pass as `after` for the next page; None on the last page
    next: tuple[Any, ...] | None


def page_stories(conn: Connection, query: StoryQuery, after: tuple[Any, ...] | None,
                 now: datetime) -> StoryPage:
    """One page of `query.limit` stories after position `after` (None: the first page).

    A position is ("t", version_created, id) when listing by time and ("r", score, id) when
    ranking words; a position of the other kind is refused with ValueError.
    """
    ranked = bool(query.words and query.words.strip())
    if after is not None and after[0] != ("r" if ranked else "t"):
        raise ValueError("the cursor belongs to another query")
    if ranked:
        rows = _ranked(conn, query, after, now)
    else:
        rows = _by_time(conn, query, after, now)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    if not more or not rows:
        return StoryPage([story_json(r) for r in rows], None)
    last = rows[-1]
    position = ("r", last.score, last.id) if ranked else ("t", last.version_created, last.id)
    return StoryPage([story_json(r) for r in rows], position)


def _by_time(conn: Connection, query: StoryQuery, after: tuple[Any, ...] | None,
             now: datetime) -> list[Any]:
    stmt = select(STORIES).where(*story_filters(query, now))
    if after is not None:
        at = literal(after[1], StoryRow.version_created.type)
        stmt = stmt.where(tuple_(StoryRow.version_created, StoryRow.id) < tuple_(at, after[2]))
    stmt = stmt.order_by(StoryRow.version_created.desc(), StoryRow.id.desc())
    return list(conn.execute(stmt.limit(query.limit + 1)))


def _ranked(conn: Connection, query: StoryQuery, after: tuple[Any, ...] | None,
            now: datetime) -> list[Any]:
    stmt = ranked_select(conn.dialect.name, query, after, now)
    return [] if stmt is None else list(conn.execute(stmt))


def ranked_select(dialect: str, query: StoryQuery, after: tuple[Any, ...] | None,
                  now: datetime) -> Any:
    """The statement of one ranked page (None: no word to look for)."""
    assert query.words is not None
    if dialect == "postgresql":
        words = bindparam("words", query.words)
        tsquery = func.websearch_to_tsquery(cast(literal(PG_CONFIGS[0]), REGCONFIG), words)
        for config in PG_CONFIGS[1:]:
            tsquery = tsquery.op("||")(func.websearch_to_tsquery(cast(literal(config), REGCONFIG),
                                                                 words))
        # the OR of every language is what the GIN index can answer (a superset); the query
        # parsed in the story's own language decides (a `-word` of another stemmer would not)
        own = func.websearch_to_tsquery(func.wire_regconfig(StoryRow.language), words)
        score = cast(-func.ts_rank_cd(SEARCH, own), REAL)
        stmt = select(STORIES, score.label("score")).where(SEARCH.op("@@")(tsquery),
                                                           SEARCH.op("@@")(own))
        after_score = cast(literal(after[1]), REAL) if after is not None else None
    else:
        match = fts5_query(query.words)
        if match is None:
            return None
        found = text(
            f"SELECT rowid AS id, bm25(stories_fts, {BM25}) AS score FROM stories_fts "
            "WHERE stories_fts MATCH :match UNION ALL "
            f"SELECT rowid AS id, bm25(stories_fts_en, {BM25}) AS score FROM stories_fts_en "
            "WHERE stories_fts_en MATCH :match"
        ).bindparams(match=match).columns(id=Integer, score=Float).subquery("found")
        score = found.c.score
        stmt = select(STORIES, score.label("score")).join(found, found.c.id == StoryRow.id)
        after_score = literal(after[1]) if after is not None else None
    stmt = stmt.where(*story_filters(query, now))
    if after is not None:
        stmt = stmt.where(tuple_(score, StoryRow.id) > tuple_(after_score, after[2]))
    return stmt.order_by(score, StoryRow.id).limit(query.limit + 1)


@lru_cache(maxsize=256)
def fts5_query(words: str) -> str | None:
    """FTS5 query text for words as a user types them: every word and "quoted phrase" must
    appear, a leading `-` excludes one. None when nothing is left to look for.

    Each term is quoted, so FTS5's own syntax (column filters, NEAR, AND/OR) never reaches it.
    """
    wanted, unwanted = [], []
    for match in _TERM.finditer(words):
        minus = match.group(1) or match.group(3)
        term = match.group(2) if match.group(2) is not None else match.group(4)
        if not re.search(r"\w", term):
            continue
        quoted = '"' + term.replace('"', '""') + '"'
        (unwanted if minus else wanted).append(quoted)
    if not wanted:
        return None
    return " AND ".join(wanted) + "".join(f" NOT {term}" for term in unwanted)
