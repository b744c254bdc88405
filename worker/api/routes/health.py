"""`/healthz`, `/readyz` (open to all), `/metrics` and `/openapi.json` (SPEC "HTTP API")."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from worker.api.auth import require_key
from worker.api.deps import engine_of
from worker.api.models import Health, Readiness

log = logging.getLogger(__name__)
public = APIRouter(tags=["operations"])
protected = APIRouter(tags=["operations"], dependencies=[Depends(require_key)])
#: how long readiness waits for the store or the broker
READY_TIMEOUT = 2.0


@public.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@public.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> Any:
    """The store and the broker are reachable (503 otherwise)."""
    store = _check(lambda: _store(request), "store")
    broker = _check(lambda: _broker(request), "broker")
    ready = store == "ok" and broker == "ok"
    body = {"status": "ready" if ready else "not ready", "store": store, "broker": broker}
    return body if ready else JSONResponse(body, status_code=503)


def _check(probe: Any, what: str) -> str:
    try:
        probe()
    except Exception as e:  # noqa: BLE001 - any failure means not ready; said by type only
        log.warning("not_ready", extra={"part": what, "error": type(e).__name__})
        return f"unreachable ({type(e).__name__})"
    return "ok"


def _store(request: Request) -> None:
    with engine_of(request).connect() as conn:
        conn.execute(text("SELECT 1"))


def _broker(request: Request) -> None:
    from kombu import Connection

    settings = request.app.state.settings
    options: dict[str, Any] = {}
    if settings.broker_prefix and settings.broker_url.startswith(("redis", "rediss")):
        options["global_keyprefix"] = settings.broker_prefix
    with Connection(settings.broker_url, connect_timeout=READY_TIMEOUT,
                    transport_options=options) as broker:
        broker.ensure_connection(max_retries=1, timeout=READY_TIMEOUT)


@protected.get("/metrics", response_class=Response,
               responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request) -> Response:
    """Prometheus metrics, text format: every feed's health and counters, queue depths."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)


@protected.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())
