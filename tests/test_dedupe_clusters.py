"""SPEC "Clusters" through the pipeline, on SQLite and PostgreSQL: copies cluster, look-alikes don't."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import current, ingest, ingest_file, store_all, version_of
from worker.model import Document, Story

RAQQA = REPO / "tests" / "dedupe_data" / "raqqa"
AGGREGATOR = REPO / "tests" / "data" / "text" / "raqqa-aggregator.txt"
FOUR = [RAQQA / "reuters-g2.xml", RAQQA / "ap-media.json", RAQQA / "dpa-wires.json", AGGREGATOR]
FOLLOW_UP = RAQQA / "followup-reuters-g2.xml"
T0 = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)


def seed_paragraphs() -> list[str]:
    """The aggregator's Raqqa body, paragraph by paragraph (the headline and byline lines off)."""
    text = AGGREGATOR.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return paragraphs[2:-1]


def story(guid: str, paragraphs: list[str], provider: str = "reuters", headline: str = "Raqqa",
          at: datetime = T0) -> Story:
    return version_of(guid, created=at.isoformat(), headline=headline,
                      body="\n\n".join(paragraphs), provider=provider)


def edited(paragraphs: list[str], edit: str) -> list[str]:
    """A syndication copy: one of the light edits agencies and outlets make."""
    out = list(paragraphs)
    if edit == "rewritten lede":
        out[0] = ("BEIRUT (AP) — Islamic State militants still holed up in Raqqa are set to pull out "
                  "on Saturday night with civilians in tow, according to a local council member.")
    elif edit == "paragraph dropped":
        del out[5]
    elif edit == "paragraph added":
        out.insert(4, "Residents who fled in the summer told reporters they would not return until "
                      "the mines were cleared and water and power were restored to their districts.")
    elif edit == "synonyms":
        for word, other in (("said", "stated"), ("civilians", "residents"), ("fighters", "militants"),
                            ("city", "town"), ("announced", "declared")):
            out = [p.replace(f" {word} ", f" {other} ") for p in out]
    elif edit == "credit tail changed":
        out.append("(Reporting by Ellen Francis; Editing by Alison Williams)")
    return out


def cluster_of(store, guid: str, now: datetime) -> int:
    row = current(store, guid, now)
    assert row is not None
    return row["cluster_id"]


def ingest_files(store, paths: list[Path], now: datetime):
    results = []
    for path in paths:
        document = Document(name=str(path), content=path.read_bytes())
        results.append(ingest_file(store, document, now))
    return results


def test_the_same_words_under_another_provider_join_that_storys_cluster(store, now):
    body = seed_paragraphs()
    counts = ingest([story("urn:r:1", body), story("urn:ap:9", body, provider="ap")], store, now)

    assert counts.new == 2 and counts.duplicates == 1
    assert cluster_of(store, "urn:ap:9", now) == cluster_of(store, "urn:r:1", now)


@pytest.mark.parametrize("edit", ["rewritten lede", "paragraph dropped", "paragraph added",
                                  "synonyms", "credit tail changed"])
def test_a_light_edit_copy_joins_the_cluster_of_the_story_it_copies(store, now, edit):
    body = seed_paragraphs()
    original = story("urn:r:1", body, headline="ISIS facing collapse in Raqqa")
    copy = story("urn:outlet:7", edited(body, edit), provider="outlet",
                 headline="Islamic State set to quit Raqqa", at=T0 + timedelta(hours=3))

    counts = ingest([original, copy], store, now)

    assert counts.duplicates == 1
    assert cluster_of(store, "urn:outlet:7", now) == cluster_of(store, "urn:r:1", now)
    first_id = current(store, "urn:r:1", now)["story_id"]
    assert cluster_of(store, "urn:r:1", now) == first_id  # the cluster's id is its first story's


def test_a_story_sharing_only_background_paragraphs_starts_its_own_cluster(store, now):
    body = seed_paragraphs()
    background = body[-2:]  # "ISIS had seized Raqqa ..." and "But IS has lost much ..."
    other_news = [
        ("AMMAN (Reuters) - Jordan reopened its main border crossing with Iraq on Monday after "
          "two years, officials said, a step traders hope will revive exports of fruit and cement."),
        "The Karama crossing had been shut since militants seized the western Anbar province.",
        ("Trucks queued for kilometres on the Jordanian side as customs officers checked papers "
          "and Iraqi police patrolled the desert road to Ramadi."),
        "\"This is a lifeline for our farmers,\" said Jordanian Agriculture Minister Khaled Hneifat.",
        *background,
    ]
    counts = ingest([story("urn:r:1", body), story("urn:r:2", other_news, at=T0 + timedelta(days=1))],
                    store, now)

    assert counts.duplicates == 0
    assert cluster_of(store, "urn:r:2", now) != cluster_of(store, "urn:r:1", now)


def test_a_follow_up_with_the_same_people_and_places_on_another_day_is_not_merged(store, now):
    ingest_files(store, [FOUR[0], FOLLOW_UP], now)

    reuters = cluster_of(store, "tag:reuters.com,0000:newsml_L8N1MP0F4", now)
    follow_up = cluster_of(store, "tag:reuters.com,0000:newsml_L8N1MS1D2", now)
    assert follow_up != reuters


def test_the_four_raqqa_items_from_reuters_ap_dpa_and_an_aggregator_end_in_one_cluster(store, now):
    results = ingest_files(store, [*FOUR, FOLLOW_UP], now)

    assert [r.counts.duplicates for r in results] == [0, 1, 1, 1, 0]
    stories = {s: current(store, g, now) for s, g in [
        ("reuters", "tag:reuters.com,0000:newsml_L8N1MP0F4"),
        ("ap", "0c3b7f0e8a2d4e6c9b1f2a3d4e5f6a7b"),
        ("dpa", "urn:newsml:dpa.com:20090101:171014-99-474411"),
    ]}
    aggregator = [s for s in _all(store, now) if s["provider"] == "unknown"]
    clusters = {s["cluster_id"] for s in [*stories.values(), *aggregator]}
    assert clusters == {stories["reuters"]["story_id"]}
    assert cluster_of(store, "tag:reuters.com,0000:newsml_L8N1MS1D2", now) not in clusters


def _all(store, now):
    from worker.store.reads import StoryQuery, list_stories

    with store.connect() as conn:
        return list_stories(conn, StoryQuery(status="all", limit=1000), now)


RACE_ORDERS = list(itertools.permutations(range(4)))


@pytest.mark.parametrize("order", random.Random(6).sample(RACE_ORDERS, 8))
def test_arrival_order_does_not_change_which_stories_share_a_cluster(store, now, order):
    body = seed_paragraphs()
    stories = [
        story("urn:r:1", body, at=T0),
        story("urn:ap:1", edited(body, "rewritten lede"), provider="ap", at=T0 + timedelta(hours=1)),
        story("urn:dpa:1", edited(body, "paragraph dropped"), provider="dpa",
              at=T0 + timedelta(hours=2)),
        story("urn:r:2", [  # the same place and people two days on, the same background
            ("RAQQA, Syria (Reuters) - U.S.-backed forces declared victory in Raqqa on Tuesday "
             "and began clearing mines from the ruined city, a spokesman said."),
            ("Omar Alloush of the Raqqa Civil Council said engineers would need weeks before "
              "residents could go back to their homes."),
            "The YPG's Nouri Mahmoud said fighters raised flags over the stadium at dawn.",
            *body[-2:],
        ], at=T0 + timedelta(days=2)),
    ]
    ingest([stories[i] for i in order], store, now)

    clusters = [cluster_of(store, s.guid, now) for s in stories]
    assert clusters[0] == clusters[1] == clusters[2]
    assert clusters[3] != clusters[0]


def test_a_story_similar_to_two_clusters_joins_the_most_similar(store, now):
    body = seed_paragraphs()
    # two stories that are not the same news as each other: the first and second half
    first = story("urn:a:1", body[:11])
    second = story("urn:b:1", body[9:], at=T0 + timedelta(hours=1))
    # a copy with most of the first half and the start of the second
    copy = story("urn:c:1", body[:13], provider="outlet", at=T0 + timedelta(hours=2))
    ingest([first, second], store, now)
    assert cluster_of(store, "urn:a:1", now) != cluster_of(store, "urn:b:1", now)

    ingest([copy], store, now)

    assert cluster_of(store, "urn:c:1", now) == cluster_of(store, "urn:a:1", now)


def test_later_versions_keep_their_cluster_and_their_words_are_indexed(store, now):
    body = seed_paragraphs()
    ingest([story("urn:r:1", body), story("urn:ap:1", edited(body, "synonyms"), provider="ap")],
           store, now)
    cluster = cluster_of(store, "urn:r:1", now)
    rewrite = [
        ("GENEVA (AP) - The United Nations said on Sunday it was ready to send food, tents and "
          "medicine into Raqqa as soon as the fighting stopped and the roads were safe."),
        "An aid convoy of 40 trucks has waited near Ain Issa for a week, a spokeswoman said.",
        "Aid agencies estimate that about 8,000 people remain in the city, many of them sick.",
        "The World Food Programme said its stocks in the area would last until the end of the month.",
    ]
    update = version_of("urn:ap:1", created=(T0 + timedelta(hours=6)).isoformat(), headline="UN aid",
                        body="\n\n".join(rewrite), provider="ap")
    counts = ingest([update], store, now)
    assert counts.updated == 1
    assert cluster_of(store, "urn:ap:1", now) == cluster  # the story keeps its cluster

    copy_of_update = story("urn:x:5", rewrite[:3] + ["(Writing by Tom Perry)"], provider="x",
                           at=T0 + timedelta(hours=7))
    ingest([copy_of_update], store, now)
    assert cluster_of(store, "urn:x:5", now) == cluster


def test_a_copy_arriving_after_the_window_starts_its_own_cluster(store, now):
    body = seed_paragraphs()
    late = story("urn:ap:1", edited(body, "rewritten lede"), provider="ap",
                 at=T0 + timedelta(hours=97))
    ingest([story("urn:r:1", body), late], store, now)

    assert cluster_of(store, "urn:ap:1", now) != cluster_of(store, "urn:r:1", now)


def test_flashes_too_short_to_compare_cluster_only_by_the_same_words(store, now):
    flash = story("urn:r:1", ["Islamic State fighters to leave Raqqa tonight - official"])
    same = story("urn:ap:1", ["Islamic State fighters to leave Raqqa tonight - official"],
                 provider="ap")
    near = story("urn:dpa:1", ["Islamic State fighters to leave Raqqa tonight, official says"],
                 provider="dpa")
    ingest([flash, same, near], store, now)

    assert cluster_of(store, "urn:ap:1", now) == cluster_of(store, "urn:r:1", now)
    assert cluster_of(store, "urn:dpa:1", now) != cluster_of(store, "urn:r:1", now)


def test_copies_inside_one_document_share_a_cluster(store, now):
    body = seed_paragraphs()
    counts, _ = store_all(store, [story("urn:r:1", body),
                                      story("urn:ap:1", edited(body, "paragraph added"),
                                            provider="ap")], now)

    assert counts.new == 2 and counts.duplicates == 1
    assert cluster_of(store, "urn:ap:1", now) == cluster_of(store, "urn:r:1", now)


def test_migration_0005_keeps_each_key_and_its_time_to_the_second(empty_store_url):
    from alembic import command
    from sqlalchemy import select, text

    from worker.store import band_index as index
    from worker.store.db import alembic_config, make_engine
    from worker.store.models import DedupeBandRow

    engine = make_engine(empty_store_url)
    early = datetime(2026, 11, 25, 10, 30, 15, 750_000, tzinfo=UTC)
    late = early + timedelta(hours=2)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:  # a 0004 store: `at` is a time
        command.upgrade(alembic_config(conn), "0004")
        for key, at in ((1, early), (2, late)):
            conn.execute(text("INSERT INTO dedupe_bands (band, hash, story_id, at) "
                              "VALUES (3, :key, 7, :at)"),
                         {"key": key, "at": at if postgres else
                          at.strftime("%Y-%m-%d %H:%M:%S.%f")})
        command.upgrade(alembic_config(conn), "head")
        rows = conn.execute(select(DedupeBandRow).order_by(DedupeBandRow.hash)).all()
        assert [(r.band, r.hash, r.story_id, r.at) for r in rows] == [
            (3, 1, 7, int(early.replace(microsecond=0).timestamp())),
            (3, 2, 7, int(late.replace(microsecond=0).timestamp()))]
        assert index.prune(conn, early + timedelta(hours=1)) == 1  # bounds in seconds too
        command.downgrade(alembic_config(conn), "0004")
        back = conn.execute(text("SELECT hash, at FROM dedupe_bands")).one()
    engine.dispose()
    assert back[0] == 2
    assert str(back[1]).startswith("2026-11-25 12:30:15")


def test_folding_recent_keys_into_the_main_index_changes_no_cluster(sqlite_url, now, monkeypatch):
    """SQLite claims go to `dedupe_recent` and are folded into `dedupe_bands` every RECENT_MAX
    rows; lookups read both, so where a key sits never changes what a story joins."""
    from sqlalchemy import func, select

    from worker.store import band_index as index
    from worker.store.db import make_engine
    from worker.store.models import DedupeBandRow, DedupeRecentRow

    rng = random.Random(5)
    vocabulary = ["".join(rng.choice("bcdfgklmnprstvaeiou") for _ in range(rng.randint(3, 9)))
                  for _ in range(3000)]
    edits = ["rewritten lede", "paragraph dropped", "paragraph added", "synonyms",
             "credit tail changed"]
    stories = []
    for n in range(4):  # four unrelated reports, each with its copies, interleaved over time
        own = [" ".join(rng.choices(vocabulary, k=40)) + "." for _ in range(9)]
        stories.append(story(f"urn:r:{n}", own, at=T0 + timedelta(minutes=n)))
        stories += [story(f"urn:c:{n}:{e}", edited(own, e), provider="ap",
                          at=T0 + timedelta(minutes=10 * n + k + 5))
                    for k, e in enumerate(edits)]
    order = random.Random(3).sample(stories, len(stories))

    def clusters(folding: bool) -> dict[str, str]:
        engine = make_engine(sqlite_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM stories")
            conn.exec_driver_sql("DELETE FROM dedupe_bands")
            conn.exec_driver_sql("DELETE FROM dedupe_recent")
        monkeypatch.setattr(index, "RECENT_MAX", 20 if folding else 10**9)  # ~one story
        ingest(order, engine, now)
        with engine.connect() as conn:
            rows = {table: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in (DedupeBandRow, DedupeRecentRow)}
            # a story's content key is held by the first story with its words
            assert index.indexed_count(conn) == len({s.content_hash for s in stories})
        if folding:
            assert rows[DedupeBandRow] > rows[DedupeRecentRow]
        else:
            assert rows[DedupeBandRow] == 0
        first = {}
        for s in sorted(stories, key=lambda s: cluster_of(engine, s.guid, now)):
            first.setdefault(cluster_of(engine, s.guid, now), s.guid)
        found = {s.guid: first[cluster_of(engine, s.guid, now)] for s in stories}
        engine.dispose()
        return found

    unfolded, folded = clusters(False), clusters(True)
    assert folded == unfolded
    assert len(set(unfolded.values())) == 4  # each report and its copies, one cluster each


def test_a_new_story_verifies_at_most_a_few_candidates_however_many_share_its_words(
        store, now, monkeypatch):
    """A degenerate feed (one small vocabulary: every story shares band keys with many others)
    cannot make ingest quadratic: each new story is compared with at most MAX_CANDIDATES."""
    from worker.dedupe import choose
    from worker.store.band_index import MAX_CANDIDATES

    rng = random.Random(3)
    words = [f"w{n}" for n in range(20)]
    calls: list[int] = []
    real = choose.overlap
    monkeypatch.setattr(choose, "overlap", lambda a, b: calls.append(1) or real(a, b))
    per_story = []
    for n in range(60):
        body = " ".join(rng.choice(words) for _ in range(120))
        before = len(calls)
        ingest([version_of(f"urn:vocab:{n}", body=body, headline=f"H {n}")], store, now)
        per_story.append(len(calls) - before)

    assert max(per_story) <= MAX_CANDIDATES
