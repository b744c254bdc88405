"""Clusters: which stories are the same news (SPEC "Clusters").

`assign_cluster` is called once per new story, inside the transaction that inserted it. A story
joins the cluster of an existing story with the same `content_hash` (the same words under another
id or provider); otherwise it starts its own cluster, whose id is its own story id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from worker.model import Story
from worker.store.models import StoryRow


def assign_cluster(conn: Connection, story_id: int, story: Story, now: datetime) -> tuple[int, bool]:
    """Set the new story's cluster; returns (cluster_id, joined an existing cluster)."""
    match = conn.execute(
        select(StoryRow.cluster_id)
        .where(
            StoryRow.content_hash == story.content_hash,
            StoryRow.id != story_id,
            StoryRow.cluster_id.is_not(None),
        )
        .order_by(StoryRow.id)
        .limit(1)
    ).scalar()
    cluster_id = match if match is not None else story_id
    conn.execute(update(StoryRow).where(StoryRow.id == story_id).values(cluster_id=cluster_id))
    return cluster_id, match is not None
