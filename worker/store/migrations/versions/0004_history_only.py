"""history: `versions` keeps the versions that are not current; a trigger moves a replaced one in

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The current version lives in `stories` only. When an update replaces it (its version key
changes), a row trigger copies the replaced version into `versions`, in the statement that
replaced it: under the row's lock, so however many writers race, every version that was ever
current reaches the history. Versions that arrive late (lower key) are inserted by the writer.
Rows of `versions` equal to their story's current version are removed.
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FIELDS = ("version", "version_seq", "version_created", "content_hash", "first_created",
          "pubstatus", "embargoed", "urgency", "signals", "headline", "slugline", "byline",
          "dateline", "language", "body_html", "body_text", "subjects", "keywords", "credits",
          "link", "word_count")
KEY = ("version_created", "version_seq", "content_hash")
_COLUMNS = ", ".join(FIELDS)
_OLD = ", ".join(f"OLD.{f}" for f in FIELDS)
_INSERT = (f"INSERT INTO versions (story_id, received_at, {_COLUMNS}) "
           f"VALUES (OLD.id, OLD.updated_at, {_OLD})")
_CHANGED = " OR ".join(f"OLD.{k} IS DISTINCT FROM NEW.{k}" for k in KEY)
_SAME_AS_CURRENT = (
    "DELETE FROM versions WHERE EXISTS (SELECT 1 FROM stories s WHERE s.id = versions.story_id AND "
    + " AND ".join(f"s.{k} = versions.{k}" for k in KEY) + ")"
)
_CONFLICT = "ON CONFLICT (story_id, version_created, version_seq, content_hash) DO NOTHING"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION wire_keep_replaced_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_INSERT} {_CONFLICT}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER stories_keep_replaced_version AFTER UPDATE OF "
            f"{', '.join(KEY)} ON stories FOR EACH ROW WHEN ({_CHANGED}) "
            "EXECUTE FUNCTION wire_keep_replaced_version()"
        )
    else:
        op.execute(
            "CREATE TRIGGER stories_keep_replaced_version AFTER UPDATE OF "
            f"{', '.join(KEY)} ON stories FOR EACH ROW "
            f"WHEN {_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} "
            f"BEGIN {_INSERT.replace('INSERT INTO', 'INSERT OR IGNORE INTO')}; END"
        )
    op.execute(_SAME_AS_CURRENT)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS stories_keep_replaced_version"
               + (" ON stories" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS wire_keep_replaced_version()")
    current = ", ".join(f"s.{f}" for f in FIELDS)
    select = f"SELECT s.id, s.updated_at, {current} FROM stories s"
    if postgres:
        op.execute(f"INSERT INTO versions (story_id, received_at, {_COLUMNS}) {select} {_CONFLICT}")
    else:
        op.execute(f"INSERT OR IGNORE INTO versions (story_id, received_at, {_COLUMNS}) {select}")
