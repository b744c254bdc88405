"""The product, measured through its real code paths, in this process.

`ProductWorker` is one worker process of wire-ingest: it writes a feed configuration, lets the
dispatcher's own `sync_config` load it into the store, claims feeds with the dispatcher's
`claim_due`, and runs the real Celery poll task (`wire.poll.feed`) with `task.apply()`: Celery's
task tracer, the lease renewal, the conditional GET, the item pre-scan, the pipeline (parse,
normalize, sanitize, hash, dedup, store), the fingerprints and the outcome row, as a prefork
child runs them. What `apply()` leaves out is the broker round trip (publish, deliver, ack);
docs/design.md "Libraries and costs" records it at ~0.77 ms of machine CPU per task with Redis, which the report
adds where it says "with broker".

`StageClock` splits the CPU time of new-item polls into stages by wrapping the functions the
pipeline and the poll task look up (process CPU time, a few microseconds per call).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

#: measured broker cost per task, Redis transport (docs/design.md "Libraries and costs"): 2 cores / 2,604 tasks/s
BROKER_MS_PER_TASK = 0.77


class StageClock:
    """Process CPU seconds spent inside wrapped functions, by stage name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def wrap(self, module: Any, name: str, stage: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] += time.process_time() - start

        setattr(module, name, timed)
        self._undo.append(lambda: setattr(module, name, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


class ProductWorker:
    """One wire-ingest worker process polling the given feeds (name -> (url, format))."""

    def __init__(self, db_url: str, feeds: dict[str, tuple[str, str]], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / f"feeds-{uuid.uuid4().hex[:6]}.yaml"
        config.write_text(yaml.safe_dump({"feeds": [
            {"name": name, "provider": "bench", "url": url, "format": fmt, "interval": 60}
            for name, (url, fmt) in feeds.items()
        ]}))
        os.environ.update({
            "WIRE_DATABASE_URL": db_url,
            "WIRE_FEEDS": str(config),
            "WIRE_BROKER_URL": "memory://",
            "WIRE_LOG_LEVEL": "INFO",
        })
        from worker.logs import setup_logging
        from worker.store.feeds import feed_rows
        from worker.tasks import schedule
        from worker.tasks.app import runtime
        from worker.tasks.poll import poll_feed

        setup_logging("INFO")  # the worker's JSON log line per poll is part of its cost
        self.runtime = runtime()
        self.task = poll_feed
        schedule.sync_config(datetime.now(UTC))
        self.engine = self.runtime.engine
        self.ids = {name: row.id for name, row in feed_rows(self.engine).items()}

    def make_due(self, names: list[str]) -> None:
        """Make exactly these feeds due (bench bookkeeping, not timed)."""
        from sqlalchemy import update

        from worker.store.models import FeedRow

        ids = [self.ids[n] for n in names]
        soon = datetime.now(UTC) - timedelta(seconds=1)
        with self.engine.begin() as conn:
            conn.execute(update(FeedRow).values(next_poll_at=soon + timedelta(days=365)))
            conn.execute(update(FeedRow).where(FeedRow.id.in_(ids)).values(next_poll_at=soon))

    def poll(self, names: list[str]) -> int:
        """Claim the due feeds as the dispatcher does and run one poll task for each.

        Call `make_due(names)` first; the claim (one statement for all) is part of the cost.
        """
        from worker.polling import lease_seconds
        from worker.store.feeds import claim_due

        ids = [self.ids[n] for n in names]
        token = uuid.uuid4().hex
        claims = claim_due(self.engine, datetime.now(UTC), token,
                           lease_seconds(self.runtime.settings.poll_time_limit), limit=len(ids))
        for claim in claims:
            result = self.task.apply(args=(claim.feed_id, token))
            if result.failed():
                raise RuntimeError(f"poll of {claim.name} failed: {result.traceback}")
        return len(claims)

    def outcomes(self, names: list[str]) -> dict[str, int]:
        """How the last poll of each of these feeds ended (`feeds.last_outcome`)."""
        from worker.store.feeds import feed_rows

        rows = feed_rows(self.engine)
        counts: dict[str, int] = defaultdict(int)
        for name in names:
            counts[str(rows[name].last_outcome)] += 1
        return dict(counts)

    def stage_clock(self) -> StageClock:
        from worker import pipeline, polls
        from worker.fetch import http
        from worker.logs import JsonFormatter
        from worker.tasks import poll

        clock = StageClock()
        clock.wrap(poll, "begin_poll", "lease")
        clock.wrap(poll, "finish_poll", "outcome")
        clock.wrap(JsonFormatter, "format", "log lines")
        clock.wrap(polls, "known_fingerprints", "known")
        clock.wrap(http, "fetch_feed", "fetch")
        clock.wrap(polls, "decode", "decode")
        clock.wrap(polls, "item_fingerprints", "prescan")
        clock.wrap(pipeline, "parse_document", "parse")
        clock.wrap(pipeline, "normalize_item", "normalize")
        clock.wrap(pipeline, "write_versions", "store")
        clock.wrap(pipeline, "cluster_document", "dedupe")
        clock.wrap(polls, "run_transaction", "pipeline")
        return clock
