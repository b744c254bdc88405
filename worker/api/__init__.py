"""The publishers' HTTP API (`wire serve`): FastAPI app factory, routes per resource."""

from __future__ import annotations

from typing import Any


def app_from_env() -> Any:
    """The app built from the environment (for `uvicorn --factory` and `wire serve --workers`)."""
    from worker.api.app import create_app
    from worker.settings import Settings

    return create_app(Settings.from_env())
