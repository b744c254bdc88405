"""search: finer statistics of the `search` vectors (PostgreSQL)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

With the default statistics target PostgreSQL keeps the ~1,000 most common lexemes and takes
any other word for about as frequent as the least common of them: at 100,000 stories a word
in 0.1 % of them was planned as if in 2 %, and searched by reading the newest stories one by
one (seconds) instead of through the index. A target of 1,000 keeps ~10,000 lexemes, down to
~0.3 %; `worker.store.search` also reads them to tell common words from the others.
"""
from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stories ALTER COLUMN search SET STATISTICS 1000")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stories ALTER COLUMN search SET STATISTICS -1")
