"""Structured logs: one JSON object per line on stderr, the same keys everywhere.

Keys used across the product: `feed`, `provider`, `poll` (the poll's id), `document`, `guid`,
`story_id`, plus per event counts. Pass them with `extra={...}`; the event name is the message
(`feed_polled`, `document_failed`). What a whole unit of work shares (the poll task sets `feed`,
`provider` and `poll`) goes into `log_context`, and every line logged inside it carries those
keys, whichever module logs it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("wire_log_context",
                                                     default=MappingProxyType({}))


@contextmanager
def log_context(**keys: Any) -> Iterator[None]:
    """Every line logged inside carries these keys (a line's own `extra` wins)."""
    token = _CONTEXT.set({**_CONTEXT.get(), **keys})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_CONTEXT.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def setup_logging(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx writes a line per request at INFO, httpcore its steps at DEBUG: a poll's own
    # `feed_polled` line says more, once; and both quote request URLs, which can carry a feed's
    # credentials (a wireQ base URL, an API key in a query), so they stay quiet at every level
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
