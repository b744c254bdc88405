"""The API's app factory: `create_app(settings)` -> the FastAPI application `wire serve` runs.

Routes per resource in `worker.api.routes`; every one but `/healthz` and `/readyz` behind the
bearer keys (`worker.api.auth`). The OpenAPI document is at `/openapi.json` (behind the keys
too); there is no bundled Swagger page, so the API loads nothing from elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from worker.api import errors
from worker.api.auth import require_key
from worker.api.deps import known_parameters
from worker.api.models import Error
from worker.api.routes import alerts, changes, feeds, health, status, stories
from worker.ops.collect import api_registry
from worker.settings import Settings
from worker.store.db import open_store

log = logging.getLogger(__name__)

DESCRIPTION = """The publishers' API of wire-ingest: the normalized, deduplicated story store.

Sync with `GET /changes` (follow `next`), search with `GET /stories?q=`, hear alerts on
`GET /alerts/stream` (Server-Sent Events). With `WIRE_API_KEYS` set, send
`Authorization: Bearer KEY`.
"""


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The application on the store of `settings` (or `engine`), keys read from settings.

    Raises ConfigError for an unreadable key file and StoreError for a store that cannot be
    used, before anything listens.
    """
    keys = tuple(key.encode("utf-8", "surrogateescape") for key in settings.api_keys())
    owned = engine is None
    store = engine if engine is not None else open_store(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.dispose()

    app = FastAPI(title="wire-ingest", version="1", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None,
                  responses={400: {"model": Error}, 401: {"model": Error}})
    app.state.settings = settings
    app.state.engine = store
    app.state.api_keys = keys
    app.state.metrics = api_registry(settings, store)
    errors.install(app)
    strict = [Depends(known_parameters)]
    app.include_router(health.public, dependencies=strict)
    app.include_router(health.protected, dependencies=strict)
    guarded = [Depends(require_key), *strict]
    for router in (stories.router, changes.router, alerts.router, feeds.router,
                   status.router):
        app.include_router(router, dependencies=guarded)
    return app
