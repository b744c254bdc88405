"""`GET /changes?after=&limit=`: the change feed publishers sync with (SPEC "HTTP API").

Follow `next` from the first call (no `after`) onwards: every change of a story's current
version comes once, in the store's order (`worker.store.changes` says why none is missed when
many workers commit at once). An empty page answers `next` equal to `after`: call again later.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from worker.api import cursors
from worker.api.deps import Conn, Limit
from worker.api.models import ChangePage
from worker.store.changes import START, read_changes

router = APIRouter(tags=["changes"])


@router.get("/changes", response_model=ChangePage)
def changes(
    conn: Conn,
    after: Annotated[str | None, Query(max_length=300, description=(
        "`next` of the last answer; absent: from the first change"))] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Changes of stories' current versions after the cursor, in the store's order."""
    position = cursors.decode_change(after) if after else START
    entries = read_changes(conn, position, limit)
    if entries:
        position = entries[-1].position
    return {
        "changes": [{"cursor": cursors.change_cursor(e.position), "change": e.kind,
                     "story": e.story} for e in entries],
        "next": cursors.change_cursor(position),
    }
