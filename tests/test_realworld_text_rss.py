"""Real documents: ANPA 1312 and IPTC 7901 wires, and captured RSS/Atom feeds, read in place.

Every expected value below was read off the document by eye (header, lead, trailer, items).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.model import Document, Story
from worker.normalize import normalize_item
from worker.parse import parse_document

RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)


def read(path: Path) -> tuple[str, list[Story]]:
    parsed = parse_document(Document(path.name, path.read_bytes()))
    assert parsed.problems == ()
    return parsed.format, [
        normalize_item(i, provider="p", received_at=RECEIVED, document=path.name)
        for i in parsed.items
    ]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_every_real_text_wire_is_detected_and_parsed(shared: Path) -> None:
    sd = shared / "realworld" / "superdesk-core"
    paths = sorted(
        [
            *sd.glob("*.tst"),
            *sd.glob("*.txt"),
            *(shared / "realworld" / "dpa-digitalwires-to-iptc7901").glob("*.iptc"),
        ]
    )
    assert len(paths) >= 10
    for path in paths:
        fmt, stories = read(path)
        assert fmt == ("anpa" if path.suffix == ".tst" else "iptc7901"), path.name
        (story,) = stories
        assert story.headline and story.body_text and not story.inferred_time, path.name
        assert "\x03" not in story.body_text and "\x02" not in story.body_text


ANPA = {
    "anpa-2.tst": {
        "guid": "urn:anpa:ap:2013-11-13:us--ethanol-losinggra",
        "version": 1,
        "signals": ("update",),
        "headline": "Prairies vanish in the US push for green energy",
        "slugline": "BC-US--Ethanol-Losing Grassland",
        "byline": "CHET BROKAW and JACK GILLUM",
        "dateline": "ROSCOE, South Dakota",
        "version_created": utc(2013, 11, 13, 7, 45),
        "urgency": 5,
        "subjects": ("a",),
        "phrase": "more than 1 million acres (0.4 million hectares) of the Great",
        "last": "contributed to this report from Washington.",
    },
    "ap_anpa-1.tst": {
        "guid": "urn:anpa:ap:2016-02-20:bkn--heat-hawks",
        "version": 1,
        "signals": ("update",),
        "headline": "Deng has 30 points, short-handed Heat beat Hawks 115-111",
        "slugline": "BC-BKN--Heat-Hawks",
        "byline": "CHARLES ODUM",
        "dateline": "ATLANTA",
        "version_created": utc(2016, 2, 20, 3, 37),
        "subjects": ("z",),
        "phrase": "Jeff Teague led Atlanta with 23 points, and Kyle Korver had 18.",
        "last": "Hawks: Host Milwaukee on Saturday night.",
    },
    "ap_anpa-4.tst": {
        "guid": "urn:anpa:ap:2017-05-09:as--china-daringescap",
        "version": 3,
        "signals": ("update",),
        "headline": "AP Exclusive: China lawyer's family says US helped them flee",
        "slugline": "BC-AS--China-Daring Escape-ABRIDGED",
        "byline": "GERRY SHIH",
        "dateline": "BEIJING",
        "version_created": utc(2017, 5, 9, 0, 56),
        "urgency": 5,
        "subjects": ("i",),
        "phrase": "Help arrived, from America.",
        "last": "Grant Peck in Bangkok contributed to this report.",
    },
    "ap_anpa-7.tst": {
        "guid": "urn:anpa:ap:2019-09-04:10thingstoknow-today",
        "version": None,
        "signals": (),
        "headline": "10 Things to Know for Today",
        "slugline": "BC-10 Things to Know-Today",
        "byline": "The Associated Press",
        "dateline": None,
        "version_created": utc(2019, 9, 4, 10, 29),
        "urgency": 5,
        "subjects": ("a",),
        "phrase": "1. BAHAMIANS BEGIN RESCUES AS DORIAN MOVES ON TOWARD US COAST",
        "last": "the financier who took his own life last month.",
    },
}


@pytest.mark.parametrize("name", sorted(ANPA))
def test_real_anpa_wire_fields(shared: Path, name: str) -> None:
    want = dict(ANPA[name])
    _, (s,) = read(shared / "realworld" / "superdesk-core" / name)
    phrase, last = want.pop("phrase"), want.pop("last")
    for key, value in want.items():
        assert getattr(s, key) == value, key
    assert s.pubstatus == "usable" and s.credits == ("AP",)
    assert any(phrase in paragraph for paragraph in s.body_text.split("\n\n"))
    assert s.body_text.endswith(last)
    for editors_only in ("AP Photo", "Eds:", "AP-WF", "``", "Associated Press="):
        assert editors_only not in s.body_text


def test_real_anpa_write_thru_dateline_uses_a_dash_not_the_underscore(shared: Path) -> None:
    _, (s,) = read(shared / "realworld" / "superdesk-core" / "anpa-2.tst")
    assert s.body_text.startswith(
        "ROSCOE, South Dakota (AP) \u2014 Robert Malsam nearly went broke"
    )


IPTC = {
    "superdesk-core/IPTC7901.txt": {
        "headline": "Germany Social Democrats: Coalition talks with Merkel could fail",
        "slugline": "Germany-politics",
        "byline": None,
        "dateline": "Berlin",
        "urgency": 4,
        "subjects": ("i",),
        "version": None,
        "signals": (),
        "credits": ("dpa",),
        "version_created": utc(2013, 11, 13, 11, 37),
        "first": "Berlin (dpa) - Negotiations between German conservatives headed by Chancellor",
        "last": "to be sworn in for a third term before Christmas.",
    },
    "superdesk-core/dpa_four_line.txt": {
        "headline": "Switzerland joins list of countries resisting UN migration pact",
        "slugline": "Switzerland/migration/UN",
        "byline": "dpa correspondents",
        "dateline": "Geneva",
        "urgency": 3,
        "subjects": ("i",),
        "version": 1,
        "signals": ("update",),
        "credits": ("dpa",),
        "version_created": utc(2018, 11, 21, 23, 22),
        "first": "Geneva (dpa) - Switzerland is joining a growing number of countries",
        "last": "Israel, Poland and the United States.",
    },
    "superdesk-core/dpa_two_by_line.txt": {
        "headline": "Chiefs-Rams 2.0? Would be a fun Super Bowl, but don't count on it",
        "slugline": "American Football/NFL",
        "byline": "Tom Krasovic, The San Diego Union-Tribune",
        "dateline": "San Diego",
        "urgency": 4,
        "subjects": ("s",),
        "version": None,
        "signals": (),
        "credits": ("tca", "dpa"),
        "version_created": utc(2018, 11, 21, 12, 59),
        "first": "San Diego (tca/dpa) - History says this wasn't a Super Bowl preview",
        "last": "Kansas City's hopes will hinge on firming its defence.",
    },
    "superdesk-core/dpa_two_line.txt": {
        "headline": "Peace talks on Yemen to take place in Sweden next month, Mattis says",
        "slugline": "Yemen/conflict",
        "byline": None,
        "dateline": "Washington",
        "urgency": 3,
        "subjects": ("i",),
        "version": None,
        "signals": (),
        "credits": ("dpa",),
        "version_created": utc(2018, 11, 21, 21, 1),
        "first": "Washington (dpa) - US Defence Secretary Jim Mattis says he expects",
        "last": "in recent days it has decreased considerably.",
    },
    "dpa-digitalwires-to-iptc7901/eil.iptc": {
        "headline": "Grünen-Spitze tritt nach Wahlniederlagen ab",
        "slugline": "Partei/Deutschland/Grüne",
        "byline": None,
        "dateline": "Berlin",
        "urgency": 2,
        "subjects": ("pl",),
        "version": None,
        "signals": ("breaking",),
        "credits": ("dpa",),
        "version_created": utc(2024, 9, 25, 10, 37),
        "first": "Berlin (dpa) - Die Grünen-Spitze zieht nach den Misserfolgen der Partei",
        "last": "Zuvor hatte das Nachrichtenportal «Table Media» berichtet.",
    },
    "dpa-digitalwires-to-iptc7901/nsb-n1.iptc": {
        "headline": "Baum auf Bahnstrecke bei Peine - Verspätungen",
        "slugline": "Verkehr/Bahn/Niedersachsen",
        "byline": None,
        "dateline": "Peine",
        "urgency": 4,
        "subjects": ("vm",),
        "version": None,
        "signals": (),
        "credits": ("dpa", "lni"),
        "version_created": utc(2024, 9, 25, 18, 52),
        "first": "Ein umgestürzter Baum behindert den Bahnverkehr zwischen Peine und Hämelerwald.",
        "last": "die Gegenstrecke sollte zeitnah folgen, ergänzte der Sprecher.",
    },
}


@pytest.mark.parametrize("name", sorted(IPTC))
def test_real_iptc7901_wire_fields(shared: Path, name: str) -> None:
    want = dict(IPTC[name])
    _, (s,) = read(shared / "realworld" / name)
    first, last = want.pop("first"), want.pop("last")
    for key, value in want.items():
        assert getattr(s, key) == value, key
    assert s.pubstatus == "usable"
    assert s.guid.startswith("urn:iptc7901:")
    assert s.body_text.startswith(first)
    assert s.body_text.endswith(last)
    for editors_only in (
        "Notebook",
        "NOTEBOOK",
        "Notizblock",
        "not for publication",
        "not intended for publication",
        "* * * *",
    ):
        assert editors_only not in s.body_text


def test_real_iptc7901_identity_ignores_the_transmission_numbers(shared: Path) -> None:
    path = shared / "realworld" / "superdesk-core" / "IPTC7901.txt"
    _, (original,) = read(path)
    resent = path.read_bytes().replace(b"eca062", b"bdt0917").replace(b"dpa 061", b"dpa 0555")
    parsed = parse_document(Document("resent", resent))
    again = normalize_item(parsed.items[0], provider="p", received_at=RECEIVED)
    assert again.guid == original.guid and again.key == original.key


JN_URL = (
    "https://www.jn.pt/nacional/interior/"
    "sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html"
)
GUARDIAN_URL = (
    "https://www.theguardian.com/us-news/2018/jan/31/"
    "donald-trump-state-of-the-union-address-unity-discord"
)
HEISE_URL = (
    "http://www.heise.de/developer/meldung/"
    "Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html"
    "?wt_mc=rss.developer.beitrag.atom"
)
RSS = {
    "encoding.rss": {
        "count": 40,
        "language": "pt-PT",
        "byline": None,
        "guid": JN_URL,
        "link": JN_URL,
        "headline": "Mãe de utente é a nova presidente da Raríssimas",
        "version_created": utc(2018, 1, 3, 13, 47),
        "phrase": "é a nova presidente da direção da Raríssimas",
    },
    "guardian.rss": {
        "count": 55,
        "language": "en-GB",
        "byline": "David Smith in Washington",
        "guid": GUARDIAN_URL,
        "link": GUARDIAN_URL,
        "headline": "Trump State of the Union address promised unity but emphasized discord",
        "version_created": utc(2018, 1, 31, 7, 26, 5),
        "phrase": "Donald Trump has promised a \u201cnew American moment\u201d",
    },
    "heise.atom": {
        "count": 15,
        "language": None,
        "byline": "heise online",
        "guid": "http://heise.de/-3088438",
        "link": HEISE_URL,
        "headline": "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
        "version_created": utc(2016, 2, 1, 16, 54, 50),
        "phrase": "Die nun verfügbare Version 10 des Enterprise-Java-Servers",
    },
}


@pytest.mark.parametrize("name", sorted(RSS))
def test_real_feed_first_item_fields(shared: Path, name: str) -> None:
    want = dict(RSS[name])
    fmt, stories = read(shared / "realworld" / "rss-parser" / name)
    assert fmt == "rss"
    assert len(stories) == want.pop("count")
    phrase = want.pop("phrase")
    first = stories[0]
    for key, value in want.items():
        assert getattr(first, key) == value, key
    assert phrase in first.body_text
    assert len({s.guid for s in stories}) == len(stories)  # no two items merged
    assert all(s.headline and not s.inferred_time for s in stories)


def test_real_feedburner_feed_never_keys_on_the_tracking_redirect(shared: Path) -> None:
    _, stories = read(shared / "realworld" / "rss-parser" / "encoding.rss")
    assert not any("feeds.jn.pt/~r/" in (s.link or "") + s.guid for s in stories)
