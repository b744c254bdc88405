"""`GET /stories`, `/stories/{id}`, `/stories/{id}/versions`, `/clusters/{id}` (SPEC "HTTP API")."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from worker.api import cursors
from worker.api.deps import MAX_ID, NO_NUL, Conn, Limit, Now, Since, since_time
from worker.api.errors import BadParameter, NotFound
from worker.api.models import Cluster, Story, StoryPage, VersionList
from worker.store.models import StoryRow
from worker.store.reads import StoryQuery, get_story, story_json, story_versions
from worker.store.search import page_stories

router = APIRouter(tags=["stories"])
StoryId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/stories", response_model=StoryPage)
def list_stories(
    conn: Conn, now: Now,
    provider: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    since: Since = None,
    cluster: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Literal["usable", "withheld", "canceled", "embargoed", "all"] = "usable",
    limit: Limit = 100,
    q: Annotated[str | None, Query(max_length=500, pattern=NO_NUL, description=(
        'words in headline or body, ranked; "quoted phrases", -excluded'))] = None,
    cursor: Annotated[str | None, Query(max_length=300, description="`next` of the last page")
                      ] = None,
) -> Response:
    """Current versions: newest first, or ranked by `q`; filters combine."""
    query = StoryQuery(provider=provider, since=since_time(since), cluster=cluster,
                       status=status, limit=limit, words=q)
    after = cursors.decode_story(cursor) if cursor else None
    try:
        page = page_stories(conn, query, after, now)
    except ValueError as e:
        raise BadParameter("cursor", str(e)) from None
    # the stories' JSON as the database rendered it (`StoryPage`), passed through unparsed
    after_page = cursors.encode(page.next) if page.next is not None else None
    body = f'{{"stories":[{",".join(page.texts)}],"next":{json.dumps(after_page)}}}'
    return Response(body.encode("utf-8"), media_type="application/json")


@router.get("/stories/{story_id}", response_model=Story, responses={404: {}})
def one_story(conn: Conn, story_id: StoryId) -> dict[str, Any]:
    """A story's current version."""
    story = get_story(conn, story_id)
    if story is None:
        raise NotFound(f"no story {story_id}")
    return story


@router.get("/stories/{story_id}/versions", response_model=VersionList, responses={404: {}})
def versions(conn: Conn, story_id: StoryId) -> dict[str, Any]:
    """Every version of a story, oldest first by the version key, `current` true for one."""
    found = story_versions(conn, story_id)
    if found is None:
        raise NotFound(f"no story {story_id}")
    return {"versions": found}


@router.get("/clusters/{cluster_id}", response_model=Cluster, responses={404: {}})
def cluster(conn: Conn, cluster_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    """A cluster's stories (current versions, any status), in the order they joined."""
    rows = conn.execute(select(StoryRow.__table__).where(StoryRow.cluster_id == cluster_id)
                        .order_by(StoryRow.id)).all()
    if not rows:
        raise NotFound(f"no cluster {cluster_id}")
    return {"cluster_id": cluster_id, "stories": [story_json(r) for r in rows]}
