"""How a PostgreSQL search will run: the words parsed in every language, how many stories they
are expected to match, and the cheapest way to their newest matches (`worker.store.search`
builds and runs the statement).
"""

from __future__ import annotations

import math
import re
import time

from sqlalchemy import Connection, text

#: the text search configurations a query is parsed in (migration 0009's languages)
PG_CONFIGS = ("simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
              "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
              "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
              "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish")
#: a search ranks at most this many of the most recently received matching stories
SEARCH_WINDOW = 500
#: the search index holds each story's id block, `id / ID_BLOCK` (migration 0019)
ID_BLOCK = 64
#: how long PostgreSQL's statistics of the stories are kept in this process
STATS_SECONDS = 600.0
_STATS: dict[str, tuple[float, tuple[dict[str, float], tuple[str, ...]]]] = {}
_LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")


#: what finding a word's newest matches costs on PostgreSQL, in microseconds: an entry of the
#: word's posting list in the GIN index, an id of the range the index is asked to look in
#: (read a block at a time), and reading a story the index found (its vector too when the story's
#: own language parses the words differently). Measured with bench/api_bench.py on the
#: project's 2-core machine (docs/performance.md "API and alerts"); only their ratios matter
POSTING_US, ID_US, MATCH_US, OWN_MATCH_US = 0.22, 0.06, 5.0, 15.0


def search_plan(share: float, stories: int, uniform: bool) -> int | None:
    """How far back to look for the newest SEARCH_WINDOW matches of words in `share` of
    `stories`: the newest `span` ids (twice the window expected there; the index skips
    through the word's posting list to them, migration 0019), or None for every match the
    index lists (rare words, and words the statistics do not list: rarer than every listed
    one), whichever is expected to cost less."""
    if share <= 0:
        return None
    match = MATCH_US if uniform else OWN_MATCH_US
    span = int(2 * SEARCH_WINDOW / share)
    if span >= stories:
        return None
    every = share * stories * (POSTING_US + match)
    within = span * ID_US + 2 * SEARCH_WINDOW * match
    return span if within < every else None


def pg_parsed(conn: Connection, words: str) -> dict[str, str]:
    """The query the words make in each text search configuration (tsquery text; '' when
    nothing is left), from one round trip.

    Parsed here once, the queries reach the statement as constants: a CASE of
    `websearch_to_tsquery` calls per language, three times in the statement, had PostgreSQL
    run the parser and every language's stemmer while planning (8.5 of the 15 ms a rare
    word's page took at 100,000 stories).
    """
    names = ", ".join(f"'{c}'" for c in PG_CONFIGS)
    rows = conn.execute(text(f"SELECT c, websearch_to_tsquery(c::regconfig, :w)::text "
                             f"FROM unnest(ARRAY[{names}]) c"), {"w": words})
    return {config: query or "" for config, query in rows}


def distinct_queries(parsed: dict[str, str], configs: tuple[str, ...]) -> list[str]:
    """The distinct queries the words make in the given languages. One word makes one to four
    different queries in 29 languages; OR-ing all 29 made the planner take the word for 29
    times as frequent and scan the newest stories one by one for a rare word (8 s at 100,000
    stories instead of 2 ms)."""
    return sorted({parsed[c] for c in configs if parsed.get(c)})


def estimated_share(shares: dict[str, float], parsed: list[str]) -> float:
    """The share of stories a query matches at most, from PostgreSQL's statistics of `search`
    (its most common lexemes; one not among them is rarer than all of them): an OR of words
    as its most frequent one, words that must all appear as the product of their shares (as
    if independent: a common and a medium word, 19 % and 1.5 %, match ~0.3 %, and looking for
    them as often as the medium word alone made the search widen its range four times)."""
    estimate = 0.0
    for query in parsed:
        lexemes = [m.group(2).replace("''", "'") for m in _LEXEME.finditer(query)
                   if not m.group(1)]
        found = [shares.get(lexeme, 0.0) for lexeme in lexemes] or [0.0]
        estimate = max(estimate, max(found) if "|" in query else math.prod(found))
    return estimate


def store_stats(conn: Connection) -> tuple[dict[str, float], tuple[str, ...]]:
    """(lexeme -> share of stories, the text search configurations the stories' languages
    use), from PostgreSQL's statistics, kept `STATS_SECONDS`. Every configuration when the
    statistics do not name every language."""
    key = str(conn.engine.url)
    cached = _STATS.get(key)
    if cached is not None and time.monotonic() - cached[0] < STATS_SECONDS:
        return cached[1]
    row = conn.execute(text(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE tablename = 'stories' AND attname = 'search'")).first()
    shares = dict(zip(row[0], row[1], strict=False)) if row is not None and row[0] else {}
    configs: tuple[str, ...] = PG_CONFIGS
    languages = conn.execute(text(
        "SELECT array(SELECT DISTINCT wire_regconfig(v)::text FROM unnest("
        "most_common_vals::text::text[]) v), null_frac + coalesce((SELECT sum(f) FROM "
        "unnest(most_common_freqs) f), 0) FROM pg_stats "
        "WHERE tablename = 'stories' AND attname = 'language'")).first()
    if languages is not None and languages[1] >= 0.999:
        configs = tuple(sorted({*languages[0], "simple"}))
    _STATS[key] = (time.monotonic(), (shares, configs))
    return shares, configs
