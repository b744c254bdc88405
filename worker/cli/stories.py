"""`wire parse`, `wire ingest`, `wire stories`, `wire versions`, `wire migrate` (SPEC)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from worker.cli.app import cli, fail, now, quiet_logs, settings_of, store_of
from worker.errors import ConfigError, DocumentError, FeedError, StoreError, WireError
from worker.parse.registry import format_names
from worker.store.rows import STATUSES

if TYPE_CHECKING:
    from worker.alerts.rule_config import AlertRule
    from worker.model import Document
    from worker.settings import Settings

T = TypeVar("T")

# what a command needs beyond listing stories is imported when it runs (worker.cli.app)

_FORMAT = click.option(
    "--format", "format_", default="auto", show_default=True,
    help=f"document format: auto or one of {', '.join(format_names())}",
)
_PROVIDER = click.option("--provider", default=None, help="provider slug (reuters, ap, dpa, ...)")


def _echo_json(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def iter_documents(targets: tuple[str, ...], settings: Settings) -> Iterator[Document | WireError]:
    """Documents from files, folders (every file below, in name order) and URLs.

    Yields the error instead of a document when one cannot be read, so the others go on.
    """
    from worker.model import Document

    for target in targets:
        if _is_url(target):
            from worker.fetch.http import fetch_url  # httpx: only for URLs

            try:
                yield fetch_url(target, settings.max_document_bytes)
            except FeedError as e:
                yield e
            continue
        path = Path(target)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files = [path]
        for file in files:
            try:
                yield Document(name=str(file), content=file.read_bytes(),
                               base_url=None)
            except OSError as e:
                yield DocumentError(str(file), f"cannot read: {e.strerror or e}")


@cli.command("parse")
@click.argument("paths", nargs=-1, required=True)
@_FORMAT
@_PROVIDER
@click.pass_context
def parse_cmd(ctx: click.Context, paths: tuple[str, ...], format_: str, provider: str | None) -> None:
    """Parse documents and print normalized stories as JSON lines; nothing is stored."""
    from worker.pipeline import ParseOptions, parse_stories

    settings = settings_of(ctx)
    quiet_logs(settings)
    options = ParseOptions(format=format_, provider=provider,
                           max_bytes=settings.max_document_bytes)
    failed = False
    for document in iter_documents(paths, settings):
        if isinstance(document, WireError):
            click.echo(f"wire parse: {document}", err=True)
            failed = True
            continue
        try:
            stories, problems = parse_stories(document, options, now())
        except WireError as e:
            click.echo(f"wire parse: {e}", err=True)
            failed = True
            continue
        for story in stories:
            _echo_json(story.as_json())
        for problem in problems:
            click.echo(f"wire parse: {problem}", err=True)
            failed = True
    ctx.exit(1 if failed else 0)


@cli.command("ingest")
@click.argument("targets", nargs=-1, required=True)
@_FORMAT
@_PROVIDER
@click.pass_context
def ingest_cmd(ctx: click.Context, targets: tuple[str, ...], format_: str, provider: str | None) -> None:
    """Parse documents (files, folders, http(s) URLs), store them once, print the counts."""
    from worker.documents import ParseOptions, one_document
    from worker.ingest import GivenDocuments
    from worker.model import IngestCounts

    settings = settings_of(ctx)
    quiet_logs(settings)
    engine = store_of(ctx)
    options = ParseOptions(format=format_, provider=provider,
                           max_bytes=settings.max_document_bytes,
                           alert_rules=configured_alert_rules(settings))
    given = GivenDocuments(engine, options, settings.dedupe_window)
    total = IngestCounts()
    for document in iter_documents(targets, settings):
        if isinstance(document, WireError):
            click.echo(f"wire ingest: {document}", err=True)
            total.errors += 1
            continue
        with one_document(document.name) as outcome:  # what it stored before is not parsed again
            outcome.result = given.ingest(document, now())
        if outcome.failed:
            click.echo(f"wire ingest: {outcome.error}", err=True)
            total.errors += 1
            continue
        for problem in outcome.result.problems:
            click.echo(f"wire ingest: {problem}", err=True)
        total.add(outcome.result.counts)
    _echo_json(total.as_json())
    ctx.exit(1 if total.errors else 0)


def configured_alert_rules(settings: Settings) -> tuple[AlertRule, ...]:
    """The alert rules of the configuration file, when there is one: `wire ingest` fires
    alerts like a poll does (a running worker delivers them); an invalid file is refused."""
    if not settings.feeds_path.exists():
        return ()
    from worker.config import load_config  # pydantic: only with a configuration to read

    try:
        return tuple(load_config(settings.feeds_path, settings.environment).alerts)
    except ConfigError as e:
        fail(e)


def parse_since(value: str | None) -> object:
    if value is None:
        return None
    from worker.normalize.dates import parse_time

    parsed = parse_time(value)
    if parsed is None:
        raise click.BadParameter(f"not a time: {value!r} (use ISO 8601, e.g. 2017-10-14T21:00:00Z)")
    return parsed


@cli.command("stories")
@click.option("--provider", default=None, help="only this provider")
@click.option("--since", default=None, help="only versions created at or after this ISO time")
@click.option("--cluster", type=int, default=None, help="only stories of this cluster")
@click.option("--status", type=click.Choice(STATUSES), default="usable", show_default=True,
              help="usable: usable and no embargo in force")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def stories_cmd(ctx: click.Context, provider: str | None, since: str | None, cluster: int | None,
                status: str, limit: int, as_json: bool) -> None:
    """Current versions of stories, newest version_created first."""
    from worker.store.rows import StoryQuery

    quiet_logs(settings_of(ctx))
    query = StoryQuery(provider=provider, since=parse_since(since), cluster=cluster,  # type: ignore[arg-type]
                       status=status, limit=limit)
    stories = _read(ctx, lambda reads, conn: reads.list_stories(conn, query, now()))
    for story in stories:
        if as_json:
            _echo_json(story)
        else:
            click.echo(
                f"{story['story_id']:>7} {story['cluster_id']:>7}  {story['version_created']}  "
                f"{story['provider']:<10} {story['pubstatus']:<9} {story['headline']}"
            )


@cli.command("versions")
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def versions_cmd(ctx: click.Context, story_id: int, as_json: bool) -> None:
    """Every version of a story, oldest first by the version key."""
    quiet_logs(settings_of(ctx))
    versions = _read(ctx, lambda reads, conn: reads.story_versions(conn, story_id))
    if versions is None:
        fail(f"no story {story_id}", code=1)
    for version in versions:
        if as_json:
            _echo_json(version)
        else:
            mark = "*" if version["current"] else " "
            click.echo(
                f"{mark} {version['version_created']}  v{version['version'] or 0:<4} "
                f"{version['pubstatus']:<9} {','.join(version['signals']):<12} {version['headline']}"
            )


@cli.command("story", hidden=True)
@click.argument("story_id", type=int)
@click.pass_context
def story_cmd(ctx: click.Context, story_id: int) -> None:
    """One story's current version as JSON."""
    story = _read(ctx, lambda reads, conn: reads.get_story(conn, story_id))
    if story is None:
        fail(f"no story {story_id}", code=1)
    _echo_json(story)


def _read(ctx: click.Context, read: Callable[[Any, Any], T]) -> T:
    """`read(reads, conn)` with `worker.store.embedded` on an embedded store at the current
    schema (no SQLAlchemy to import), else with `worker.store.reads` on the opened store."""
    from worker.store import embedded

    conn = embedded.open_embedded(settings_of(ctx).database_url)
    if conn is not None:
        with contextlib.closing(conn):
            return read(embedded, conn)
    from worker.store import reads

    with store_of(ctx).connect() as connection:
        return read(reads, connection)


@cli.command("migrate")
@click.pass_context
def migrate_cmd(ctx: click.Context) -> None:
    """Upgrade the store to the current schema."""
    from worker.store.db import make_engine, migrate

    settings = settings_of(ctx)
    try:
        before, after = migrate(make_engine(settings.database_url))
    except StoreError as e:
        fail(e)
    click.echo(f"store schema: {before or 'empty'} -> {after}")
