"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0: what a feed's items become as stories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.errors import DocumentError
from worker.model import Document, Story
from worker.normalize import normalize_item
from worker.parse import parse_document

DATA = Path(__file__).resolve().parent / "data" / "rss"
RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)


def stories(content: bytes | str, name: str = "feed.xml", format: str = "auto") -> list[Story]:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    parsed = parse_document(Document(name, raw), format=format)
    assert parsed.problems == ()
    return [normalize_item(i, provider="p", received_at=RECEIVED, document=name)
            for i in parsed.items]


def fixture(name: str) -> list[Story]:
    return stories((DATA / name).read_bytes(), name=name)


def rss(items: str, extra_ns: str = "") -> str:
    return (f'<?xml version="1.0"?><rss version="2.0" {extra_ns}><channel><title>T</title>'
            f"<link>https://x.example/</link><description>d</description>{items}</channel></rss>")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("name, fmt_version", [
    ("rss20-wire.xml", "2.0"), ("rss10.rdf", "1.0"), ("rss091.xml", "0.91"),
    ("atom10.xml", "Atom 1.0"), ("atom03.xml", "Atom 0.3"),
])
def test_every_feed_version_is_detected_as_rss(name: str, fmt_version: str) -> None:
    parsed = parse_document(Document(name, (DATA / name).read_bytes()))
    assert parsed.format == "rss" and parsed.items, fmt_version


def test_content_encoded_is_the_body_and_description_is_not_used_beside_it() -> None:
    first = fixture("rss20-wire.xml")[0]
    assert first.body_text.startswith("VALENCIA, Spain (Example) - Flood waters receded")
    assert "<b>clearing mud</b>" in first.body_html
    assert "script" not in first.body_html and "alert" not in first.body_text
    assert first.dateline == "VALENCIA, Spain"


def test_dc_creator_and_dc_date_give_byline_and_version_time() -> None:
    first = fixture("rss20-wire.xml")[0]
    assert first.byline == "Elena Ruiz"
    assert first.version_created == utc(2024, 10, 31, 10, 40)  # dc:date, +01:00
    assert first.first_created == utc(2024, 10, 31, 7, 15)  # pubDate
    assert first.subjects == ("Spain", "Floods")
    assert first.language == "en-US"


def test_media_content_and_enclosures_do_not_become_stories_or_body() -> None:
    feed = fixture("rss20-wire.xml")
    assert len(feed) == 6
    assert "valencia.jpg" not in feed[0].body_html and "mp3" not in feed[0].body_html
    assert feed[0].headline == "Flood waters recede in Valencia as clean-up begins"


def test_same_guid_and_same_link_twice_are_two_versions_of_one_story() -> None:
    first, second = fixture("rss20-wire.xml")[:2]
    assert first.guid == second.guid == "tag:wire.example.com,2024:KBN2K1"
    assert second.key > first.key
    assert second.headline == "Flood waters recede in Valencia; death toll rises"


def test_same_guid_with_another_link_is_another_story_keyed_guid_hash_link() -> None:
    tokyo, london = fixture("rss20-wire.xml")[2:4]
    assert tokyo.guid == "daily-markets"
    assert london.guid == "daily-markets#https://wire.example.com/markets/london-close"


def test_item_without_guid_is_keyed_by_link_then_by_headline_digest() -> None:
    feed = fixture("rss20-wire.xml")
    assert feed[4].guid == feed[4].link == "https://wire.example.com/world/greece-ferry-strike"
    assert feed[4].byline == "Nikos Pappas"  # RSS <author> is "email (Name)"
    assert feed[5].link is None
    assert feed[5].guid.startswith("urn:wire:p:")
    assert feed[5].guid == stories(rss(
        "<item><title>Embassy statement on Sudan</title><description>other</description></item>"
    ))[0].guid


def test_item_without_any_date_takes_the_received_time() -> None:
    feed = fixture("rss20-wire.xml")
    assert feed[5].version_created == RECEIVED and feed[5].inferred_time


def test_rss10_reads_dc_fields_and_the_channel_language() -> None:
    (s,) = fixture("rss10.rdf")
    assert s.guid == s.link == "https://wire.example.org/science/comet-1234"
    assert s.version_created == utc(2024, 10, 12, 18)
    assert (s.byline, s.subjects, s.language) == ("Mira Holt", ("Astronomy",), "en")


def test_rss091_in_latin1_keeps_its_characters() -> None:
    (s,) = fixture("rss091.xml")
    assert s.headline == "Züge fahren wieder nach Fahrplan"
    assert s.language == "de" and s.inferred_time


def test_atom10_entry_inherits_feed_author_and_xml_lang() -> None:
    first, second = fixture("atom10.xml")
    assert first.byline == "Rédaction Exemple" and second.byline == "Claire Martin"
    assert first.language == "fr" and second.language == "en"
    assert first.version_created == utc(2024, 6, 2, 7, 45)  # updated, +02:00
    assert first.first_created == utc(2024, 6, 2, 5, 30)  # published
    assert first.link == "https://depeches.example.fr/politique/retraites-senat"
    assert "<em>trois jours</em>" in first.body_html  # xhtml content kept as markup


def test_atom03_modified_and_issued_are_read() -> None:
    (s,) = fixture("atom03.xml")
    assert s.guid == "tag:old.example.com,2005:shuttle-rtf"
    assert s.version_created == utc(2005, 7, 20, 15, 30)
    assert s.first_created == utc(2005, 7, 20, 13)
    assert s.body_text == "CAPE CANAVERAL, Fla. (Example) - The shuttle lifted off on Wednesday."


def test_feedburner_origlink_is_the_link_and_the_guid() -> None:
    (s,) = stories(rss(
        "<item><title>A</title><link>http://feeds.example/~r/x/~3/TOKEN/a.html</link>"
        "<feedburner:origLink>https://news.example/a.html</feedburner:origLink></item>",
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'))
    assert s.link == s.guid == "https://news.example/a.html"


def test_malformed_feed_is_read_leniently() -> None:
    (s,) = stories(rss("<item><title>Broken &amp feed</title><link>https://x.example/b</link>"
                       "<description><p>unclosed</description></item>"))
    assert s.headline.startswith("Broken") and s.link == "https://x.example/b"


def test_xml_that_is_no_feed_is_refused_naming_the_document() -> None:
    with pytest.raises(DocumentError, match="page.xml"):
        parse_document(Document("page.xml", b"<html><body>hi</body></html>"), format="rss")


def test_empty_channel_is_a_feed_with_no_stories() -> None:
    assert stories(rss("")) == []
