"""Which rules a change fires (pure), and the change words: the alert's, and the change feed's
as the store's trigger writes them, equal to the rule for every version in every order."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ingest, version_of
from worker.alerts.rules import alert_change, feed_change, fired_rules, rule_matches
from worker.config import parse_config
from worker.errors import ConfigError
from worker.store.changes import START, read_changes
from worker.store.db import make_engine

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rule(**when):
    raw = {"alerts": [{"name": "r", "when": when, "webhook": "http://127.0.0.1:9/hook"}]}
    return parse_config(raw, "feeds.yaml", {}).alerts[0]


def story(**fields):
    base = version_of("urn:x:1", headline=fields.pop("headline", "Quake hits the coast"),
                      body=fields.pop("body", "A strong earthquake hit the coast at dawn."))
    return base.replace(**fields)


@pytest.mark.parametrize("fields, first, feed, alert", [
    ({}, True, "new", "new"),
    ({}, False, "update", "update"),
    ({"signals": ("correction",)}, False, "correction", "correction"),
    ({"signals": ("correction",)}, True, "new", "new"),
    ({"pubstatus": "canceled"}, True, "kill", "kill"),
    ({"signals": ("kill",)}, False, "kill", "kill"),
    ({"pubstatus": "withheld"}, False, "withheld", "update"),
    ({"pubstatus": "withheld"}, True, "withheld", "new"),
])
def test_a_version_is_named_by_what_it_is(fields, first, feed, alert):
    assert feed_change(story(**fields), first) == feed
    assert alert_change(story(**fields), first) == alert


def test_every_condition_given_must_hold():
    flash = story(urgency=1, signals=("breaking",), provider="reuters")

    assert rule_matches(rule(), "new", flash)
    assert rule_matches(rule(urgency_at_most=2, signals_any=["breaking", "advisory"],
                             providers=["ap", "reuters"], keywords_any=["earthquake"]),
                        "update", flash)
    assert not rule_matches(rule(urgency_at_most=2), "new", story(urgency=3))
    assert not rule_matches(rule(urgency_at_most=2), "new", story(urgency=None))
    assert not rule_matches(rule(signals_any=["advisory"]), "new", flash)
    assert not rule_matches(rule(providers=["ap"]), "new", flash)
    assert not rule_matches(rule(changes=["kill"]), "new", flash)
    assert not rule_matches(rule(urgency_at_most=2, providers=["ap"]), "new", flash)


@pytest.mark.parametrize("keywords, headline, body, fires", [
    (["earthquake"], "Quake", "An EARTHQUAKE struck.", True),
    (["Earthquake"], "earthquake in the north", "", True),
    (["war"], "Software update", "Firmware for the award.", False),
    (["war"], "War ends", "", True),
    (["north coast"], "Storm", "It hit the North   Coast at night.", True),
    (["north coast"], "Storm", "It hit the north, then the coast.", False),
    (["élection"], "Résultats de l'Élection", "", True),
    ([], "Anything", "", False),
])
def test_keywords_are_whole_words_in_headline_or_body(keywords, headline, body, fires):
    assert rule_matches(rule(keywords_any=keywords), "new",
                        story(headline=headline, body_text=body)) is fires


def test_rules_name_the_changes_they_fire_on_and_embargo_lifts_only_when_asked():
    default = rule()
    assert default.when.changes == ["new", "update", "correction", "kill"]
    assert not rule_matches(default, "embargo_lifted", story())
    assert rule_matches(rule(changes=["embargo_lifted"]), "embargo_lifted", story())
    with pytest.raises(ConfigError, match="alert 'r': when.changes: unknown change 'published'"):
        rule(changes=["published"])


def test_fired_rules_are_the_matching_ones_in_file_order():
    raw = {"alerts": [{"name": n, "when": w, "webhook": "http://127.0.0.1:9/h"} for n, w in (
        ("all", {}), ("flash", {"urgency_at_most": 1}), ("ap", {"providers": ["ap"]}))]}
    rules = parse_config(raw, "feeds.yaml", {}).alerts
    fired = fired_rules(rules, 7, "new", story(urgency=1))
    assert [(f.rule, f.story_id, f.change) for f in fired] == [("all", 7, "new"),
                                                               ("flash", 7, "new")]
    assert fired[0].key == story(urgency=1).key


VERSIONS = st.lists(st.tuples(
    st.integers(0, 5),  # minutes after the first version: the version key's order
    st.sampled_from(["usable", "usable", "withheld", "canceled"]),
    st.sampled_from([(), ("correction",), ("kill",), ("update",)]),
), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=VERSIONS)
def test_the_store_names_each_change_as_the_rule_does_in_any_arrival_order(
    versions, sqlite_template, tmp_path_factory
):
    path = tmp_path_factory.mktemp("kinds") / "wire.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    base = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)
    stories = [version_of("urn:k:1", created=(base + timedelta(minutes=m)).isoformat(),
                          version=m + 1, headline=f"Take {m}", pubstatus=p, signals=s,
                          body=f"Words of take {m}.")
               for m, p, s in versions]
    expected, current = [], None
    for s in stories:  # what becomes current, in arrival order
        if current is None or s.key > current.key:
            expected.append(feed_change(s, current is None))
            current = s
    ingest(stories, engine, NOW)
    with engine.connect() as conn:
        recorded = [c.kind for c in read_changes(conn, START, 100)]
    engine.dispose()
    assert recorded == expected


def test_postgresql_names_changes_as_sqlite_does(pg_store_url):
    engine = make_engine(pg_store_url)
    takes = [version_of("urn:p:1", created="2017-10-14T20:00:00Z", version=1),
             version_of("urn:p:1", created="2017-10-14T21:00:00Z", version=2,
                        signals=("correction",)),
             version_of("urn:p:1", created="2017-10-14T22:00:00Z", version=3,
                        pubstatus="withheld"),
             version_of("urn:p:1", created="2017-10-14T23:00:00Z", version=4),
             version_of("urn:p:1", created="2017-10-14T23:30:00Z", version=5,
                        signals=("kill",))]
    ingest(takes, engine, NOW)
    from tests.test_change_feed import read_all

    kinds = [c.kind for c in read_all(engine, 5)]
    engine.dispose()
    assert kinds == ["new", "correction", "withheld", "update", "kill"]
    assert kinds == [feed_change(s, i == 0) for i, s in enumerate(takes)]
