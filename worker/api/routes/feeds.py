"""`GET /feeds`: every configured feed as `wire feeds --json` (SPEC "HTTP API")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from worker.api.deps import engine_of
from worker.api.errors import Unavailable
from worker.api.models import FeedList
from worker.cli.run import feed_status
from worker.config import load_config
from worker.errors import ConfigError
from worker.store.feeds import feed_rows

router = APIRouter(tags=["feeds"])


@router.get("/feeds", response_model=FeedList, responses={503: {}})
def feeds(request: Request) -> dict[str, Any]:
    """Every configured feed with its last poll, outcome, failures and next poll."""
    settings = request.app.state.settings
    try:
        config = load_config(settings.feeds_path, settings.environment)
    except ConfigError as e:
        raise Unavailable(f"the feed configuration cannot be used: {e}") from None
    rows = feed_rows(engine_of(request))
    return {"feeds": [feed_status(feed, rows.get(feed.name)) for feed in config.feeds]}
