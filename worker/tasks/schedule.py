"""The dispatcher: beat's one entry. Syncs the feed configuration, claims due feeds, enqueues polls.

Beat only says "tick" every `WIRE_DISPATCH_SECONDS` (default 2 s); the schedule itself lives in
the store (`worker.store.feeds`). Each tick:

1. if the configuration file changed, sync it into the feeds table (feeds added, removed,
   intervals changed take effect without restarting anything); an invalid file is logged and the
   last good configuration stays in force;
2. claim the due feeds in one statement (a claim with a fresh token, as long as its message may
   wait in the queue);
3. enqueue one `wire.poll.feed` message per claimed feed, expiring after about one interval.

Two beats make two ticks: harmless, each claim is exclusive. A message that is dropped unrun
frees its feed: at once when a worker discards it expired (`worker.tasks.app`), else when its
short claim runs out (a broker restart lost it); the feed is then claimed again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from worker.errors import ConfigError
from worker.polling import claim_seconds, message_expiry
from worker.store.feeds import claim_due, sync_feeds
from worker.tasks.app import POLL_QUEUE, app, runtime

log = logging.getLogger(__name__)
DISPATCH_BATCH = 500


@app.task(name="wire.schedule.dispatch", ignore_result=True, acks_late=False)
def dispatch() -> int:
    """One tick: sync the configuration if it changed, claim due feeds, enqueue their polls."""
    rt = runtime()
    now = datetime.now(timezone.utc)
    sync_config(now)
    token = uuid.uuid4().hex
    claims = claim_due(rt.engine, now, token, claim_seconds, DISPATCH_BATCH)
    from worker.tasks.poll import poll_feed  # the poll module imports this one's app only

    for claim in claims:
        poll_feed.apply_async(
            (claim.feed_id, token),
            queue=POLL_QUEUE,
            expires=message_expiry(claim.interval),
        )
    if claims:
        log.debug("feeds_dispatched", extra={"count": len(claims)})
    return len(claims)


def sync_config(now: datetime) -> None:
    """Sync the configuration file into the feeds table if it changed since the last sync."""
    rt = runtime()
    with rt.lock:
        try:
            changed = rt.changed_config()
        except (ConfigError, OSError) as e:
            if str(e) != rt.refused:  # said once per broken version of the file, not every tick
                log.error("config_refused", extra={"error": str(e)})
                rt.refused = str(e)
            return
        if changed is None:
            return
        key, config = changed
        result = sync_feeds(rt.engine, config, now)
        rt.synced(key, config)
        rt.refused = None
    if result.added or result.changed or result.removed:
        log.info("feeds_synced", extra={"added": list(result.added), "changed": list(result.changed),
                                        "removed": list(result.removed)})
