"""The naive baseline of file ingest, run as its own process: `python -m bench.naive_files DB
FILE...`.

What a first script that stores feed files typically does: feedparser with its defaults (its
sanitizer on), every body cleaned again with BeautifulSoup, a content hash, and each item
looked up and stored with a commit of its own into a plain sqlite3 database (no versions, no
clusters, no search). It imports nothing of wire-ingest, so its start-up is its own. Prints
{"new": N, "unchanged": M} as JSON.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path

import feedparser

from bench.naive_clean import clean

SCHEMA = ("CREATE TABLE IF NOT EXISTS stories (guid TEXT PRIMARY KEY, version_created TEXT, "
          "headline TEXT, body_html TEXT, body_text TEXT, content_hash TEXT)")


def main(db: str, files: list[str]) -> dict[str, int]:
    conn = sqlite3.connect(db)
    conn.execute(SCHEMA)
    counts = {"new": 0, "unchanged": 0}
    for path in files:
        for entry in feedparser.parse(Path(path).read_bytes()).entries:
            body = (entry.get("content") or [{}])[0].get("value") or entry.get("summary", "")
            guid, headline = entry.get("id") or entry.get("link"), entry.get("title", "")
            html, text = clean(body)
            digest = hashlib.sha256(f"{headline}\n{text}".encode()).hexdigest()
            row = conn.execute("SELECT content_hash FROM stories WHERE guid = ?", (guid,)).fetchone()
            if row is not None and row[0] == digest:
                counts["unchanged"] += 1
                continue
            conn.execute("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?)",
                         (guid, entry.get("updated") or entry.get("published", ""), headline,
                          html, text, digest))
            conn.commit()
            counts["new"] += row is None
    conn.close()
    return counts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
