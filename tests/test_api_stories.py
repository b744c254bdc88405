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


@pytest.mark.parametrize("span", [None, 1, 3, 7, 40])
def test_every_way_of_finding_the_newest_matches_finds_the_same_window(
        pg_store_url, monkeypatch, span):
    """PostgreSQL finds a word's newest matches among the newest ids (further back until the
    window is full) or from every match (`search_plan` picks by cost): each lists exactly the
    newest matches, ranked, as looking at every match does."""
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
            jit = conn.execute(text("SHOW jit")).scalar()

        def listed(way):
            monkeypatch.setattr(search, "search_plan", lambda share, stories, uniform: way)
            pages, after = [], None
            with engine.connect() as conn:
                while True:
                    page = search.page_stories(conn, StoryQuery(words="harbour", limit=2),
                                               after, NOW)
                    # a look-back's planner settings end with it
                    assert conn.execute(text("SHOW enable_indexscan")).scalar() == "on"
                    assert conn.execute(text("SHOW jit")).scalar() == jit
                    pages += [s["guid"] for s in page.stories]
                    if page.next is None:
                        return pages
                    after = page.next

        every_id = listed(None)
        assert sorted(every_id) == sorted(f"urn:lb:{i}" for i in (15, 18, 21, 24, 27))
        assert set(every_id[:3]) == {"urn:lb:15", "urn:lb:21", "urn:lb:27"}  # twice the word
        assert listed(span) == every_id
    finally:
        engine.dispose()


def test_the_search_index_holds_each_storys_id_block_beside_its_words(pg_store_url):
    """The GIN index holds each story's id block beside its words (migration 0019): a common
    word's newest matches are asked of it with a lower bound on the block, and at scale the index skips
    through the word's posting list to those ids instead of reading all of it (the planner
    takes it from ~100,000 stories; bench/api_bench.py measures it)."""
    from sqlalchemy import text

    from worker.store.reads import StoryQuery
    from worker.store.search import ranked_select

    engine = make_engine(pg_store_url)
    try:
        # one story in ten mentions the harbour
        ingest([story(f"urn:ix:{i}", f"Report {i}",
                      ("harbour " if i % 10 == 0 else "") + "city council budget",
                      language="en") for i in range(200)], engine, NOW)
        with engine.begin() as conn:
            definition = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_stories_search'")
            ).scalar_one()
            newest = conn.execute(text("SELECT max(id) FROM stories")).scalar_one()
            stmt = ranked_select("postgresql", StoryQuery(words="harbour", limit=10), 0,
                                 newest, NOW, ["'harbour'"], newest - 100,
                                 {"english": "'harbour'"})
            sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            rows = conn.execute(stmt).all()
        assert definition.endswith("USING gin (search, ((id / 64)))")
        # the index's expression and type; the exact bound on what it found
        assert f"(stories.id / 64) >= CAST({(newest - 100) // 64} AS BIGINT)" in sql
        assert f"matching.id > {newest - 100}" in sql
        assert len(rows) == 10 and rows[0].matched == 10  # in the 100 newest stories
    finally:
        engine.dispose()


def test_a_role_that_cannot_create_btree_gin_migrates_and_searches_with_the_index_it_had(
        pg_url, caplog):
    """btree_gin is a trusted extension, created by the store's owner; a role without CREATE
    on the database cannot. The migration then keeps the index over the vectors alone, says
    what the database owner can run, and searches give the same answers."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from worker.store.db import open_store
    from worker.store.reads import StoryQuery
    from worker.store.search import page_stories

    server = make_url(pg_url)
    name, role = f"wire_test_{uuid.uuid4().hex[:10]}", f"wire_role_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = create_engine(server.set(database=name), isolation_level="AUTOCOMMIT")
    with database.connect() as conn:  # tables in the schema, but no extension in the database
        conn.execute(text(f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"'))
    database.dispose()
    url = server.set(database=name, username=role).render_as_string(hide_password=False)
    try:
        with caplog.at_level("WARNING", logger="worker.store"):
            engine = open_store(url)
        try:
            ingest([story("urn:fb:1", "Harbour reopens", "The harbour reopened.",
                          language="en")], engine, NOW)
            with engine.begin() as conn:
                definition = conn.execute(text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_stories_search'")
                ).scalar_one()
                page = page_stories(conn, StoryQuery(words="harbour", limit=10), None, NOW)
        finally:
            engine.dispose()
        assert definition.endswith("USING gin (search)")
        assert "could not create the btree_gin extension" in caplog.text
        assert "CREATE INDEX ix_stories_search ON stories USING gin (search, (id / 64))" in caplog.text
        assert [s["guid"] for s in page.stories] == ["urn:fb:1"]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_the_cheapest_way_to_the_newest_matches_follows_a_words_share():
    """A word in more than a few hundred of the stories: the index asked for the newest ids,
    twice the window expected among them; rare words (and words the statistics do not know):
    every match."""
    from worker.store.search import SEARCH_WINDOW, estimated_share, search_plan

    million = 1_000_000
    assert search_plan(0.19, million, True) == int(2 * SEARCH_WINDOW / 0.19)
    assert search_plan(0.015, million, True) == int(2 * SEARCH_WINDOW / 0.015)
    assert search_plan(0.001, million, True) is None
    assert search_plan(0.0, million, True) is None
    assert search_plan(0.19, 100_000, True) == int(2 * SEARCH_WINDOW / 0.19)
    assert search_plan(0.5, 1_000, True) is None  # the whole store is the range
    shares = {"kabel": 0.19, "monlihuhu": 0.015}
    assert estimated_share(shares, ["'kabel' & 'monlihuhu'"]) == pytest.approx(0.19 * 0.015)
    assert estimated_share(shares, ["'kabel' | 'monlihuhu'"]) == 0.19
    assert estimated_share(shares, ["'kabel' & 'unknown'"]) == 0.0
