"""stories: the content_hash index also orders by id

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A new story joins the cluster of the oldest story with its words (`content_hash = ? ORDER BY
id LIMIT 1`). With the index on content_hash alone, PostgreSQL read and sorted every story with
those words each time, so a feed repeating one text under new ids made ingest quadratic; on
(content_hash, id) the answer is the first index entry. SQLite's indexes end with the rowid
already; the index is rebuilt the same way on both stores.
"""
from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stories_content_hash", table_name="stories")
    op.create_index("ix_stories_content_hash", "stories", ["content_hash", "id"])


def downgrade() -> None:
    op.drop_index("ix_stories_content_hash", table_name="stories")
    op.create_index("ix_stories_content_hash", "stories", ["content_hash"])
