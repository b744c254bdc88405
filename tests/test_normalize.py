"""Normalization every format shares: sanitizer, body text, timestamps, hashes, bylines."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.errors import ItemError
from worker.model import ItemData
from worker.normalize import _word_count, normalize_item
from worker.normalize.dates import parse_time
from worker.normalize.hashing import content_hash, normalize_words
from worker.normalize.html import (
    collapse_whitespace,
    html_to_text,
    normalize_whitespace,
    sanitize_html,
    text_to_html,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

DIRTY = (
    '<p onclick="steal()" style="color:red">Lead <a href="javascript:alert(1)">x</a>'
    '<a href="/world/raqqa" onmouseover="x()">link</a></p><script>alert(1)</script>'
    '<style>p{display:none}</style><iframe src="https://evil.example/"></iframe>'
    '<img src="pic.jpg" onerror="x()"><object data="x.swf"></object>'
    '<svg><script>alert(2)</script></svg><p>Second <b>bold</b></p>'
)


def test_sanitizer_removes_scripts_styles_events_iframes_and_javascript_urls():
    clean = sanitize_html(DIRTY, "https://news.example/a/b")

    for banned in ("<script", "<style", "<iframe", "<object", "<svg", "onclick", "onmouseover",
                   "onerror", "javascript:", "alert", "display:none"):
        assert banned not in clean
    assert '<a href="https://news.example/world/raqqa">link</a>' in clean
    assert '<img src="https://news.example/a/pic.jpg">' in clean


def test_relative_links_resolve_against_each_bodys_own_base_only():
    body = '<a href="#notes">n</a><a href="//cdn.example/p.jpg">c</a><a href=" more.html ">m</a>'
    clean = sanitize_html(body, "https://news.example/world/story.html")
    assert '<a href="#notes">n</a>' in clean
    assert '<a href="https://cdn.example/p.jpg">c</a>' in clean
    assert '<a href="https://news.example/world/more.html">m</a>' in clean
    # the next body has no base: its links stay relative, nothing of the last base leaks
    assert sanitize_html('<a href="more.html">m</a>') == '<a href="more.html">m</a>'


def test_a_hostile_base_url_never_turns_a_relative_link_into_script():
    clean = sanitize_html('<a href="x">x</a><img src="y.png">', "javascript:alert(1)//")
    assert "javascript" not in clean and "alert" not in clean


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcjsrpt:onlick&;#x")), max_size=200))
def test_sanitizer_never_lets_a_script_through(fragment):
    clean = sanitize_html(fragment + DIRTY + fragment).lower()
    assert "<script" not in clean and "javascript:" not in clean and " on" not in _tags(clean)


def _tags(html):
    import re

    return " ".join(re.findall(r"<[^>]*>", html))


def test_body_text_has_one_blank_line_between_paragraphs():
    html = "<h2>Crosshead</h2><p>One\n  two</p><ul><li>a</li><li>b</li></ul><p>x<br>y</p>"
    assert html_to_text(html) == "Crosshead\n\nOne two\n\na\n\nb\n\nx y"


MARKUP = ["<p>", "</p>", "<b>", "</b>", "<br>", "<li>", "<ul>", "</ul>", "<td>", "<table>", "x",
          " ", "&amp;", "&nbsp;", "&lt;p&gt;", "\n", "<a href='a>b'>", "</a>", "<h2>", "</h2>",
          "<!-- c -->", '<div title="q&quot;>">', "é", "<img alt='>'>", "<span>", "<script>s",
          "</script>", "\x00", "<pre>", "</pre>"]


@given(st.lists(st.sampled_from(MARKUP), max_size=40))
def test_body_text_keeps_every_character_of_the_text_and_no_markup(parts):
    from lxml import html as lxml_html

    clean = sanitize_html("".join(parts))
    text = html_to_text(clean)
    rendered = lxml_html.fragment_fromstring(clean, create_parent="div").text_content() if clean else ""
    assert "".join(text.split()) == "".join(rendered.split())
    assert "\n\n\n" not in text and text == text.strip()


@given(st.lists(st.sampled_from(MARKUP), max_size=40), st.text(max_size=80))
def test_word_count_is_the_number_of_words_of_body_text(parts, plain):
    for item in (ItemData(guid="g", headline="H", body_html="".join(parts)),
                 ItemData(guid="g", headline="H", body_text=plain)):
        story = normalize_item(item, provider="x", received_at=NOW)
        assert story.word_count == len(story.body_text.split())


@pytest.mark.parametrize("raw, expected", [
    ("2017-10-14T21:41:42Z", "2017-10-14T21:41:42+00:00"),
    ("2017-10-14T23:41:42+02:00", "2017-10-14T21:41:42+00:00"),
    ("2017-10-14T23:41:42+0200", "2017-10-14T21:41:42+00:00"),
    ("20171014T214142Z", "2017-10-14T21:41:42+00:00"),
    ("20171014T224142+0100", "2017-10-14T21:41:42+00:00"),
    ("Sat, 14 Oct 2017 17:41:42 -0400", "2017-10-14T21:41:42+00:00"),
    ("2017-10-14 21:41:42 +0000", "2017-10-14T21:41:42+00:00"),
    ("2017-10-14T21:41:42", "2017-10-14T21:41:42+00:00"),
])
def test_timestamps_in_every_wire_form_become_utc(raw, expected):
    assert parse_time(raw).isoformat() == expected


@pytest.mark.parametrize("raw", ["Last Tuesday", "", "0000-00-00", "soon", "2017-13-45T99:00Z"])
def test_garbage_timestamps_are_none(raw):
    assert parse_time(raw) is None


def test_garbage_timestamp_takes_the_received_time():
    story = normalize_item(ItemData(guid="g", headline="H", version_created="Last Tuesday"),
                           provider="x", received_at=NOW)
    assert story.version_created == NOW and story.inferred_time


def test_content_hash_ignores_markup_whitespace_and_case():
    a = normalize_item(ItemData(guid="a", headline="Raqqa  Falls", body_html="<p>One <b>two</b></p>"),
                       provider="x", received_at=NOW)
    b = normalize_item(ItemData(guid="b", headline="raqqa falls", body_text="ONE\n two"),
                       provider="y", received_at=NOW)
    c = normalize_item(ItemData(guid="c", headline="raqqa falls", body_text="one three"),
                       provider="y", received_at=NOW)
    assert a.content_hash == b.content_hash == content_hash("RAQQA FALLS", "one two")
    assert c.content_hash != a.content_hash


WHITESPACE_AND_WORDS = st.text(alphabet=st.sampled_from(list("ab AB\n\t\r\x0b\x0c\x1c\x7f.\u00a0\u2003\ufb01\u00c5")),
                                max_size=60)


@given(st.one_of(WHITESPACE_AND_WORDS, st.text(max_size=60),
                 st.lists(st.text(alphabet="aB .-", min_size=1, max_size=12), max_size=6)
                 .map(lambda ps: "\n\n".join(" ".join(p.split()) for p in ps))))
def test_normalized_words_are_nfkc_case_folded_with_whitespace_collapsed_for_any_text(text):
    # the ASCII fast path and the general rule agree on every input
    assert normalize_words(text) == " ".join(
        unicodedata.normalize("NFKC", text).casefold().split())


@given(st.one_of(WHITESPACE_AND_WORDS, st.text(max_size=60),
                 st.lists(st.text(alphabet="aB .-\n\t", max_size=12), max_size=6)
                 .map("\n\n".join)),
       st.sampled_from(["text", "paragraphs", "markup"]))
def test_a_canonical_body_hashes_and_counts_as_the_general_rule_says(text, kind):
    # every body_text normalize_item makes comes from html_to_text or normalize_whitespace
    if kind == "text":
        body = normalize_whitespace(text)
    elif kind == "paragraphs":
        body = html_to_text(text_to_html(text))
    else:  # the text with tags cut in: blocks, breaks, cells, inline
        markup = text.replace("a", "<p>").replace("B", "</li><br>").replace(".", "<td>x</td><b>")
        body = html_to_text(sanitize_html(markup))
    assert content_hash("Headline", body, canonical=True) == content_hash("Headline", body)
    assert _word_count(body) == len(body.split())


@given(st.one_of(WHITESPACE_AND_WORDS, st.text(max_size=60)))
def test_collapsed_whitespace_is_split_and_joined_for_any_text(text):
    assert collapse_whitespace(text) == " ".join(text.split())


def test_byline_loses_its_leading_by_and_dateline_comes_from_the_lead():
    story = normalize_item(
        ItemData(guid="g", headline="H", byline="By  Ellen Francis",
                 body_text="BEIRUT (Reuters) - Islamic State fighters left."),
        provider="reuters", received_at=NOW)
    assert story.byline == "Ellen Francis"
    assert story.dateline == "BEIRUT"


def test_guid_falls_back_to_link_then_to_the_headline_digest():
    linked = normalize_item(ItemData(headline="H", link="https://x/1"), provider="p", received_at=NOW)
    bare = normalize_item(ItemData(headline="Some  Headline"), provider="p", received_at=NOW)
    same = normalize_item(ItemData(headline="some headline"), provider="p", received_at=NOW)
    assert linked.guid == "https://x/1"
    assert bare.guid.startswith("urn:wire:p:") and bare.guid == same.guid


def test_kill_status_words_map_to_canceled_with_a_kill_signal():
    for word in ("canceled", "cancelled", "stat:canceled", "Killed"):
        story = normalize_item(ItemData(guid="g", headline="H", pubstatus=word), provider="p",
                               received_at=NOW)
        assert story.pubstatus == "canceled" and "kill" in story.signals


def test_item_without_headline_and_body_is_an_item_error_naming_it():
    with pytest.raises(ItemError, match="doc.xml: item 'urn:1'"):
        normalize_item(ItemData(guid="urn:1"), provider="p", received_at=NOW, document="doc.xml")


def test_a_bare_kill_with_only_its_identity_is_still_a_story_version():
    story = normalize_item(ItemData(guid="urn:1", version_created="2017-10-14T21:00:00Z",
                                    pubstatus="canceled"), provider="p", received_at=NOW)
    assert story.pubstatus == "canceled" and story.headline == "" and story.body_text == ""
