"""Real agency NITF and NewsML-G2 documents (read in place from ../shared/realworld) parse with
their format detected, and the stories carry what can be read off each document by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.realworld_xml_expected import EXPECTED, REUTERS_CANCELED, REUTERS_CORRECTED
from worker.model import Document
from worker.parse import parse_document
from worker.pipeline import ParseOptions, parse_stories

RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)



def read(shared, relative: str) -> Document:
    path = shared / "realworld" / relative
    return Document(name=relative, content=path.read_bytes())


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_realworld_document_parses_with_the_fields_read_off_it(shared, relative):
    document = read(shared, relative)
    format, expected = EXPECTED[relative]

    parsed = parse_document(document)
    stories, problems = parse_stories(document, ParseOptions(), RECEIVED)

    assert parsed.format == format
    assert problems == []
    assert len(stories) == len(expected)
    for story, want in zip(stories, expected):
        got = story.as_json()
        for key, value in want.items():
            if key == "body":
                assert value in got["body_text"], relative
            elif key == "not_in_body":
                assert value not in got["body_text"], relative
            else:
                assert got[key] == value, f"{relative}: {key}"
        assert got["version_created"] and got["headline"]


def test_every_iptc_example_has_its_expectations(shared):
    folder = shared / "realworld" / "iptc-newsml-g2"
    files = {f"iptc-newsml-g2/{p.name}" for p in folder.iterdir() if p.suffix == ".xml"}

    assert files and files <= set(EXPECTED)


def test_reuters_correction_then_cancel_are_one_story_and_the_cancel_wins(shared):
    corrected = parse_stories(read(shared, REUTERS_CORRECTED), ParseOptions(), RECEIVED)[0][0]
    canceled = parse_stories(read(shared, REUTERS_CANCELED), ParseOptions(), RECEIVED)[0][0]

    assert (corrected.provider, corrected.guid) == (canceled.provider, canceled.guid)
    assert canceled.key > corrected.key
    assert (corrected.signals, canceled.signals) == (("correction",), ("kill",))
