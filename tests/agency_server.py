"""A real local HTTP server on 127.0.0.1 that plays the agencies, for the polling tests.

Each path is a `Feed` whose behaviour a test sets: a body (with an ETag and Last-Modified derived
from it, answering `If-None-Match` / `If-Modified-Since` with 304), statuses to return first
(500s, a 429 with `Retry-After`), a delay (a slow feed), an endless body, a server that ignores
conditional requests. Every request is logged (path, headers, start, end, status), and the
server counts how many requests of one path were in flight at once: the assertion that a feed is
never polled twice at the same time.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up (a cut-off endless body) are part of the tests


@dataclass
class Feed:
    body: bytes = b""
    content_type: str = "application/rss+xml"
    etag: bool = True
    last_modified: bool = True
    #: answer 200 with the same ETag whatever the request says (a server ignoring INM)
    ignore_conditional: bool = False
    #: statuses to answer before the body, one per request (e.g. [500, 500])
    statuses: list[int] = field(default_factory=list)
    #: answer every request with this status (a feed that keeps failing)
    always_status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    endless: bool = False
    gzip: bool = False
    redirect_to: str | None = None
    version: int = 0

    def tag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    def modified(self) -> str:
        return formatdate(1_700_000_000 + self.version * 60, usegmt=True)


@dataclass
class Request:
    """One request, logged when it arrives; `finished` and `status` are set when answered."""

    path: str
    headers: dict[str, str]
    started: float
    finished: float | None = None
    status: int | None = None
    #: the client's TCP port: equal ports mean one kept-alive connection
    peer_port: int | None = None


class AgencyServer:
    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.requests: list[Request] = []
        self.inflight: dict[str, int] = {}
        self.max_inflight: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> AgencyServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def feed(self, path: str, **behaviour: Any) -> Feed:
        with self.lock:
            feed = self.feeds.setdefault(path, Feed())
            for key, value in behaviour.items():
                setattr(feed, key, value)
            if "body" in behaviour:
                feed.version += 1
            return feed

    def requests_of(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


def _handler(server: AgencyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else delayed ACKs add 40 ms to every 200

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            started = time.monotonic()
            path = self.path
            with server.lock:
                server.inflight[path] = server.inflight.get(path, 0) + 1
                server.max_inflight[path] = max(server.max_inflight.get(path, 0),
                                                server.inflight[path])
                feed = server.feeds.get(path)
                record = Request(path, dict(self.headers.items()), started,
                                 peer_port=self.client_address[1])
                server.requests.append(record)
                self.record = record
                status_now = None
                if feed is not None and feed.statuses:
                    status_now = feed.statuses.pop(0)
            status = 500
            try:
                status = self._answer(feed, status_now)
            except (BrokenPipeError, ConnectionResetError):
                status = -1
            finally:
                with server.lock:
                    server.inflight[path] -= 1
                    record.finished, record.status = time.monotonic(), status

        def _answer(self, feed: Feed | None, status_now: int | None) -> int:
            if feed is None:
                return self._send(404, b"no such feed")
            if feed.delay:
                time.sleep(feed.delay)
            if feed.redirect_to:
                self.send_response(302)
                self.send_header("Location", feed.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return 302
            status = status_now or feed.always_status
            if status is not None:
                headers = {"Retry-After": feed.retry_after} if feed.retry_after else {}
                return self._send(status, b"agency error", headers)
            if feed.endless:
                return self._endless()
            validators: dict[str, str] = {}
            if feed.etag:
                validators["ETag"] = feed.tag()
            if feed.last_modified:
                validators["Last-Modified"] = feed.modified()
            if not feed.ignore_conditional:
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                if (inm and feed.etag and inm == feed.tag()) or (
                    not inm and ims and feed.last_modified and ims == feed.modified()
                ):
                    return self._send(304, b"", validators)
            body = feed.body
            headers = {"Content-Type": feed.content_type, **validators}
            if feed.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            return self._send(200, body, headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> int:
            with server.lock:  # before the client can see the answer (tests read it at once)
                self.record.status = status
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
            return status

        def _endless(self) -> int:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                time.sleep(0.001)
            return 200

    return Handler


def rss(items: list[dict[str, str]], build_date: str = "Wed, 25 Nov 2026 12:00:00 GMT") -> bytes:
    """An RSS 2.0 document with the given items (guid, title, body, date)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel><title>Agency wire</title>',
        "<link>https://agency.example/</link><description>wire</description>",
        f"<lastBuildDate>{build_date}</lastBuildDate>",
    ]
    for item in items:
        parts.append(
            f"<item><guid isPermaLink=\"false\">{item['guid']}</guid>"
            f"<title>{item['title']}</title>"
            f"<description>{item.get('body', 'Body of ' + item['title'])}</description>"
            f"<pubDate>{item.get('date', 'Wed, 25 Nov 2026 10:00:00 GMT')}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def wire_items(count: int, prefix: str = "urn:agency:", start: int = 0) -> list[dict[str, str]]:
    return [
        {"guid": f"{prefix}{n}", "title": f"Story number {n} from the agency",
         "body": f"Paragraph about event {n}. " * 5,
         "date": formatdate(1_795_000_000 + n * 60, usegmt=True)}
        for n in range(start, start + count)
    ]
