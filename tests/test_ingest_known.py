"""`wire ingest` of a document it stored before: counted as storing it again would count it
(SPEC "Command line"), without parsing it again (worker.ingest, worker.store.ingested)."""

from __future__ import annotations

from sqlalchemy import text

from tests.agency_server import rss, wire_items
from worker import pipeline
from worker.documents import ParseOptions
from worker.ingest import GivenDocuments
from worker.model import Document


def ingest(store, content: bytes, now, name: str = "drop/feed.xml", **options) -> dict:
    document = Document(name=name, content=content)
    result = GivenDocuments(store, ParseOptions(**options)).ingest(document, now)
    return result.counts.as_json()


def counts(**kw: int) -> dict:
    return {"new": 0, "updated": 0, "unchanged": 0, "stale": 0, "duplicates": 0, "errors": 0,
            **kw}


def test_a_document_stored_before_counts_unchanged_without_a_parse(store, now, monkeypatch):
    content = rss(wire_items(3))
    assert ingest(store, content, now) == counts(new=3)

    def refuse(*_args, **_kwargs):
        raise AssertionError("the document was parsed again")

    monkeypatch.setattr(pipeline, "parse_document", refuse)
    assert ingest(store, content, now) == counts(unchanged=3)
    # the same items under a new build date, in another file: the same items
    assert ingest(store, rss(wire_items(3), build_date="Thu, 26 Nov 2026 08:00:00 GMT"), now,
                  name="drop/other.xml") == counts(unchanged=3)


def test_an_item_a_later_version_replaced_counts_stale_as_a_parse_would(store, now):
    first = wire_items(2)
    later = [{**first[0], "title": "Story number 0, updated",
              "date": "Thu, 26 Nov 2026 08:00:00 GMT"}]
    assert ingest(store, rss(first), now) == counts(new=2)
    assert ingest(store, rss(later), now, name="drop/later.xml") == counts(updated=1)

    assert ingest(store, rss(first), now) == counts(unchanged=1, stale=1)


def test_a_document_with_a_bad_item_is_parsed_and_counted_every_time(store, now):
    items = [*wire_items(2), {"guid": "", "title": "", "body": ""}]
    first = ingest(store, rss(items), now)
    assert first["new"] == 2 and first["errors"] == 1
    assert ingest(store, rss(items), now) == counts(unchanged=2, errors=1)


def test_the_same_file_read_another_way_is_parsed_again(store, now):
    content = rss(wire_items(2))
    assert ingest(store, content, now) == counts(new=2)
    assert ingest(store, content, now, provider="reuters") == counts(new=2, duplicates=2)
    assert ingest(store, content, now, provider="reuters") == counts(unchanged=2)


def test_a_story_no_longer_stored_is_parsed_and_stored_again(store, now):
    content = rss(wire_items(2))
    assert ingest(store, content, now) == counts(new=2)
    with store.begin() as conn:
        conn.execute(text("DELETE FROM stories WHERE guid = 'urn:agency:1'"))
    assert ingest(store, content, now) == counts(new=1, unchanged=1)
    assert ingest(store, content, now) == counts(unchanged=2)
