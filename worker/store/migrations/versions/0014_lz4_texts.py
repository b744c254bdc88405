"""store: PostgreSQL compresses story texts with lz4

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

A story's body_html and body_text (and its search vector) are over PostgreSQL's 2 KB TOAST
threshold, so each new version is compressed before it is stored. With the default method
(pglz) that compression was ~10 % of the server's CPU per new story (perf, bench new items);
lz4 compresses as well at a fraction of the CPU (docs/performance.md). Values already stored
keep their method and read as before. Servers built without lz4 keep pglz; SQLite does not
compress.
"""
from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: the columns that take a document's texts: the current version, the history, the archive
COLUMNS = (("stories", "body_html"), ("stories", "body_text"), ("stories", "search"),
           ("versions", "body_html"), ("versions", "body_text"), ("archive_blobs", "data"))


def _set(method: str) -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    lz4 = bind.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                               "WHERE name = 'default_toast_compression'").scalar()
    if lz4:
        _set("lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _set("default")
