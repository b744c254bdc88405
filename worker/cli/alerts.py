"""`wire alerts [--since ISO] [--json]`: alerts fired, newest first, with their delivery outcome."""

from __future__ import annotations

import json

import click

from worker.cli.app import cli, quiet_logs, settings_of, store_of
from worker.cli.stories import parse_since
from worker.store.alerts import list_alerts, list_feed_alerts


@cli.command("alerts")
@click.option("--since", default=None, help="only alerts fired at or after this ISO time")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def alerts_cmd(ctx: click.Context, since: str | None, limit: int, as_json: bool) -> None:
    """Alerts fired, newest first: rule, change and story (or feed event and feed), delivery
    outcome and attempts."""
    quiet_logs(settings_of(ctx))
    engine = store_of(ctx)
    since_at = parse_since(since)
    with engine.connect() as conn:
        alerts = list_alerts(conn, since_at, limit)  # type: ignore[arg-type]
        alerts += list_feed_alerts(conn, since_at, limit)  # type: ignore[arg-type]
    engine.dispose()
    # story and feed alerts together, newest first (ISO times in UTC sort as text)
    alerts = sorted(alerts, key=lambda a: a["fired_at"], reverse=True)[:limit]
    for alert in alerts:
        if as_json:
            click.echo(json.dumps(alert, ensure_ascii=False))
            continue
        outcome = alert["outcome"]
        if alert["attempts"] > 1 or outcome != "delivered":
            outcome += f" ({alert['attempts']} attempts)"
        if alert["last_error"] and alert["outcome"] != "delivered":
            outcome += f": {alert['last_error']}"
        if "story" in alert:
            what, subject = alert["change"], (f"{alert['story']['story_id']:>7}  "
                                              f"{alert['story']['headline'][:60]:<60}")
        else:
            what, subject = alert["event"], f"{'feed':>7}  {alert['feed']['name'][:60]:<60}"
        click.echo(f"{alert['id']:>6}  {alert['fired_at']}  {alert['rule']:<16} "
                   f"{what:<14} {subject}  {outcome}")
