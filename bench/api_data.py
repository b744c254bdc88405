"""A PostgreSQL store of N synthetic stories for the API benchmark, loaded in bulk.

The product's write path stores ~1,000-2,000 stories a second per core; a million through it
would take the shared machine's afternoon. So the rows are generated here (deterministic
seed), copied into a staging table with COPY, and moved into `stories` with one INSERT ...
SELECT that computes the `search` vector exactly as the product's trigger does (migration 0009:
`wire_regconfig(language)`, headline weight A, body B) while the user triggers are off; then
each story gets its `new` row in `story_changes`, in id order, and the GIN index is built once
at the end, as the migrations defined it. The tables, indexes and the rows' shape are the
product's; only how they got there differs.

Text: a vocabulary of pseudo-words drawn with a Zipf law (rank r has weight 1/r), so query
words range from common to rare like real words do; bodies of ~240 words (~1.7 KB), English.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
import psycopg

VOCABULARY = 30_000
SENTENCES = 20_000
WORDS_PER_SENTENCE = 12
SENTENCES_PER_BODY = 20
BATCH = 50_000
SEED = 20261206
_SYLLABLES = ["ka", "lo", "mi", "ten", "ra", "vos", "du", "pel", "ner", "sa", "tor", "li",
              "mon", "qua", "re", "fi", "gan", "tu", "bel", "os", "hu", "dri", "zen", "co"]


def vocabulary() -> list[str]:
    rng = random.Random(SEED)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _zipf_indices(rng: np.random.Generator, count: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    return rng.choice(VOCABULARY, size=count, p=weights / weights.sum())


def sentences(words: list[str]) -> list[str]:
    rng = np.random.default_rng(SEED)
    picks = _zipf_indices(rng, SENTENCES * WORDS_PER_SENTENCE).reshape(SENTENCES, -1)
    return [" ".join(words[i] for i in row).capitalize() + "." for row in picks]


def load(pg_url: str, count: int, log: Any = print) -> dict[str, float]:
    """Fill the (empty, migrated) store at `pg_url` with `count` stories; seconds per step."""
    words = vocabulary()
    pool = sentences(words)
    rng = np.random.default_rng(SEED + count)
    timings: dict[str, float] = {}
    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        # the product's search index as its migrations made it, built again once at the end
        index = conn.execute("SELECT indexdef FROM pg_indexes "
                             "WHERE indexname = 'ix_stories_search'").fetchone()[0]
        conn.execute("DROP INDEX ix_stories_search")
        conn.execute("CREATE UNLOGGED TABLE bench_staging (id bigint, headline text, body text)")
        started = time.perf_counter()
        for first in range(0, count, BATCH):
            n = min(BATCH, count - first)
            bodies = rng.integers(0, SENTENCES, size=(n, SENTENCES_PER_BODY))
            heads = _zipf_indices(rng, n * 8).reshape(n, 8)
            with conn.cursor().copy("COPY bench_staging (id, headline, body) FROM STDIN") as copy:
                for k in range(n):
                    copy.write_row((first + k + 1,
                                    " ".join(words[i] for i in heads[k]).capitalize(),
                                    " ".join(pool[i] for i in bodies[k])))
            log(f"    staged {first + n:,} of {count:,}")
        timings["copy_s"] = time.perf_counter() - started

        started = time.perf_counter()
        conn.execute("SET session_replication_role = replica")  # the user triggers: off
        for first in range(0, count, BATCH):
            conn.execute(_INSERT, {"lo": first, "hi": first + BATCH})
            log(f"    stored {min(first + BATCH, count):,} of {count:,}")
        conn.execute("INSERT INTO story_changes (story_id, kind, version_created, version_seq, "
                     "content_hash, changed_at) SELECT id, 'new', version_created, version_seq, "
                     "content_hash, updated_at FROM stories ORDER BY id")
        conn.execute("SET session_replication_role = origin")
        conn.execute("SELECT setval(pg_get_serial_sequence('stories', 'id'), %s)", (count,))
        timings["insert_s"] = time.perf_counter() - started

        started = time.perf_counter()
        conn.execute(index)
        conn.execute("DROP TABLE bench_staging")
        conn.execute("VACUUM ANALYZE stories")
        conn.execute("VACUUM ANALYZE story_changes")
        timings["index_s"] = time.perf_counter() - started
    return timings


_INSERT = """
INSERT INTO stories (id, provider, guid, cluster_id, received_at, updated_at, revision, version,
    version_seq, version_created, content_hash, first_created, pubstatus, embargoed, urgency,
    signals, headline, slugline, byline, dateline, language, body_html, body_text, subjects,
    keywords, credits, link, word_count, search)
SELECT id, 'bench', 'urn:bench:' || id, id, t, t, 1, NULL, 0, t, md5(body), NULL, 'usable', NULL,
    1 + id %% 9, '[]', headline, NULL, NULL, NULL, 'en', '<p>' || body || '</p>', body, '[]',
    '[]', '["Bench"]', NULL, array_length(regexp_split_to_array(body, ' '), 1),
    setweight(to_tsvector(wire_regconfig('en'), headline), 'A')
        || setweight(to_tsvector(wire_regconfig('en'), left(body, 100000)), 'B')
FROM (SELECT id, headline, body,
             timestamptz '2026-01-01 00:00:00+00' + id * interval '1 second' AS t
      FROM bench_staging WHERE id > %(lo)s AND id <= %(hi)s) AS s
"""


def loaded(pg_url: str, count: int) -> bool:
    """Whether the store at `pg_url` holds the `count` stories `load` writes, at the current
    schema (a kept bench store)."""
    from worker.store.db import HEAD_REVISION

    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            stories = conn.execute("SELECT count(*) FROM stories WHERE provider = 'bench'"
                                   ).fetchone()
        except psycopg.errors.UndefinedTable:
            return False
    return revision is not None and revision[0] == HEAD_REVISION and stories[0] == count


def query_words(pg_url: str, count: int) -> dict[str, list[str]]:
    """Words of the vocabulary by how many stories hold them: rare (0.05-0.2 % of stories),
    medium (0.5-2 %) and common (5-20 %), counted with the index as the API matches; and
    `two_words`, pairs of a common and a medium word (both must appear)."""
    words = vocabulary()
    bands = {"rare": (0.0005, 0.002), "medium": (0.005, 0.02), "common": (0.05, 0.20)}
    found: dict[str, list[str]] = {band: [] for band in bands}
    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        # Zipf ranks: frequent words first; sample ranks across the range
        for rank in [*range(5, 400, 7), *range(400, 6000, 97), *range(6000, VOCABULARY, 797)]:
            word = words[rank]
            share = conn.execute("SELECT count(*) FROM stories WHERE search @@ "
                                 "plainto_tsquery('english', %s)", (word,)).fetchone()[0] / count
            for band, (low, high) in bands.items():
                if low <= share <= high and len(found[band]) < 8:
                    found[band].append(word)
            if all(len(v) >= 8 for v in found.values()):
                break
    found["two_words"] = [f"{c} {m}" for c, m in zip(found["common"], found["medium"])]
    return found
