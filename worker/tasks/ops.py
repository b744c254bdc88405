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
