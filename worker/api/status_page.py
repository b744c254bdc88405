"""The status page's HTML: one server-rendered document, its style and script inline.

Nothing is loaded from elsewhere (no CDN, no font, no image): the charts are inline SVG drawn
here, and the script only refreshes the page's `<main>` every `REFRESH_SECONDS` (and says so
when the API cannot be reached). Every value from the store or the feed file is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from worker.model import format_time
from worker.ops.samples import Bar
from worker.ops.status import CHART_HOURS, ITEM_SERIES, POLL_SERIES, StatusView

REFRESH_SECONDS = 15
COLOURS = {"items_new": "#2b7bb9", "items_updated": "#8fc1e3", "polls_ok": "#2e9e44",
           "polls_not_modified": "#9fd4a9", "polls_unchanged": "#c8c8c8",
           "polls_error": "#d64541"}
LABELS = {"items_new": "new", "items_updated": "updated", "polls_ok": "ok",
          "polls_not_modified": "not modified", "polls_unchanged": "unchanged",
          "polls_error": "error"}

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#223;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:baseline}
header h1{font-size:18px;margin:0} header .live{margin-left:auto;font-size:12px;opacity:.8}
main{padding:10px 20px} section{margin:18px 0} h2{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:4px 8px;
border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top} th{background:#f0f0f3}
.health{font-weight:600;border-radius:3px;padding:1px 6px;color:#fff}
.ok{background:#2e9e44} .failing{background:#d64541} .quiet{background:#d9a400}
.error{color:#b3261e;font-size:12px;max-width:38em;overflow-wrap:anywhere}
.summary span{margin-right:14px} .charts{display:flex;gap:24px;flex-wrap:wrap}
.chart{background:#fff;border:1px solid #e4e4e4;padding:8px} .legend span{margin-right:10px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:3px}
.muted{color:#777} #offline{display:none;background:#d64541;color:#fff;padding:4px 20px}
"""

SCRIPT = """
(function () {
  var every = Number(document.body.dataset.refresh) * 1000;
  var stamp = document.getElementById('refreshed');
  function refresh() {
    fetch(window.location.href, {cache: 'no-store', headers: {'Accept': 'text/html'}})
      .then(function (answer) {
        if (!answer.ok) { throw new Error('HTTP ' + answer.status); }
        return answer.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        document.querySelector('main').replaceWith(page.querySelector('main'));
        document.getElementById('offline').style.display = 'none';
        stamp.textContent = new Date().toLocaleTimeString();
        stamp.dataset.refreshes = String(Number(stamp.dataset.refreshes || 0) + 1);
      })
      .catch(function (e) {
        var offline = document.getElementById('offline');
        offline.textContent = 'Cannot reach the API (' + e.message + '); retrying.';
        offline.style.display = 'block';
      });
  }
  stamp.textContent = new Date().toLocaleTimeString();
  setInterval(refresh, every);
})();
"""


def render(view: StatusView, refresh: int = REFRESH_SECONDS) -> str:
    counts = {state: sum(1 for f in view.feeds if f["health"] == state and f["enabled"])
              for state in ("ok", "failing", "quiet")}
    summary = " ".join(f'<span><b class="health {s}">{n}</b> {s}</span>'
                       for s, n in counts.items())
    problems = "".join(f'<p class="error">{escape(p)}</p>' for p in view.problems)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wire-ingest status</title><style>{STYLE}</style></head>
<body data-refresh="{refresh}"><header><h1>wire-ingest</h1>
<div class="live">refreshes every {refresh} s; last <span id="refreshed"></span></div>
</header><div id="offline"></div>
<main data-generated="{format_time(view.at)}">
<div class="summary" id="summary">Feeds: {summary}</div>{problems}
<section id="charts"><h2>Last {CHART_HOURS} hours, per minute</h2><div class="charts">
{_chart("Items", view.items, ITEM_SERIES, "items-chart", view.at)}
{_chart("Polls", view.polls, POLL_SERIES, "polls-chart", view.at)}
</div></section>
<section id="feeds"><h2>Feeds ({len(view.feeds)})</h2>{_feeds(view.feeds)}</section>
<section id="stories"><h2>Latest stories</h2>{_stories(view.stories)}</section>
{_alerts(view.alerts)}
</main><script>{SCRIPT}</script></body></html>"""


def _feeds(feeds: list[dict[str, Any]]) -> str:
    if not feeds:
        return '<p class="muted">No feeds configured.</p>'
    rows = []
    for f in feeds:
        health = f["health"] if f["enabled"] else "disabled"
        rows.append(
            f'<tr data-feed="{escape(f["name"])}"><td>{escape(f["name"])}</td>'
            f'<td>{escape(f["provider"] or "")}</td>'
            f'<td><span class="health {escape(health)}">{escape(health)}</span></td>'
            f'<td>{escape(f["outcome"] or "never polled")}</td>'
            f'<td>{_time(f["last_poll"])}</td><td>{_time(f["next_poll"])}</td>'
            f'<td>{_time(f["last_story"])}</td><td>{f["consecutive_failures"]}</td>'
            f'<td class="error">{escape(f["error"] or "")}</td></tr>')
    return ("<table><thead><tr><th>feed</th><th>provider</th><th>health</th><th>last outcome"
            "</th><th>last poll</th><th>next poll</th><th>last story</th><th>failures</th>"
            "<th>last error</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _stories(stories: list[dict[str, Any]]) -> str:
    if not stories:
        return '<p class="muted">No stories yet.</p>'
    rows = []
    for s in stories:
        status = f" <b>({escape(s['pubstatus'])})</b>" if s["pubstatus"] != "usable" else ""
        size = f" ({s['cluster_size']} stories)" if s["cluster_size"] > 1 else ""
        urgency = s["urgency"] if s["urgency"] is not None else ""
        rows.append(
            f'<tr data-story="{s["story_id"]}"><td>{_time(s["updated_at"])}</td>'
            f'<td>{escape(s["provider"])}</td><td>{escape(s["headline"])}{status}</td>'
            f'<td>{urgency}</td><td><a href="clusters/{s["cluster_id"]}">{s["cluster_id"]}</a>'
            f'{size}</td><td><a href="stories/{s["story_id"]}/versions">{s["versions"]}</a>'
            "</td></tr>")
    return ("<table><thead><tr><th>updated</th><th>provider</th><th>headline</th>"
            "<th>urgency</th><th>cluster</th><th>versions</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _alerts(alerts: list[dict[str, Any]] | None) -> str:
    if alerts is None:
        return ""
    if not alerts:
        body = '<p class="muted">No alerts fired.</p>'
    else:
        body = ("<table><thead><tr><th>fired</th><th>rule</th><th>change</th><th>subject</th>"
                "<th>delivery</th><th>attempts</th><th>last error</th></tr></thead><tbody>"
                + "".join(
                    f'<tr data-alert="{a["id"]}"><td>{_time(a["fired_at"])}</td>'
                    f'<td>{escape(a["rule"])}</td><td>{escape(a["change"])}</td>'
                    f'<td>{escape(a["subject"])}</td><td>{escape(a["outcome"])}</td>'
                    f'<td>{a["attempts"]}</td><td class="error">'
                    f'{escape(a.get("last_error") or "")}</td></tr>' for a in alerts)
                + "</tbody></table>")
    return f'<section id="alerts"><h2>Recent alerts</h2>{body}</section>'


def _time(value: Any) -> str:
    if value is None:
        return '<span class="muted">-</span>'
    text = format_time(value) if isinstance(value, datetime) else str(value)
    return f'<time datetime="{escape(text)}">{escape(text[11:19] if len(text) >= 19 else text)}' \
           f'</time>'


def _chart(title: str, bars: list[Bar], series: tuple[str, ...], element: str, end: datetime,
           width: int = 540, height: int = 120) -> str:
    legend = "".join(f'<span><i class="swatch" style="background:{COLOURS[s]}"></i>'
                     f'{LABELS[s]}</span>' for s in series)
    if not bars:
        plot = (f'<p class="muted" style="width:{width}px">No samples yet: the chart fills '
                "once a minute while beat runs.</p>")
    else:
        plot = _svg(bars, series, end, width, height)
    total = sum(sum(b.rates.values()) for b in bars)
    return (f'<div class="chart" id="{element}" data-bars="{len(bars)}" data-total="{total:g}">'
            f"<b>{title}</b><div class=\"legend\">{legend}</div>{plot}</div>")


def _svg(bars: list[Bar], series: tuple[str, ...], end: datetime, width: int,
         height: int) -> str:
    """Stacked bars on a time axis from CHART_HOURS ago to `end`, one per sample interval."""
    span = CHART_HOURS * 3600.0
    plot_height = height - 14  # room for the time labels below
    top = max(max(sum(b.rates[s] for s in series) for b in bars), 1.0)
    shapes = []
    previous = None
    for bar in bars:
        left = previous if previous is not None else bar.at.timestamp() - 60
        previous = bar.at.timestamp()
        x = width * (1 - (end.timestamp() - left) / span)
        w = max(width * (bar.at.timestamp() - left) / span - 0.5, 1.0)
        if x + w < 0:
            continue
        y = float(plot_height)
        tip = f"{format_time(bar.at)[11:16]}: " + ", ".join(
            f"{bar.rates[s]:.3g} {LABELS[s]}" for s in series)
        for s in series:
            h = bar.rates[s] / top * (plot_height - 12)
            if h <= 0:
                continue
            y -= h
            shapes.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                          f'fill="{COLOURS[s]}"><title>{escape(tip)}</title></rect>')
    start = datetime.fromtimestamp(end.timestamp() - span, end.tzinfo)
    labels = (f'<text x="{width - 2}" y="10" font-size="10" fill="#555" text-anchor="end">'
              f'max {top:.3g}/min</text>'
              f'<text x="0" y="{height - 2}" font-size="10" fill="#555">'
              f'{format_time(start)[11:16]}</text>'
              f'<text x="{width}" y="{height - 2}" font-size="10" fill="#555" '
              f'text-anchor="end">{format_time(end)[11:16]} UTC</text>')
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f'<rect width="{width}" height="{plot_height}" fill="#fbfbfd"/>{"".join(shapes)}'
            f"{labels}</svg>")
