"""lemon24/reader ingesting local feed files, run in its own virtualenv (`bench.processes`
makes it): `python peer_reader.py [--search] DB ROOT [NAME...]`.

reader is the well-kept Python feed reader on SQLite: feedparser (its own vendored copy, with
its sanitizer), entries stored with their content, per-feed update bookkeeping. The feeds are
files under ROOT (`feed_root`); `update_feeds()` reads them all. No NAME: only create the
database. `--search`: with reader's full-text search (SQLite FTS5) enabled when the database is
created and brought up to date after the update (`update_search()`), as a reader user who
searches runs it; reader keeps none unless asked. Imports nothing of wire-ingest. Prints
{"entries": N} as JSON.
"""

from __future__ import annotations

import json
import sys

from reader import make_reader


def main(db: str, root: str, names: list[str], search: bool = False) -> dict[str, int]:
    with make_reader(db, feed_root=root) as reader:
        if search and not names:
            reader.enable_search()
        for name in names:
            reader.add_feed(name, exist_ok=True)
        if names:
            reader.update_feeds()
            if search:
                reader.update_search()
        return {"entries": reader.get_entry_counts().total}


if __name__ == "__main__":
    args = sys.argv[1:]
    search = args[:1] == ["--search"]
    args = args[1:] if search else args
    print(json.dumps(main(args[0], args[1], args[2:], search)))
