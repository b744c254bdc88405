"""operations: feed health and counters, samples for the status page, story tombstones

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

`feeds` gets the health the last poll decided (`health`, `health_since`), when a poll last
brought a story (`last_story_at`), and counters of poll outcomes and item changes, added to by
each poll's one outcome update (what `/metrics` and the status page read). `ops_samples` keeps
their sums once a minute for the status page's charts. `story_tombstones` keeps the identity
and last version key of stories purged by retention, and `versions.received_at` gets the index
that retention deletes by.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import worker.store.models

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_COUNTERS = ("polls_ok", "polls_not_modified", "polls_unchanged", "polls_error", "items_new",
             "items_updated", "items_unchanged", "items_stale", "items_duplicate")


def _time() -> sa.types.TypeEngine:
    return worker.store.models.UTCDateTime()


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("health", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("health_since", _time(), nullable=True))
        batch.add_column(sa.Column("last_story_at", _time(), nullable=True))
        for name in _COUNTERS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False,
                                       server_default="0"))
    # retention deletes history by when it stopped being current (worker.ops.housekeeping)
    op.create_index("ix_versions_received_at", "versions", ["received_at"])
    op.create_table(
        "ops_samples",
        sa.Column("at", _time(), primary_key=True),
        sa.Column("counters", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
    )
    op.create_table(
        "story_tombstones",
        sa.Column("provider", sa.String(length=64), primary_key=True),
        sa.Column("guid", sa.Text(), primary_key=True),
        sa.Column("version_created", _time(), nullable=False),
        sa.Column("version_seq", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("purged_at", _time(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_tombstones")
    op.drop_table("ops_samples")
    op.drop_index("ix_versions_received_at", table_name="versions")
    with op.batch_alter_table("feeds") as batch:
        for name in ("health", "health_since", "last_story_at", *_COUNTERS):
            batch.drop_column(name)
