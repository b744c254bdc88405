"""How a document is written on PostgreSQL: plans that do not depend on table statistics, new
stories written once, texts compressed with lz4 (docs/performance.md "New items on
PostgreSQL")."""

from __future__ import annotations

from sqlalchemy import text

from tests.helpers import store_all, version_of
from worker.store import band_claims, band_index


def plan_of(conn, statement, values) -> str:
    """The plan PostgreSQL makes for a raw statement with these values (nothing runs)."""
    compiled = statement._compile(conn.dialect)
    params = {**compiled.constants, **dict(zip(statement.params, values, strict=True))}
    driver = conn.connection.driver_connection
    return "\n".join(row[0] for row in driver.execute("EXPLAIN " + compiled.sql, params))


def test_key_lookups_probe_the_index_even_before_the_table_was_analyzed(pg_store_url):
    """A new store's statistics say the band index is empty: the lookups must still be
    primary-key probes, not a scan of the whole index (a plan kept for as long as the
    prepared statement lives)."""
    from worker.store.db import make_engine

    engine = make_engine(pg_store_url)
    keys = [(band, 1000 + band) for band in range(-1, 16)]
    bands, hashes = [b for b, _ in keys], [h for _, h in keys]
    with engine.begin() as conn:  # the index empty, never analyzed: a new store
        plans = [
            plan_of(conn, band_claims._CLAIM, (
                [7] * len(keys), bands, hashes, [0] * len(keys), [7], ["h"], [0], [1])),
            plan_of(conn, band_claims._LOOK_AGAIN, (
                [7] * len(keys), bands, hashes, [7], ["h"], [0], [1])),
            plan_of(conn, band_index._ASSIGN_PG, (7, 0, "h", bands, hashes, 0, 1)),
            plan_of(conn, band_index._CANDIDATES_PG, (bands, hashes, 0, 1, 7)),
        ]
    engine.dispose()
    for plan in plans:
        assert "Seq Scan on dedupe_bands" not in plan, plan
        assert "dedupe_bands_pkey" in plan, plan


def test_a_new_story_is_written_once_with_its_own_id_as_cluster(pg_store_url, now):
    """Setting the cluster after the insert wrote each new story twice (a second row version,
    with new entries in every index); a new story that joins no cluster is written once."""
    from worker.store.db import make_engine

    engine = make_engine(pg_store_url)
    store_all(engine, [version_of(f"urn:x:{i}", body=f"Story number {i} about {i * 7} things.")
                       for i in range(5)], now)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, cluster_id, ctid::text AS at FROM stories "
                                 "ORDER BY id")).all()
    engine.dispose()
    assert [r.cluster_id for r in rows] == [r.id for r in rows]
    # the table was empty: five row versions in all, the first five slots of its first page
    assert [r.at for r in rows] == [f"(0,{slot})" for slot in range(1, 6)]


def test_story_texts_are_compressed_with_lz4_when_the_server_has_it(pg_store_url, now):
    from worker.store.db import make_engine

    engine = make_engine(pg_store_url)
    store_all(engine, [version_of("urn:x:long", body="Fighters left the city. " * 400)], now)
    with engine.connect() as conn:
        lz4 = conn.execute(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                "WHERE name = 'default_toast_compression'")).scalar()
        method = conn.execute(text(
            "SELECT pg_column_compression(body_html), pg_column_compression(body_text) "
            "FROM stories")).one()
    engine.dispose()
    assert tuple(method) == (("lz4", "lz4") if lz4 else ("pglz", "pglz"))
