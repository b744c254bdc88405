"""The publishers' API, served for real, on both stores: stories, paging, search, ids, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api_server import api_client
from tests.helpers import RECEIVED, ingest, version_of
from worker.model import ItemData
from worker.normalize import normalize_item
from worker.store.db import make_engine

NOW = datetime.now(UTC)


def story(guid, headline, body, language=None, created="2017-10-14T21:00:00Z",
          provider="reuters", **fields):
    item = ItemData(guid=guid, version_created=created, headline=headline, body_text=body,
                    language=language, **fields)
    return normalize_item(item, provider=provider, received_at=RECEIVED)


@pytest.fixture
def stored(store_url):
    engine = make_engine(store_url)

    def put(*stories):
        ingest(list(stories), engine, NOW)

    yield put
    engine.dispose()


@pytest.fixture
def api(store_url, tmp_path):
    with api_client(store_url, tmp_path) as client:
        yield client


def guids(answer):
    return [s["guid"] for s in answer.json()["stories"]]


def test_stories_are_current_versions_newest_first_and_filters_combine(api, stored):
    stored(version_of("urn:a:1", created="2017-10-14T20:00:00Z", provider="reuters"),
           version_of("urn:a:2", created="2017-10-14T21:00:00Z", provider="ap",
                      headline="Quake hits", body="A strong earthquake hit the coast."),
           version_of("urn:a:3", created="2017-10-14T22:00:00Z", provider="ap",
                      pubstatus="withheld"),
           version_of("urn:a:1", created="2017-10-14T23:00:00Z", provider="reuters",
                      headline="Raqqa falls, update", version=2))

    listed = api.get("/stories")
    assert listed.status_code == 200
    assert guids(listed) == ["urn:a:1", "urn:a:2"]
    assert listed.json()["stories"][0]["headline"] == "Raqqa falls, update"
    assert listed.json()["next"] is None
    assert set(listed.json()["stories"][0]) >= {"story_id", "cluster_id", "received_at",
                                                "updated_at", "content_hash", "body_html"}
    assert guids(api.get("/stories", params={"provider": "ap"})) == ["urn:a:2"]
    assert guids(api.get("/stories", params={"provider": "ap", "status": "all"})) == [
        "urn:a:3", "urn:a:2"]
    assert guids(api.get("/stories", params={"since": "2017-10-14T21:30:00Z"})) == ["urn:a:1"]
    assert guids(api.get("/stories", params={"status": "withheld"})) == ["urn:a:3"]
    assert guids(api.get("/stories", params={"q": "earthquake", "provider": "reuters"})) == []
    assert guids(api.get("/stories", params={"q": "earthquake", "provider": "ap"})) == ["urn:a:2"]
    cluster = listed.json()["stories"][1]["cluster_id"]
    assert guids(api.get("/stories", params={"cluster": cluster})) == ["urn:a:2"]


def test_paging_with_the_cursor_lists_every_story_once_while_new_ones_arrive(api, stored):
    base = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)
    stored(*(version_of(f"urn:p:{i}", created=(base + timedelta(minutes=i // 2)).isoformat(),
                        headline=f"Story number {i}", body=f"Body of story {i} alone.")
             for i in range(25)))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = api.get("/stories", params=params).json()
        seen += [s["guid"] for s in page["stories"]]
        pages += 1
        # the wire moves: newer stories arrive between pages
        stored(version_of(f"urn:late:{pages}", created=(base + timedelta(hours=5)).isoformat(),
                          headline=f"Late story {pages}", body=f"Arrived during paging {pages}."))
        cursor = page["next"]
        if cursor is None:
            break

    assert pages == 3
    assert sorted(seen) == sorted(f"urn:p:{i}" for i in range(25))
    assert len(seen) == len(set(seen))


def test_words_are_searched_full_text_and_ranked_headline_first(api, stored):
    stored(story("urn:s:1", "Parliament debates budget", "The election campaign was mentioned "
                 "once in the debate.", language="en"),
           story("urn:s:2", "Elections called for spring", "Voters will go to the polls in "
                 "elections across the country.", language="en"),
           story("urn:s:3", "Markets rally", "Shares rose on Tuesday.", language="en"),
           story("urn:s:4", "Storm warning", "The storm is expected to reach the coast.",
                 language="en"))

    ranked = api.get("/stories", params={"q": "election"})
    # English stemming: "election" finds "elections"; the headline match ranks first
    assert guids(ranked) == ["urn:s:2", "urn:s:1"]
    assert guids(api.get("/stories", params={"q": "ELECTION campaign"})) == ["urn:s:1"]
    assert guids(api.get("/stories", params={"q": '"election campaign"'})) == ["urn:s:1"]
    assert guids(api.get("/stories", params={"q": '"campaign election"'})) == []
    assert guids(api.get("/stories", params={"q": "election -campaign"})) == ["urn:s:2"]
    assert guids(api.get("/stories", params={"q": "nothing-like-this"})) == []
    # operators of the engines' own query syntax are just words
    assert api.get("/stories", params={"q": 'headline: NEAR( "x'}).status_code == 200


def test_search_pages_with_the_cursor_in_rank_order(api, stored):
    stored(*(story(f"urn:r:{i}", f"Flood {'flood ' * (i % 3)}report {i}",
                   f"Rivers rose in district {i}. " + "flood " * i, language="en")
             for i in range(12)))
    first = api.get("/stories", params={"q": "flood", "limit": 5}).json()
    pages, cursor = [first], first["next"]
    while cursor:
        pages.append(api.get("/stories", params={"q": "flood", "limit": 5,
                                                 "cursor": cursor}).json())
        cursor = pages[-1]["next"]
    listed = [s["guid"] for p in pages for s in p["stories"]]

    assert len(pages) == 3
    assert sorted(listed) == sorted(f"urn:r:{i}" for i in range(12))
    assert listed == guids(api.get("/stories", params={"q": "flood", "limit": 100}))
    # a cursor of one listing is refused by the other
    by_time = api.get("/stories", params={"limit": 5}).json()["next"]
    refused = api.get("/stories", params={"q": "flood", "cursor": by_time})
    assert refused.status_code == 400 and refused.json()["parameter"] == "cursor"


def test_a_story_its_versions_and_its_cluster_by_id(api, stored):
    stored(version_of("urn:v:1", created="2017-10-14T20:00:00Z", headline="First take", version=1),
           version_of("urn:v:1", created="2017-10-14T21:00:00Z", headline="Second take",
                      version=2))
    story_id = api.get("/stories").json()["stories"][0]["story_id"]

    one = api.get(f"/stories/{story_id}").json()
    assert one["headline"] == "Second take" and one["story_id"] == story_id
    versions = api.get(f"/stories/{story_id}/versions").json()["versions"]
    assert [(v["headline"], v["current"]) for v in versions] == [("First take", False),
                                                                 ("Second take", True)]
    cluster = api.get(f"/clusters/{one['cluster_id']}").json()
    assert cluster["cluster_id"] == one["cluster_id"]
    assert [s["story_id"] for s in cluster["stories"]] == [story_id]
    for path in (f"/stories/{story_id + 99}", f"/stories/{story_id + 99}/versions",
                 f"/clusters/{story_id + 99}"):
        missing = api.get(path)
        assert missing.status_code == 404 and "error" in missing.json()


@pytest.mark.parametrize("path, params, parameter", [
    ("/stories", {"limit": "0"}, "limit"),
    ("/stories", {"limit": "many"}, "limit"),
    ("/stories", {"limit": "1001"}, "limit"),
    ("/stories", {"status": "published"}, "status"),
    ("/stories", {"since": "yesterday-ish"}, "since"),
    ("/stories", {"cluster": "-1"}, "cluster"),
    ("/stories", {"cursor": "not-a-cursor"}, "cursor"),
    ("/stories", {"provider": "ap\x00"}, "provider"),
    ("/stories/abc", {}, "story_id"),
    ("/stories/99999999999999999999", {}, "story_id"),
    ("/changes", {"after": "WyJ0IiwwLDBd"}, "after"),
    ("/changes", {"limit": "-5"}, "limit"),
])
def test_bad_parameters_get_a_400_naming_the_parameter(api, path, params, parameter):
    answer = api.get(path, params=params)

    assert answer.status_code == 400
    assert answer.json()["parameter"] == parameter
    assert parameter in answer.json()["error"]


def test_unknown_paths_are_json_404s(api):
    answer = api.get("/no/such/thing")
    assert answer.status_code == 404 and answer.json() == {"error": "no such endpoint"}


def test_postgresql_searches_each_story_in_its_own_language(pg_store_url, tmp_path):
    engine = make_engine(pg_store_url)
    ingest([story("urn:l:de", "Die Wahlen wurden verschoben", "Der Termin steht noch nicht fest.",
                  language="de"),
            story("urn:l:en", "Wahlen is a town", "Nothing was postponed there.", language="en"),
            story("urn:l:xx", "Wahl ohne Sprache", "Kein Sprachcode.")], engine, NOW)
    engine.dispose()

    with api_client(pg_store_url, tmp_path) as api:
        # German stems "Wahlen" to "wahl"; the English story keeps its word as written
        assert guids(api.get("/stories", params={"q": "Wahl"})) == ["urn:l:de", "urn:l:xx"]
        assert set(guids(api.get("/stories", params={"q": "wahlen"}))) == {"urn:l:de", "urn:l:en"}


def test_search_follows_the_current_version(api, stored):
    stored(story("urn:u:1", "Volcano erupts", "Ash covered the valley.", language="en"))
    stored(story("urn:u:1", "Volcano calms", "Lava stopped flowing.", language="de",
                 created="2017-10-14T22:00:00Z"))

    assert guids(api.get("/stories", params={"q": "ash"})) == []
    assert guids(api.get("/stories", params={"q": "lava"})) == ["urn:u:1"]
    assert guids(api.get("/stories", params={"q": "volcano"})) == ["urn:u:1"]


def test_search_ranks_the_newest_matches_and_pages_them_as_a_fixed_set(store, monkeypatch):
    from worker.store import search
    from worker.store.reads import StoryQuery

    monkeypatch.setattr(search, "SEARCH_WINDOW", 4)
    ingest([story(f"urn:w:{i}", f"Harbour report {i}", "harbour " * (1 + i % 3), language="en")
            for i in range(6)], store, NOW)

    def page(after=None):
        with store.connect() as conn:
            return search.page_stories(conn, StoryQuery(words="harbour", limit=2), after, NOW)

    first = page()
    ingest([story("urn:w:late", "Harbour harbour harbour news", "harbour " * 9, language="en")],
           store, NOW)
    second = page(first.next)
    listed = [s["guid"] for p in (first, second) for s in p.stories]

    # the four newest matches when the search began, each once; later ones wait for a new search
    assert sorted(listed) == ["urn:w:2", "urn:w:3", "urn:w:4", "urn:w:5"]
    assert second.next is None
    assert "urn:w:late" in [s["guid"] for s in page().stories]


@pytest.mark.parametrize("plan", [(True, None), (False, 1), (False, 3), (False, 7),
                                  (False, 40)])
def test_every_way_of_finding_the_newest_matches_finds_the_same_window(
        pg_store_url, monkeypatch, plan):
    """PostgreSQL finds a word's newest matches by reading the newest stories one by one, by
    ANDing the index with the newest ids (further back until the window is full), or from
    every match (`search_plan` picks by cost): each lists exactly the newest matches, ranked,
    as looking at every match does."""
    from sqlalchemy import text

    from worker.store import search
    from worker.store.reads import StoryQuery

    monkeypatch.setattr(search, "SEARCH_WINDOW", 5)
    engine = make_engine(pg_store_url)
    try:
        # every third story mentions the harbour, some twice (they rank first)
        ingest([story(f"urn:lb:{i}", f"Report {i}",
                      ("harbour " * (1 + i % 2) if i % 3 == 0 else "") + "city council budget",
                      language="en") for i in range(30)], engine, NOW)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE stories"))

        def listed(way):
            monkeypatch.setattr(search, "search_plan", lambda share, stories, uniform: way)
            pages, after = [], None
            with engine.connect() as conn:
                while True:
                    page = search.page_stories(conn, StoryQuery(words="harbour", limit=2),
                                               after, NOW)
                    pages += [s["guid"] for s in page.stories]
                    if page.next is None:
                        return pages
                    after = page.next

        every_id = listed((False, None))
        assert sorted(every_id) == sorted(f"urn:lb:{i}" for i in (15, 18, 21, 24, 27))
        assert set(every_id[:3]) == {"urn:lb:15", "urn:lb:21", "urn:lb:27"}  # twice the word
        assert listed(plan) == every_id
    finally:
        engine.dispose()


def test_the_cheapest_way_to_the_newest_matches_follows_a_words_share():
    """Common words: the newest stories one by one; a word in a few percent: the index ANDed
    with the newest ids; rare words (and words the statistics do not know): every match."""
    from worker.store.search import SEARCH_WINDOW, estimated_share, search_plan

    million = 1_000_000
    assert search_plan(0.19, million, True) == (True, None)
    common, span = search_plan(0.015, million, True)
    assert not common and span == int(2 * SEARCH_WINDOW / 0.015)
    assert search_plan(0.05, million, True)[1] is not None  # not 10,000 vectors one by one
    assert search_plan(0.001, million, True) == (False, None)
    assert search_plan(0.0, million, True) == (False, None)
    assert search_plan(0.19, 100_000, True)[1] is not None  # a smaller store: the index
    shares = {"kabel": 0.19, "monlihuhu": 0.015}
    assert estimated_share(shares, ["'kabel' & 'monlihuhu'"]) == pytest.approx(0.19 * 0.015)
    assert estimated_share(shares, ["'kabel' | 'monlihuhu'"]) == 0.19
    assert estimated_share(shares, ["'kabel' & 'unknown'"]) == 0.0
