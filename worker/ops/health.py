"""Feed health (SPEC "Feed health"): `ok`, `failing` or `quiet`, and the events between them.

Pure: the poll task hands in the feed's figures and `now`; the store keeps the state the last
poll decided (`feeds.health`, `health_since`), so a transition is seen once, by the one poll
that holds the feed's lease, and fires its alert once.

- `failing`: from the third consecutive failed poll (`FAILING_AFTER`). A failing feed brings
  nothing, so failing wins over quiet.
- `quiet`: the feed has `quiet_after` and brought no new or updated story for that long,
  counted from its last one, or, before its first, from when its state began (its first poll,
  or its recovery).
- events: entering `failing` or `quiet` is that event; leaving either for `ok` is `recovered`.
  A feed's first state, when `ok`, is no event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

#: SPEC: a feed is failing from its third consecutive failed poll
FAILING_AFTER = 3


class Health(str, Enum):
    OK = "ok"
    FAILING = "failing"
    QUIET = "quiet"


#: the events an alert rule's `feed_events` may name
FEED_EVENTS = ("failing", "quiet", "recovered")


@dataclass(frozen=True)
class HealthFigures:
    """What health is decided from: the feed row's figures and the feed's `quiet_after`."""

    consecutive_failures: int
    last_story_at: datetime | None
    #: when the state the last poll decided began (None: never decided)
    health_since: datetime | None
    quiet_after: float | None


def feed_health(figures: HealthFigures, now: datetime) -> Health:
    """The feed's health at `now`."""
    if figures.consecutive_failures >= FAILING_AFTER:
        return Health.FAILING
    if figures.quiet_after is not None:
        since = figures.last_story_at or figures.health_since or now
        if (now - since).total_seconds() >= figures.quiet_after:
            return Health.QUIET
    return Health.OK


def transition_event(before: Health | None, after: Health) -> str | None:
    """The event of moving from `before` (None: no state yet) to `after`, if any."""
    if before is after:
        return None
    if after is Health.OK:
        return "recovered" if before is not None else None
    return after.value
