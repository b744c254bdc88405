"""`wire recluster`, `wire clusters`, `wire cluster`, `wire dedupe-prune` (SPEC "Clusters").

`wire stories --cluster ID` (SPEC) lists a cluster's current versions; these commands are for
operators: re-cluster a time range after the thresholds change, see which clusters formed and
how similar each member is to the cluster's first story, and keep the index to its window.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import click
from sqlalchemy import func, select

from worker.cli.app import cli, fail, now, quiet_logs, settings_of, store_of
from worker.model import format_time
from worker.store.models import StoryRow

# the near-duplicate stack (numpy, rensa) is imported by the commands that use it


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    from worker.normalize.dates import parse_time

    parsed = parse_time(value)
    if parsed is None:
        raise click.BadParameter(f"not a time: {value!r} (use ISO 8601, e.g. 2017-10-14T21:00:00Z)",
                                 param_hint=name)
    return parsed


def _window(ctx: click.Context) -> timedelta:
    return timedelta(hours=settings_of(ctx).dedupe_window_hours)


@cli.command("recluster")
@click.option("--since", required=True, help="stories whose version_created is at or after this")
@click.option("--until", default=None, help="... and before this (default: no end)")
@click.pass_context
def recluster_cmd(ctx: click.Context, since: str, until: str | None) -> None:
    """Re-cluster the stories of a time range (after the thresholds changed); prints counts."""
    from worker.store.clusters import Clustering, recluster

    quiet_logs(settings_of(ctx))
    start, end = _time(since, "--since"), _time(until, "--until")
    assert start is not None
    if end is not None and end <= start:
        fail("--until must be after --since")
    result = recluster(store_of(ctx), start, end, Clustering(_window(ctx)))
    click.echo(json.dumps(result.as_json()))


@cli.command("clusters")
@click.option("--since", default=None, help="only stories whose version_created is at or after this")
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def clusters_cmd(ctx: click.Context, since: str | None, min_size: int, limit: int,
                 as_json: bool) -> None:
    """Clusters with at least --min-size stories, largest first."""
    quiet_logs(settings_of(ctx))
    start = _time(since, "--since")
    size = func.count().label("size")
    stmt = select(StoryRow.cluster_id, size, func.min(StoryRow.version_created).label("first"))
    if start is not None:
        stmt = stmt.where(StoryRow.version_created >= start)
    stmt = (stmt.group_by(StoryRow.cluster_id).having(func.count() >= min_size)
            .order_by(size.desc(), StoryRow.cluster_id).limit(limit))
    with store_of(ctx).connect() as conn:
        for row in conn.execute(stmt).all():
            members = conn.execute(
                select(StoryRow.provider, StoryRow.headline)
                .where(StoryRow.cluster_id == row.cluster_id).order_by(StoryRow.id)
            ).all()
            out = {"cluster_id": row.cluster_id, "size": row.size, "first": format_time(row.first),
                   "providers": sorted({m.provider for m in members}),
                   "headline": members[0].headline}
            if as_json:
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                click.echo(f"{out['cluster_id']:>7} {out['size']:>4}  {out['first']}  "
                           f"{','.join(out['providers']):<24} {out['headline']}")


@cli.command("cluster")
@click.argument("cluster_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def cluster_cmd(ctx: click.Context, cluster_id: int, as_json: bool) -> None:
    """A cluster's stories, each with its similarity to the cluster's first story."""
    from worker.dedupe.signatures import overlap, shingle_set, story_text

    quiet_logs(settings_of(ctx))
    with store_of(ctx).connect() as conn:
        rows = conn.execute(
            select(StoryRow.id, StoryRow.provider, StoryRow.version_created, StoryRow.headline,
                   StoryRow.body_text).where(StoryRow.cluster_id == cluster_id).order_by(StoryRow.id)
        ).all()
    if not rows:
        fail(f"no cluster {cluster_id}", code=1)
    first = shingle_set(story_text(rows[0].body_text, rows[0].headline))
    for row in rows:
        o = overlap(first, shingle_set(story_text(row.body_text, row.headline)))
        out = {"story_id": row.id, "provider": row.provider,
               "version_created": format_time(row.version_created), "headline": row.headline,
               "jaccard": round(o.jaccard, 3), "containment": round(o.containment, 3)}
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            click.echo(f"{row.id:>7}  J {o.jaccard:.2f}  C {o.containment:.2f}  "
                       f"{out['version_created']}  {row.provider:<10} {row.headline}")


@cli.command("dedupe-prune")
@click.pass_context
def prune_cmd(ctx: click.Context) -> None:
    """Drop index keys older than the dedupe window (WIRE_DEDUPE_WINDOW_HOURS); prints the count."""
    from worker.store import band_index

    quiet_logs(settings_of(ctx))
    with store_of(ctx).begin() as conn:
        pruned = band_index.prune(conn, now() - _window(ctx))
    click.echo(json.dumps({"pruned": pruned}))
