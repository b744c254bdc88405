"""feeds: one `position` (JSON) per feed instead of the HTTP validators' three columns

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Every delivery protocol keeps where it is in the feed (an HTTP feed's validators, a cursor, a
queue's receipts, a listing): one JSON object, written in the transaction that stores the
documents it delivered. Existing validators move into it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_VALIDATORS = ("etag", "last_modified", "body_hash")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("feeds", sa.Column("position", _json(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE feeds SET position = jsonb_strip_nulls(jsonb_build_object("
                   "'etag', etag, 'last_modified', last_modified, 'body_hash', body_hash)) "
                   "WHERE coalesce(etag, last_modified, body_hash) IS NOT NULL")
    else:
        op.execute("UPDATE feeds SET position = json_object('etag', etag, 'last_modified', "
                   "last_modified, 'body_hash', body_hash) "
                   "WHERE coalesce(etag, last_modified, body_hash) IS NOT NULL")
    with op.batch_alter_table("feeds") as batch:
        for column in _VALIDATORS:
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("etag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_modified", sa.Text(), nullable=True))
        batch.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE feeds SET etag = position->>'etag', "
                   "last_modified = position->>'last_modified', "
                   "body_hash = position->>'body_hash' WHERE position IS NOT NULL")
    else:
        op.execute("UPDATE feeds SET etag = json_extract(position, '$.etag'), "
                   "last_modified = json_extract(position, '$.last_modified'), "
                   "body_hash = json_extract(position, '$.body_hash') WHERE position IS NOT NULL")
    op.drop_column("feeds", "position")
