"""The database renders a story's JSON for the API's pages (`reads.story_json_sql`): the same
object `story_json` builds in Python, on both stores, whatever the texts and times hold."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers import store_all, version_of
from worker.store.reads import STORIES, story_json, story_json_sql

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)


def _rendered(store):
    with store.connect() as conn:
        rows = conn.execute(select(STORIES, story_json_sql(conn.dialect.name).label("json"))
                            .order_by(STORIES.c.id)).all()
    return [(json.loads(row.json), story_json(row)) for row in rows]


# the store is shared by the examples on purpose: each adds a story, every story is checked
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headline=TEXT, body=TEXT, micro=st.integers(0, 999_999), seconds=st.integers(0, 10**8),
       embargo=st.booleans(), version=st.one_of(st.none(), st.integers(0, 2**53)))
def test_the_database_renders_a_story_as_story_json_does(store, headline, body, micro, seconds,
                                                          embargo, version):
    created = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds,
                                                                  microseconds=micro)
    story = version_of(
        f"urn:j:{seconds}:{micro}:{version}", created=created.isoformat(),
        headline=headline or "untitled", body=body + ' "quoted" \\ back\tslash\nnew ü 漢字 🚀',
        version=version, signals=("flash",) if embargo else (),
        embargoed=(created + timedelta(hours=1)).isoformat() if embargo else None)
    store_all(store, [story], created + timedelta(microseconds=micro % 7))
    for rendered, expected in _rendered(store):
        assert rendered == expected
        assert list(rendered) == list(expected)  # the keys in the same order
