"""delivery: shared access tokens and the document archive

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

`source_tokens` keeps an OAuth2 access token per set of client credentials until it expires,
for every worker (Reuters Connect). `archive_documents` lists every fetched document once per
feed, content-addressed, with its first fetch time (`wire reparse`); `archive_blobs` holds the
compressed bytes when the archive lives in the store.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('source_tokens',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('expires_at', UTC_TIME, nullable=False),
    sa.PrimaryKeyConstraint('key'),
    )
    op.create_table('archive_documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('feed', sa.String(length=200), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('options', JSON, nullable=False),
    sa.Column('fetched_at', UTC_TIME, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('feed', 'digest', name='uq_archive_documents_feed_digest'),
    )
    op.create_index('ix_archive_documents_fetched_at', 'archive_documents', ['fetched_at'])
    op.create_table('archive_blobs',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('digest'),
    )


def downgrade() -> None:
    op.drop_table('archive_blobs')
    op.drop_index('ix_archive_documents_fetched_at', table_name='archive_documents')
    op.drop_table('archive_documents')
    op.drop_table('source_tokens')
