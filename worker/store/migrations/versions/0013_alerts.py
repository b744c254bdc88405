"""alerts: the outbox of alerts fired with their version, and a delivery lease per rule

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

`alerts`: one row per (rule, story, version key, change), unique, written in the transaction
that made the version current (`worker.store.alerts.record_alerts`), with its delivery state
(outcome, attempts, next attempt, last status and error). `seq` orders alerts by commit, as
`story_changes.id` does (0012): on PostgreSQL a deferred constraint trigger sets it at commit,
under the same advisory lock; on SQLite (one writer) it is the id.
`alert_queues`: one row per rule, whose lease lets one worker at a time deliver the rule's
alerts, in order.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: 0012's lock: alerts take their place in commit order with the changes
CHANGE_ORDER_LOCK = 7_314_201_912
_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_TIME = worker.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'alerts',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('story_id', _ID, nullable=False),
        sa.Column('change', sa.String(length=16), nullable=False),
        sa.Column('version_created', _TIME, nullable=False),
        sa.Column('version_seq', sa.BigInteger(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=True),
        sa.Column('fired_at', _TIME, nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', _TIME, nullable=True),
        sa.Column('delivered_at', _TIME, nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rule', 'story_id', 'version_created', 'version_seq', 'content_hash',
                            'change', name='uq_alerts_once'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_alerts_pending', 'alerts', ['rule', 'seq'],
                    sqlite_where=sa.text("outcome = 'pending'"),
                    postgresql_where=sa.text("outcome = 'pending'"))
    op.create_index('ix_alerts_fired_at', 'alerts', ['fired_at'])
    op.create_index('ix_alerts_seq', 'alerts', ['seq'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE alerts_commit_seq")
        op.execute("CREATE FUNCTION wire_sequence_alert() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN PERFORM pg_advisory_xact_lock({CHANGE_ORDER_LOCK}); "
                   "UPDATE alerts SET seq = nextval('alerts_commit_seq') WHERE id = NEW.id; "
                   "RETURN NULL; END $$")
        op.execute("CREATE CONSTRAINT TRIGGER alerts_sequence AFTER INSERT ON alerts "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                   "EXECUTE FUNCTION wire_sequence_alert()")
    else:
        op.execute("CREATE TRIGGER alerts_sequence AFTER INSERT ON alerts FOR EACH ROW "
                   "BEGIN UPDATE alerts SET seq = NEW.id WHERE id = NEW.id; END")
    op.create_table(
        'alert_queues',
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('lease_until', _TIME, nullable=True),
        sa.Column('lease_token', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('rule'),
    )


def downgrade() -> None:
    op.drop_table('alert_queues')
    op.drop_table('alerts')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wire_sequence_alert()")
        op.execute("DROP SEQUENCE IF EXISTS alerts_commit_seq")
