"""dedupe: `dedupe_recent`, the small table of recent band-key claims (SQLite)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

On SQLite new claims go here and are folded into `dedupe_bands` in key order every
`worker.dedupe.index.RECENT_MAX` rows, so a commit rewrites the few pages of this table
instead of every page of the large index its random keys touch. PostgreSQL has the table,
empty.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dedupe_recent',
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.Column('story_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('band', 'hash'),
    sqlite_with_rowid=False,
    )


def downgrade() -> None:
    # the recent claims back into the one table (a key is in one of the two at most)
    op.execute("INSERT INTO dedupe_bands (band, hash, story_id, at) "
               "SELECT band, hash, story_id, at FROM dedupe_recent WHERE true "
               "ON CONFLICT DO NOTHING")
    op.drop_table('dedupe_recent')
