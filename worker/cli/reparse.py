"""`wire reparse [--since ISO] [--feed NAME]`: the archived documents through today's parsers.

SPEC "Command line": parse the archived documents again (after a parser fix) and store what they
give, by the same rules as a first ingest: a version the store has is a no-op, a version whose
stories now parse differently is stored as the merge rule decides, a story the old parser
missed is new. Each document takes the parse options of its feed as configured now (format,
provider, time zone); a feed no longer configured keeps those it had when it was fetched.
Prints the counts as one JSON object, like `wire ingest`.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import click

from worker.archive import archive_of
from worker.cli.app import cli, fail, now, quiet_logs, settings_of, store_of
from worker.config import load_config
from worker.documents import ParseOptions, one_document
from worker.errors import ConfigError
from worker.model import IngestCounts
from worker.normalize.dates import parse_time
from worker.pipeline import ingest_document
from worker.store.clusters import Clustering
from worker.store.db import run_transaction


@cli.command("reparse")
@click.option("--since", default=None, help="only documents fetched at or after this ISO time")
@click.option("--feed", "feed_name", default=None, help="only documents of this feed")
@click.pass_context
def reparse_cmd(ctx: click.Context, since: str | None, feed_name: str | None) -> None:
    """Parse the archived documents again and store what they give (after a parser fix)."""
    settings = settings_of(ctx)
    quiet_logs(settings)
    after: datetime | None = None
    if since is not None:
        after = parse_time(since)
        if after is None:
            fail(f"--since: not a time: {since!r} (use ISO 8601, e.g. 2026-11-25T00:00:00Z)")
    try:
        config = load_config(settings.feeds_path, settings.environment)
        feeds = {f.name: f for f in config.feeds}
    except ConfigError:
        feeds = {}  # the archived options stand in
    engine = store_of(ctx)
    clustering = Clustering(settings.dedupe_window)
    total = IngestCounts()
    documents = 0
    for archived in archive_of(settings).documents(engine, after, feed_name):
        documents += 1
        feed = feeds.get(archived.feed)
        kept = archived.options
        options = ParseOptions(
            format=feed.format if feed else kept.get("format") or "auto",
            provider=feed.provider if feed else kept.get("provider"),
            default_tz=feed.zone() if feed else ZoneInfo(kept.get("timezone") or "UTC"),
            max_bytes=settings.max_document_bytes)
        with one_document(archived.document.name, feed=archived.feed) as outcome:
            outcome.result = run_transaction(engine, partial(
                ingest_document, document=archived.document, options=options,
                clustering=clustering, now=now()))
        if outcome.failed:
            click.echo(f"wire reparse: {outcome.error}", err=True)
            total.errors += 1
            continue
        total.add(outcome.result.counts)
    click.echo(json.dumps({**total.as_json(), "documents": documents}))
    engine.dispose()
