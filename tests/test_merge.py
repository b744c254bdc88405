"""SPEC "Which version wins": the greatest version key is current whatever the arrival order."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from tests.conftest import truncate_all
from tests.helpers import current, ingest, version_of, versions
from worker.merge import Change, decide_merge
from worker.model import ItemData
from worker.normalize import normalize_item
from worker.store.db import make_engine
from worker.store.models import VERSION_COLUMNS
from worker.store.writes import UPSERT_COLUMNS, upsert_statement, version_values, write_versions


def test_older_version_arriving_late_goes_to_history(store, now):
    newer = version_of("urn:x:1", created="2017-10-14T21:41:42Z", headline="B")
    older = version_of("urn:x:1", created="2017-10-14T20:00:00Z", headline="A")

    counts = ingest([newer, older], store, now)

    assert (counts.new, counts.stale) == (1, 1)
    assert current(store, "urn:x:1", now)["headline"] == "B"
    assert [v["headline"] for v in versions(store, "urn:x:1", now)] == ["A", "B"]


def test_newer_version_replaces_current_and_counts_as_updated(store, now):
    counts = ingest([version_of("urn:x:1", created="2017-10-14T20:00:00Z", headline="A"),
                     version_of("urn:x:1", created="2017-10-14T21:00:00Z", headline="B")],
                    store, now)

    assert (counts.new, counts.updated) == (1, 1)
    assert current(store, "urn:x:1", now)["headline"] == "B"
    assert [v["current"] for v in versions(store, "urn:x:1", now)] == [False, True]


def test_the_same_version_again_is_a_no_op(store, now):
    story = version_of("urn:x:1")

    first = ingest([story], store, now)
    again = ingest([story, story], store, now)

    assert first.new == 1 and again.unchanged == 2
    assert len(versions(store, "urn:x:1", now)) == 1


def test_equal_time_orders_by_version_number_then_content_hash(store, now):
    v1 = version_of("urn:x:1", version=1, headline="First take")
    v2 = version_of("urn:x:1", version=2, headline="Second take")
    same_time_a = version_of("urn:x:2", headline="Alpha")
    same_time_b = version_of("urn:x:2", headline="Beta")
    winner = max(same_time_a, same_time_b, key=lambda s: s.content_hash)

    ingest([v2, v1, same_time_b, same_time_a], store, now)

    assert current(store, "urn:x:1", now)["headline"] == "Second take"
    assert current(store, "urn:x:2", now)["headline"] == winner.headline


def test_decide_merge_states_the_rule():
    older, newer = version_of("a", created="2017-01-01T00:00:00Z"), version_of("a")
    assert decide_merge(None, older.key).change is Change.NEW
    assert decide_merge(older.key, newer.key).change is Change.UPDATED
    assert decide_merge(newer.key, newer.key).change is Change.UNCHANGED
    assert decide_merge(newer.key, older.key).change is Change.STALE


# -- any permutation, with repeats, gives the same store ---------------------------------------

VERSIONS = [
    version_of("urn:p:1", created="2017-10-14T20:00:00Z", headline="One", version=1),
    version_of("urn:p:1", created="2017-10-14T21:00:00Z", headline="One updated", version=2),
    version_of("urn:p:1", created="2017-10-14T21:00:00Z", headline="One corrected", version=3,
               signals=("correction",)),
    version_of("urn:p:1", created="2017-10-14T22:00:00Z", headline="One killed", version=4,
               pubstatus="canceled"),
    version_of("urn:p:2", created="2017-10-14T21:00:00Z", headline="Two"),
    version_of("urn:p:2", created="2017-10-14T21:00:00Z", headline="Two rewritten"),
    version_of("urn:p:2", created="2017-10-14T19:00:00Z", headline="Two early"),
]


def snapshot(store, now):
    result = {}
    for guid in ("urn:p:1", "urn:p:2"):
        story = current(store, guid, now)
        history = versions(store, guid, now)
        result[guid] = (
            story["headline"], story["pubstatus"],
            [(v["version_created"], v["version"], v["headline"], v["current"]) for v in history],
        )
    return result


@pytest.fixture(scope="module")
def expected_snapshot(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("expected") / "wire.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    ingest(VERSIONS, engine, now)
    snap = snapshot(engine, now)
    engine.dispose()
    return snap


def test_expected_snapshot_is_the_greatest_key(expected_snapshot):
    assert expected_snapshot["urn:p:1"][:2] == ("One killed", "canceled")
    two = max(VERSIONS[4:6], key=lambda s: s.content_hash).headline
    assert expected_snapshot["urn:p:2"][0] == two
    assert len(expected_snapshot["urn:p:1"][2]) == 4 and len(expected_snapshot["urn:p:2"][2]) == 3


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(VERSIONS), repeats=st.lists(st.sampled_from(VERSIONS), max_size=5),
       batch=st.integers(min_value=1, max_value=4))
def test_any_arrival_order_with_repeats_gives_the_same_store(
    store, now, expected_snapshot, order, repeats, batch
):
    truncate_or_reset(store)
    arrivals = list(order) + repeats
    from tests.helpers import store_all

    for start in range(0, len(arrivals), batch):
        store_all(store, arrivals[start:start + batch], now)

    assert snapshot(store, now) == expected_snapshot


def truncate_or_reset(store):
    if store.dialect.name == "postgresql":
        truncate_all(store)
    else:
        from worker.store.models import Base

        with store.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


def test_every_permutation_of_three_versions_agrees(store, now):
    three = VERSIONS[:3]
    results = []
    for order in itertools.permutations(three):
        truncate_or_reset(store)
        ingest(list(order), store, now)
        results.append(snapshot_one(store, now))
    assert all(r == results[0] for r in results)
    assert results[0][0] == "One corrected"


def snapshot_one(store, now):
    story = current(store, "urn:p:1", now)
    return story["headline"], [v["headline"] for v in versions(store, "urn:p:1", now)]


#: an item with every field the store keeps
ALL_FIELDS = ItemData(
    guid="urn:x:all", version=3, version_created="2017-10-14T21:41:42.123456+02:00",
    first_created="2017-10-14T19:00:00Z", embargoed="2017-10-15T06:00:00Z",
    pubstatus="usable", urgency=2, signals=("update", "correction"), headline="Raqqa falls",
    slugline="SYRIA-RAQQA/", byline="By Ellen Francis", dateline="BEIRUT", language="en",
    body_html="<p>Fighters left the city.</p><p>Caf\u00e9 \u201cquoted\u201d.</p>",
    subjects=("medtop:16000000", "Politik"), keywords=("Syria", "Sch\u00e4tze"),
    credits=("Reuters",), link="https://example.com/raqqa",
)


def test_sqlite_upsert_stores_every_column_as_sqlalchemy_would(tmp_path, sqlite_template, now):
    """On SQLite the upsert binds its values itself (no SQLAlchemy parameter processing): each
    column must hold exactly what SQLAlchemy's statement writes, or reads and comparisons of
    stored times and lists would drift."""
    stories = [normalize_item(ALL_FIELDS, provider="reuters", received_at=now),
               version_of("urn:x:bare")]
    rows = {}
    for way in ("own", "sqlalchemy"):
        path = tmp_path / f"{way}.db"
        path.write_bytes(sqlite_template.read_bytes())
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            if way == "own":
                write_versions(conn, stories, now)
            else:
                values = [[s.provider, s.guid, now, now, 1, *version_values(s)] for s in stories]
                conn.execute(upsert_statement(sqlite_dialect),
                             [dict(zip(UPSERT_COLUMNS, row)) for row in values])
        engine.dispose()
        with sqlite3.connect(path) as raw:
            rows[way] = raw.execute("SELECT * FROM stories ORDER BY guid").fetchall()

    assert len(rows["own"]) == 2
    assert rows["own"] == rows["sqlalchemy"]


def test_postgresql_upsert_stores_every_column_as_sqlalchemy_would(pg_store_url, now):
    """On PostgreSQL the upsert binds one array per column itself, with ids it reserved: each
    column must hold what SQLAlchemy's own statement writes, and a new story its own id as its
    (provisional) cluster."""
    stories = [normalize_item(ALL_FIELDS, provider="reuters", received_at=now),
               version_of("urn:x:bare")]
    columns = ", ".join(c for c in ("provider", "guid", "received_at", "updated_at", "revision",
                                    *VERSION_COLUMNS, "search"))
    rows = {}
    for way in ("own", "sqlalchemy"):
        engine = make_engine(pg_store_url)
        truncate_all(engine)
        with engine.begin() as conn:
            if way == "own":
                write_versions(conn, stories, now)
            else:
                values = [[s.provider, s.guid, now, now, 1, *version_values(s)] for s in stories]
                conn.execute(upsert_statement(postgresql_dialect),
                             [dict(zip(UPSERT_COLUMNS, row)) for row in values])
        with engine.connect() as conn:
            rows[way] = conn.execute(text(
                f"SELECT {columns}, cluster_id = id FROM stories ORDER BY guid")).all()
        engine.dispose()

    assert len(rows["own"]) == 2
    assert [r[:-1] for r in rows["own"]] == [r[:-1] for r in rows["sqlalchemy"]]
    assert [r[-1] for r in rows["own"]] == [True, True]


def test_sqlite_times_are_stored_as_sqlalchemys_datetime_stores_them():
    """UTCDateTime writes SQLite times itself; the text must be SQLAlchemy's DATETIME format,
    or stored times would stop comparing and sorting with ones written before."""
    from sqlalchemy.dialects.sqlite import DATETIME
    from sqlalchemy.dialects.sqlite.pysqlite import dialect as pysqlite_dialect

    from worker.store.models import UTCDateTime

    dialect = pysqlite_dialect()
    stock = DATETIME().bind_processor(dialect)
    ours = UTCDateTime().bind_processor(dialect)
    for value in (datetime(2017, 10, 14, 21, 41, 42, tzinfo=timezone.utc),
                  datetime(2017, 10, 14, 23, 41, 42, 123456,
                           tzinfo=timezone(timedelta(hours=2)))):
        assert ours(value) == stock(value.astimezone(timezone.utc).replace(tzinfo=None))
