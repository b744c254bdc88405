"""ingest: `ingested_items`, the items `wire ingest` stored from documents given by hand

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

One row per item fingerprint (salted by the options that read it) with the story it became
and the key of that version (`worker.store.ingested`): `wire ingest` of a document whose items
are all here counts them without parsing it again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import worker.store.models

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ingested_items',
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('version_created', worker.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version_seq', sa.BigInteger(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('seen_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('fingerprint'),
    )
    op.create_index('ix_ingested_items_seen_at', 'ingested_items', ['seen_at'])


def downgrade() -> None:
    op.drop_index('ix_ingested_items_seen_at', table_name='ingested_items')
    op.drop_table('ingested_items')
