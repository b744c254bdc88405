"""`wire serve`: the publishers' HTTP API on `WIRE_API_BIND` (SPEC "HTTP API").

FastAPI and uvicorn are imported here, when the command runs, so that `wire --help` and every
other command start without them. With `--workers N` uvicorn runs N processes, each building the
app from the environment (`worker.api.app_from_env`).
"""

from __future__ import annotations

import ipaddress
import logging

import click

from worker.cli.app import cli, fail, settings_of
from worker.errors import ConfigError, WireError
from worker.logs import setup_logging

log = logging.getLogger(__name__)
#: how long a stopping server waits for the requests in flight (compose gives it 30 s)
DRAIN_SECONDS = 10


def parse_bind(bind: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` -> (host, port); ValueError naming what is wrong."""
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"WIRE_API_BIND: {bind!r} is not host:port (e.g. 127.0.0.1:8000)")
    return host.strip("[]"), int(port)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command("serve")
@click.option("--bind", default=None, help="host:port to listen on (default: WIRE_API_BIND)")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="server processes")
@click.pass_context
def serve_cmd(ctx: click.Context, bind: str | None, workers: int) -> None:
    """The publishers' HTTP API: stories, the change feed, search, alerts, feeds."""
    settings = settings_of(ctx)
    setup_logging(settings.log_level)
    try:
        host, port = parse_bind(bind or settings.api_bind)
        keys = settings.api_keys()
    except (ValueError, ConfigError) as e:
        fail(e)
    if not keys and not _loopback(host):
        log.warning("api_open", extra={"bind": f"{host}:{port}", "hint": (
            "no WIRE_API_KEYS: anyone who reaches this address can read the store")})
    import uvicorn

    # SIGTERM: stop taking connections, answer the requests in flight, then exit; live streams
    # (`/alerts/stream`) never end by themselves: they are closed after DRAIN_SECONDS
    options = {"host": host, "port": port, "log_config": None, "proxy_headers": False,
               "server_header": False, "timeout_graceful_shutdown": DRAIN_SECONDS}
    if workers > 1:
        if bind:
            fail("--workers with --bind: set WIRE_API_BIND instead (each process reads it)")
        uvicorn.run("worker.api:app_from_env", factory=True, workers=workers, **options)
        return
    from worker.api.app import create_app

    try:
        app = create_app(settings)
    except WireError as e:
        fail(e)
    click.echo(f"wire serve: http://{bind or settings.api_bind}/ "
               f"({'keys required' if keys else 'open'})", err=True)
    uvicorn.run(app, **options)
