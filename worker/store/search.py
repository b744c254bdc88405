"""Pages of current stories: newest first, or ranked by full-text search (`GET /stories`).

Keyset paging: a page ends at the position of its last story and the next page starts after it,
so stories that do not change are listed once, whatever the wire adds meanwhile (an update
moves a story up, above a reader paging down: it is in the change feed, the sync mechanism).

- Without words: by (version_created, id) descending, the `wire stories` order.
- With words: ranked, best first, among the `SEARCH_WINDOW` most recently received stories
  that match, with ids at most the first page's newest id, so that the pages of one search
  rank one fixed set; a page is an offset into that ranking (bm25's scores move whenever a
  story is added to the store, so a position by score would not hold between pages).
  PostgreSQL: the `search` tsvector (headline A, body B, the story's own language; migration
  0009) matched against the words as the story's own language parses them
  (`websearch_to_tsquery`, parsed once per request in every language: `pg_parsed`), found by
  the GIN index (over the vector and the id's block, migration 0019) one language group at a time,
  among the newest ids when the words are common (`search_plan`), and ranked with
  `ts_rank_cd`. SQLite: FTS5 (`stories_fts`, and `stories_fts_en` with the
  Porter stemmer), ranked by bm25 with the headline weighted 3.
- Each story's JSON is rendered by the database (`reads.story_json_sql`).

Why a window: ranking reads every candidate's vector (its TOAST, ~10 us each). A word in 19 %
of 100,000 stories took 218 ms to rank in full (13,000 heap pages), 60 ms within the newest
1,000 matches. Measured with bench/api_bench.py (docs/performance.md "API and alerts"). A
search that matches fewer stories than the window is ranked whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    REAL,
    BigInteger,
    Connection,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from worker.store.models import StoryRow
from worker.store.reads import StoryQuery, story_filters, story_json_sql
from worker.store.search_plan import (
    ID_BLOCK,
    SEARCH_WINDOW,
    distinct_queries,
    estimated_share,
    pg_parsed,
    search_plan,
    store_stats,
)

STORIES = StoryRow.__table__
SEARCH = literal_column("stories.search")
#: bm25 column weights (headline, body_text) on SQLite
BM25 = "3.0, 1.0"
_TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
#: for a look-back statement only. Index scans off: else the planner reads the newest ids
#: through the primary key and tests each story's vector (its TOAST: 50 instead of 1 ms for a
#: word in 19 % of 100,000). JIT off: without statistics of the id blocks (a new index, a
#: store just upgraded) the planner takes a range for a third of the stories, and compiling
#: the statement took 22 of its 34 ms
_LOOK_BACK = text("SELECT set_config('enable_indexscan', 'off', true), "
                  "set_config('jit', 'off', true)")
_SETTINGS_BACK = text("SELECT set_config(name, reset_val, true) FROM pg_settings "
                      "WHERE name IN ('enable_indexscan', 'jit')")


@dataclass(frozen=True)
class StoryPage:
    #: each story's JSON text, as the database rendered it (`reads.story_json_sql`)
    texts: list[str]
    #: the position to pass as `after` for the next page; None on the last page
    next: tuple[Any, ...] | None

    @property
    def stories(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.texts]


def page_stories(conn: Connection, query: StoryQuery, after: tuple[Any, ...] | None,
                 now: datetime) -> StoryPage:
    """One page of `query.limit` stories after position `after` (None: the first page).

    A position is ("t", version_created, id) when listing by time and ("r", stories already
    listed, newest id of the window) when ranking words; a position of the other kind is
    refused with ValueError.
    """
    ranked = bool(query.words and query.words.strip())
    if after is not None and after[0] != ("r" if ranked else "t"):
        raise ValueError("the cursor belongs to another query")
    if ranked:
        offset, anchor = (after[1], after[2]) if after is not None else (0, _newest_id(conn))
        rows = _ranked(conn, query, offset, anchor, now)
    else:
        rows = _by_time(conn, query, after, now)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    if not more or not rows:
        return StoryPage([r.json for r in rows], None)
    last = rows[-1]
    position = (("r", offset + query.limit, anchor) if ranked
                else ("t", last.version_created, last.id))
    return StoryPage([r.json for r in rows], position)


def _by_time(conn: Connection, query: StoryQuery, after: tuple[Any, ...] | None,
             now: datetime) -> list[Any]:
    stmt = _page_select(conn.dialect.name).where(*story_filters(query, now))
    if after is not None:
        at = literal(after[1], StoryRow.version_created.type)
        stmt = stmt.where(tuple_(StoryRow.version_created, StoryRow.id) < tuple_(at, after[2]))
    stmt = stmt.order_by(StoryRow.version_created.desc(), StoryRow.id.desc())
    return list(conn.execute(stmt.limit(query.limit + 1)).all())


def _page_select(dialect: str) -> Any:
    """A page's rows: each story's JSON, and what its position is made of."""
    return select(StoryRow.id, StoryRow.version_created,
                  story_json_sql(dialect).label("json")).select_from(STORIES)


def _newest_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(StoryRow.id), 0))).scalar_one()


def _ranked(conn: Connection, query: StoryQuery, offset: int, anchor: int,
            now: datetime) -> list[Any]:
    if conn.dialect.name != "postgresql":
        stmt = ranked_select(conn.dialect.name, query, offset, anchor, now)
        return [] if stmt is None else list(conn.execute(stmt).all())
    shares, configs = store_stats(conn)
    by_config = pg_parsed(conn, query.words or "")
    parsed = distinct_queries(by_config, configs)
    span = search_plan(estimated_share(shares, parsed), anchor, len(parsed) == 1)
    while True:
        lower = anchor - span if span is not None else None
        stmt = ranked_select("postgresql", query, offset, anchor, now, parsed, lower, by_config)
        if stmt is None:
            return []
        if lower is not None:
            conn.execute(_LOOK_BACK)
        rows = list(conn.execute(stmt).all())
        if lower is not None:
            conn.execute(_SETTINGS_BACK)
        # the window is the newest SEARCH_WINDOW matches only if the ids looked at held as
        # many (or were all of them): else look further back
        if lower is None or lower <= 0 or (rows and rows[0].matched >= SEARCH_WINDOW):
            return rows
        span = None if span * 8 >= anchor else span * 8


def ranked_select(dialect: str, query: StoryQuery, offset: int, anchor: int,
                  now: datetime, parsed_words: list[str] | None = None,
                  lower: int | None = None,
                  by_config: dict[str, str] | None = None) -> Any:
    """The statement of one ranked page (None: no word to look for). PostgreSQL needs the
    words parsed (`pg_parsed`: per language `by_config`, and the distinct queries of the
    store's languages `parsed_words`) and, for words common enough (`search_plan`), the id
    above which their newest matches are looked for (`lower`); each row then carries
    `matched`, how many matches that range held.

    The GIN index holds each story's id block beside its words (migration 0019), so a
    search for a word among the blocks from `lower`'s skips through the word's posting list
    to the newest stories instead of reading all of it. The ids' exact bounds are applied to
    what the index found: as conditions on `id`, the planner would AND the primary key's
    range, and an upper bound in the index would have btree_gin scan every block from the
    first."""
    assert query.words is not None
    conditions = story_filters(query, now)
    if lower is not None:
        block = bindparam(None, lower // ID_BLOCK, type_=BigInteger, literal_execute=True)
        conditions.append(literal_column(f"(stories.id / {ID_BLOCK})") >= cast(block, BigInteger))
    if dialect == "postgresql":
        if not parsed_words:
            return None
        # the words make one query in every language the store holds: it is each story's own
        uniform = len(parsed_words) == 1
        if uniform:
            found: Any = select(StoryRow.id).where(SEARCH.op("@@")(_tsquery(parsed_words[0])),
                                                    *conditions)
            own = _tsquery(parsed_words[0])
        else:  # one query per language group, so the index answers each exactly: a `-word`
            # of another stemmer, or a word another language stems into a common one, must
            # not fill the window with stories that do not match
            found = union_all(*(select(StoryRow.id).where(match, *conditions)
                                for match in own_matches(by_config or {}, parsed_words)))
            own = own_query(by_config or {})
        # reading a story's vector (its TOAST, ~10 us) is what ranking costs: only the newest
        # matches are ranked
        score = cast(-func.ts_rank_cd(SEARCH, own), REAL).label("score")
        every = found.cte("matching").prefix_with("MATERIALIZED")
        within = [every.c.id <= anchor] + ([every.c.id > lower] if lower is not None else [])
        newest = (select(every.c.id, func.count().over().label("matched")).where(*within)
                  .order_by(every.c.id.desc()).limit(SEARCH_WINDOW).subquery("newest"))
        candidates = (select(newest.c.id, score, newest.c.matched)
                      .join(STORIES, StoryRow.id == newest.c.id).subquery("candidates"))
    else:
        match = fts5_query(query.words)
        if match is None:
            return None
        conditions.append(StoryRow.id <= anchor)
        windows = [_fts5_window(name, match, conditions).subquery(f"{name}_window")
                   for name in ("stories_fts", "stories_fts_en")]
        found = union_all(*(select(w.c.id, w.c.score) for w in windows)).subquery("found")
        candidates = (select(found.c.id, found.c.score).order_by(found.c.id.desc())
                      .limit(SEARCH_WINDOW).subquery("candidates"))
    # the page is chosen among the candidates first; only its stories are read and rendered
    page = (select(candidates).order_by(candidates.c.score, candidates.c.id)
            .offset(offset).limit(query.limit + 1).subquery("page"))
    return (_page_select(dialect).add_columns(*(c for c in page.c if c.name != "id"))
            .join(page, page.c.id == StoryRow.id).order_by(page.c.score, page.c.id))


def own_query(by_config: dict[str, str]) -> Any:
    """The words' query in each story's own language: a CASE over its configuration, the
    query most languages make as the ELSE and the others as WHENs (constants, nothing parsed
    per row or at planning)."""
    counts: dict[str, int] = {}
    for query in by_config.values():
        counts[query] = counts.get(query, 0) + 1
    usual = max(sorted(counts), key=counts.__getitem__) if counts else ""
    whens = {literal_column(f"'{c}'::regconfig"): _tsquery(q)
             for c, q in sorted(by_config.items()) if q != usual}
    if not whens:
        return _tsquery(usual)
    return case(whens, value=func.wire_regconfig(StoryRow.language),
                else_=_tsquery(usual))


def own_matches(by_config: dict[str, str], wanted: list[str]) -> list[Any]:
    """`search @@ own_query` as one condition per distinct query, each with the languages that
    parse the words so: the index answers each exactly, and a match is found without reading
    its vector (the CASE needs every match's vector: ~15 instead of ~5 us a match, and in a
    store of one language most words parse one way in it and another in `simple`).

    Only the queries of the store's own languages (`wanted`) are looked for, as their OR is
    what the CASE was checked against: a language the store holds no story in may stem the
    words into a common word (19,718 stories read at 1M to find none of them in it)."""
    groups: dict[str, list[str]] = {}
    for config, query in sorted(by_config.items()):
        groups.setdefault(query, []).append(config)
    usual = max(sorted(groups), key=lambda q: len(groups[q])) if groups else ""
    others = [literal_column(f"'{c}'::regconfig") for q, cs in groups.items() if q != usual
              for c in cs]
    language = func.wire_regconfig(StoryRow.language)
    out = []
    for query, configs in sorted(groups.items()):
        if not query or query not in wanted:  # nothing to find in these languages
            continue
        within = (language.not_in(others) if query == usual
                  else language.in_([literal_column(f"'{c}'::regconfig") for c in configs]))
        out.append(and_(SEARCH.op("@@")(_tsquery(query)), within))
    return out


def _tsquery(query: str) -> Any:
    """A parsed query as a constant written into the statement: as a parameter, the words of
    every search made one statement, which psycopg prepares after five runs and PostgreSQL
    then plans once for all words (a common word through the index: 88 instead of 31 ms at
    100,000 stories)."""
    return cast(bindparam(None, query, type_=Text, literal_execute=True), TSQUERY)


def _fts5_window(name: str, match: str, conditions: list[Any]) -> Any:
    """The newest matches of one FTS5 table that meet the conditions, with their bm25 score."""
    fts = table(name, column("rowid"))
    return (select(fts.c.rowid.label("id"),
                   literal_column(f"bm25({name}, {BM25})").label("score"))
            .join(STORIES, StoryRow.id == fts.c.rowid)
            .where(literal_column(name).op("MATCH")(literal(match)), *conditions)
            .order_by(fts.c.rowid.desc()).limit(SEARCH_WINDOW))


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
