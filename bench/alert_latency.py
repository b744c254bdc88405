"""From a document landing in a drop folder to its alert's webhook arriving, through the real
main job: `wire run` (embedded: SQLite + the embedded broker), or `wire worker` + `wire beat` on
PostgreSQL and Redis.

Measured from the moment the poll that ingests the file starts (SPEC: the feed's own interval
is not the product's latency): the worker logs `feed_polled` with its duration when a poll
ends, so start = the log line's time - duration. Each sample drops one file (written aside,
renamed in, old enough to be read at once), waits for its webhook at a local receiver, then
the next; the first one (processes warming up) is not counted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
BODY = ("The benchmark's desk reports that the council met on Tuesday and agreed the budget. "
        * 20)


class Receiver:
    """Records when each delivery arrives, by the story's guid."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.event = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.time()
                self.send_response(204)
                self.end_headers()
                guid = json.loads(body)["story"]["guid"]
                with receiver.event:
                    receiver.arrived.setdefault(guid, at)
                    receiver.event.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait(self, guid: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        with self.event:
            while guid not in self.arrived:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no webhook for {guid} within {timeout} s")
                self.event.wait(left)
            return self.arrived[guid]


def _document(guid: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench'
            f'</title><link>https://bench.example/</link><description>b</description><item>'
            f'<guid isPermaLink="false">{guid}</guid><title>Council agrees budget {guid}</title>'
            f'<description>{BODY}</description><pubDate>{time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())}'
            f'</pubDate></item></channel></rss>').encode()


def _drop(folder: Path, name: str, content: bytes) -> None:
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(content)
    past = time.time() - 10
    os.utime(tmp, (past, past))
    os.replace(tmp, folder / name)


def _polls(log: Path) -> list[tuple[float, float]]:
    """(start, end) of every poll that stored something, from the worker's JSON log lines."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if '"feed_polled"' not in line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "feed_polled" and (event.get("new") or 0) > 0:
            end = datetime.fromisoformat(event["ts"]).timestamp()
            found.append((end - event["duration_ms"] / 1000, end))
    return found


def measure(tmp: Path, env: dict[str, str], commands: list[list[str]], samples: int,
            log: Any = print) -> dict[str, Any]:
    """Run the processes of `commands`, drop `samples` + 1 files, return the latencies."""
    receiver = Receiver()
    inbox = tmp / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    feeds = tmp / "feeds.yaml"
    feeds.write_text(yaml.safe_dump({
        "feeds": [{"name": "inbox", "provider": "bench", "folder": str(inbox), "interval": 1}],
        "alerts": [{"name": "desk", "when": {"providers": ["bench"]}, "webhook": receiver.url,
                    "secret": "${WIRE_HOOK_SECRET}"}]}))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}, **env,
           "WIRE_FEEDS": str(feeds), "WIRE_HOOK_SECRET": "bench", "WIRE_LOG_LEVEL": "INFO",
           "PYTHONPATH": str(REPO)}
    worker_log = tmp / "processes.log"
    procs = []
    with worker_log.open("wb") as out:
        for argv in commands:
            procs.append(subprocess.Popen([sys.executable, "-m", "worker", *argv], env=env,
                                          cwd=tmp, stdout=out, stderr=out,
                                          start_new_session=True))
        try:
            dropped: list[tuple[str, float, float]] = []
            for n in range(samples + 1):
                guid = f"urn:bench:{n}:{time.time_ns()}"
                at = time.time()
                _drop(inbox, f"{n:05d}.xml", _document(guid))
                arrived = receiver.wait(guid, 60)
                dropped.append((guid, at, arrived))
                if n % 10 == 0:
                    log(f"    {n} of {samples}")
            time.sleep(1.5)  # the last poll's log line
        finally:
            for p in procs:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            for p in procs:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            receiver.server.shutdown()
    polls = _polls(worker_log)
    latencies, poll_ms = [], []
    for _guid, at, arrived in dropped[1:]:
        start, end = next((s, e) for s, e in polls if e >= at)
        latencies.append(arrived - start)
        poll_ms.append((end - start) * 1000)
    latencies.sort()
    return {"samples": len(latencies), "p50_ms": _pct(latencies, 50) * 1000,
            "p99_ms": _pct(latencies, 99) * 1000, "max_ms": latencies[-1] * 1000,
            "poll_p50_ms": _pct(sorted(poll_ms), 50)}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]
