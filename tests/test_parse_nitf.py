"""NITF 3.x: what a user sees of a NITF story (SPEC "The normalized story")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.errors import DocumentError
from worker.model import Document
from worker.parse import parse_document
from worker.pipeline import ParseOptions, parse_stories

DATA = Path(__file__).resolve().parent / "data" / "nitf"
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
NS = ' xmlns="http://iptc.org/std/NITF/2006-10-18/"'


def nitf(docdata: str = "></docdata>", body_head: str = "", content: str = "<p>Text.</p>",
         namespaced: bool = False, root_attrs: str = "", head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><nitf{NS if namespaced else ""}{root_attrs}>'
        f"<head>{head}<docdata{docdata}</head>"
        f"<body><body.head><hedline><hl1>Headline</hl1></hedline>{body_head}</body.head>"
        f"<body.content>{content}</body.content></body></nitf>"
    ).encode()


def story_of(content: bytes, name: str = "drop/wire/0413.xml"):
    stories, problems = parse_stories(Document(name, content), ParseOptions(), RECEIVED)
    assert problems == []
    assert len(stories) == 1
    return stories[0]


def fixture(name: str):
    return story_of((DATA / name).read_bytes(), name)


def docdata(inner: str, attrs: str = "") -> str:
    """The rest of a `<docdata` element: attributes (with a leading space) and content."""
    return f"{attrs}>{inner}</docdata>"


@pytest.mark.parametrize("namespaced", [False, True], ids=["plain", "namespaced"])
def test_nitf_is_detected_and_read_with_or_without_namespace(namespaced):
    content = nitf(docdata('<du-key key="wi-1" version="2"/><date.issue norm="20171014T214142Z"/>'),
                   namespaced=namespaced)

    assert parse_document(Document("d.xml", content)).format == "nitf"
    story = story_of(content)
    assert (story.guid, story.version, story.headline) == ("wi-1", 2, "Headline")
    assert story.as_json()["version_created"] == "2017-10-14T21:41:42Z"


def test_du_key_is_the_guid_and_doc_id_only_the_fallback():
    keyed = nitf(docdata('<doc-id id-string="ntb-77_47"/><du-key key="ntb-77" version="48"/>'))
    unkeyed = nitf(docdata('<doc-id id-string="AAP.115314987.5417374"/>'))

    assert (story_of(keyed).guid, story_of(keyed).version) == ("ntb-77", 48)
    assert (story_of(unkeyed).guid, story_of(unkeyed).version) == ("AAP.115314987.5417374", None)


def test_generation_is_the_version_when_du_key_has_no_version():
    story = story_of(nitf(docdata('<du-key key="tide" generation="14"/>')))

    assert story.version == 14


@pytest.mark.parametrize(
    "norm, expected",
    [
        ("20171014T214142+0100", "2017-10-14T20:41:42Z"),
        ("20171014T214142Z", "2017-10-14T21:41:42Z"),
        ("2017-10-14T21:41:42", "2017-10-14T21:41:42Z"),  # naive: the feed's zone, UTC by default
        ("20020225T143000-0500", "2002-02-25T19:30:00Z"),
    ],
)
def test_date_issue_is_the_version_time_whatever_its_form(norm, expected):
    story = story_of(nitf(docdata(f'<date.issue norm="{norm}"/>')))

    assert story.as_json()["version_created"] == expected


def test_date_release_is_the_embargo():
    story = story_of(nitf(docdata(
        '<date.issue norm="20160908T132446+0100"/><date.release norm="20160909T000100+0100"/>',
        ' management-status="embargoed"')))

    assert story.as_json()["embargoed"] == "2016-09-08T23:01:00Z"
    assert story.pubstatus == "usable"


def test_canceled_management_status_is_a_kill():
    story = story_of(nitf(docdata('<du-key key="k"/>', ' management-status="canceled"')))

    assert story.pubstatus == "canceled"
    assert story.signals == ("kill",)


def test_correction_element_and_ed_msg_signal_a_correction():
    element = story_of(nitf(docdata('<correction info="fixes the toll" id-string="x.1"/>')))
    message = story_of(nitf(docdata('<ed-msg info="CORRECTS spelling of name in 2nd para"/>')))

    assert element.signals == ("correction",)
    assert message.signals == ("correction",)


def test_a_document_replacing_another_is_an_update():
    story = story_of(nitf(docdata("", ' management-status="usable" management-doc-idref="x.1"')))

    assert story.signals == ("update",)


def test_ed_urg_is_the_urgency():
    assert story_of(nitf(docdata('<urgency ed-urg="1"/>'))).urgency == 1
    assert story_of(nitf(docdata('<urgency ed-urg="8"/>'))).urgency == 8


def test_byline_is_the_author_without_by_and_without_the_byline_title():
    story = story_of(nitf(body_head="<byline>By <person>BERNARD CONDON</person>"
                                    "<byttl>AP Business Writer</byttl></byline>"))

    assert story.byline == "BERNARD CONDON"


def test_dateline_is_the_place_not_the_story_date():
    located = story_of(nitf(body_head=(
        '<dateline><location><city>Newport News</city>, <state>VA</state></location>'
        '<story.date norm="20020225T1430">Feb 25</story.date></dateline>')))
    dated_only = story_of(nitf(body_head='<dateline><story.date norm="20170102T222800+0000">'
                                         '20170102T222800+0000</story.date></dateline>'))

    assert located.dateline == "Newport News, VA"
    assert dated_only.dateline is None


def test_subjects_keywords_language_and_credits():
    story = story_of(nitf(
        docdata('<key-list><keyword key="fishing"/><keyword key="tides"/></key-list>'
                '<doc.copyright holder="Australian Associated Press" year="2013"/>'),
        head='<tobject><tobject.subject tobject.subject.refnum="17000000"/>'
             '<tobject.subject tobject.subject.matter="Fire"/></tobject>',
        root_attrs=' baselang="en-US"'))

    assert story.subjects == ("17000000", "Fire")
    assert story.keywords == ("fishing", "tides")
    assert story.language == "en-US"
    assert story.credits == ("Australian Associated Press",)


def test_distributor_is_the_credit_and_regsrc_the_provider():
    story = story_of(nitf(docdata('<doc-id regsrc="AP"/><doc.copyright holder="AP"/>'),
                          body_head="<distributor>The Associated Press</distributor>"))

    assert story.credits == ("The Associated Press",)
    assert story.provider == "ap"


def test_body_keeps_its_structure_and_drops_pictures():
    story = story_of(nitf(content=(
        '<media media-type="image"><media-caption>Smoke</media-caption></media>'
        "<p>First <person>Jane</person> para.</p><hl2>Crosshead</hl2>"
        '<block id="Main"><p>Second.</p><ul><li>One</li></ul></block>')))

    assert story.body_text == "First Jane para.\n\nCrosshead\n\nSecond.\n\nOne"
    assert "<h2>Crosshead</h2>" in story.body_html
    assert "Smoke" not in story.body_text


def test_a_document_without_du_key_or_doc_id_gets_the_digest_guid():
    story = story_of(nitf(docdata('<doc-id regsrc="AP"/>')))

    assert story.guid.startswith("urn:wire:ap:")


def test_entity_declarations_are_refused():
    content = (b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b"<nitf><body><body.content><p>&x;</p></body.content></body></nitf>")

    with pytest.raises(DocumentError, match="ENTITY"):
        parse_document(Document("evil.xml", content))


def test_original_writethru_correction_and_kill_are_versions_of_one_story():
    names = ["ridge-fire-1-original.xml", "ridge-fire-2-writethru.xml",
             "ridge-fire-3-correction.xml", "ridge-fire-4-kill.xml"]

    versions = [fixture(name) for name in names]

    assert {(v.provider, v.guid) for v in versions} == {("wire", "wi-ridge-fire")}
    assert [v.version for v in versions] == [1, 2, 3, 4]
    keys = [v.key for v in versions]
    assert keys == sorted(keys) and len(set(keys)) == 4
    assert [v.signals for v in versions] == [(), ("update",), ("correction",), ("kill",)]
    assert [v.pubstatus for v in versions] == ["usable", "usable", "usable", "canceled"]
    assert "21 homes" in versions[2].body_text and "12 homes" in versions[1].body_text
    assert versions[3].body_text == ""
