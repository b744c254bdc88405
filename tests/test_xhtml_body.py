"""XHTML bodies (NewsML-G2 inlineXML) serialized in C when nothing but the namespace needs
rewriting (`xmlutil._plain_xhtml`): the stories come out exactly as the general path (copy,
rename every element, HTML serialization) makes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import REPO
from worker.model import Document
from worker.parse import xmlutil
from worker.pipeline import ParseOptions, parse_stories

G2 = ('<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:e:{n}" version="1">'
      '<itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentSet><inlineXML>{body}'
      '</inlineXML></contentSet></newsItem>')
XHTML = '<html xmlns="http://www.w3.org/1999/xhtml"><body>{}</body></html>'
EDGES = [
    XHTML.format('<p/><p>One <a href="x"/> two</p><div/><br/><img src="i.jpg"/><span/>tail<hr/>'),
    ('<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:body><h:p>Prefixed <h:b>b</h:b></h:p>'
     '</h:body></h:html>'),
    XHTML.format('<header>Mast</header><p xml:lang="de" class="x">Text &amp; more &lt;tag&gt;</p>'
                 '<!-- c --><?pi x?><script>var a = 1 &lt; 2;</script>after'),
    XHTML.format('\n  <p>   BERLIN - first line\ncontinues here\n   Second para starts\nand on</p>'),
    XHTML.format('<p>Math <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math> and '
                 '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg> end</p>'
                 '<table><tr><td/><td>c</td></tr></table><style>p {}</style><iframe src="x"/>'),
    '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ('<body xmlns="http://www.w3.org/1999/xhtml" xmlns:x="urn:x"><p x:a="1" title="t&quot;q">'
     'Q <x:foo>inner</x:foo> <a href="/rel">rel</a> <a href="javascript:alert(1)">j</a></p></body>'),
]


def documents(shared) -> list[Document]:
    found = [Document(name=f"edge {n}", content=G2.format(n=n, body=body).encode(),
                      base_url="http://example.com/a/") for n, body in enumerate(EDGES)]
    for folder in (REPO / "tests" / "data" / "newsml", shared / "realworld"):
        for path in sorted(folder.rglob("*.xml")):
            found.append(Document(name=str(path), content=path.read_bytes()))
    return found


def stories(docs: list[Document]) -> list[tuple]:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    out = []
    for doc in docs:
        try:
            parsed, _ = parse_stories(doc, ParseOptions(), now)
        except Exception as e:  # noqa: BLE001 - a document refused must be refused both ways
            out.append((doc.name, type(e).__name__))
            continue
        out += [(doc.name, s.guid, s.body_html, s.body_text, s.dateline) for s in parsed]
    return out


def test_xhtml_bodies_come_out_as_the_general_path_makes_them(shared, monkeypatch):
    docs = documents(shared)
    used = []
    plain = xmlutil._plain_xhtml
    monkeypatch.setattr(xmlutil, "_plain_xhtml", lambda c: used.append(plain(c)) or used[-1])
    fast = stories(docs)
    monkeypatch.setattr(xmlutil, "_plain_xhtml", lambda c: None)
    general = stories(docs)
    assert fast == general
    assert sum(u is not None for u in used) >= 5 and sum(u is None for u in used) >= 3


@pytest.mark.parametrize("body, expected", [
    ('<p/><p>a</p>', '<p></p><p>a</p>'),
    ('<p>x<br/><img src="i"/><span class="c"/></p>', '<p>x<br/><img src="i"/><span class="c"></span></p>'),
])
def test_empty_elements_are_written_open_and_closed_unless_void(body, expected):
    from lxml import etree

    root = etree.fromstring(XHTML.format(body))
    assert xmlutil._plain_xhtml(root[0]) == expected
