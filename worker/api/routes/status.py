"""`GET /`: the status page for people (SPEC "HTTP API"; `worker.api.status_page`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from worker.api.deps import Conn, Now, engine_of
from worker.api.status_page import REFRESH_SECONDS, render
from worker.config import load_config
from worker.errors import ConfigError
from worker.ops.status import read_status
from worker.store.feeds import feed_rows

router = APIRouter(tags=["status"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def status_page(request: Request, conn: Conn, now: Now, refresh: Annotated[int, Query(
        ge=2, le=3600, description="seconds between the page's own refreshes")] = REFRESH_SECONDS
                ) -> HTMLResponse:
    """Every feed's health, the latest stories, recent alerts, items and polls per minute."""
    settings = request.app.state.settings
    problems = []
    try:
        config = load_config(settings.feeds_path, settings.environment)
    except ConfigError as e:
        config = None
        problems.append(f"The feed configuration cannot be read, showing the feeds as last "
                        f"synced: {e}")
    view = read_status(conn, config, feed_rows(engine_of(request)), now)
    view.problems += problems
    return HTMLResponse(render(view, refresh), headers={"Cache-Control": "no-store"})
