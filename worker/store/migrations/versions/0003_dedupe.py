"""dedupe: the shared LSH band index of near-duplicate detection

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dedupe_bands',
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('band', 'hash')
    )
    with op.batch_alter_table('dedupe_bands', schema=None) as batch_op:
        batch_op.create_index('ix_dedupe_bands_at', ['at'], unique=False, postgresql_using='brin')


def downgrade() -> None:
    with op.batch_alter_table('dedupe_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_dedupe_bands_at', postgresql_using='brin')
    op.drop_table('dedupe_bands')
