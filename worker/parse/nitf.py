"""NITF 3.x (IPTC News Industry Text Format), with or without its namespace: one story a document.

Mapping (docs/design.md "Formats"), `docdata` = `nitf/head/docdata`:

- guid: `docdata/du-key/@key`, else `docdata/doc-id/@id-string` (NTB's id-string carries a
  per-version suffix, its du-key does not); AP's NITF has neither, so normalize makes the SPEC
  digest. version: `du-key/@version`, else `du-key/@generation` (integers only).
- version_created: `docdata/date.issue/@norm` (basic ISO, with offset or naive: normalize reads
  it), else `pubdata/@date.publication`. embargoed: `docdata/date.release/@norm`, as given.
- pubstatus: `docdata/@management-status` (`embargoed` reads as usable).
- signals: `canceled` -> kill; `docdata/correction` -> correction; a `@management-doc-idref`
  naming the document this one replaces -> update; an `ed-msg` saying "corrects" or "writethru"
  -> correction or update, `@msg-type="advisory"` -> advisory.
- urgency: `docdata/urgency/@ed-urg` (1 most .. 8 least, already inside the IPTC scale).
- headline: `body.head/hedline/hl1`, else `head/title`.
- byline: `body.head/byline` without `byttl`, the byline title ("AP Business Writer" is a job,
  not an author); normalize drops a leading "By".
- dateline: `body.head/dateline/location` (the place only, never `story.date`), else the
  dateline's own text.
- subjects: `tobject.subject/@tobject.subject.refnum`, else its most specific label;
  keywords: `docdata/key-list/keyword/@key`; language: `nitf/@baselang`, else `@xml:lang`.
- credits: `body.head/distributor`, else `docdata/doc.copyright/@holder`.
- provider: `doc-id/@regsrc`, the registering source (`AP`, `NTB`).
- body_html: `body/body.content`, see `worker.parse.xmlutil.inner_html`.

NewsML-G2 carries NITF inside `inlineXML`: `newsml.py` reuses `nitf_body` and `nitf_byline`.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from worker.errors import DocumentError
from worker.model import Document, ItemData, ParsedDocument
from worker.normalize.signals import signals_in_words
from worker.normalize.urgency import iptc_urgency
from worker.parse.items import read_items
from worker.parse.xmlsafe import local
from worker.parse.xmlutil import (
    NITF_TO_HTML,
    attr,
    child,
    children,
    descendants,
    inner_html,
    lang,
    slug_of,
    text,
)

NAME = "nitf"
FAMILY = "xml"



def matches(decoded: Any) -> bool:
    return decoded.root is not None and local(decoded.root.tag) == "nitf"


def parse(document: Document, decoded: Any) -> ParsedDocument:
    """The one story of a NITF document; an unreadable story is a problem, not a crash."""
    root = decoded.root
    if root is None:
        raise DocumentError(document.name, f"malformed XML: {decoded.xml_error}", NAME)
    if local(root.tag) != "nitf":
        raise DocumentError(document.name, "not a NITF document (no <nitf> root)", NAME)
    items, problems, _ = read_items(document.name, [root], lambda r, _: nitf_item(r),
                                    lambda r, _: _identity(r)[0] or "nitf")
    return ParsedDocument(NAME, tuple(items), tuple(problems))


def nitf_item(root: etree._Element) -> ItemData:
    """ItemData from a `nitf` element."""
    head, body = child(root, "head"), child(root, "body")
    docdata = child(head, "docdata")
    body_head = child(body, "body.head")
    guid, version = _identity(root)
    status = attr(docdata, "management-status")
    version_created = (attr(child(docdata, "date.issue"), "norm")
                       or attr(child(head, "pubdata"), "date.publication"))
    return ItemData(
        guid=guid,
        version=version,
        version_created=version_created,
        pubstatus=status,
        embargoed=attr(child(docdata, "date.release"), "norm"),
        urgency=iptc_urgency(attr(child(docdata, "urgency"), "ed-urg")),
        signals=_signals(docdata, status),
        headline=text(child(body_head, "hedline", "hl1")) or text(child(head, "title")),
        byline=nitf_byline(body_head),
        dateline=_dateline(body_head),
        language=attr(root, "baselang") or lang(root),
        body_html=nitf_body(root),
        subjects=tuple(_subjects(head)),
        keywords=tuple(k for k in (attr(kw, "key") for kw in
                                   children(child(docdata, "key-list"), "keyword")) if k),
        credits=_credits(docdata, body_head),
        provider=slug_of(attr(child(docdata, "doc-id"), "regsrc")),
        ref=guid,
    )


def nitf_body(nitf: etree._Element) -> str:
    """The HTML fragment of `nitf/body/body.content` (empty when there is none)."""
    return inner_html(child(nitf, "body", "body.content"), NITF_TO_HTML)


def nitf_byline(body_head: etree._Element | None) -> str | None:
    """The author(s) of `body.head/byline`, without the byline title (`byttl`)."""
    names = []
    for byline in children(body_head, "byline"):
        value = text(byline, skip=frozenset({"byttl"}))
        if value:
            names.append(value.strip(" ,;:/"))
    return ", ".join(n for n in names if n) or None


def _identity(root: etree._Element) -> tuple[str | None, int | None]:
    docdata = child(root, "head", "docdata")
    du_key = child(docdata, "du-key")
    guid = attr(du_key, "key") or attr(child(docdata, "doc-id"), "id-string")
    version = None
    for name in ("version", "generation"):
        value = attr(du_key, name)
        if value and value.isdigit():
            version = int(value)
            break
    return guid, version


def _signals(docdata: etree._Element | None, status: str | None) -> tuple[str, ...]:
    signals: list[str] = []
    if (status or "").lower() in ("canceled", "cancelled"):
        signals.append("kill")
    elif attr(docdata, "management-doc-idref"):
        signals.append("update")
    if child(docdata, "correction") is not None:
        signals.append("correction")
    for message in children(docdata, "ed-msg"):
        signals += signals_in_words(attr(message, "info")).signals
        if (attr(message, "msg-type") or "").lower() == "advisory":
            signals.append("advisory")
    return tuple(dict.fromkeys(signals))


def _dateline(body_head: etree._Element | None) -> str | None:
    dateline = child(body_head, "dateline")
    if dateline is None:
        return None
    location = child(dateline, "location")
    if location is not None:
        return text(location)
    return text(dateline, skip=frozenset({"story.date"}))


def _subjects(head: etree._Element | None) -> list[str]:
    subjects = []
    for subject in descendants(child(head, "tobject"), "tobject.subject"):
        value = next((v for v in (attr(subject, f"tobject.subject.{name}")
                                  for name in ("refnum", "detail", "matter", "type")) if v), None)
        if value:
            subjects.append(value)
    return subjects


def _credits(docdata: etree._Element | None, body_head: etree._Element | None) -> tuple[str, ...]:
    distributors = [text(d) for d in children(body_head, "distributor")]
    credits = [d for d in distributors if d]
    if not credits:
        holder = attr(child(docdata, "doc.copyright"), "holder")
        credits = [holder] if holder else []
    return tuple(credits)
