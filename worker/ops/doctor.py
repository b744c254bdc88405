"""`wire doctor`: what is wrong with this deployment, in words an operator can act on.

Checks, in order, each once: the settings and the feed file (every `${NAME}` set), the store
(reachable, at this version's schema), the broker (reachable, queue depths), and every enabled
feed's source (an HTTP GET with the feed's headers; a drop folder that exists and is writable;
other protocols: their host accepts a connection). Nothing is written anywhere and nothing is
acknowledged to a source.

Secrets are never printed: URLs lose their password (`***`), headers are never shown, and a
feed is named by its name and its source as written in the file (`${NAME}` stays a template).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from worker.config import FeedConfig, WireConfig, load_config
from worker.errors import ConfigError
from worker.settings import Settings

TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.subject}: {self.message}"


def masked(url: str) -> str:
    """The URL with any password in it replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def run_checks(settings: Settings) -> Iterator[Check]:
    """Every check, in order; later checks still run when one fails."""
    _remember_secrets(settings)
    config = None
    try:
        config = load_config(settings.feeds_path, settings.environment)
        enabled = sum(f.enabled for f in config.feeds)
        yield Check("configuration", True, f"{settings.feeds_path}: {len(config.feeds)} feeds "
                    f"({enabled} enabled), {len(config.alerts)} alert rules")
    except ConfigError as e:
        yield Check("configuration", False, f"{e} (fix the file WIRE_FEEDS names, or set the "
                    "variable it needs in every worker's environment)")
    try:
        keys = settings.api_keys()
        yield Check("api keys", True, f"{len(keys)} keys" if keys else "none: the API is open")
    except ConfigError as e:
        yield Check("api keys", False, str(e))
    yield check_store(settings)
    yield check_broker(settings)
    if config is not None:
        yield from check_feeds(config, settings)


def check_store(settings: Settings) -> Check:
    from worker.store.db import current_revision, head_revision, make_engine

    url = masked(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        revision = current_revision(engine)
    except Exception as e:  # noqa: BLE001 - said to the operator, by kind and message
        return Check("store", False, f"{url}: cannot connect ({_reason(e)}); is the database "
                     "running, and are WIRE_DATABASE_URL's host, user and password right?")
    finally:
        engine.dispose()
    head = head_revision()
    if revision is None:
        return Check("store", True, f"{url}: empty; the schema is created on first use "
                     "(or run `wire migrate`)")
    if revision != head:
        return Check("store", False, f"{url}: schema at {revision}, this version needs {head}: "
                     "run `wire migrate` (once, before starting the new version)")
    return Check("store", True, f"{url}: reachable, schema {head}")


def check_broker(settings: Settings) -> Check:
    from worker.ops.collect import queue_depths

    url = masked(settings.broker_url)
    try:
        depths = queue_depths(settings)
    except Exception as e:  # noqa: BLE001
        return Check("broker", False, f"{url}: cannot connect ({_reason(e)}); is Redis running "
                     "and WIRE_BROKER_URL right?")
    waiting = ", ".join(f"{q} {n}" for q, n in depths.items())
    return Check("broker", True, f"{url}: reachable; messages waiting: {waiting}")


def check_feeds(config: WireConfig, settings: Settings) -> Iterator[Check]:
    with httpx.Client(timeout=httpx.Timeout(TIMEOUT), follow_redirects=True) as client:
        for feed in config.feeds:
            if not feed.enabled:
                yield Check(f"feed {feed.name}", True, "disabled")
                continue
            yield check_feed(feed, settings, client)


def check_feed(feed: FeedConfig, settings: Settings, client: httpx.Client) -> Check:
    subject = f"feed {feed.name}"
    protocol = feed.protocol
    if protocol == "folder":
        return _check_folder(subject, feed)
    source = masked(feed.source)
    if protocol != "http":
        return _check_connect(subject, source, feed.source)
    try:
        headers = feed.resolved_headers(settings.environment)
        with client.stream("GET", feed.source, headers=headers) as response:
            status = response.status_code
    except ConfigError as e:
        return Check(subject, False, str(e))
    except httpx.HTTPError as e:
        return Check(subject, False, f"{source}: {_reason(e)}; check the URL, DNS and the "
                     "network path from this machine")
    if status < 400:
        return Check(subject, True, f"{source}: HTTP {status}")
    return Check(subject, False, f"{source}: HTTP {status}: {_advice(status)}")


def _advice(status: int) -> str:
    if status in (401, 403):
        return "the agency refused the credentials; check the feed's headers and the secrets " \
               "they name"
    if status in (404, 410):
        return "no such feed at this URL; check it with the agency"
    if status == 429:
        return "the agency is rate-limiting this client; a longer interval may be needed"
    if status >= 500:
        return "the agency's server fails; polls back off and retry by themselves"
    return "the agency refused the request"


def _check_folder(subject: str, feed: FeedConfig) -> Check:
    drop, processed, failed = feed.folders()
    if not drop.is_dir():
        return Check(subject, False, f"{drop}: no such folder; create it or mount it here")
    for folder in (drop, processed.parent if not processed.exists() else processed,
                   failed.parent if not failed.exists() else failed):
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            return Check(subject, False, f"{folder}: not readable and writable by this user "
                         f"(uid {os.getuid()}); files could not be moved after ingestion")
    waiting = sum(1 for p in Path(drop).iterdir() if p.is_file())
    return Check(subject, True, f"{drop}: readable and writable, {waiting} files waiting")


def _check_connect(subject: str, shown: str, url: str) -> Check:
    parts = urlsplit(url)
    port = parts.port or {"ftp": 21, "ftps": 21, "sftp": 22, "https": 443}.get(parts.scheme, 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=TIMEOUT):
            pass
    except OSError as e:
        return Check(subject, False, f"{shown}: cannot connect ({_reason(e)}); check the host, "
                     "the port and the firewall")
    return Check(subject, True, f"{shown}: accepts connections")


def _reason(error: BaseException) -> str:
    """A short reason: the root cause's kind and its first words (a driver's message names
    the host and what failed, never a password: `_SECRETS` are cut out all the same)."""
    cause: BaseException = error
    while cause.__cause__ is not None:
        cause = cause.__cause__
    words = str(getattr(cause, "strerror", None) or cause).strip()
    words = words.splitlines()[0][:160] if words else ""
    for secret in _SECRETS:
        words = words.replace(secret, "***")
    return f"{type(cause).__name__}: {words}" if words else type(cause).__name__


#: values never to print (the passwords of the store's and the broker's URLs), set by run_checks
_SECRETS: list[str] = []


def _remember_secrets(settings: Settings) -> None:
    for url in (settings.database_url, settings.broker_url):
        password = urlsplit(url).password
        if password and password not in _SECRETS:
            _SECRETS.append(password)
