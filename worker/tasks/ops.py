"""Operations on beat's clock. Thin: the work is in `worker.ops`.

- `wire.ops.sample` (every `SAMPLE_EVERY_SECONDS`): the deployment's counters summed for the
  status page's charts (`worker.ops.samples`).
- `wire.ops.housekeeping` (hourly): retention of history, stories and processed drop-folder
  files, each by its setting (`worker.ops.housekeeping`).

Both are harmless when run twice or on two workers at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from worker.config import load_config
from worker.errors import ConfigError
from worker.ops.housekeeping import housekeeping
from worker.ops.samples import take_sample
from worker.store.db import run_transaction
from worker.tasks.app import app, runtime

log = logging.getLogger(__name__)


@app.task(name="wire.ops.sample", ignore_result=True, acks_late=False)
def sample() -> None:
    """Store the sums of every feed's counters (one row a minute)."""
    rt = runtime()
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    run_transaction(rt.engine, lambda conn: take_sample(conn, now))


@app.task(name="wire.ops.housekeeping", ignore_result=True)
def housekeeping_task() -> None:
    """Retention of history, stories and processed drop-folder files, by their settings."""
    rt = runtime()
    try:
        config = load_config(rt.settings.feeds_path, rt.settings.environment)
    except ConfigError:
        config = None  # the dispatcher says why; the store's rules still apply
    report = housekeeping(rt.engine, rt.settings, config, datetime.now(timezone.utc))
    log.info("housekeeping", extra=vars(report))
