"""feed alerts: alerts on feeds' health transitions (rules with `feed_events`)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

One row per rule and transition, written with the transition (an outbox), with its delivery
state as story alerts keep theirs.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import worker.store.models

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    time = worker.store.models.UTCDateTime
    op.create_table(
        "feed_alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("feed", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("feed_state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
        sa.Column("fired_at", time(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", time(), nullable=True),
        sa.Column("delivered_at", time(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_feed_alerts_pending", "feed_alerts", ["rule", "id"],
                    sqlite_where=sa.text("outcome = 'pending'"),
                    postgresql_where=sa.text("outcome = 'pending'"))


def downgrade() -> None:
    op.drop_index("ix_feed_alerts_pending", table_name="feed_alerts")
    op.drop_table("feed_alerts")
