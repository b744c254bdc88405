"""When a feed is polled next, and how long a claim on it lasts: the schedule rules, pure.

The per-feed schedule lives in the store (`feeds.next_poll_at`, `lease_until`,
`consecutive_failures`); these functions decide the values, the dispatcher and the poll task write
them. Nothing here reads the clock or does I/O: `now` and the random draw come in.

The rules, and the pollers they answer (docs/design.md "Polling"):

- success, and also "nothing new" (HTTP 304, same ETag, same body, every item known), resets the
  failure count and polls again one interval later. A 304 is not a failure.
- a failure backs off exponentially from the feed's own interval, `interval * 2**failures`, up to
  a cap (default 30 min), with up to 20 % jitter taken off so that feeds failing together (a DNS
  outage) spread out again. It never polls faster than the interval, and it never stops: a failing
  feed keeps being tried at the cap and shows its error in `wire feeds` (Miniflux stops after three
  errors; its users' most common complaint).
- a `Retry-After` (429/503) is honoured per feed: the next poll waits at least that long, bounded
  by `MAX_RETRY_AFTER` so that a misconfigured server cannot silence a feed for a week.
- the dispatcher's claim on a feed lasts as long as its poll message may wait in the queue (about
  one interval, `message_expiry`) and a few seconds more (`claim_seconds`): a message that is
  dropped unrun (expired behind busy workers, lost with the broker) frees its feed that soon,
  and at once when the worker discards it (`worker.tasks.app`). The task renews the claim to
  outlast its hard time limit when it starts (`lease_seconds`), after checking its token: a
  message that outlived its claim (superseded by a newer claim) does nothing, and a crashed
  worker's claim simply expires.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

#: failures back off up to this many seconds (overridable: WIRE_BACKOFF_CAP_SECONDS)
BACKOFF_CAP = 1800.0
#: at most this share of a back-off delay is taken off at random
JITTER = 0.2
#: a Retry-After longer than this is cut to it
MAX_RETRY_AFTER = 6 * 3600.0
#: a poll message waits in the queue at least / at most this long before it is dropped
MIN_MESSAGE_EXPIRY = 5.0
MAX_MESSAGE_EXPIRY = 300.0
#: a claim outlasts its message's expiry by this much: the worker's time to take the message
CLAIM_SLACK = 5.0


class PollStatus(str, Enum):
    """How a poll ended (`feeds.last_outcome`, `wire feeds`, the polls metric)."""

    OK = "ok"  # documents were read and stored
    NOT_MODIFIED = "not_modified"  # the source said nothing changed (HTTP 304)
    UNCHANGED = "unchanged"  # nothing new: the same ETag, body or items, no files
    ERROR = "error"  # the feed could not be fetched, or every document it gave failed


@dataclass(frozen=True)
class Outcome:
    """What one poll found, as the schedule needs it."""

    status: PollStatus
    error: str | None = None
    #: the source's own pacing (a Retry-After, a queue's retry-after), in seconds
    retry_after: float | None = None

    @property
    def failed(self) -> bool:
        return self.status is PollStatus.ERROR


@dataclass(frozen=True)
class Schedule:
    next_poll_at: datetime
    consecutive_failures: int


def backoff_delay(
    failures: int, interval: float, cap: float = BACKOFF_CAP, draw: float = 0.0
) -> float:
    """Seconds to wait after the `failures`-th failure in a row (failures >= 1).

    `draw` is a random number in [0, 1) (the jitter). Always at least `interval`; at most
    `max(cap, interval)`.
    """
    exponent = min(max(failures, 1), 60)  # 2**60 seconds is already past any cap
    base = min(cap, interval * 2.0**exponent)
    return max(interval, base * (1.0 - JITTER * draw))


def next_schedule(
    outcome: Outcome,
    interval: float,
    failures_before: int,
    now: datetime,
    cap: float = BACKOFF_CAP,
    draw: float = 0.0,
) -> Schedule:
    """The feed's next poll time and failure count after one poll.

    A source's own pacing (`retry_after`) sets the next poll after a success too (a queue that
    says when to come back), bounded like a Retry-After."""
    if not outcome.failed:
        wait = interval if outcome.retry_after is None else min(outcome.retry_after,
                                                                 MAX_RETRY_AFTER)
        return Schedule(now + timedelta(seconds=wait), 0)
    failures = failures_before + 1
    delay = backoff_delay(failures, interval, cap, draw)
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, MAX_RETRY_AFTER))
    return Schedule(now + timedelta(seconds=delay), failures)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def lease_seconds(time_limit: float) -> float:
    """How long a claim or a started poll holds its feed: past the task's hard time limit.

    The dispatcher's claim and the started task use the same length; the task renews the claim
    when it starts, so a message that sat in the queue cannot run on an expired lease.
    """
    return time_limit + max(1.0, time_limit / 4)


def message_expiry(interval: float) -> float:
    """How long a poll message may wait in the queue: about one interval, within bounds.

    A backlog after an outage is dropped, not replayed (the claim expires and the feed is
    claimed afresh).
    """
    return min(MAX_MESSAGE_EXPIRY, max(MIN_MESSAGE_EXPIRY, interval))


def claim_seconds(interval: float) -> float:
    """How long the dispatcher's claim on a feed lasts: its message's wait, and the slack for
    a worker to take the message; a message that could still run always holds a live claim."""
    return message_expiry(interval) + CLAIM_SLACK
