"""The API served for real: uvicorn on a free 127.0.0.1 port in a thread, for the API tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from worker.api.app import create_app
from worker.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_settings(store_url: str, tmp_path: Path, **env: str) -> Settings:
    base = {"WIRE_DATABASE_URL": store_url,
            "WIRE_BROKER_URL": f"sqla+sqlite:///{tmp_path}/broker.db",
            "WIRE_FEEDS": str(tmp_path / "feeds.yaml")}
    return Settings.from_env({**base, **env}, cwd=tmp_path)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app of `settings` listening on 127.0.0.1; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the API did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def api_client(store_url: str, tmp_path: Path, **env: str) -> Iterator[httpx.Client]:
    with serving(api_settings(store_url, tmp_path, **env)) as base, httpx.Client(
            base_url=base, timeout=10) as client:
        yield client
