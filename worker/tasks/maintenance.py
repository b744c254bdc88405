"""Housekeeping on beat's clock: keep the near-duplicate index to its time window.

`wire.maintenance.prune` runs every `worker.tasks.app.PRUNE_EVERY_SECONDS` (an hour). Near-duplicate lookups only reach
`WIRE_DEDUPE_WINDOW_HOURS` back, so index keys older than that are dead weight: pruning keeps
the shared index (and every lookup) proportional to the window, not to the archive.
The same task forgets archived documents older than `WIRE_ARCHIVE_DAYS` (`worker.archive`).
Running it twice, or on two workers at once, is harmless (a DELETE by time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from worker.store import band_index
from worker.store.db import run_transaction
from worker.tasks.app import app, runtime

log = logging.getLogger(__name__)


@app.task(name="wire.maintenance.prune", ignore_result=True)
def prune_index() -> int:
    """Free the near-duplicate index keys older than the dedupe window."""
    rt = runtime()
    before = datetime.now(timezone.utc) - rt.settings.dedupe_window
    pruned = run_transaction(rt.engine, lambda conn: band_index.prune(conn, before))
    log.info("dedupe_index_pruned", extra={"pruned": pruned, "before": before.isoformat()})
    archived = rt.archive.prune(rt.engine, datetime.now(timezone.utc))
    if archived:
        log.info("archive_pruned", extra={"documents": archived,
                                          "days": rt.settings.archive_days})
    return pruned
