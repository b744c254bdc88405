"""Real JSON wire documents (ninjs, AP Media API, dpa digitalwires) parse, auto-detected, right.

Read in place from `../shared/realworld` (WIRE_SHARED_DIR overrides `../shared`); a missing
folder fails the suite. The expected values below were read off each file by hand; times are the
file's times in UTC.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from worker.model import Document
from worker.parse import parse_document
from worker.pipeline import ParseOptions, parse_stories

SHARED = Path(os.environ.get("WIRE_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
REALWORLD = SHARED / "realworld"
RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
FOLDERS = ("iptc-newsinjson", "dpa-digitalwires-to-newsmlg2", "superdesk-core")

# file -> (format, expected fields of each story in order; "body" is a phrase of body_text)
EXPECTED: dict[str, tuple[str, list[dict]]] = {
    "iptc-newsinjson/1.4_businesswire-newsml-20130605006126.json": ("ninjs", [dict(
        guid="http://www.businesswire.com/news/home/20130605006126/zh", version=1,
        version_created="2013-06-05T21:00:00Z", pubstatus="usable", language="zh",
        headline="Cambrios被Gartner評選為「最酷供應商」", body="Cambrios Technologies Corporation")]),
    "iptc-newsinjson/1.4_businesswire-newsml-20130612006110.json": ("ninjs", [dict(
        guid="http://www.businesswire.com/news/home/20130612006110/zh", version=1,
        version_created="2013-06-12T15:29:00Z", language="zh", body="Asia Pulp & Paper")]),
    "iptc-newsinjson/1.4_ninjsExSimpleText1.json": ("ninjs", [dict(
        guid="http://ninjs.example.com/newsitems/20130709simp123", version=None,
        version_created="2013-07-09T10:37:00Z", byline="Paulo Santalucia and Frances d'Emilio",
        headline="Captain of wrecked cruise ship on trial in Italy", dateline="GROSSETO, Italy",
        body="Schettino has denied wrongdoing.")]),
    "iptc-newsinjson/2.1_ap_audio.json": ("ninjs", []),
    "iptc-newsinjson/2.1_businesswire-newsml-20130731006140.json": ("ninjs", [dict(
        guid="http://www.businesswire.com/news/home/20130731006140/en", version=1,
        version_created="2013-07-31T15:32:00Z", language="en",
        headline="Lunch Taking a Toll? Let Applebee\u2019s® Industrial Strength Lunch Decoy "
                 "Stand In",
        body="Industrial Strength Lunch Decoy that is 20 percent thicker")]),
    "iptc-newsinjson/2.1_dpa_text.json": ("ninjs", [dict(
        guid="urn:newsml:dpa.com:20090101:190510-99-167362", version=2,
        version_created="2019-05-10T14:02:28Z", pubstatus="usable", urgency=4, language="de",
        headline="Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
        byline="Christian Hollmann, dpa", credits=["dpa"],
        body="Für Lucien Favre war es «der größte Skandal im Fußball seit Jahren».")]),
    "iptc-newsinjson/2.1_ntb_text.json": ("ninjs", [dict(
        guid="urn:8d19cf88-b3ab-4972-8fec-1207599f2872", version=6,
        version_created="2019-08-09T09:46:53Z", first_created="2019-08-09T09:30:04Z",
        urgency=5, language="nb-NO", headline="Google har kjøpt giganttomt i Skien",
        byline="NTB", slugline="skien-google", body="IT-giganten Google har kjøpt en tomt")]),
    "iptc-newsinjson/2.1_tt_text_image_2.json": ("ninjs", [dict(
        guid="http://tt.se/media/text/210526-militarovning-a0f2d045", version=1,
        version_created="2021-05-26T11:40:18Z", urgency=3, language="sv",
        slugline="militärövning", headline="Militärövning i jätteformat hålls 2023",
        body="Pandemin satte stopp för den stora internationella militärövningen Aurora 2020")]),
    "iptc-newsinjson/3.0_20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-"
    "toughest-ever-addb-ninjs-nitf.json": ("ninjs", [dict(
        guid="https://antidopingdatabase.com/news/anti-doping-measures-at-the-tour-down-under-"
             "will-be-the-toughest-ever",
        version=2, version_created="2023-10-08T00:34:03Z", urgency=4, language="en",
        headline="Anti-doping measures at the 'Tour Down Under' will be the toughest ever",
        byline="Trond Husø, The Anti-Doping Database", dateline="Oslo, Norway",
        body="ASADA Chairman Richard Ings said")]),
    "iptc-newsinjson/3.0_dpa_text.json": ("ninjs", [dict(
        guid="urn:newsml:dpa.com:20090101:190510-99-167362", version=2,
        version_created="2019-05-10T14:02:28Z", pubstatus="usable", urgency=4,
        byline="Christian Hollmann, dpa", body="Schiedsrichter Felix Zwayer")]),
    "iptc-newsinjson/3.0_ntb_text.json": ("ninjs", [dict(
        guid="urn:8d19cf88-b3ab-4972-8fec-1207599f2872", version=6,
        version_created="2019-08-09T09:46:53Z", first_created="2019-08-09T09:30:04Z",
        language="nb-NO", headline="Google har kjøpt giganttomt i Skien")]),
    "iptc-newsinjson/3.0_tt_text_image_3.json": ("ninjs", [dict(
        guid="http://tt.se/media/text/210526-militarovning-a0f2d045", version=1,
        version_created="2021-05-26T11:40:18Z", pubstatus="usable", urgency=3,
        headline="Militärövning i jätteformat hålls 2023", body="Jonas Svensson")]),
    "iptc-newsinjson/guide-1.6_005_complex_text_article.json": ("ninjs", [dict(
        guid="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z", language="en", dateline="Grossetto, Italy",
        headline="Captain of wrecked cruise ship on trial in Italy",
        byline="Paulo Santalucia and Frances d'Emilio", body="eight-day nationwide lawyers")]),
    "iptc-newsinjson/guide-2.2_005_complex_text_article.json": ("ninjs", [dict(
        guid="http://ninjs.example.com/newsitems/20130709med123",
        version_created="2013-07-09T10:37:00Z", dateline="Grossetto, Italy",
        headline="Captain of wrecked cruise ship on trial in Italy",
        byline="Paulo Santalucia and Frances d'Emilio", body="Costa Concordia cruise liner")]),
    "iptc-newsinjson/guide-3.1_004_simple_text_article.json": ("ninjs", [dict(
        guid="http://ninjs.example.com/newsitems/20130709simp123",
        version_created="2013-07-09T10:37:00Z",
        headline="Captain of wrecked cruise ship on trial in Italy",
        byline="Paulo Santalucia and Frances d'Emilio", body="Costa Concordia cruise liner")]),
    "superdesk-core/ninjs1.json": ("ninjs", [dict(
        guid="urn:newsml:localhost:2017-08-24T14:37:19.783611:c044162e-7f40-4d04-b700-"
             "49b6a66e652c",
        version=2, version_created="2017-08-24T04:38:34Z", first_created="2017-08-24T04:37:19Z",
        pubstatus="usable", urgency=3, headline="headline", slugline="slugline",
        byline="Peter and Jane", dateline="Milton Keynes", language="fr",
        body="The story so far.")]),
    "superdesk-core/ninjs2.json": ("ninjs", [dict(
        guid="tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b", version=4,
        version_created="2017-08-24T01:58:40Z", first_created="2017-07-03T01:38:13Z",
        headline="Oil prices edge up on first drop in US drilling in months",
        byline="Henning Gloystein", slugline="GLOBAL-OIL", dateline="Singapore", urgency=3,
        body="Brent crude futures added 6 cents")]),
    "superdesk-core/ninjs3.json": ("ninjs", [dict(
        guid="20170825001315282180", version=3, version_created="2017-08-25T04:41:35Z",
        headline="German Air Force Museum", language="en", body="German Air Force Museum")]),
    "superdesk-core/ninjs4.json": ("ninjs", [dict(
        guid="https://www.futurezone.de/science/article216742303/China-behauptet-einen-"
             "Polizeihund-geklont-zu-haben.html",
        version=1, version_created="2019-03-25T08:54:09Z", urgency=5, language="de",
        headline="China behauptet, einen Polizeihund geklont zu haben", byline="futurezone/KN",
        body="Es kann ganz schön kostspielig sein, Polizeihunde")]),
    "superdesk-core/ninjs5.json": ("ninjs", [dict(
        guid="tag:localhost:2017:7ca07622-3b19-4d61-8daf-18500412d46b", version=4,
        slugline="TEST GLOBAL-OIL", byline="Henning Gloystein")]),
    "superdesk-core/ninjs6.json": ("ninjs", [dict(
        guid="20170825001315282180", version=3, headline="German Air Force Museum")]),
    "superdesk-core/ninjs_embargoed.json": ("ninjs", [dict(
        guid="fd8e441b-a698-4411-9246-7d5de21cced9", version=11,
        version_created="2022-06-26T23:54:25Z", first_created="2022-06-20T23:20:35Z",
        embargoed="2022-06-29T02:30:00Z", pubstatus="usable", language="en",
        headline="Trouble is brewing for the future of beer", slugline="Climate-smart food",
        byline="Aaron J. Staples, Michigan State University",
        body="What does torched earth taste like?")]),
    "superdesk-core/ap_media_item.json": ("apmedia", []),
    "superdesk-core/ap_media_text_feed.json": ("apmedia", [dict(
        provider="ap", guid="5ee9b4b40ea5fe9c9ca60f890fb2e1d9", version=0,
        version_created="2019-07-03T04:05:12Z", first_created="2019-07-03T04:05:12Z",
        pubstatus="usable", headline="BC-BBN--Top Ten", credits=["AP"])]),
    "superdesk-core/ap_media_text_item.json": ("apmedia", [dict(
        provider="ap", guid="5ee9b4b40ea5fe9c9ca60f890fb2e1d9", version=0,
        version_created="2019-07-03T04:05:12Z", urgency=4, language="en",
        headline="BC-BBN--Top Ten", slugline="BC-BBN--Top Ten", keywords=["BBN--Top Ten"])]),
    "dpa-digitalwires-to-newsmlg2/dw-1.json": ("dpa", [dict(
        provider="dpa", guid="urn:newsml:dpa.com:20090101:240923-930-240378", version=2,
        version_created="2024-09-24T10:05:52Z", pubstatus="usable", signals=["correction"],
        urgency=3, language="de", dateline="Waghäusel",
        headline="«Mythos Jungfernhäutchen» - Zwischen Aufklärung und Kommerz",
        byline="Marco Krefting und Sunrita Sen, dpa", subjects=["Gesundheit", "Gesellschaft"],
        keywords=["Frauen"], credits=["dpa"], body="Die meisten Kundinnen bestellen nur einmal")]),
    "dpa-digitalwires-to-newsmlg2/eil.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:240925-930-242744", version=1,
        version_created="2024-09-25T08:37:24Z", urgency=2, signals=[], byline=None,
        dateline="Berlin", headline="Grünen-Spitze tritt nach Wahlniederlagen ab",
        body="Die Grünen-Spitze zieht nach den Misserfolgen der Partei")]),
    "dpa-digitalwires-to-newsmlg2/embargoed.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:250123-930-353124", version=1,
        version_created="2025-01-23T13:10:47Z", embargoed="2025-01-23T18:00:00Z",
        pubstatus="usable", urgency=4, dateline="Berlin",
        headline="Steinmeier: Russland zerstört kulturelles Erbe der Ukraine",
        body="Bundespräsident Frank-Walter Steinmeier hat vor der Zerstörung")]),
    "dpa-digitalwires-to-newsmlg2/empty_paragraph.json": ("dpa", [dict(
        guid="urn:newsml:europapress.es:20241121:DN_2024-11-21_15-35-06", version=1,
        version_created="2024-11-21T14:35:06Z", language="es", dateline="MADRID",
        credits=["Europa Press"], body="El primer ministro israelí, Benjamin Netanyahu")]),
    "dpa-digitalwires-to-newsmlg2/no_notepad.json": ("dpa", [dict(
        guid="urn:newsml:ap.org:20230101:cd1ee53edee0df1bf00de01b044366b4", version=4,
        version_created="2024-11-21T10:13:20Z", language="en", byline="ASHOK SHARMA",
        dateline="New Delhi", credits=["ASSOCIATED PRESS"],
        headline="Shares in India's Adani Group plunge 20% after US bribery, fraud indictments",
        body="controversial Indian tycoon Gautam Adani")]),
    "dpa-digitalwires-to-newsmlg2/rubix_multimedia_testartikel.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:241022-930-267047", version=1,
        version_created="2024-10-22T09:09:58Z", embargoed="2024-10-22T09:30:00Z",
        byline="Thomas Est", dateline="Hamburg", headline="Labwire-Testartikel veröffentlicht",
        body="Zwischentitel")]),
    "dpa-digitalwires-to-newsmlg2/spe2.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:dsv:text:ERG_MM_TE_FEDCUP_W_2024_1125", version=52,
        version_created="2024-11-20T17:41:51Z", pubstatus="usable", urgency=3,
        dateline=None, headline="Ergebnisse Tennis", body="Billie Jean King Cup")]),
    "dpa-digitalwires-to-newsmlg2/tvo_pol.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:99-240924-240924082808397", version=2,
        version_created="2024-09-24T07:42:36Z", signals=["correction"],
        headline="dpa-Tagesvorschau Politik Deutschland für Dienstag, 24. September 2024",
        body="dpa-Topthemen des Tages")]),
    "dpa-digitalwires-to-newsmlg2/with_dateline.json": ("dpa", [dict(
        guid="urn:newsml:dpa.com:20090101:250128-930-357319", version=2,
        version_created="2025-01-28T08:18:34Z", signals=["update"], urgency=3,
        dateline="New York", byline="Andrej Sokolow, dpa",
        headline="DeepSeek-Schock aus China: Zeichen für KI-Zeitenwende?",
        body="Ein Chatbot aus China schockt die Wall Street")]),
}


def realworld_json_files() -> list[str]:
    found = []
    for folder in FOLDERS:
        path = REALWORLD / folder
        if not path.is_dir():
            pytest.fail(f"real-world folder {path} not found (set WIRE_SHARED_DIR)")
        found += [p.relative_to(REALWORLD).as_posix() for p in path.glob("*.json")]
    return sorted(found)


def test_every_realworld_json_file_has_expectations():
    assert realworld_json_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_realworld_json_document_parses_right(name):
    fmt, expected = EXPECTED[name]
    document = Document(name, (REALWORLD / name).read_bytes())

    assert parse_document(document).format == fmt
    stories, problems = parse_stories(document, ParseOptions(), RECEIVED)
    assert problems == []
    assert len(stories) == len(expected)
    for story, fields in zip(stories, expected):
        got = story.as_json()
        assert story.inferred_time is False
        for key, value in fields.items():
            if key == "body":
                assert value in got["body_text"], f"{name}: body lacks {value!r}"
            else:
                assert got[key] == value, f"{name}: {key}"


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("iptc-newsinjson/2.1_ap_audio.json",
         "8c9f92e2a4414c709a295b449f459a74: audio item without a text body"),
        ("superdesk-core/ap_media_item.json",
         "95e8bd71fed448cda1a0be35d8ddbd2f: picture item without a text body"),
    ],
)
def test_realworld_media_items_without_text_are_skipped_and_said_so(name, skipped):
    parsed = parse_document(Document(name, (REALWORLD / name).read_bytes()))

    assert parsed.items == () and parsed.problems == ()
    assert parsed.skipped == (skipped,)
