"""change feed: positions in commit order on PostgreSQL (deferred triggers under one lock)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

0008 ordered PostgreSQL's changes by (transaction id, id) and read them below the snapshot's
xmin. That misses nothing, but transaction ids are taken at a transaction's first write, not
at its commit: a document that first wrote story A, then waited for story B's row lock while
another transaction updated B and committed, recorded its (later) change of B before the other
one's (earlier) change of B, and a publisher applying the feed in order ended with the older
version (the racing-writers test found it). And any transaction left open on the server held
the whole feed back.

Now a change row is written at commit: the triggers on `stories` are constraint triggers,
DEFERRABLE INITIALLY DEFERRED, whose function first takes one transaction-scoped advisory lock
(`CHANGE_ORDER_LOCK`). The lock is held until the commit is done and visible, so the sections
"insert the change rows, commit" of all writers run one after the other: ids are handed out in
commit order, and a reader that sees id N sees every id below it. The feed is read by id alone,
on both stores. The cost: writers of stories commit one at a time (the lock is taken at the
very end, so only the change inserts and the commit itself are serialized).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: the advisory lock that orders commits of changes (worker.store.changes.CHANGE_ORDER_LOCK)
CHANGE_ORDER_LOCK = 7_314_201_912
_COLUMNS = "story_id, kind, version_created, version_seq, content_hash, changed_at"


def _kind(postgres: bool) -> str:
    """0008's classification of the new row (`worker.alerts.rules.feed_change` in SQL)."""

    def has(signal: str) -> str:
        return f"NEW.signals ? '{signal}'" if postgres else f"instr(NEW.signals, '\"{signal}\"') > 0"

    return (f"CASE WHEN NEW.pubstatus = 'canceled' OR {has('kill')} THEN 'kill' "
            "WHEN NEW.pubstatus = 'withheld' THEN 'withheld' WHEN NEW.revision = 1 THEN 'new' "
            f"WHEN {has('correction')} THEN 'correction' ELSE 'update' END")


_KIND = _kind(True)


def _sqlite_triggers(xid: bool) -> None:
    """SQLite keeps immediate triggers (one writer at a time: ids are in commit order)."""
    columns = _COLUMNS + (", xid" if xid else "")
    values = (f"NEW.id, {_kind(False)}, NEW.version_created, NEW.version_seq, NEW.content_hash, "
              "NEW.updated_at" + (", NULL" if xid else ""))
    insert = f"INSERT INTO story_changes ({columns}) VALUES ({values});"
    op.execute(f"CREATE TRIGGER stories_record_new AFTER INSERT ON stories FOR EACH ROW "
               f"BEGIN {insert} END")
    op.execute("CREATE TRIGGER stories_record_change AFTER UPDATE OF revision ON stories "
               f"FOR EACH ROW WHEN OLD.revision IS NOT NEW.revision BEGIN {insert} END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("stories_record_new", "stories_record_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("ALTER TABLE story_changes DROP COLUMN xid")  # SQLite 3.35+: no copy
        _sqlite_triggers(xid=False)
        return
    for trigger in ("stories_record_new", "stories_record_change"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON stories")
    op.execute("DROP INDEX IF EXISTS ix_story_changes_xid_id")
    op.drop_column("story_changes", "xid")
    op.execute(
        "CREATE OR REPLACE FUNCTION wire_record_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({CHANGE_ORDER_LOCK}); "
        f"INSERT INTO story_changes ({_COLUMNS}) VALUES (NEW.id, {_KIND}, NEW.version_created, "
        "NEW.version_seq, NEW.content_hash, NEW.updated_at); RETURN NULL; END $$")
    op.execute("CREATE CONSTRAINT TRIGGER stories_record_new AFTER INSERT ON stories "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wire_record_change()")
    op.execute("CREATE CONSTRAINT TRIGGER stories_record_change AFTER UPDATE OF revision "
               "ON stories DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
               "WHEN (OLD.revision IS DISTINCT FROM NEW.revision) "
               "EXECUTE FUNCTION wire_record_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("stories_record_new", "stories_record_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("ALTER TABLE story_changes ADD COLUMN xid BIGINT")
        _sqlite_triggers(xid=True)
        return
    for trigger in ("stories_record_new", "stories_record_change"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON stories")
    op.add_column("story_changes", sa.Column("xid", sa.BigInteger(), nullable=True))
    op.create_index("ix_story_changes_xid_id", "story_changes", ["xid", "id"])
    op.execute(
        "CREATE OR REPLACE FUNCTION wire_record_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN INSERT INTO story_changes ({_COLUMNS}, xid) VALUES (NEW.id, {_KIND}, "
        "NEW.version_created, NEW.version_seq, NEW.content_hash, NEW.updated_at, "
        "pg_current_xact_id()::text::bigint); RETURN NULL; END $$")
    op.execute("CREATE TRIGGER stories_record_new AFTER INSERT ON stories FOR EACH ROW "
               "EXECUTE FUNCTION wire_record_change()")
    op.execute("CREATE TRIGGER stories_record_change AFTER UPDATE OF revision ON stories "
               "FOR EACH ROW WHEN (OLD.revision IS DISTINCT FROM NEW.revision) "
               "EXECUTE FUNCTION wire_record_change()")
