"""IPTC ninjs 1.x / 2.x / 3.x: what a user sees of each generation and flavour."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.helpers import json_document, parse_json
from worker.errors import DocumentError
from worker.parse import parse_document
from worker.parse.ninjs import generation

DATA = Path(__file__).resolve().parent / "data" / "ninjs"
RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def document(content, name="ninjs/doc.json"):
    return json_document(content, name)


def parse(content, name="ninjs/doc.json", format="auto"):
    return parse_json(content, name, format)


def stories_of(fixture):
    stories, problems = parse((DATA / fixture).read_bytes(), f"ninjs/{fixture}")
    assert problems == []
    return stories


def text_item(**fields):
    return {"uri": "urn:example:1", "type": "text", "headline": "A headline",
            "body_text": "Some words.", **fields}


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"uri": "u", "versioncreated": "x", "headline": "h", "body_html": "<p>b</p>"}, 1),
        ({"uri": "u", "versioncreated": "x", "headlines": [], "bodies": [], "by": "b"}, 2),
        ({"uri": "u", "versionCreated": "x", "headlines": [], "pubStatus": "usable"}, 3),
    ],
)
def test_generation_is_read_off_the_keys(obj, expected):
    assert generation(obj) == expected


def test_ninjs1_flat_fields_become_the_story():
    first = stories_of("v1_versions.json")[0]

    assert first.guid == "urn:newsml:example-wire.com:20240312:harbour-fire"
    assert first.version == 1
    assert first.as_json()["version_created"] == "2024-03-12T06:10:00Z"
    assert first.headline == "Fire breaks out at Hamburg container terminal"
    assert first.byline == "Anna Keller"
    assert first.dateline == "HAMBURG"
    assert first.slugline == "HARBOUR-FIRE"
    assert first.urgency == 3
    assert first.subjects == ("disaster and accident", "fire")
    assert "No injuries were reported." in first.body_text


def test_update_correction_and_kill_are_versions_of_one_story():
    stories = stories_of("v1_versions.json")

    assert {(s.provider, s.guid) for s in stories} == {
        ("unknown", "urn:newsml:example-wire.com:20240312:harbour-fire")}
    keys = [s.key for s in stories]
    assert keys == sorted(keys) and len(set(keys)) == 4
    assert [s.signals for s in stories] == [(), ("update",), ("correction",), ("kill",)]
    assert [s.pubstatus for s in stories] == ["usable", "usable", "usable", "canceled"]
    assert max(stories, key=lambda s: s.key).pubstatus == "canceled"


def test_ap_token_uri_is_not_the_guid_but_the_itemid():
    story = stories_of("v1_ap_token_uri.json")[0]

    assert story.guid == "3f0c1d2e4b5a49c8a7e6d5c4b3a29180"
    assert story.provider == "ap"
    assert story.as_json()["embargoed"] == "2024-05-02T22:00:00Z"
    assert "<script>" not in story.body_html


def test_two_requests_of_one_ap_item_give_the_same_guid_even_without_altids():
    uri = "http://api.ap.org/media/v/content/8c9f92e2a4414c709a295b449f459a74?qt={}&et={}"
    one, _ = parse(text_item(uri=uri.format("H1Kdh42orF", "0a3aza2c0")))
    two, _ = parse(text_item(uri=uri.format("Zz9yy8Xx7w", "1b4bzb3d1")))

    assert one[0].guid == two[0].guid == "8c9f92e2a4414c709a295b449f459a74"


def test_a_uri_without_request_tokens_is_the_guid_as_written():
    stories, _ = parse(text_item(uri="http://tt.se/media/text/210526-militarovning-a0f2d045"))

    assert stories[0].guid == "http://tt.se/media/text/210526-militarovning-a0f2d045"


def test_superdesk_guid_wins_over_uri_and_plus0000_offsets_are_read():
    story = stories_of("superdesk_guid.json")[0]

    assert story.guid == "tag:desk.example.com,2024:8d1c6c0e-9f0a-4d7b-8e2d-1b0c9a7f6e55"
    assert story.as_json()["version_created"] == "2024-02-20T10:11:12Z"
    assert story.credits == ("AAP",)
    assert story.keywords == ("wheat", "harvest")
    assert "onclick" not in story.body_html


def test_junk_date_is_tolerated_and_the_received_time_is_used():
    stories, problems = parse((DATA / "v1_junk_date.json").read_bytes())

    assert problems == []
    assert stories[0].version_created == RECEIVED
    assert stories[0].inferred_time is True
    assert stories[0].version is None  # "draft-2" is no number
    assert stories[0].headline == "Lighthouse museum reopens after restoration"


def test_ninjs2_main_headline_html_body_and_embargo():
    story = stories_of("v2_embargo.json")[0]

    assert story.headline == "Regierung legt Haushaltsentwurf vor"
    assert story.body_html.startswith("<p>Die Regierung hat ihren Haushaltsentwurf vorgelegt.</p>")
    assert story.as_json()["embargoed"] == "2024-09-17T10:00:00Z"
    assert story.byline == "Petra Lang, Example Wire"
    assert story.subjects == ("Wirtschaft", "Haushalt")
    assert story.language == "de-DE"


def test_ninjs3_camelcase_list_skips_a_picture_and_reads_a_cancel():
    parsed = parse_document(document((DATA / "v3_list.json").read_bytes()))
    stories = stories_of("v3_list.json")

    assert [s.guid for s in stories] == ["https://wire.example.net/items/77410",
                                         "https://wire.example.net/items/77390"]
    assert stories[0].as_json()["first_created"] == "2024-11-03T18:02:00Z"
    assert stories[0].signals == ("update",)
    assert stories[0].body_text.split("\n\n")[1] == "No tsunami warning was issued."
    assert stories[1].pubstatus == "canceled" and stories[1].signals == ("kill",)
    assert parsed.skipped == ("https://wire.example.net/items/77411: picture item without a "
                              "text body",)


def test_a_picture_carrying_a_text_body_is_a_story():
    stories, _ = parse(text_item(type="picture", body_text="German Air Force Museum"))

    assert stories[0].body_text == "German Air Force Museum"


def test_a_text_item_without_body_takes_its_description():
    stories, _ = parse({"uri": "urn:x", "type": "text", "headlines": [{"value": "H"}],
                        "descriptions": [{"role": "text", "value": "The lead in short."}]})

    assert stories[0].body_text == "The lead in short."


def test_inline_nitf_body_is_read_when_there_is_no_html():
    nitf = ('<?xml version="1.0"?><nitf><body><body.head><hedline><hl1>H</hl1></hedline>'
            '</body.head><body.content><block id="lead"><p>Lead paragraph.</p></block>'
            '<block><p>Second paragraph.</p></block></body.content></body></nitf>')
    stories, _ = parse({"uri": "urn:x", "type": "text", "versionCreated": "2024-01-01T00:00:00Z",
                        "headlines": [{"role": "main", "value": "H"}],
                        "bodies": [{"contentType": "text/vnd.IPTC.NITF", "value": nitf},
                                   {"contentType": "text/plain", "value": "Second paragraph."}]})

    assert stories[0].body_text == "Lead paragraph.\n\nSecond paragraph."


def test_pattern_keys_of_ninjs1_give_headline_and_body():
    stories, _ = parse({"uri": "urn:x", "type": "text", "headline_main": "Main headline",
                        "body_richtext": "<p>One.</p> <p>Two.</p>"})

    assert stories[0].headline == "Main headline"
    assert stories[0].body_text == "One.\n\nTwo."


def test_a_bad_object_in_a_list_is_a_problem_and_the_others_come_out():
    good = text_item(uri="urn:example:good")
    empty = {"uri": "urn:example:empty", "type": "text"}
    stories, problems = parse([good, "not an object", empty], name="drop/list.json")

    assert [s.guid for s in stories] == ["urn:example:good"]
    assert len(problems) == 2
    assert all(p.document == "drop/list.json" for p in problems)
    assert {p.item for p in problems} == {"item 2", "urn:example:empty"}


def test_format_can_be_named_and_an_empty_list_is_refused():
    stories, _ = parse(text_item(), format="ninjs")
    assert stories[0].headline == "A headline"

    with pytest.raises(DocumentError, match="empty list"):
        parse_document(document([]), "ninjs")
