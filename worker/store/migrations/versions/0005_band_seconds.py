"""dedupe: `dedupe_bands.at` in whole Unix seconds (an integer) instead of a time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Every story inserts 17 rows into this table; on SQLite a time is 26 bytes of text in each row
and in its index. Existing rows keep their time, rounded down to the second.
"""
from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_CREATE = ("CREATE TABLE dedupe_bands_new (band INTEGER NOT NULL, hash BIGINT NOT NULL, "
           "story_id INTEGER NOT NULL, at {type} NOT NULL, PRIMARY KEY (band, hash))")


def _sqlite_rebuild(column_type: str, convert: str) -> None:
    op.execute(_CREATE.format(type=column_type))
    op.execute("INSERT INTO dedupe_bands_new (band, hash, story_id, at) "
               f"SELECT band, hash, story_id, {convert} FROM dedupe_bands")
    op.execute("DROP TABLE dedupe_bands")  # and its index
    op.execute("ALTER TABLE dedupe_bands_new RENAME TO dedupe_bands")
    op.execute("CREATE INDEX ix_dedupe_bands_at ON dedupe_bands (at)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE dedupe_bands ALTER COLUMN at TYPE bigint "
                   "USING floor(extract(epoch FROM at))::bigint")
    else:
        _sqlite_rebuild("BIGINT", "CAST(strftime('%s', at) AS INTEGER)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE dedupe_bands ALTER COLUMN at TYPE timestamp with time zone "
                   "USING to_timestamp(at)")
    else:
        _sqlite_rebuild("DATETIME", "strftime('%Y-%m-%d %H:%M:%S.000000', at, 'unixepoch')")
