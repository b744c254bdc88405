"""Realistic wire feeds for the benchmark: RSS 2.0 and NewsML-G2, 100 items of dirty HTML.

Every item carries a ~3 KB body of news-like text wrapped in the markup real feeds send and the
sanitizer must remove: `<script>`, `<style>`, `<iframe>`, `on*` event attributes and a
`javascript:` link, plus the markup it must keep (paragraphs, links, strong/em, a list, an
image). The HTML is written XHTML-compatible (self-closed `<img/>`, no named entities), so the
same body goes entity-escaped into RSS `<description>` and as XML into NewsML-G2 `inlineXML`.

A feed moves in *generations*, as a real one does between polls: at generation `g` it lists the
`ITEMS` newest items; each generation `NEW_PER_GEN` items appear on top (the oldest fall off)
and `UPDATED_PER_GEN` of the listed ones get a new version (new timestamp, edited text). So two
polls one generation apart share ~95 % of their items, which is what the pre-scan must see.

Everything is deterministic (seeded by feed, item and revision): every run and every process
builds the same bytes, and every story's text is its own (no accidental near-duplicates).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import accumulate
from xml.sax.saxutils import escape

ITEMS = 100
NEW_PER_GEN = 3
UPDATED_PER_GEN = 2
EPOCH = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
GEN_SECONDS = 60

_SYLLABLES = ("ba", "ker", "mon", "tra", "vel", "in", "dor", "sa", "li", "po", "ne", "ru", "ta",
              "gen", "mar", "cos", "fi", "del", "an", "or", "ist", "ur", "pe", "lo")
_rng = random.Random(7)
#: a 6,000-word synthetic vocabulary with a few very common words, like news copy
VOCAB = ["the", "of", "and", "to", "in", "a", "said", "on", "for", "that", "was", "with"] + [
    "".join(_rng.choice(_SYLLABLES) for _ in range(_rng.randint(1, 4))) for _ in range(6000)
]
_CUM_WEIGHTS = list(accumulate([6.0] * 12 + [1.0 / (1 + i / 50) for i in range(6000)]))
CITIES = ("BEIRUT", "LONDON", "BERLIN", "TOKYO", "NAIROBI", "LIMA", "OSLO", "CAIRO", "DELHI")


def _words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCAB, cum_weights=_CUM_WEIGHTS, k=n)


def _sentence(rng: random.Random) -> str:
    words = _words(rng, rng.randint(9, 22))
    return " ".join(words).capitalize() + "."


def _para(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def item_revision(feed: int, k: int, gen: int) -> int:
    """How many times item `k` of `feed` was updated up to generation `gen`."""
    first = 0 if k < ITEMS else (k - ITEMS) // NEW_PER_GEN + 1  # the generation it appeared
    period = max(1, ITEMS // max(1, UPDATED_PER_GEN))
    return sum(1 for g in range(first + 1, gen + 1) if (k + feed + g) % period == 0)


def item_ids(gen: int) -> range:
    """The items listed at generation `gen`, oldest first."""
    top = ITEMS + gen * NEW_PER_GEN
    return range(top - ITEMS, top)


def body_html(feed: int, k: int, rev: int) -> str:
    """The dirty ~3 KB HTML body of one item revision."""
    rng = random.Random(f"{feed}:{k}:{rev}")
    city = CITIES[(feed + k) % len(CITIES)]
    p = [_para(rng, 4) for _ in range(6)]
    w = _words(rng, 6)
    return (
        f'<p class="lead" onclick="track({k})">{city} (Wire) - {p[0]}</p>'
        f"<script>var ad_slot = {k}; document.write('&lt;div&gt;ad&lt;/div&gt;');</script>"
        f"<style>.ad {{ display: none }} p.lead {{ font-weight: bold }}</style>"
        f'<p>{p[1]} <a href="https://news.example.com/{feed}/{k}" onmouseover="x()">{w[0]} {w[1]}'
        f"</a> <strong>{w[2]}</strong> <em>{w[3]}</em></p>"
        f"<ul><li>{_sentence(rng)}</li><li>{_sentence(rng)}</li><li>{_sentence(rng)}</li></ul>"
        f'<img src="https://img.example.com/{feed}/{k}.jpg" onerror="steal()" alt="{w[4]}"/>'
        f"<p>{p[2]}</p>"
        f'<iframe src="https://ads.example.com/frame?k={k}" width="300" height="250"></iframe>'
        f'<p>{p[3]} <a href="javascript:alert(document.cookie)">{w[5]}</a></p>'
        f"<p>{p[4]}</p><p>{p[5]}</p>"
    )


def headline(feed: int, k: int, rev: int) -> str:
    rng = random.Random(f"h{feed}:{k}:{rev}")
    return " ".join(_words(rng, rng.randint(6, 11))).capitalize()


def item_time(k: int, rev: int) -> datetime:
    return EPOCH + timedelta(seconds=GEN_SECONDS * (k // NEW_PER_GEN) + 3600 * rev)


def rss(feed: int, gen: int, build_stamp: int = 0) -> bytes:
    """RSS 2.0 of `feed` at generation `gen`; `build_stamp` moves `lastBuildDate` only."""
    parts = [
        ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>Wire bench feed {feed}</title>\n<link>https://news.example.com/{feed}/</link>\n"
        "<description>Synthetic wire</description>\n<language>en</language>\n"
        f"<lastBuildDate>{format_datetime(EPOCH + timedelta(seconds=build_stamp + gen * 60))}"
        "</lastBuildDate>\n")
    ]
    for k in reversed(item_ids(gen)):
        rev = item_revision(feed, k, gen)
        parts.append(
            "<item>"
            f"<title>{escape(headline(feed, k, rev))}</title>"
            f"<link>https://news.example.com/{feed}/{k}</link>"
            f'<guid isPermaLink="false">urn:bench:{feed}:{k}</guid>'
            f"<pubDate>{format_datetime(item_time(k, rev))}</pubDate>"
            f"<dc:creator>By Reporter {k % 37}</dc:creator>"
            f"<category>World</category><category>Politics</category>"
            f"<category>Region {k % 11}</category>"
            f"<description>{escape(body_html(feed, k, rev))}</description>"
            "</item>\n"
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def newsml(feed: int, gen: int, build_stamp: int = 0) -> bytes:
    """A NewsML-G2 newsMessage of `feed` at generation `gen` (XHTML bodies in inlineXML)."""
    sent = (EPOCH + timedelta(seconds=build_stamp + gen * 60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [
        ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">\n'
        f"<header><sent>{sent}</sent><sender>wire{feed}.example.com</sender></header>\n"
        "<itemSet>\n")
    ]
    for k in reversed(item_ids(gen)):
        rev = item_revision(feed, k, gen)
        when = item_time(k, rev).strftime("%Y-%m-%dT%H:%M:%SZ")
        first = item_time(k, 0).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f'<newsItem guid="tag:wire{feed}.example.com,2026:{k}" version="{rev + 1}" '
            'standard="NewsML-G2" standardversion="2.25" xml:lang="en">'
            "<itemMeta><itemClass qcode=\"ninat:text\"/><provider qcode=\"nprov:BENCH\"/>"
            f"<versionCreated>{when}</versionCreated><firstCreated>{first}</firstCreated>"
            '<pubStatus qcode="stat:usable"/></itemMeta>'
            f"<contentMeta><urgency>{3 + k % 5}</urgency>"
            '<subject type="cpnat:abstract" qcode="medtop:11000000"/>'
            f"<keyword>region {k % 11}</keyword><slugline>BENCH-{k}/</slugline>"
            f"<headline>{escape(headline(feed, k, rev))}</headline>"
            f"<by>By Reporter {k % 37}</by></contentMeta>"
            '<contentSet><inlineXML contenttype="application/xhtml+xml">'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            f"{body_html(feed, k, rev)}"
            "</body></html></inlineXML></contentSet></newsItem>\n"
        )
    parts.append("</itemSet>\n</newsMessage>\n")
    return "".join(parts).encode("utf-8")


FORMATS = {"rss": rss, "newsml": newsml}


def document(fmt: str, feed: int, gen: int, build_stamp: int = 0) -> bytes:
    return FORMATS[fmt](feed, gen, build_stamp)
