"""change feed: `story_changes`, one row per change of a story's current version, by trigger

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

A row trigger on `stories` records a change when a story is inserted and when its current
version is replaced (`revision` changed; a cluster assignment is not a change), in the statement
that wrote the version, so every writer's change commits or rolls back with its version. The
kind is classified from the new row: `kill` (canceled or signalled kill), `withheld`, `new`
(first version), `correction`, else `update`; `embargo_lifted` rows are written by the embargo
task (`worker.store.changes.record_lifted_embargoes`), once per version (partial unique index).

PostgreSQL: each row keeps the id of the transaction that wrote it (`pg_current_xact_id()`);
readers return rows in (xid, id) order and only below their snapshot's xmin (see
`worker.store.changes`), so a transaction that took an id early and commits late is never
skipped. SQLite has one writer at a time: id order is commit order (AUTOINCREMENT: never reused).

The triggers compose with 0004's (which copies a replaced version into `versions`): both are
AFTER row triggers of the same statement; the change row names the version by its key, found in
`stories` while current and in `versions` afterwards.

Existing stories get one change each (their current version), in id order.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_KEY = ("version_created", "version_seq", "content_hash")
_COLUMNS = "story_id, kind, version_created, version_seq, content_hash, xid, changed_at"


def kind_sql(row: str, postgres: bool) -> str:
    """The change kind of a stories row as SQL (`worker.alerts.rules.classify_change` in SQL)."""

    def has(signal: str) -> str:
        if postgres:
            return f"{row}.signals ? '{signal}'"
        return f"instr({row}.signals, '\"{signal}\"') > 0"

    return (f"CASE WHEN {row}.pubstatus = 'canceled' OR {has('kill')} THEN 'kill' "
            f"WHEN {row}.pubstatus = 'withheld' THEN 'withheld' "
            f"WHEN {row}.revision = 1 THEN 'new' "
            f"WHEN {has('correction')} THEN 'correction' ELSE 'update' END")


def _values(postgres: bool) -> str:
    xid = "pg_current_xact_id()::text::bigint" if postgres else "NULL"
    return (f"NEW.id, {kind_sql('NEW', postgres)}, NEW.version_created, NEW.version_seq, "
            f"NEW.content_hash, {xid}, NEW.updated_at")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'story_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
                  nullable=False),
        sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('version_created', worker.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version_seq', sa.BigInteger(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('xid', sa.BigInteger(), nullable=True),
        sa.Column('changed_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('uq_story_changes_lifted', 'story_changes', ['story_id', *_KEY], unique=True,
                    sqlite_where=sa.text("kind = 'embargo_lifted'"),
                    postgresql_where=sa.text("kind = 'embargo_lifted'"))
    # the embargo task looks for embargoes that ended: few stories have one
    op.create_index('ix_stories_embargoed', 'stories', ['embargoed'],
                    sqlite_where=sa.text("embargoed IS NOT NULL"),
                    postgresql_where=sa.text("embargoed IS NOT NULL"))
    insert = f"INSERT INTO story_changes ({_COLUMNS}) VALUES ({_values(postgres)})"
    if postgres:
        op.create_index('ix_story_changes_xid_id', 'story_changes', ['xid', 'id'])
        op.execute("CREATE FUNCTION wire_record_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {insert}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER stories_record_new AFTER INSERT ON stories FOR EACH ROW "
                   "EXECUTE FUNCTION wire_record_change()")
        op.execute("CREATE TRIGGER stories_record_change AFTER UPDATE OF revision ON stories "
                   "FOR EACH ROW WHEN (OLD.revision IS DISTINCT FROM NEW.revision) "
                   "EXECUTE FUNCTION wire_record_change()")
    else:
        op.execute(f"CREATE TRIGGER stories_record_new AFTER INSERT ON stories FOR EACH ROW "
                   f"BEGIN {insert}; END")
        op.execute("CREATE TRIGGER stories_record_change AFTER UPDATE OF revision ON stories "
                   f"FOR EACH ROW WHEN OLD.revision IS NOT NEW.revision BEGIN {insert}; END")
    xid = "pg_current_xact_id()::text::bigint" if postgres else "NULL"
    op.execute(f"INSERT INTO story_changes ({_COLUMNS}) SELECT s.id, {kind_sql('s', postgres)}, "
               f"s.version_created, s.version_seq, s.content_hash, {xid}, s.updated_at "
               "FROM stories s ORDER BY s.id")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in ("stories_record_new", "stories_record_change"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (" ON stories" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS wire_record_change()")
    op.drop_index('ix_stories_embargoed', table_name='stories')
    op.drop_table('story_changes')
