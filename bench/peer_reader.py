"""lemon24/reader ingesting local feed files, run in its own virtualenv (`bench.processes`
makes it): `python peer_reader.py DB ROOT [NAME...]`.

reader is the well-kept Python feed reader on SQLite: feedparser (its own vendored copy, with
its sanitizer), entries stored with their content, per-feed update bookkeeping. The feeds are
files under ROOT (`feed_root`); `update_feeds()` reads them all. No NAME: only create the
database. Imports nothing of wire-ingest. Prints {"entries": N} as JSON.
"""

from __future__ import annotations

import json
import sys

from reader import make_reader


def main(db: str, root: str, names: list[str]) -> dict[str, int]:
    with make_reader(db, feed_root=root) as reader:
        for name in names:
            reader.add_feed(name, exist_ok=True)
        if names:
            reader.update_feeds()
        return {"entries": reader.get_entry_counts().total}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3:])))
