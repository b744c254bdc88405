"""AP Media API JSON: feed pages and item documents as the stories a user sees."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tests.helpers import json_document, parse_json
from worker.parse import parse_document

DATA = Path(__file__).resolve().parent / "data" / "apmedia"
RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
BRIDGE = "c81f2e0a9b7d4c3e8f1a2b3c4d5e6f70"


def document(content, name="ap/page.json"):
    return json_document(content, name)


def parse(content, name="ap/page.json", format="auto"):
    return parse_json(content, name, format)


def fixture(name):
    return (DATA / name).read_bytes()


def ap_item(itemid="0123456789abcdef0123456789abcdef", **fields):
    return {
        "uri": f"https://api.ap.org/media/v/content/{itemid}?qt=abc&et=0a0aza0c0",
        "altids": {"itemid": itemid, "etag": f"{itemid}_0a0aza0c0"},
        "version": 0, "type": "text", "versioncreated": "2024-01-02T03:04:05Z",
        "pubstatus": "usable", "signals": ["newscontent"], "headline": "Headline",
        **fields,
    }


def page(*items):
    return {"api_version": "2.2", "method": "/content/feed.GET",
            "data": {"next_page": "https://api.ap.org/media/v/content/feed?qt=abc&seq=2",
                     "items": [{"meta": {}, "item": i} if isinstance(i, dict) else i
                               for i in items]}}


def test_feed_page_items_come_out_keyed_by_itemid_never_by_uri():
    stories, problems = parse(fixture("feed_page.json"))

    assert problems == []
    assert [s.guid for s in stories] == [BRIDGE, "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f50",
                                         BRIDGE, BRIDGE, BRIDGE]
    assert all(s.provider == "ap" for s in stories)
    assert not any("qt=" in s.guid for s in stories)


def test_update_correction_and_kill_are_versions_of_one_story():
    stories, _ = parse(fixture("feed_page.json"))
    bridge = [s for s in stories if s.guid == BRIDGE]

    assert [s.version for s in bridge] == [0, 1, 2, 3]
    keys = [s.key for s in bridge]
    assert keys == sorted(keys) and len(set(keys)) == 4
    assert [s.signals for s in bridge] == [(), ("update",), ("correction",), ("kill",)]
    assert [s.pubstatus for s in bridge] == ["usable", "usable", "usable", "canceled"]


def test_fields_of_an_ap_item():
    first = parse(fixture("feed_page.json"))[0][0]

    assert first.headline == "Bridge collapses in river city; rescuers search for survivors"
    assert first.slugline == "BC-US--Bridge Collapse"
    assert first.byline == "JANE MILLER"
    assert first.dateline == "PITTSBURGH"
    assert first.urgency == 2
    assert first.language == "en"
    assert first.subjects == ("Domestic News", "Accidents and disasters")
    assert first.keywords == ("bridge", "collapse")
    assert first.credits == ("AP",)
    assert first.body_text.startswith("A highway bridge collapsed into the river on Tuesday.")
    assert first.as_json()["first_created"] == "2024-04-09T13:02:44Z"


def test_several_bylines_are_joined_without_their_by():
    stories, _ = parse(ap_item(bylines=[{"by": "By JANE MILLER"}, {"by": "BY RAFAEL ORTIZ"},
                                        {"by": "Tom Lee"}]))

    assert stories[0].byline == "JANE MILLER and RAFAEL ORTIZ and Tom Lee"


def test_headline_extended_is_not_the_headline():
    stories, _ = parse(ap_item(headline="Short", headline_extended="A much longer headline"))

    assert stories[0].headline == "Short"


def test_a_picture_without_text_is_skipped_and_said_so():
    parsed = parse_document(document(fixture("feed_page.json")))

    assert parsed.skipped == ("9a8b7c6d5e4f40312a1b0c9d8e7f6a50: picture item without a text "
                              "body",)


def test_editorial_only_content_without_newscontent_is_an_advisory():
    stories, _ = parse(page(ap_item(signals=[]), ap_item(itemid="f" * 32)))

    assert [s.signals for s in stories] == [("advisory",), ()]


def test_embargoed_item_is_usable_with_its_embargo_and_an_inline_nitf_body():
    stories, problems = parse(fixture("item_embargoed.json"))
    story = stories[0]

    assert problems == []
    assert story.pubstatus == "usable"
    assert story.as_json()["embargoed"] == "2024-10-02T04:01:00Z"
    assert story.urgency == 8
    assert story.dateline == "Washington"
    assert story.credits == ("AP", "Nature Geoscience")
    assert story.body_text == (
        "WASHINGTON (AP) \u2014 Coastal wetlands store far more carbon than scientists had "
        "estimated, a study published Wednesday found.\n\n"
        "The researchers measured soil cores at 600 sites.")


def test_a_bare_withheld_item_is_withheld_and_a_kill():
    stories, _ = parse(fixture("bare_item_withheld.json"))

    assert stories[0].pubstatus == "withheld"
    assert stories[0].signals == ("kill",)
    assert stories[0].urgency == 1


def test_a_kill_typed_item_still_marked_usable_is_canceled():
    stories, _ = parse(ap_item(version=4, editorialtypes=["Kill"]))

    assert stories[0].pubstatus == "canceled"
    assert stories[0].signals == ("kill",)


def test_a_malformed_item_is_a_problem_naming_document_and_item_and_the_rest_come_out():
    no_itemid = ap_item(itemid="1" * 32)
    del no_itemid["altids"]
    stories, problems = parse(page(ap_item(), no_itemid, "junk", ap_item(itemid="2" * 32)),
                              name="feeds/ap/page-7.json")

    assert [s.guid for s in stories] == ["0123456789abcdef0123456789abcdef", "2" * 32]
    assert [(p.document, p.item) for p in problems] == [
        ("feeds/ap/page-7.json", "item 2"), ("feeds/ap/page-7.json", "item 3")]
    assert "itemid" in problems[0].message


def test_an_empty_feed_page_has_no_stories_and_no_error():
    stories, problems = parse(page())

    assert stories == [] and problems == []


def test_the_ap_alias_and_detection_before_ninjs():
    assert parse_document(document(ap_item()), "ap").format == "apmedia"
    assert parse_document(document(fixture("feed_page.json"))).format == "apmedia"
    # a ninjs object with AP altids but none of the AP Media API's own keys stays ninjs
    ninjs = {"uri": "urn:x", "altids": {"itemid": "x"}, "headline": "H", "body_text": "B"}
    assert parse_document(document(ninjs)).format == "ninjs"
