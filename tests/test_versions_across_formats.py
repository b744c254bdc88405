"""In every versioned format, an update, a correction and a kill reach the store as versions of
one story, whatever order they arrive in (issue: "Every wire format ... parsed right")."""

from __future__ import annotations

import pytest

from tests.goldens import DATA
from tests.helpers import ingest_file
from worker.model import Document
from worker.store.reads import StoryQuery, list_stories, story_versions

SEQUENCES = {
    "nitf": (["nitf/ridge-fire-1-original.xml", "nitf/ridge-fire-2-writethru.xml",
              "nitf/ridge-fire-3-correction.xml", "nitf/ridge-fire-4-kill.xml"],
             "wi-ridge-fire", {"update", "correction", "kill"}),
    "newsml": (["newsml/reuters-L2N1MX0AB-1-original.xml", "newsml/reuters-L2N1MX0AB-2-update.xml",
                "newsml/reuters-L2N1MX0AB-3-corrected.xml", "newsml/reuters-L2N1MX0AB-4-cancel.xml"],
               "tag:reuters.com,0000:newsml_L2N1MX0AB", {"update", "correction", "kill"}),
    "ninjs": (["ninjs/v1_versions.json"], "urn:newsml:example-wire.com:20240312:",
              {"update", "correction", "kill"}),
    "apmedia": (["apmedia/feed_page.json"], "c81f2e0a9b7d4c3e8f1a2b3c4d5e6f70",
                {"update", "correction", "kill"}),
    "dpa": (["dpa/entries_versions.json", "dpa/entry_kill.json"], "urn:newsml:dpa.com:20090101:240611-930-112233",
            {"update", "correction", "kill"}),
    "anpa": (["anpa/storm-0.tst", "anpa/storm-1stld.tst", "anpa/storm-correction.tst"],
             "urn:anpa:ap:2025-01-14:eu--storm-ports", {"update", "correction"}),
    "iptc7901": (["iptc7901/gas-caps.txt", "iptc7901/gas-caps-refile.txt",
                  "iptc7901/gas-caps-1st-lead.txt"], "urn:iptc7901:dpa:2025-01-14:eu/energy/pr",
                 {"update"}),
}


def ingest_files(store, names, now):
    for name in names:
        path = DATA / name
        result = ingest_file(store, Document(name, path.read_bytes()), now)
        assert result.problems == []


@pytest.mark.parametrize("format_name", sorted(SEQUENCES))
@pytest.mark.parametrize("order", ["as sent", "reversed"])
def test_versions_of_one_story_in_each_format(store, now, format_name, order):
    files, guid, signals = SEQUENCES[format_name]
    ingest_files(store, files if order == "as sent" else list(reversed(files)), now)
    ingest_files(store, files, now)  # re-delivery of everything: no-ops

    with store.connect() as conn:
        stories = [s for s in list_stories(conn, StoryQuery(status="all", limit=1000), now)
                   if s["guid"].startswith(guid)]
        assert len(stories) == 1, [s["guid"] for s in stories]
        (story,) = stories
        versions = story_versions(conn, story["story_id"])
    assert len(versions) >= len(signals) + 1
    assert [v["current"] for v in versions].count(True) == 1
    current = next(v for v in versions if v["current"])
    assert current == versions[-1]  # the greatest key is current
    seen = {signal for v in versions for signal in v["signals"]}
    assert signals <= seen
    if "kill" in signals:
        assert story["pubstatus"] == "canceled"
        with store.connect() as conn:
            usable = list_stories(conn, StoryQuery(limit=1000), now)
        assert story["story_id"] not in [s["story_id"] for s in usable]
