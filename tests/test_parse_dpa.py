"""dpa digitalwires entries as the stories a user sees."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.helpers import json_document, parse_json
from worker.parse import parse_document
from worker.normalize.dateline import place_of

DATA = Path(__file__).resolve().parent / "data" / "dpa"
RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
STRIKE = "urn:newsml:dpa.com:20090101:240611-930-112233"


def document(content, name="dpa/entries.json"):
    return json_document(content, name)


def parse(content, name="dpa/entries.json", format="auto"):
    return parse_json(content, name, format)


def entries():
    return json.loads((DATA / "entries_versions.json").read_text())["entries"]


def test_versions_1_to_3_update_and_correction_are_one_story():
    stories, problems = parse((DATA / "entries_versions.json").read_bytes())
    strike = [s for s in stories if s.guid == STRIKE]

    assert problems == []
    assert [s.version for s in strike] == [1, 2, 3]
    keys = [s.key for s in strike]
    assert keys == sorted(keys) and len(set(keys)) == 3
    assert [s.signals for s in strike] == [(), ("update",), ("correction",)]
    assert {s.provider for s in stories} == {"dpa"}


def test_a_canceled_entry_is_a_kill():
    stories, _ = parse((DATA / "entries_versions.json").read_bytes())
    canceled = stories[-1]

    assert canceled.guid == "urn:newsml:dpa.com:20090101:240611-930-112240"
    assert canceled.pubstatus == "canceled"
    assert canceled.signals == ("kill",)


def test_a_kill_after_the_correction_becomes_the_current_version_of_the_story():
    kill = copy.deepcopy(entries()[2])
    kill.update(version=4, version_created="2024-06-11T13:00:00+02:00", pubstatus="canceled",
                signal=None, categories=[])
    stories, _ = parse({"entries": [*entries()[:3], kill]})
    current = max((s for s in stories if s.guid == STRIKE), key=lambda s: s.key)

    assert current.version == 4
    assert current.pubstatus == "canceled" and current.signals == ("kill",)


def test_fields_of_a_dpa_entry():
    first = parse((DATA / "entries_versions.json").read_bytes())[0][0]

    assert first.headline == "Lokführer kündigen Streik für Donnerstag an"
    assert first.as_json()["version_created"] == "2024-06-11T08:02:14Z"
    assert first.dateline == "Frankfurt/Main"
    assert first.byline == "Erika Mustermann, dpa"  # "Von" is the German "By"
    assert first.language == "de"
    assert first.urgency == 2
    assert first.subjects == ("Verkehr", "Bahn")
    assert first.keywords == ("Streik", "GDL")
    assert first.credits == ("dpa",)
    assert first.body_text.startswith("Frankfurt/Main (dpa) - Die Lokführergewerkschaft GDL")


def test_embargoed_single_entry_with_null_pubstatus_and_an_infobox():
    stories, problems = parse((DATA / "entry_embargoed.json").read_bytes())
    story = stories[0]

    assert problems == []
    assert story.pubstatus == "usable"
    assert story.as_json()["embargoed"] == "2024-12-05T23:01:00Z"
    assert story.dateline == "HAMBURG"
    assert story.body_text.endswith("Die Studie\n\nBefragt wurden 1200 Jugendliche.")


@pytest.mark.parametrize(
    ("written", "place"),
    [
        ("New York (dpa) - ", "New York"),
        ("Berlin (dpa) - ", "Berlin"),
        ("Frankfurt/Main (dpa/lhe) - ", "Frankfurt/Main"),
        ("MADRID, 21 Nov. 2024 (Europa Press) -", "MADRID"),
        ("Washington, D.C. (dpa) \u2013 ", "Washington, D.C."),
        ("Kiel", "Kiel"),
        (None, None),
        (" - ", None),
    ],
)
def test_dateline_is_reduced_to_its_place(written, place):
    assert place_of(written) == place


def test_located_category_is_the_dateline_when_the_entry_has_none():
    entry = entries()[0]
    entry["dateline"] = None
    entry["categories"].append({"type": "dnltype:located", "name": "New Delhi"})

    assert parse(entry)[0][0].dateline == "New Delhi"


def test_subject_and_keyword_names_are_the_fallback_without_categories():
    entry = entries()[0]
    entry["categories"] = []
    entry["urgency"] = None

    story = parse(entry)[0][0]
    assert story.subjects == ("Verkehr", "Bahn")
    assert story.keywords == ("Streik", "GDL")
    assert story.urgency is None


def test_creditline_names_the_credited_agency():
    entry = entries()[0]
    entry["creditline"] = "Europa Press"

    assert parse(entry)[0][0].credits == ("Europa Press",)


def test_updated_and_entry_id_are_not_part_of_the_version_key():
    first, again = entries()[0], copy.deepcopy(entries()[0])
    again.update(updated="2024-06-20T10:00:00Z", entry_id="another-delivery")
    stories, _ = parse({"entries": [first, again]})

    assert stories[0].key == stories[1].key


def test_a_bad_entry_is_a_problem_naming_document_and_entry_and_the_rest_come_out():
    no_urn = entries()[1]
    del no_urn["urn"]
    stories, problems = parse({"entries": [entries()[0], no_urn, 42, entries()[2]]},
                              name="wireq/entries-0007.json")

    assert [s.version for s in stories] == [1, 3]
    assert [(p.document, p.item) for p in problems] == [
        ("wireq/entries-0007.json", "Qm1zWm0y"), ("wireq/entries-0007.json", "entry 3")]
    assert problems[0].message == "no urn (entry_id names a delivery, not a story)"


def test_an_empty_queue_has_no_stories_and_no_error():
    assert parse({"entries": []}) == ([], [])


def test_a_minimal_entry_is_detected_as_dpa():
    minimal = {"urn": "urn:newsml:dpa.com:20090101:1", "version": 1, "headline": "Eilmeldung",
               "version_created": "2024-01-01T10:00:00+01:00"}

    assert parse_document(document({"entries": [minimal]})).format == "dpa"
    assert parse(minimal)[0][0].as_json()["version_created"] == "2024-01-01T09:00:00Z"


def test_the_digitalwires_alias_and_detection_before_ninjs():
    assert parse_document(document(entries()[0]), "digitalwires").format == "dpa"
    assert parse_document(document({"entries": entries()})).format == "dpa"
