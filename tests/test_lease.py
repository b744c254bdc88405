"""The feed lease a poll runs under: claimed by the dispatcher, checked (and renewed only when
needed) by the poll task, so one feed is never polled twice at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from worker.polling import lease_seconds
from worker.store.feeds import begin_poll, claim_due
from worker.store.models import FeedRow

TIME_LIMIT = 120.0
LEASE = lease_seconds(TIME_LIMIT)


def lease_until(store):
    with store.connect() as conn:
        return conn.execute(select(FeedRow.lease_until)).scalar_one()


def test_a_fresh_claim_is_read_an_old_one_renewed_a_lost_one_refused(store, now):
    with store.begin() as conn:
        conn.execute(FeedRow.__table__.insert().values(
            name="a", format="rss", interval=60.0, config={}, next_poll_at=now))
    [claim] = claim_due(store, now, "t1", LEASE)
    claimed = lease_until(store)
    assert claimed == now + timedelta(seconds=LEASE)

    # the message ran a moment after the claim: the claim outlives the run, nothing written
    assert begin_poll(store, claim.feed_id, "t1", now + timedelta(seconds=2), LEASE,
                      TIME_LIMIT) is not None
    assert lease_until(store) == claimed

    # it sat in the queue: what is left would not cover the time limit, so it is renewed
    late = now + timedelta(seconds=60)
    row = begin_poll(store, claim.feed_id, "t1", late, LEASE, TIME_LIMIT)
    assert row.lease_until == late + timedelta(seconds=LEASE) == lease_until(store)

    # expired, still unclaimed by anyone else: renewed as well
    later = late + timedelta(seconds=LEASE + 5)
    assert begin_poll(store, claim.feed_id, "t1", later, LEASE, TIME_LIMIT) is not None
    assert lease_until(store) == later + timedelta(seconds=LEASE)

    # another claim took the feed: the old token gets nothing and changes nothing
    with store.begin() as conn:
        conn.execute(update(FeedRow).values(lease_token="t2"))
    assert begin_poll(store, claim.feed_id, "t1", later, LEASE, TIME_LIMIT) is None
    assert lease_until(store) == later + timedelta(seconds=LEASE)
