"""`GET /alerts?since=` and `GET /alerts/stream` (Server-Sent Events) (SPEC "HTTP API").

The stream sends one `alert` event per alert as it fires, `id:` the alert's id, data the alert
as `GET /alerts` shows it; a client that reconnects with `Last-Event-ID` (browsers do by
themselves) gets every alert after that one, in the store's order, none twice. Without it the
stream starts at the present. It reads the store every `STREAM_POLL_SECONDS` (no broker
needed) and sends a comment every `PING_SECONDS` so that proxies keep the connection open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from worker.api.deps import Conn, Limit, Since, engine_of, since_time
from worker.api.errors import BadParameter
from worker.api.models import AlertList
from worker.store.alerts import list_alerts, list_feed_alerts, stream_after, stream_start

router = APIRouter(tags=["alerts"])
STREAM_POLL_SECONDS = 0.5
PING_SECONDS = 15


@router.get("/alerts", response_model=AlertList)
def alerts(conn: Conn, since: Since = None, limit: Limit = 100) -> dict[str, Any]:
    """Alerts fired, newest first, with their delivery outcome; feed alerts beside them."""
    since_at = since_time(since)
    return {"alerts": list_alerts(conn, since_at, limit),
            "feed_alerts": list_feed_alerts(conn, since_at, limit)}


@router.get("/alerts/stream", response_class=EventSourceResponse, responses={
    200: {"content": {"text/event-stream": {}},
          "description": "one `alert` event per alert as it fires; `id:` the alert's id"}})
async def alert_stream(
    request: Request,
    last_event_id: Annotated[str | None, Header(
        description="resume after this alert id (what a browser sends on reconnect)")] = None,
) -> EventSourceResponse:
    """Alerts as they fire, as Server-Sent Events (`curl -N`, a browser's EventSource)."""
    last = _alert_id(last_event_id)
    engine = engine_of(request)

    def start() -> int:
        with engine.connect() as conn:
            return stream_start(conn, last)

    def read(after: int) -> list[tuple[int, dict[str, Any]]]:
        with engine.connect() as conn:
            return stream_after(conn, after)

    position = await run_in_threadpool(start)

    async def events() -> AsyncIterator[ServerSentEvent]:
        nonlocal position
        while True:
            found = await run_in_threadpool(read, position)
            for at, alert in found:
                position = at
                yield ServerSentEvent(json.dumps(alert, ensure_ascii=False), event="alert",
                                      id=str(alert["id"]))
            if not found:
                await asyncio.sleep(STREAM_POLL_SECONDS)

    return EventSourceResponse(events(), ping=PING_SECONDS)


def _alert_id(header: str | None) -> int | None:
    if header is None or not header.strip():
        return None
    value = header.strip()
    if not value.isdigit() or len(value) > 18:
        raise BadParameter("Last-Event-ID", "not an alert id")
    return int(value)
