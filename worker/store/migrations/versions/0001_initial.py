"""initial schema: stories, versions, feeds

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import worker.store.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feeds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('folder', sa.Text(), nullable=True),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('interval', sa.Float(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('next_poll_at', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_token', sa.String(length=64), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('last_poll_at', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('body_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('stories',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('guid', sa.Text(), nullable=False),
    sa.Column('cluster_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('received_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=True),
    sa.Column('version_seq', sa.BigInteger(), nullable=False),
    sa.Column('version_created', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('first_created', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pubstatus', sa.String(length=16), nullable=False),
    sa.Column('embargoed', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('urgency', sa.Integer(), nullable=True),
    sa.Column('signals', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('slugline', sa.Text(), nullable=True),
    sa.Column('byline', sa.Text(), nullable=True),
    sa.Column('dateline', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('subjects', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('credits', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'guid', name='uq_stories_provider_guid')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_cluster_id', ['cluster_id'], unique=False)
        batch_op.create_index('ix_stories_content_hash', ['content_hash'], unique=False)
        batch_op.create_index('ix_stories_version_created', ['version_created'], unique=False)

    op.create_table('versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('received_at', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=True),
    sa.Column('version_seq', sa.BigInteger(), nullable=False),
    sa.Column('version_created', worker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('first_created', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pubstatus', sa.String(length=16), nullable=False),
    sa.Column('embargoed', worker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('urgency', sa.Integer(), nullable=True),
    sa.Column('signals', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('slugline', sa.Text(), nullable=True),
    sa.Column('byline', sa.Text(), nullable=True),
    sa.Column('dateline', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('subjects', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('credits', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('story_id', 'version_created', 'version_seq', 'content_hash', name='uq_versions_key')
    )


def downgrade() -> None:
    op.drop_table('versions')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_version_created')
        batch_op.drop_index('ix_stories_content_hash')
        batch_op.drop_index('ix_stories_cluster_id')

    op.drop_table('stories')
    op.drop_table('feeds')
