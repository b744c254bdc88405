"""alerts: the outbox of alerts fired with their version, and a delivery lease per rule

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

`alerts`: one row per (rule, story, version key, change), unique, written in the transaction
that made the version current (`worker.store.alerts.record_alerts`), with its delivery state
(outcome, attempts, next attempt, last status and error). PostgreSQL keeps the writing
transaction's id (`xid`) for the live stream's order, as `story_changes` does.
`alert_queues`: one row per rule, whose lease lets one worker at a time deliver the rule's
alerts, in order.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

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
        sa.Column('xid', sa.BigInteger(), nullable=True),
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
    op.create_index('ix_alerts_pending', 'alerts', ['rule', 'xid', 'id'],
                    sqlite_where=sa.text("outcome = 'pending'"),
                    postgresql_where=sa.text("outcome = 'pending'"))
    op.create_index('ix_alerts_fired_at', 'alerts', ['fired_at'])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index('ix_alerts_xid_id', 'alerts', ['xid', 'id'])
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
