"""Re-cluster a time range after the thresholds change (`wire recluster`).

The stories whose current version_created falls in [since, until) are taken out of the index
and out of their clusters, then assigned again one by one in arrival order (story id), exactly
as the pipeline would have assigned them: against the stories outside the range (unchanged) and
the ones of the range already re-assigned. One transaction: readers see the old clusters or the
new ones, never a mix, and a failure changes nothing.

What it does not do: stories outside the range keep their cluster, even one whose id is a story
of the range (that id still names a story of that cluster: SPEC "a cluster's id is the id of
its first story"); clusters are not merged across the range's edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, select, update

from worker.dedupe import DEFAULT_WINDOW, assign, index
from worker.dedupe.signatures import story_text
from worker.store.models import StoryRow


@dataclass(frozen=True)
class ReclusterResult:
    stories: int  # stories re-assigned
    changed: int  # of those, how many now sit in another cluster
    clusters: int  # distinct clusters the range's stories now belong to

    def as_json(self) -> dict[str, int]:
        return {"stories": self.stories, "changed": self.changed, "clusters": self.clusters}


def recluster(
    engine: Engine, since: datetime, until: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> ReclusterResult:
    """Re-assign the clusters of the stories whose version_created is in [since, until)."""
    where = [StoryRow.version_created >= since]
    if until is not None:
        where.append(StoryRow.version_created < until)
    with engine.begin() as conn:
        rows = conn.execute(
            select(StoryRow.id, StoryRow.cluster_id, StoryRow.body_text, StoryRow.headline,
                   StoryRow.content_hash, StoryRow.version_created)
            .where(*where).order_by(StoryRow.id)
        ).all()
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            index.remove_stories(conn, chunk, since - window)
            conn.execute(
                update(StoryRow).where(StoryRow.id.in_(bindparam("ids", expanding=True)))
                .values(cluster_id=None),
                {"ids": chunk},
            )
        changed = 0
        clusters = set()
        for r in rows:
            cluster_id, _ = assign(conn, r.id, story_text(r.body_text, r.headline),
                                   r.content_hash, r.version_created, window)
            changed += cluster_id != r.cluster_id
            clusters.add(cluster_id)
        index.fold_recent(conn)
    return ReclusterResult(len(rows), changed, len(clusters))
