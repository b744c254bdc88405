"""The schedule rules (worker.polling): back-off, Retry-After, 304, leases. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from worker.polling import (
    MAX_RETRY_AFTER,
    Outcome,
    PollStatus,
    backoff_delay,
    claim_seconds,
    lease_seconds,
    message_expiry,
    next_schedule,
    parse_retry_after,
)
from worker.store.feeds import MAX_CLAIM_SECONDS

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
intervals = st.floats(min_value=0.1, max_value=86_400, allow_nan=False)
caps = st.floats(min_value=1, max_value=86_400, allow_nan=False)
draws = st.floats(min_value=0, max_value=0.999999)
failures = st.integers(min_value=1, max_value=10_000)


def seconds_until(when: datetime) -> float:
    return (when - NOW).total_seconds()


@given(failures, intervals, caps, draws)
def test_a_failing_feed_never_waits_less_than_its_interval_nor_more_than_the_cap(n, interval, cap,
                                                                               draw):
    delay = backoff_delay(n, interval, cap, draw)

    assert interval <= delay <= max(cap, interval)


@given(intervals, caps, draws)
def test_back_off_grows_with_every_failure_until_the_cap(interval, cap, draw):
    delays = [backoff_delay(n, interval, cap, draw) for n in range(1, 40)]

    assert delays == sorted(delays)
    assert delays[-1] >= max(interval, 0.8 * cap)  # reached the cap


def test_back_off_doubles_from_the_interval():
    assert [backoff_delay(n, 60, cap=1800) for n in (1, 2, 3, 4, 5, 6)] == [
        120, 240, 480, 960, 1800, 1800]


@given(failures, intervals, caps)
def test_jitter_takes_off_at_most_a_fifth(n, interval, cap):
    top = backoff_delay(n, interval, cap, 0.0)
    low = backoff_delay(n, interval, cap, 0.999999)

    assert max(interval, top * 0.8) <= low + 1e-9 and low <= top


def test_a_failing_feed_keeps_being_tried_at_the_cap_and_never_stops():
    failures_so_far = 0
    for _ in range(200):
        schedule = next_schedule(Outcome(PollStatus.ERROR, "HTTP 500"), 60, failures_so_far, NOW,
                                 cap=1800)
        failures_so_far = schedule.consecutive_failures
    assert failures_so_far == 200
    assert seconds_until(schedule.next_poll_at) == 1800


@given(st.sampled_from([PollStatus.OK, PollStatus.NOT_MODIFIED, PollStatus.UNCHANGED]),
       st.integers(0, 1000), intervals)
def test_success_and_not_modified_reset_failures_and_poll_one_interval_later(status, before,
                                                                           interval):
    schedule = next_schedule(Outcome(status), interval, before, NOW)

    assert schedule.consecutive_failures == 0
    assert schedule.next_poll_at == NOW + timedelta(seconds=interval)


def test_a_304_is_not_a_failure():
    assert not Outcome(PollStatus.NOT_MODIFIED).failed
    assert Outcome(PollStatus.ERROR, "x").failed


@given(st.floats(min_value=0, max_value=10 * 86_400, allow_nan=False), st.integers(0, 50),
       intervals, draws)
def test_retry_after_is_honoured_up_to_its_bound(retry_after, before, interval, draw):
    schedule = next_schedule(Outcome(PollStatus.ERROR, "HTTP 429", retry_after), interval, before, NOW,
                             cap=1800, draw=draw)

    wait = seconds_until(schedule.next_poll_at)
    assert wait >= min(retry_after, MAX_RETRY_AFTER) - 1e-6
    assert wait <= max(min(retry_after, MAX_RETRY_AFTER), 1800, interval) + 1e-6
    assert schedule.consecutive_failures == before + 1


@given(st.floats(min_value=0, max_value=10 * 86_400, allow_nan=False), intervals)
def test_a_sources_own_pacing_sets_the_next_poll_after_a_success(wait, interval):
    """A queue that answers `retry-after` on every answer (dpa wireQ) is asked again then,
    not after the feed's interval, within the same bound as a Retry-After."""
    schedule = next_schedule(Outcome(PollStatus.OK, retry_after=wait), interval, 3, NOW)

    assert schedule.consecutive_failures == 0
    assert abs(seconds_until(schedule.next_poll_at) - min(wait, MAX_RETRY_AFTER)) < 1e-5


def test_retry_after_as_seconds_and_as_http_date():
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Wed, 25 Nov 2026 12:05:00 GMT", NOW) == 300
    assert parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


@given(intervals, st.floats(min_value=1, max_value=3600, allow_nan=False))
def test_a_poll_message_expires_before_its_claim_and_a_started_poll_outlives_the_task(
        interval, limit):
    assert lease_seconds(limit) > limit
    assert 0 < message_expiry(interval) < claim_seconds(interval)
    # a dropped message frees its feed within seconds of the message's own expiry
    assert claim_seconds(interval) - message_expiry(interval) <= 10
    assert claim_seconds(interval) <= MAX_CLAIM_SECONDS
