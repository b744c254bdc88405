"""Reuters Connect delivery (SPEC "Delivery protocols", `reuters-connect`) against a local fake
GraphQL API and OAuth2 token endpoint."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.agencies.driver import context, feed_of, poll
from tests.agencies.reuters import FakeReuters
from worker.fetch import reuters
from worker.store.shared import SourceTokenRow

CLIENT_ID = "client-id-4471"
CLIENT_SECRET = "cl1ent-s3cret-Vb8"
ENV = {"REUTERS_CLIENT_ID": CLIENT_ID, "REUTERS_CLIENT_SECRET": CLIENT_SECRET}


@pytest.fixture
def rtrs():
    fake = FakeReuters(CLIENT_ID, CLIENT_SECRET, page_size=3).start()
    yield fake
    fake.stop()


def feed(rtrs):
    return feed_of(ENV, provider="reuters", protocol="reuters-connect", url=rtrs.graphql_url,
                   channels=["STK567"], auth={
                       "token_url": rtrs.token_url, "client_id": "${REUTERS_CLIENT_ID}",
                       "client_secret": "${REUTERS_CLIENT_SECRET}", "audience": "aud-1",
                       "scope": "https://api.example/read"})


def publish(rtrs, count, start=0):
    for n in range(start, start + count):
        rtrs.publish(f"L{n:04d}", 1, f"2026-11-25T10:{n:02d}:00Z", f"Story {n}",
                     f"Paragraph one of {n}.\n\nParagraph two.")


def test_pages_are_followed_while_has_next_page_and_the_end_cursor_is_kept(rtrs, engine, now):
    publish(rtrs, 7)

    first = poll(reuters, feed(rtrs), context(ENV, engine, now), {})

    assert [s.guid for s in first.stories] == [
        f"tag:reuters.com,2026:newsml_L{n:04d}" for n in range(7)]
    assert first.stories[0].body_text == "Paragraph one of 0.\n\nParagraph two."
    assert len(rtrs.searches) == 3
    assert rtrs.searches[0]["filter"]["channel"] == ["STK567"]
    publish(rtrs, 1, start=7)
    second = poll(reuters, feed(rtrs), context(ENV, engine, now), first.position)
    assert [s.guid for s in second.stories] == ["tag:reuters.com,2026:newsml_L0007"]
    assert rtrs.searches[3]["cursor"] == first.position["cursor"]


def test_one_token_is_kept_in_the_store_for_every_worker_until_it_expires(rtrs, engine, now):
    publish(rtrs, 1)
    poll(reuters, feed(rtrs), context(ENV, engine, now), {})
    publish(rtrs, 1, start=1)

    poll(reuters, feed(rtrs), context(ENV, engine, now), {})  # another worker, another source

    assert len(rtrs.calls_to("/oauth/token")) == 1
    with engine.connect() as conn:
        assert len(conn.execute(select(SourceTokenRow)).all()) == 1


def test_a_refused_token_is_replaced_once_and_the_poll_goes_on(rtrs, engine, now):
    publish(rtrs, 1)
    poll(reuters, feed(rtrs), context(ENV, engine, now), {})
    rtrs.revoke_tokens()
    publish(rtrs, 1, start=1)

    result = poll(reuters, feed(rtrs), context(ENV, engine, now), {})

    assert result.failure is None and len(rtrs.calls_to("/oauth/token")) == 2


def test_bad_credentials_fail_the_poll_without_showing_them(rtrs, engine, now):
    env = {**ENV, "REUTERS_CLIENT_SECRET": "wrong-secret-value"}
    publish(rtrs, 1)

    result = poll(reuters, feed(rtrs), context(env, engine, now), {})

    assert result.failure is not None and "access token: HTTP 401" in str(result.failure)
    assert "wrong-secret-value" not in str(result.failure)


def test_a_failure_in_the_middle_of_a_page_keeps_what_was_stored_and_asks_the_rest(rtrs, engine,
                                                                                 now):
    publish(rtrs, 3)
    rtrs.item_statuses = []
    first_two = poll(reuters, feed(rtrs), context(ENV, engine, now), {}, stop_after=2)
    assert len(first_two.stories) == 2 and len(first_two.position["done"]) == 2
    rtrs.item_statuses = [500]

    failed = poll(reuters, feed(rtrs), context(ENV, engine, now), first_two.position)
    assert failed.failure is not None and failed.stories == []
    again = poll(reuters, feed(rtrs), context(ENV, engine, now), failed.position)

    assert [s.guid for s in again.stories] == ["tag:reuters.com,2026:newsml_L0002"]
    asked = [c for c in rtrs.calls_to("/content/graphql") if b"item(" in c.body]
    assert len(asked) == 4  # 2, then the failed one, then it again: nothing asked twice


def test_a_deletion_is_a_kill_of_the_story(rtrs, engine, now):
    rtrs.publish("L9", 1, "2026-11-25T10:00:00Z", "Story", "Text.")
    rtrs.publish("L9", 2, "2026-11-25T10:30:00Z", "Story", "", signal="edStat:D",
                 pubstatus="stat:canceled")

    result = poll(reuters, feed(rtrs), context(ENV, engine, now), {})

    assert [(s.version, s.pubstatus, s.signals) for s in result.stories] == [
        (1, "usable", ()), (2, "canceled", ("kill",))]


def test_an_item_the_api_refuses_is_that_documents_failure_only(rtrs, engine, now):
    publish(rtrs, 2)
    rtrs.missing.add(rtrs.stream[0]["versionedGuid"])  # listed, but item() no longer has it

    result = poll(reuters, feed(rtrs), context(ENV, engine, now), {})

    assert len(result.errors) == 1 and "not found" in result.errors[0]
    assert [s.guid for s in result.stories] == ["tag:reuters.com,2026:newsml_L0001"]
    assert result.position["done"] == []  # the refused one is recorded, not asked again
