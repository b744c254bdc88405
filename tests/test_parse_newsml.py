"""NewsML-G2: what a user sees of G2 messages and items (SPEC "The normalized story")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.errors import DocumentError
from worker.model import Document
from worker.parse import parse_document
from worker.pipeline import ParseOptions, parse_stories

DATA = Path(__file__).resolve().parent / "data" / "newsml"
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
G2 = "http://iptc.org/std/nar/2006-10-01/"


def news_item(guid: str = "tag:wire.example.com,2017:x", version: str = "1", item_meta: str = "",
              content_meta: str = "<headline>Headline</headline>",
              content_set: str = "<inlineXML contenttype='application/xhtml+xml'>"
                                 "<html xmlns='http://www.w3.org/1999/xhtml'><body><p>Body.</p>"
                                 "</body></html></inlineXML>",
              item_class: str = "ninat:text", tag: str = "newsItem") -> str:
    guid_attr = f' guid="{guid}"' if guid else ""
    return (f'<{tag}{guid_attr} version="{version}" standard="NewsML-G2">'
            f'<itemMeta><itemClass qcode="{item_class}"/>'
            f"<versionCreated>2017-10-14T21:41:42Z</versionCreated>{item_meta}</itemMeta>"
            f"<contentMeta>{content_meta}</contentMeta><contentSet>{content_set}</contentSet>"
            f"</{tag}>")


def message(*items: str, sender: str = "wire.example.com") -> bytes:
    return (f'<newsMessage xmlns="{G2}"><header><sender>{sender}</sender></header>'
            f'<itemSet>{"".join(items)}</itemSet></newsMessage>').encode()


def single(item: str) -> bytes:
    return item.replace(">", f' xmlns="{G2}">', 1).encode()


def parse(content: bytes, name: str = "drop/wire/msg.xml", format: str = "auto"):
    return parse_stories(Document(name, content), ParseOptions(format=format), RECEIVED)


def story_of(content: bytes):
    stories, problems = parse(content)
    assert problems == []
    assert len(stories) == 1
    return stories[0]


def fixture(name: str):
    return story_of((DATA / name).read_bytes())


def test_a_message_yields_its_text_items_and_skips_pictures_packages_and_concepts():
    content = (DATA / "message-mixed.xml").read_bytes()

    parsed = parse_document(Document("m.xml", content))
    stories, problems = parse(content)

    assert parsed.format == "newsml"
    assert [s.guid for s in stories] == ["tag:wire.example.com,2017:beirut-blast"]
    assert problems == []
    assert len(parsed.skipped) == 3
    assert any("picture" in note for note in parsed.skipped)
    assert any("packageItem" in note for note in parsed.skipped)
    assert any("conceptItem" in note for note in parsed.skipped)


def test_a_message_without_any_text_item_yields_no_story_and_no_error():
    stories, problems = parse(message(news_item(item_class="ninat:picture"),
                                      news_item(guid="p", tag="packageItem",
                                                item_class="ninat:composite")))

    assert (stories, problems) == ([], [])


def test_one_bad_item_is_a_problem_naming_document_and_item_and_the_others_come_through():
    stories, problems = parse(message(
        news_item(guid="tag:w,2017:bad", version="two"),
        news_item(guid="", version="1"),
        news_item(guid="tag:w,2017:good", version="3")), name="drop/wire/0413.xml")

    assert [s.guid for s in stories] == ["tag:w,2017:good"]
    assert [(p.document, p.item) for p in problems] == [
        ("drop/wire/0413.xml", "tag:w,2017:bad"), ("drop/wire/0413.xml", "item 2")]
    assert "version 'two'" in problems[0].message
    assert "no guid" in problems[1].message


def test_single_item_document_maps_identity_times_and_status():
    story = story_of(single(news_item(
        guid="urn:newsml:acme:1", version="11",
        item_meta="<firstCreated>2016-10-18T13:12:21-05:00</firstCreated>"
                  "<embargoed>2018-10-23T12:00:00Z</embargoed>"
                  "<pubStatus qcode='stat:withheld'/>")))

    assert (story.guid, story.version) == ("urn:newsml:acme:1", 11)
    json = story.as_json()
    assert json["version_created"] == "2017-10-14T21:41:42Z"
    assert json["first_created"] == "2016-10-18T18:12:21Z"
    assert json["embargoed"] == "2018-10-23T12:00:00Z"
    assert story.pubstatus == "withheld"


@pytest.mark.parametrize(
    "item_meta, signals",
    [
        ("<signal qcode='sig:update'/>", ("update",)),
        ("<signal qcode='sig:correction'/>", ("correction",)),
        ("<signal qcode='edStat:U'/>", ("update",)),
        ("<signal qcode='edStat:C'/>", ("correction",)),
        ("<signal qcode='edStat:D'/><pubStatus qcode='stat:canceled'/>", ("kill",)),
        ("<signal qcode='apsig:consumerready'/><signal qcode='prodId:TXT'/>", ()),
        ("<edNote>Eds: CORRECTS spelling of minister's name.</edNote>", ("correction",)),
    ],
)
def test_signal_codes_map_to_story_signals(item_meta, signals):
    assert story_of(single(news_item(item_meta=item_meta))).signals == signals


def test_reuters_message_type_replace_and_delete():
    replace = news_item(item_meta="", item_class="icls:text").replace(
        '<itemClass qcode="icls:text"/>',
        '<itemClass xmlns:rtr="http://www.reuters.com/ns/2003/08/content" qcode="icls:text" '
        'rtr:msgType="R"/>')

    assert story_of(single(replace)).signals == ("update",)


def test_headline_words_signal_only_when_no_code_says_otherwise():
    corrected = news_item(content_meta="<headline>CORRECTED-Storm hits coast</headline>")
    killed = news_item(content_meta="<headline>CORRECTED-Storm hits coast</headline>",
                       item_meta="<pubStatus qcode='stat:canceled'/><signal qcode='edStat:D'/>")

    assert story_of(single(corrected)).signals == ("correction",)
    assert story_of(single(killed)).signals == ("kill",)


def test_main_headline_is_preferred_over_other_roles():
    story = story_of(single(news_item(content_meta=(
        "<headline role='hld:subHeadline'>Sub</headline>"
        "<headline role='hld:main'>Main</headline>"))))

    assert story.headline == "Main"


def test_content_meta_fields():
    story = story_of(single(news_item(content_meta=(
        "<urgency>2</urgency><language tag='de'/>"
        "<subject qcode='medtop:04000000'><name>economy</name></subject>"
        "<subject literal='ALR'/><subject><name>Lebanon</name></subject>"
        "<keyword>Champions League</keyword><slugline>EU-SUMMIT/</slugline>"
        "<headline>H</headline><by>By Marwan Makdisi</by><creditline>dpa</creditline>"))))

    assert story.urgency == 2
    assert story.language == "de"
    assert story.subjects == ("medtop:04000000", "ALR", "Lebanon")
    assert story.keywords == ("Champions League",)
    assert story.slugline == "EU-SUMMIT/"
    assert story.byline == "Marwan Makdisi"
    assert story.credits == ("dpa",)


@pytest.mark.parametrize(
    "dateline, located, expected",
    [
        ("London (dpa) - ", "", "London"),
        ("FORT WASHINGTON, Pa.", "", "FORT WASHINGTON, Pa."),
        ("ANSA - ROMA, 01 LUG -", "", "ROMA"),
        ("2014-07-16 15:53:10 GMT+00:00", "<located literal='Bangalore'/>", "Bangalore"),
        ("", "<located><name>Berlin</name></located>", "Berlin"),
    ],
)
def test_dateline_is_the_place_as_written(dateline, located, expected):
    meta = (f"<dateline>{dateline}</dateline>" if dateline else "") + located
    story = story_of(single(news_item(content_meta=f"<headline>H</headline>{meta}")))

    assert story.dateline == expected


def test_dateline_in_the_lead_wins_over_located_when_the_dateline_is_a_timestamp():
    story = fixture("reuters-L2N1MX0AB-2-update.xml")

    assert story.dateline == "BEIRUT"


@pytest.mark.parametrize(
    "provider, guid, expected",
    [
        ("<provider qcode='nprov:REUTERS'/>", "urn:newsml:acme.com:1", "reuters"),
        ("<provider literal='reuters.com'/>", "tag:reuters.com,0000:newsml_L1", "reuters"),
        ("<provider uri='http://www.acmenews.com/about/'/>", "urn:x:1", "acmenews"),
        ("<provider qcode='approviderid:z01122'><name>Automated Insights</name></provider>",
         "tag:ap.org,2011:5e56-text", "ap"),
        ("<provider><name>ANSA</name></provider>", "urn:newsml:1", "ansa"),
    ],
)
def test_provider_slug_from_the_item(provider, guid, expected):
    story = story_of(message(news_item(guid=guid, item_meta=provider), sender=""))

    assert story.provider == expected


def test_provider_given_by_the_feed_wins():
    stories, _ = parse_stories(Document("m.xml", single(news_item(
        item_meta="<provider qcode='nprov:REUTERS'/>"))), ParseOptions(provider="dpa"), RECEIVED)

    assert stories[0].provider == "dpa"


def test_inline_data_plain_text_keeps_its_indented_paragraphs():
    story = fixture("inline-data.xml")

    assert story.body_text.split("\n\n") == [
        ("(AGE) - ROMA, 14 OTT - Il Consiglio dei ministri ha approvato in serata il decreto "
        "sulle scuole, con 300 milioni per l'edilizia scolastica."),
        "\"Un passo atteso da anni\", ha detto il ministro.",
        "Il testo passa ora al Parlamento.",
    ]
    assert story.signals == ("update",)


def test_nitf_inside_g2_gives_body_headline_and_byline():
    story = fixture("nitf-in-g2.xml")

    assert story.headline == "EU leaders agree on border plan"
    assert story.byline == "Pieter de Vries"
    assert "<h2>Next steps</h2>" in story.body_html
    assert story.body_text.startswith("BRUSSELS (Wire) - European Union leaders")
    assert story.signals == ("correction",)
    assert story.as_json()["embargoed"] == "2017-10-15T04:00:00Z"


def test_xhtml_body_is_sanitized_downstream():
    story = fixture("message-mixed.xml")

    assert "script" not in story.body_html
    assert story.body_text.endswith("There was no immediate word on the cause of the blast.")
    assert story.link == "https://wire.example.com/news/beirut-blast"


@pytest.mark.parametrize("name", ["newsml", "newsml-g2", "g2"])
def test_format_names_and_aliases(name):
    stories, _ = parse(single(news_item()), format=name)

    assert [s.headline for s in stories] == ["Headline"]


def test_reuters_update_correction_and_cancel_are_versions_of_one_story():
    names = ["reuters-L2N1MX0AB-1-original.xml", "reuters-L2N1MX0AB-2-update.xml",
             "reuters-L2N1MX0AB-3-corrected.xml", "reuters-L2N1MX0AB-4-cancel.xml"]

    versions = [fixture(name) for name in names]

    assert {(v.provider, v.guid) for v in versions} == {
        ("reuters", "tag:reuters.com,0000:newsml_L2N1MX0AB")}
    keys = [v.key for v in versions]
    assert keys == sorted(keys) and len(set(keys)) == 4
    assert [v.version for v in versions] == sorted(v.version for v in versions)
    assert [v.signals for v in versions] == [(), ("update",), ("correction",), ("kill",)]
    assert [v.pubstatus for v in versions] == ["usable", "usable", "usable", "canceled"]
    cancel = versions[3]
    assert cancel.headline.startswith("CORRECTED-UPDATE 1-")
    assert (cancel.body_text, cancel.word_count) == ("", 0)


def test_a_document_that_is_not_g2_is_refused_naming_it():
    rss = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    broken = b"<newsMessage><itemSet><newsItem guid='x'></itemSet>"

    with pytest.raises(DocumentError, match="feed.xml: not a NewsML-G2 document"):
        parse(rss, name="feed.xml", format="g2")
    with pytest.raises(DocumentError, match="broken.xml: malformed XML"):
        parse(broken, name="broken.xml", format="newsml")


def test_a_text_item_without_headline_or_body_is_skipped_but_a_bare_kill_is_not():
    empty = news_item(guid="tag:w,2017:meta", content_meta="", content_set="")
    bare_kill = news_item(guid="tag:w,2017:gone", content_meta="", content_set="",
                          item_meta="<pubStatus qcode='stat:canceled'/>")

    parsed = parse_document(Document("m.xml", message(empty, bare_kill)))

    assert [item.guid for item in parsed.items] == ["tag:w,2017:gone"]
    assert parsed.skipped == ("tag:w,2017:meta: text item with no headline and no body",)
