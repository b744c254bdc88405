"""ANPA 1312 and IPTC 7901: detection, fields, take keys, and one identity across write-thrus."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.errors import DocumentError
from worker.model import Document, Story
from worker.normalize import normalize_item
from worker.parse import parse_document
from worker.normalize.signals import signals_in_words

DATA = Path(__file__).resolve().parent / "data"
RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)
SOH, STX, ETX, EOT, SYN, US = "\x01", "\x02", "\x03", "\x04", "\x16", "\x1f"


def stories(content: bytes | str, name: str = "doc", format: str = "auto") -> list[Story]:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    parsed = parse_document(Document(name, raw), format=format)
    return [normalize_item(i, provider="p", received_at=RECEIVED, document=name)
            for i in parsed.items]


def story(content: bytes | str, **kw: str) -> Story:
    (only,) = stories(content, **kw)
    return only


def fixture(path: str) -> Story:
    return story((DATA / path).read_bytes(), name=path)


def anpa(take: str = "", prio: str = "r", number: str = "1042", keyword: str = "BC-EU--Storm-Ports",
         headline: str = "Storm closes ports", trailer: str = "AP-WF-01-14-25 0912GMT",
         lead: str = "HAMBURG, Germany (AP) _ A storm closed ports.") -> str:
    slug_take = f", {take}" if take else ""
    return (f"{SYN}{SYN}{SOH}W{number}{US}asian\n{prio} i\x13\x11 {keyword} {take}   01-14 0420\n"
            f"{STX}^{keyword}{slug_take},420<\n^{headline}<\n^By ANNA KOLB=\n^Associated Press=\n"
            f"\t   {lead}\n\t   Second paragraph.\n\t   {ETX}{trailer}<\n{EOT}")


def iptc(header_lines: list[str], number: str = "0012", prio: str = "4", trailer: str =
         "141812 GMT Jan 25", body: str = "Brussels (dpa) - Ministers agreed.") -> str:
    head = "\n".join(header_lines)
    return (f"{SOH}eca{number} {prio} wi 72  dpa 0101\n\nEU/energy/prices/\n{STX}{head} =\n\n"
            f"{body}\n\ndpa abc def\n\n{ETX}{trailer}\n\x7f{EOT}")


# --- detection --------------------------------------------------------------------------------

@pytest.mark.parametrize("path, fmt", [
    ("anpa/storm-0.tst", "anpa"), ("anpa/merger-kill.tst", "anpa"),
    ("iptc7901/gas-caps.txt", "iptc7901"), ("iptc7901/prognose-korrektur.txt", "iptc7901"),
])
def test_wire_text_is_detected_by_its_own_shape(path: str, fmt: str) -> None:
    parsed = parse_document(Document(path, (DATA / path).read_bytes()))
    assert parsed.format == fmt


def test_plain_text_without_control_characters_stays_aggregator_text() -> None:
    parsed = parse_document(Document("t", b"Headline\nBERLIN (dpa) - Body text here.\n"))
    assert parsed.format == "text"


def test_text_starting_with_soh_but_no_wire_header_stays_aggregator_text() -> None:
    parsed = parse_document(Document("t", f"{SOH}hello\nworld {STX} again".encode()))
    assert parsed.format == "text"


def test_named_wire_format_on_other_text_is_refused_naming_the_document() -> None:
    with pytest.raises(DocumentError, match="notes.txt"):
        parse_document(Document("notes.txt", b"just some words"), format="anpa")
    with pytest.raises(DocumentError, match="notes.txt"):
        parse_document(Document("notes.txt", b"just some words"), format="iptc7901")


# --- ANPA 1312 --------------------------------------------------------------------------------

def test_anpa_fields_come_from_header_slug_line_byline_lead_and_trailer() -> None:
    s = fixture("anpa/storm-0.tst")
    assert s.headline == "Storm closes North Sea ports as ferries stay in harbour"
    assert s.slugline == "BC-EU--Storm-Ports"
    assert s.byline == "HANNA KOLB"
    assert s.dateline == "HAMBURG, Germany"
    assert s.urgency == 5  # "r" regular
    assert s.subjects == ("i",)
    assert s.credits == ("AP",)
    assert s.version_created == datetime(2025, 1, 14, 9, 12, tzinfo=UTC)
    assert s.version is None and s.signals == () and s.pubstatus == "usable"


def test_anpa_body_is_one_paragraph_per_tab_indent_with_editors_lines_dropped() -> None:
    s = fixture("anpa/storm-0.tst")
    paragraphs = s.body_text.split("\n\n")
    assert paragraphs[0].startswith("HAMBURG, Germany (AP) \u2014 A winter storm")
    # a continuation line without indent joins its paragraph
    assert paragraphs[1].endswith("along the coast through Wednesday morning.")
    assert "AP Photo" not in s.body_text and "Eds:" not in s.body_text
    assert "___" not in s.body_text and "AP-WF" not in s.body_text
    assert "Associated Press" not in s.body_text


def test_anpa_seven_bit_typography_becomes_dashes_and_quotes() -> None:
    s = fixture("anpa/storm-0.tst")
    assert "\u201chundreds of trucks\u201d" in s.body_text
    assert " _ " not in s.body_text and "``" not in s.body_text


def test_anpa_write_thrus_and_correction_are_versions_of_one_story() -> None:
    first, lead, corrected = (fixture(f"anpa/{n}") for n in
                              ("storm-0.tst", "storm-1stld.tst", "storm-correction.tst"))
    assert first.guid == lead.guid == corrected.guid
    assert (first.version, lead.version, corrected.version) == (None, 1, 2)
    assert lead.signals == ("update",)
    assert corrected.signals == ("update", "correction")
    assert first.key < lead.key < corrected.key


def test_anpa_guid_ignores_transmission_number_and_take_key() -> None:
    a = story(anpa(number="1042"))
    b = story(anpa(number="7777", take="2ndLd-Writethru"))
    assert a.guid == b.guid
    assert "1042" not in a.guid and "ld" not in a.guid.split(":")[-1]


def test_anpa_redelivery_under_another_transmission_number_is_the_same_version() -> None:
    assert story(anpa(number="1042")).key == story(anpa(number="9999")).key


def test_anpa_cycle_prefix_does_not_change_the_story() -> None:
    assert story(anpa(keyword="AM-EU--Storm-Ports")).guid == story(anpa()).guid


def test_anpa_another_keyword_or_day_is_another_story() -> None:
    base = story(anpa())
    assert story(anpa(keyword="BC-EU--Flood-Ports")).guid != base.guid
    assert story(anpa(trailer="AP-WF-01-14-26 0912GMT")).guid != base.guid


def test_anpa_kill_cancels_the_story_without_calling_it_breaking() -> None:
    s = fixture("anpa/merger-kill.tst")
    assert s.pubstatus == "canceled"
    assert s.signals == ("kill",)
    assert s.urgency == 2


def test_anpa_elimination_is_a_kill() -> None:
    s = story(anpa(take="Elimination"))
    assert s.pubstatus == "canceled" and "kill" in s.signals


def test_anpa_flash_priority_is_urgency_one_and_breaking() -> None:
    s = fixture("anpa/quake-alert.tst")
    assert s.urgency == 1
    assert s.signals == ("breaking",)
    assert s.dateline == "ANCHORAGE, Alaska"


def test_anpa_trailer_in_another_zone_is_converted_to_utc() -> None:
    s = fixture("anpa/merger-kill.tst")  # AP-NY-03-02-24 1515EST, cp1252 bytes
    assert s.version_created == datetime(2024, 3, 2, 20, 15, tzinfo=UTC)
    assert "\u201cRegional banks agree to merge\u201d" in s.body_text


def test_anpa_without_trailer_takes_the_received_time() -> None:
    s = story(anpa(trailer="nothing here"))
    assert s.version_created == RECEIVED and s.inferred_time
    assert s.headline == "Storm closes ports"


def test_anpa_without_text_is_a_document_error_naming_it() -> None:
    empty = f"{SYN}{SYN}{SOH}W1{US}x\nr a\x13\x11 BC-X   01-01 0001\n{STX}{ETX}{EOT}"
    with pytest.raises(DocumentError, match="wire-7.tst"):
        parse_document(Document("wire-7.tst", empty.encode()))


# --- IPTC 7901 --------------------------------------------------------------------------------

def test_iptc7901_fields_come_from_header_keywords_and_trailer() -> None:
    s = fixture("iptc7901/gas-caps.txt")
    assert s.headline == "EU ministers extend gas-price caps for another year"
    assert s.slugline == "EU/energy/prices"
    assert s.keywords == ("EU", "energy", "prices")
    assert s.subjects == ("wi",)
    assert s.urgency == 4
    assert s.dateline == "Brussels"
    assert s.credits == ("dpa",)
    assert s.version_created == datetime(2025, 1, 14, 18, 12, tzinfo=UTC)


def test_iptc7901_body_is_unwrapped_and_stops_before_the_notebook() -> None:
    s = fixture("iptc7901/gas-caps.txt")
    paragraphs = s.body_text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].endswith("ending weeks of wrangling over the cost of the scheme.")
    assert "short-term deal" in paragraphs[2]  # a line broken after a hyphen joins again
    for editors_only in ("Notebook", "not for publication", "Anna Berg", "dpa abc def"):
        assert editors_only not in s.body_text


def test_iptc7901_refile_and_first_lead_are_versions_of_one_story() -> None:
    first, refile, lead = (fixture(f"iptc7901/{n}") for n in
                           ("gas-caps.txt", "gas-caps-refile.txt", "gas-caps-1st-lead.txt"))
    assert first.guid == refile.guid == lead.guid
    assert lead.version == 1 and lead.signals == ("update",)
    assert lead.byline == "Anna Berg and Tom Reed, dpa"
    assert "1ST LEAD" not in lead.headline and "REFILE" not in refile.headline


def test_iptc7901_redelivery_under_another_transmission_number_is_the_same_version() -> None:
    a = story(iptc(["EU ministers agree"], number="0012"))
    b = story(iptc(["EU ministers agree"], number="0999"))
    assert a.guid == b.guid and a.key == b.key


def test_iptc7901_another_headline_under_the_same_keywords_is_another_story() -> None:
    # the keyword line is a subject path many stories share: it alone must not merge them
    a = story(iptc(["EU ministers agree"]))
    b = story(iptc(["EU court rules on subsidies"]))
    assert a.guid != b.guid


def test_iptc7901_korrektur_with_local_time_and_german_month() -> None:
    s = fixture("iptc7901/prognose-korrektur.txt")  # latin-1, "091430 MEZ Okt 24"
    assert s.signals == ("correction",)
    assert s.version_created == datetime(2024, 10, 9, 13, 30, tzinfo=UTC)
    assert "Euro-Zone" in s.body_text and "«schwierigen Lage»" in s.body_text
    assert "Korrigiert" not in s.body_text


def test_iptc7901_priority_one_is_breaking_and_kill_cancels() -> None:
    blitz = fixture("iptc7901/blitz.txt")
    assert blitz.urgency == 1 and blitz.signals == ("breaking",)
    assert blitz.headline == "Macron gewinnt Stichwahl in Frankreich"
    kill = fixture("iptc7901/kill.txt")
    assert kill.pubstatus == "canceled" and kill.signals == ("kill",)
    assert kill.guid == fixture("iptc7901/gas-caps.txt").guid


def test_iptc7901_without_trailer_takes_the_received_time() -> None:
    s = story(iptc(["Headline"], trailer=""))
    assert s.inferred_time and s.version_created == RECEIVED


# --- take keys --------------------------------------------------------------------------------

@pytest.mark.parametrize("key, signals, version, status", [
    ("1stLd-Writethru", ("update",), 1, None),
    ("2nd Ld-Writethru", ("update",), 2, None),
    ("3RD LEAD", ("update",), 3, None),
    ("Writethru", ("update",), None, None),
    ("REFILE", ("update",), None, None),
    ("Correction", ("correction",), None, None),
    ("2ndLd-Writethru-Correction", ("update", "correction"), 2, None),
    ("KORREKTUR", ("correction",), None, None),
    ("Kill", ("kill",), None, "canceled"),
    ("Elimination", ("kill",), None, "canceled"),
    ("Withhold", (), None, "withheld"),
    ("Advisory", ("advisory",), None, None),
    ("APNewsAlert", ("breaking",), None, None),
    ("Eil", ("breaking",), None, None),
    ("", (), None, None),
    ("BC-Skills-Ladder", (), None, None),
])
def test_take_keys_map_onto_signals_version_and_status(
    key: str, signals: tuple[str, ...], version: int | None, status: str | None
) -> None:
    state = signals_in_words(key)
    assert (set(state.signals), state.version, state.pubstatus) == (set(signals), version, status)
