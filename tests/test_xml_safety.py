"""Hostile XML never expands, never reaches the network or the disk, and costs little.

Every XML format of the registry is attacked, through detection (`format="auto"`) and by name:
external entities (XXE) to a file and to a local port, "billion laughs", quadratic blow-up, an
external DTD, and the same tricks hidden from a prolog-only check (a DOCTYPE after 64 KiB of
comment, a `]>` inside a comment of the internal subset). Each document is refused with a
DocumentError naming it, or parsed with the entities left unexpanded, in under a second and a
few MB of Python memory. A listening socket proves no byte went to the network.
"""

from __future__ import annotations

import importlib
import socket
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from worker.errors import DocumentError
from worker.model import Document
from worker.normalize import normalize_item
from worker.parse import MAX_DOCUMENT_BYTES, parse_document
from worker.parse.registry import FORMATS

XML_FORMATS = sorted(n for n, m in FORMATS.items() if importlib.import_module(m).FAMILY == "xml")
MAX_SECONDS = 1.0
MAX_PEAK_BYTES = 8 * 1024 * 1024

#: a body for each XML format that puts `{ref}` where its parser reads headline and body
BODIES = {
    "rss": '<rss version="2.0"><channel><title>t</title><item><guid>g1</guid>'
           "<title>{ref}</title><description>{ref}</description></item></channel></rss>",
    "nitf": "<nitf><head><title>{ref}</title><docdata><doc-id id-string=\"n1\"/></docdata></head>"
            "<body><body.head><hedline><hl1>{ref}</hl1></hedline></body.head>"
            "<body.content><p>{ref}</p></body.content></body></nitf>",
    "newsml": '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">'
              "<itemMeta><versionCreated>2024-01-01T00:00:00Z</versionCreated></itemMeta>"
              "<contentMeta><headline>{ref}</headline></contentMeta><contentSet><inlineXML>"
              '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{ref}</p></body></html>'
              "</inlineXML></contentSet></newsItem>",
}
ROOTS = {"rss": "rss", "nitf": "nitf", "newsml": "newsItem"}
LOL = "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10)
)
BIG = "A" * 50_000


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    """A local port that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def attacks(port: int) -> dict[str, tuple[str, str]]:
    """name -> (DOCTYPE, entity reference) for every attack."""
    url = f"http://127.0.0.1:{port}"
    return {
        "xxe-file": ('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"),
        "xxe-http-closed-port": ('<!ENTITY x SYSTEM "http://127.0.0.1:1/">', "&x;"),
        "xxe-http-listener": (f'<!ENTITY x SYSTEM "{url}/xxe">', "&x;"),
        "xxe-parameter-entity": (f'<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;', "&x;"),
        "billion-laughs": (LOL, "&l9;"),
        "quadratic-blowup": (f'<!ENTITY a "{BIG}">', "&a;" * 2_000),
        "comment-hides-subset": (f"<!-- ]> -->{LOL}", "&l9;"),
        "comment-hides-xxe": ('<!-- ]> --><!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"),
    }


def document(fmt: str, attack: str, port: int) -> Document:
    subset, ref = attacks(port)[attack]
    root = ROOTS.get(fmt, fmt)
    body = BODIES.get(fmt, BODIES["rss"]).format(ref=ref)
    return Document(f"{attack}.{fmt}.xml",
                    f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{subset}]>\n{body}'.encode())


def external_dtd(fmt: str, port: int) -> Document:
    root = ROOTS.get(fmt, fmt)
    body = BODIES.get(fmt, BODIES["rss"]).format(ref="&ext;")
    return Document(f"external-dtd.{fmt}.xml", (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/evil.dtd">\n'
        f"{body}").encode())


def late_doctype(fmt: str) -> Document:
    root = ROOTS.get(fmt, fmt)
    body = BODIES.get(fmt, BODIES["rss"]).format(ref="&l9;")
    return Document(f"late-doctype.{fmt}.xml", (
        f'<?xml version="1.0"?>\n<!--{"x" * 70_000}-->\n<!DOCTYPE {root} [{LOL}]>\n{body}'
    ).encode())


def attempt(doc: Document, fmt: str) -> tuple[str, float, int]:
    """Parse and normalize; the outcome ("refused: ..." or the stories' text), time, peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parsed = parse_document(doc, format=fmt)
        texts = []
        for item in parsed.items:
            story = normalize_item(item, provider="p", received_at=_NOW, document=doc.name)
            texts.append(story.headline + "\n" + story.body_text)
        outcome = "parsed:" + "\n".join(texts)
    except DocumentError as e:
        outcome = "refused:" + str(e)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, elapsed, peak


def assert_safe(doc: Document, fmt: str, listener: socket.socket) -> None:
    outcome, elapsed, peak = attempt(doc, fmt)
    if outcome.startswith("refused:"):
        assert doc.name in outcome
    else:
        assert "root:" not in outcome, "file content leaked into the story"
        assert "lollol" not in outcome and BIG[:1000] not in outcome, "entities were expanded"
    assert elapsed < MAX_SECONDS, f"{doc.name} took {elapsed:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"{doc.name} peaked at {peak / 1e6:.1f} MB"
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing connected


_NOW = datetime(2030, 1, 1, tzinfo=UTC)
ATTACKS = sorted(attacks(0))


def test_the_registry_has_xml_formats_to_attack() -> None:
    assert "rss" in XML_FORMATS and len(XML_FORMATS) >= 1


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_entity_attack_detected_format_is_harmless(
        fmt: str, attack: str, listener: socket.socket) -> None:
    assert_safe(document(fmt, attack, listener.getsockname()[1]), "auto", listener)


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_entity_attack_named_format_is_harmless(
        fmt: str, attack: str, listener: socket.socket) -> None:
    assert_safe(document(fmt, attack, listener.getsockname()[1]), fmt, listener)


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("how", ["auto", "named"])
def test_external_dtd_is_never_fetched(fmt: str, how: str, listener: socket.socket) -> None:
    doc = external_dtd(fmt, listener.getsockname()[1])
    assert_safe(doc, "auto" if how == "auto" else fmt, listener)


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("how", ["auto", "named"])
def test_doctype_after_a_long_comment_is_harmless(
        fmt: str, how: str, listener: socket.socket) -> None:
    assert_safe(late_doctype(fmt), "auto" if how == "auto" else fmt, listener)


def test_entity_declaring_rss_is_refused_with_a_message_naming_it(
        listener: socket.socket) -> None:
    doc = document("rss", "billion-laughs", listener.getsockname()[1])
    with pytest.raises(DocumentError) as caught:
        parse_document(doc)
    assert doc.name in str(caught.value) and "entit" in str(caught.value)


def test_entity_text_inside_cdata_is_not_a_declaration() -> None:
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
            "<title>XML basics</title><description><![CDATA[<p>Write <!ENTITY x \"y\"> in a "
            "DTD.</p>]]></description></item></channel></rss>")
    parsed = parse_document(Document("cdata.xml", feed.encode()))
    assert [i.headline for i in parsed.items] == ["XML basics"]


def test_document_over_the_size_cap_is_refused_naming_it() -> None:
    doc = Document("huge-feed.xml", b"<rss>" + b" " * 2_000 + b"</rss>")
    with pytest.raises(DocumentError) as caught:
        parse_document(doc, max_bytes=1_000)
    assert "huge-feed.xml" in str(caught.value) and "1000" in str(caught.value)


def test_default_size_cap_applies_without_reading_the_document() -> None:
    doc = Document("flood.xml", b"<" + b"a" * MAX_DOCUMENT_BYTES)
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="flood.xml"):
        parse_document(doc)
    assert time.perf_counter() - started < MAX_SECONDS
