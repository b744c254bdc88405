"""search: the GIN index over `search` also holds each story's id block (PostgreSQL, btree_gin)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

A search ranks a word's newest matches. With the index over `search` alone, finding them
meant reading the word's whole posting list (a word in 19 % of a million stories: ~190,000
entries, ~40 ms) or reading the newest stories' vectors one by one (~2,600 of them, ~26 ms).
With the id in the same GIN index (the `btree_gin` extension that ships with PostgreSQL), a
search for the word among ids above a bound skips through the posting list to that range:
~1 ms for a common word's newest 1,000 matches at 100,000 stories. The index holds the id's
block of 64 (`id / 64`) rather than the id: the range's entries are read 64 ids at a time,
which halves what a range costs (a word in 2 % of the stories, a range of 52,000 ids: 5.8 ->
3.1 ms at 100,000).

The index is built again: ~2 minutes per million stories on a 2-core machine, during which
writes to `stories` wait (upgrades run `wire migrate` with the workers stopped).

`btree_gin` is a trusted extension: the store's owner may create it. Where it cannot be
created (a server without the contrib modules, a role without CREATE on the database), the
index stays as it was and searches give the same answers, common words more slowly.
"""
from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

log = logging.getLogger("worker.store")
#: what a database owner runs to have the index built later (docs/operations.md)
REBUILD = ("CREATE EXTENSION btree_gin; DROP INDEX ix_stories_search; "
           "CREATE INDEX ix_stories_search ON stories USING gin (search, (id / 64));")


def _btree_gin(bind: Connection) -> bool:
    """Whether btree_gin is installed in the database, installing it when it can."""
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'").first():
        return True
    if not bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions "
                                "WHERE name = 'btree_gin'").first():
        log.warning("migration 0019: PostgreSQL has no btree_gin extension (contrib); "
                    "searches for common words stay slower at millions of stories")
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
    except DBAPIError as e:
        log.warning("migration 0019: could not create the btree_gin extension (%s); "
                    "searches for common words stay slower at millions of stories until "
                    "the database owner runs: %s", str(e.orig).splitlines()[0], REBUILD)
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _btree_gin(bind):
        return
    op.execute("DROP INDEX IF EXISTS ix_stories_search")
    # the expression is the one `worker.store.search` writes (ID_BLOCK), character for character
    op.execute("CREATE INDEX ix_stories_search ON stories USING gin (search, (id / 64))")
    # the blocks' statistics (an index expression's): without them the planner takes a range
    # of blocks for a third of the stories
    op.execute("ANALYZE stories")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_stories_search")
        op.execute("CREATE INDEX ix_stories_search ON stories USING gin (search)")
