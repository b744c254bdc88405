"""polling: per-feed item fingerprints, last poll figures on feeds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_items',
    sa.Column('feed_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('seen_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('feed_id', 'fingerprint')
    )
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.create_index('ix_feed_items_seen_at', ['feed_id', 'seen_at'], unique=False)
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_duration', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_new', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_updated', sa.Integer(), nullable=True))
        batch_op.create_index('ix_feeds_next_poll_at', ['next_poll_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_index('ix_feeds_next_poll_at')
        batch_op.drop_column('last_updated')
        batch_op.drop_column('last_new')
        batch_op.drop_column('last_duration')
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_items_seen_at')
    op.drop_table('feed_items')
