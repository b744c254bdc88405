"""Structured logs: one JSON object per line on stderr, the same keys everywhere.

Keys used across the product: `feed`, `provider`, `document`, `guid`, plus per event counts.
Pass them with `extra={...}`; the event name is the message (`feed_polled`, `document_ingested`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
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
