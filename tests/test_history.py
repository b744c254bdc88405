"""The history of a story: every version that is not current, in `versions` (migration 0004).

The current version lives in `stories` only; a row trigger copies a version into `versions` when
an update replaces it, and a late (lower) version is inserted there by the writer.
"""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from tests.helpers import ingest, version_of, versions
from worker.store.db import alembic_config, make_engine
from worker.store.models import StoryRow, VersionRow
from worker.store.writes import known_version_time


def history(store: Engine) -> list[str]:
    with store.connect() as conn:
        return sorted(conn.execute(select(VersionRow.headline)).scalars())


def test_a_new_story_is_written_once_and_its_update_moves_it_to_history(store, now):
    ingest([version_of("urn:h:1", "2026-11-25T10:00:00Z", headline="A")], store, now)
    assert history(store) == []
    assert [(v["headline"], v["current"]) for v in versions(store, "urn:h:1", now)] == [("A", True)]

    ingest([version_of("urn:h:1", "2026-11-25T11:00:00Z", headline="B")], store, now)
    ingest([version_of("urn:h:1", "2026-11-25T09:00:00Z", headline="Z")], store, now)  # late
    assert history(store) == ["A", "Z"]
    listed = versions(store, "urn:h:1", now)
    assert [(v["headline"], v["current"]) for v in listed] == [("Z", False), ("A", False),
                                                               ("B", True)]
    assert all(v["received_at"] == "2026-11-25T12:00:00Z" for v in listed)


def test_setting_a_cluster_does_not_touch_the_history(store, now):
    ingest([version_of("urn:h:2", "2026-11-25T10:00:00Z", headline="A")], store, now)
    with store.begin() as conn:
        conn.execute(text("UPDATE stories SET cluster_id = 42"))
    assert history(store) == []


def test_first_received_time_is_found_in_the_current_version_and_in_history(store, now):
    first = version_of("urn:h:3", "2026-11-25T10:00:00Z", headline="A")
    ingest([first, version_of("urn:h:3", "2026-11-25T11:00:00Z", headline="B")], store, now)
    with store.connect() as conn:
        found_old = known_version_time(conn, "reuters", "urn:h:3", first.content_hash)
        current_hash = conn.execute(select(StoryRow.content_hash)).scalar_one()
        found_current = known_version_time(conn, "reuters", "urn:h:3", current_hash)
        missing = known_version_time(conn, "reuters", "urn:h:3", "0" * 64)
    assert found_old == datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    assert found_current == datetime(2026, 11, 25, 11, tzinfo=timezone.utc)
    assert missing is None


def test_migration_0004_keeps_every_version_of_a_store_written_before_it(empty_store_url, now):
    engine = make_engine(empty_store_url)
    with engine.begin() as conn:  # a store as 0003 wrote it: the current version in both tables
        command.upgrade(alembic_config(conn), "0003")
    for headline, hour in (("A", 10), ("B", 11)):
        story = version_of("urn:h:4", f"2026-11-25T{hour}:00:00Z", headline=headline)
        values = {"provider": "reuters", "guid": "urn:h:4", "version_seq": 0,
                  "version_created": story.version_created, "content_hash": story.content_hash,
                  "pubstatus": "usable", "signals": [], "headline": headline, "body_html": "",
                  "body_text": story.body_text, "subjects": [], "keywords": [], "credits": [],
                  "word_count": 1, "received_at": now, "updated_at": now}
        with engine.begin() as conn:
            if headline == "A":
                conn.execute(StoryRow.__table__.insert().values(id=1, revision=1, **values))
            else:
                conn.execute(StoryRow.__table__.update().values(**values))
            conn.execute(VersionRow.__table__.insert().values(
                story_id=1, **{k: v for k, v in values.items()
                               if k not in ("provider", "guid", "updated_at")}))

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert history(engine) == ["A"]
    assert [(v["headline"], v["current"]) for v in versions(engine, "urn:h:4", now)] == [
        ("A", False), ("B", True)]

    ingest([version_of("urn:h:4", "2026-11-25T12:00:00Z", headline="C")], engine, now)
    assert history(engine) == ["A", "B"]
    with engine.begin() as conn:  # and back: the current versions return to `versions`
        command.downgrade(alembic_config(conn), "0003")
        assert conn.execute(select(func.count()).select_from(VersionRow)).scalar_one() == 3
    engine.dispose()


def test_the_history_trigger_copies_every_column_of_a_version(store):
    """The trigger's column list is written in its migration (migrations are frozen); a story
    field added to the models without a migration that rewrites the trigger would silently be
    lost from the history. The trigger's INSERT must name exactly the model's version columns."""
    from worker.store.models import VERSION_COLUMNS

    with store.connect() as conn:
        if store.dialect.name == "postgresql":
            body = conn.execute(text(
                "SELECT pg_get_functiondef('wire_keep_replaced_version'::regproc)")).scalar_one()
        else:
            body = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                                     "name = 'stories_keep_replaced_version'")).scalar_one()
    listed = body[body.index("INSERT"):].split("(", 1)[1].split(")", 1)[0]
    columns = [c.strip() for c in listed.split(",")]
    version_columns = [c.name for c in VersionRow.__table__.columns
                       if c.name not in ("id", "story_id", "received_at")]

    assert columns == ["story_id", "received_at", *VERSION_COLUMNS]
    assert sorted(VERSION_COLUMNS) == sorted(version_columns)
