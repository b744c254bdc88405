"""The seed story, as our users receive it from an aggregator, read field by field by hand."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.goldens import DATA
from worker.model import Document
from worker.pipeline import ParseOptions, parse_stories

SEED = DATA / "text" / "raqqa-aggregator.txt"


def seed_story():
    document = Document(name=SEED.name, content=SEED.read_bytes())
    stories, problems = parse_stories(document, ParseOptions(provider="globalgathering"),
                                      datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert problems == []
    (story,) = stories
    return story.as_json()


def test_seed_fixture_is_the_shared_seed_unchanged(shared):
    (original,) = (shared / "seeds").glob("*.txt")
    assert SEED.read_bytes() == original.read_bytes()


def test_seed_header_lines():
    story = seed_story()
    assert story["headline"] == "ISIS Facing Imminent Collapse in Syria's Raqqa"
    assert story["byline"] == ("Raqqa - Latest News on Raqqa | Read Breaking News on "
                               "GLOBAL GATHERING")
    assert story["version_created"] == "2017-10-14T21:41:42Z"
    assert story["provider"] == "globalgathering"
    assert story["guid"].startswith("urn:wire:globalgathering:")


def test_seed_body_dateline_crossheads_and_credits():
    story = seed_story()
    assert story["dateline"] == "BEIRUT"
    assert story["credits"] == ["Reuters", "AP", "dpa"]
    assert story["body_text"].startswith("BEIRUT — After losing Mosul, its de-facto Iraqi capital")
    assert story["body_text"].endswith("the jihadists' de-facto capital in Iraq.")
    assert "Reuters, AP, dpa" not in story["body_text"]
    for crosshead in ("Kurdish YPG in Syrian SDF alliance",
                      "Syrian IS fighters reportedly out of Raqqa", "IS stronghold since 2014"):
        assert f"<h2>{crosshead}</h2>" in story["body_html"]
        assert f"\n\n{crosshead}\n\n" in story["body_text"]
    paragraphs = story["body_text"].split("\n\n")
    assert all(p.strip() == p and p for p in paragraphs)
    assert story["word_count"] == len(story["body_text"].split())
    assert story["pubstatus"] == "usable" and story["signals"] == []
