"""Per-feed item fingerprints (`feed_items`): kept while seen, forgotten after FINGERPRINT_DAYS."""

from __future__ import annotations

from datetime import timedelta

from worker.store.feeds import FINGERPRINT_DAYS, known_fingerprints, record_fingerprints
from worker.store.models import FeedRow


def test_fingerprints_are_remembered_per_feed_and_old_ones_forgotten(store, now):
    with store.begin() as conn:
        ids = [conn.execute(FeedRow.__table__.insert().values(
            name=name, format="rss", interval=60.0, config={})).inserted_primary_key[0]
            for name in ("a", "b")]
        record_fingerprints(conn, ids[0], ["old", "kept"], now)
        record_fingerprints(conn, ids[1], ["other"], now)
    later = now + timedelta(days=FINGERPRINT_DAYS, hours=1)
    with store.begin() as conn:  # "kept" is seen again; "old" was not seen for too long
        record_fingerprints(conn, ids[0], ["kept", "new"], later)
    assert known_fingerprints(store, ids[0], ["old", "kept", "new", "other"]) == {"kept", "new"}
    assert known_fingerprints(store, ids[1], ["other"]) == {"other"}  # another feed's stay
