"""A bad item is that item's problem; a reader's bug is loud but still only that item's."""

from __future__ import annotations

import json
import logging

from tests.helpers import RECEIVED, json_document
from worker.errors import ItemError
from worker.parse import apmedia
from worker.pipeline import ParseOptions, parse_stories


def ap_items(*ids: str) -> list[dict]:
    return [{"altids": {"itemid": i}, "type": "text", "headline": f"Story {i}",
             "versioncreated": "2026-11-25T10:00:00Z", "version": 1} for i in ids]


def test_data_the_format_finds_wrong_names_the_document_and_the_item():
    items = ap_items("a", "b")
    del items[0]["altids"]
    stories, problems = parse_stories(json_document(items, "ap/page.json"),
                                      ParseOptions(format="apmedia"), RECEIVED)

    assert [s.guid for s in stories] == ["b"]
    [problem] = problems
    assert isinstance(problem, ItemError)
    assert str(problem).startswith("ap/page.json: item 'item 1': no altids.itemid")


def test_a_bug_in_a_reader_is_logged_with_its_traceback_and_fails_only_its_item(monkeypatch,
                                                                               caplog):
    real = apmedia.read_item

    def buggy(item, position=1):
        if item["altids"]["itemid"] == "b":
            return None.upper()  # a programming error, not bad data
        return real(item, position)

    monkeypatch.setattr(apmedia, "read_item", buggy)
    with caplog.at_level(logging.ERROR):
        stories, problems = parse_stories(json_document(ap_items("a", "b", "c"), "ap/page.json"),
                                          ParseOptions(format="apmedia"), RECEIVED)

    assert [s.guid for s in stories] == ["a", "c"]
    assert [p.item for p in problems] == ["b"]
    assert "unexpected AttributeError" in problems[0].message
    [record] = [r for r in caplog.records if r.getMessage() == "item_reader_failed"]
    assert record.exc_info is not None and record.item == "b"


def test_an_item_error_pickles_through_celery():
    import pickle

    error = ItemError("no guid", "feed.xml", "item 3")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) == "feed.xml: item 'item 3': no guid"
    assert json.dumps(str(again))
