"""A loopback HTTP server for the benchmark feeds, run in its own process.

Its CPU is not the worker's: it runs as a separate process (`python -m bench.server`, started and
stopped by pid by `Server`), so the worker's CPU time measured in the benchmark process never
includes serving. HTTP/1.1 keep-alive, like a real agency endpoint.

Paths:

- `/cond/<fmt>/<feed>`: the feed at its current generation with `ETag` and `Last-Modified`;
  answers `304 Not Modified` to a matching `If-None-Match` / `If-Modified-Since`;
- `/plain/<fmt>/<feed>`: the same bytes without validators (a server that never says 304);
- `/volatile/<fmt>/<feed>`: no validators and a `lastBuildDate`/`sent` that moves on every
  request (the bytes change, the items do not);
- `/_gen/<fmt>/<feed>/<g>`: sets the feed's generation (`bench.feeds`); `/_gen/all/0/<g>` sets
  the default of every feed.
"""

from __future__ import annotations

import subprocess
import sys
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

from bench import feeds

_generations: dict[tuple[str, int], int] = {}
_default_gen = [0]
_stamps = count(1)


@lru_cache(maxsize=256)
def _body(fmt: str, feed: int, gen: int) -> bytes:
    return feeds.document(fmt, feed, gen)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        try:
            if parts[0] == "_gen":
                fmt, feed, gen = parts[1], int(parts[2]), int(parts[3])
                if fmt == "all":
                    _default_gen[0] = gen
                    _generations.clear()
                else:
                    _generations[(fmt, feed)] = gen
                return self._send(204, b"")
            mode, fmt, feed = parts[0], parts[1], int(parts[2])
        except (IndexError, ValueError):
            return self._send(404, b"no such feed")
        if fmt not in feeds.FORMATS or mode not in ("cond", "plain", "volatile"):
            return self._send(404, b"no such feed")
        gen = _generations.get((fmt, feed), _default_gen[0])
        ctype = "application/rss+xml" if fmt == "rss" else "application/vnd.iptc.g2.newsmessage+xml"
        if mode == "volatile":
            return self._send(200, feeds.document(fmt, feed, gen, next(_stamps)), ctype)
        if mode == "plain":
            return self._send(200, _body(fmt, feed, gen), ctype)
        etag = f'"{fmt}-{feed}-{gen}"'
        modified = format_datetime(feeds.item_time(feeds.ITEMS + gen * feeds.NEW_PER_GEN, 0),
                                   usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified}
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == modified
        ):
            return self._send(304, b"", headers=headers)
        return self._send(200, _body(fmt, feed, gen), ctype, headers)

    def _send(self, code: int, body: bytes, ctype: str = "text/plain",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if code != 304 and code != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and code not in (204, 304):
            self.wfile.write(body)


class Server:
    """Starts `python -m bench.server` on a free loopback port; `stop()` ends it by its pid."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.server"], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().strip())
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, mode: str, fmt: str, feed: int) -> str:
        return f"{self.base}/{mode}/{fmt}/{feed}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
