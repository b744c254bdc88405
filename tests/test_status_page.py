"""The status page at `/` of a real `wire serve`, loaded in a real headless Chromium (Debian's
package, driven by Playwright): every feed with its health, the latest stories with cluster and
versions, charts of items and polls; it refreshes itself; nothing is loaded from elsewhere;
the screenshot is not blank."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from tests.agency_server import rss, wire_items
from tests.api_server import free_port
from tests.conftest import REPO
from tests.test_poll_integration import http_feed, poller, wait_for  # noqa: F401 - fixture
from worker.ops.samples import take_sample
from worker.store.db import run_transaction
from worker.store.models import FeedRow

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or os.path.exists(CHROMIUM), \
        "Chromium is required (apt-get install chromium; .ci/run installs it)"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=FLAGS, viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def wire_serve(poller, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    """`wire serve` as its own process on the poller's store; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    env.update(WIRE_DATABASE_URL=poller.engine.url.render_as_string(hide_password=False),
               WIRE_BROKER_URL=f"sqla+sqlite:///{tmp_path}/broker.db",
               WIRE_FEEDS=str(poller.feeds_path), WIRE_API_BIND=f"127.0.0.1:{port}",
               PYTHONPATH=str(REPO))
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "worker", "serve"], cwd=tmp_path, env=env,
                            stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return proc.poll() is not None and pytest.fail((tmp_path / "serve.log").read_text())

    try:
        wait_for(up, 30, "wire serve")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)


def not_blank(page, png: bytes) -> dict:
    """Decode the screenshot in the browser: how many colours, and how much is not background."""
    return page.evaluate("""async (data) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + data;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width; canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, img.width, img.height).data;
        const colours = new Set(); let ink = 0;
        for (let i = 0; i < px.length; i += 4 * 7) {
            colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
            if (Math.abs(px[i] - px[0]) + Math.abs(px[i + 1] - px[1]) + Math.abs(px[i + 2] - px[2]) > 30) ink++;
        }
        return {colours: colours.size, ink: ink / (px.length / (4 * 7)),
                width: img.width, height: img.height};
    }""", base64.b64encode(png).decode())


def test_the_status_page_shows_every_wire_in_a_real_browser_and_refreshes_itself(
        poller, agency, wire_serve, browser, tmp_path):  # noqa: F811
    agency.feed("/reuters", body=rss(wire_items(3, prefix="urn:reuters:")))
    agency.feed("/down", always_status=503)
    agency.feed("/sleepy", body=rss(wire_items(1, prefix="urn:sleepy:")))
    poller.configure([http_feed(agency, "reuters", "/reuters"),
                      http_feed(agency, "down", "/down"),
                      http_feed(agency, "sleepy", "/sleepy", quiet_after=600)])
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=4)
    run_transaction(poller.engine, lambda c: take_sample(c, start))
    for minute in range(1, 4):  # three polls a minute apart, a sample after each
        for name in ("reuters", "down", "sleepy"):
            poller.make_due(name)
        poller.poll_due()
        run_transaction(poller.engine,
                        lambda c, m=minute: take_sample(c, start + timedelta(minutes=m)))
    with poller.engine.begin() as conn:  # the sleepy feed's last story came long ago
        conn.execute(update(FeedRow).where(FeedRow.name == "sleepy").values(
            last_story_at=datetime.now(timezone.utc) - timedelta(hours=1)))

    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(wire_serve + "/?refresh=2")
    page.wait_for_selector('#feeds tr[data-feed="down"]')

    health = {row.get_attribute("data-feed"): row.query_selector(".health").inner_text()
              for row in page.query_selector_all("#feeds tbody tr")}
    assert health == {"reuters": "ok", "down": "failing", "sleepy": "quiet"}
    down = page.query_selector('#feeds tr[data-feed="down"]').inner_text()
    assert "HTTP 503" in down and "error" in down
    assert "1 ok" in page.inner_text("#summary").replace("\n", " ").replace("  ", " ")
    stories = page.query_selector_all("#stories tbody tr")
    assert len(stories) == 4
    first = stories[0].query_selector_all("td")
    assert first[1].inner_text() in ("agency",) and first[5].inner_text() == "1"
    assert first[4].query_selector("a").get_attribute("href").startswith("clusters/")
    items = page.query_selector("#items-chart")
    assert int(items.get_attribute("data-bars")) == 3
    assert float(items.get_attribute("data-total")) == 4  # 3 + 1 new items in the first minute
    assert len(page.query_selector_all("#polls-chart svg rect")) > 3

    # the page refreshes itself: a story stored now appears without a reload
    agency.feed("/reuters", body=rss(wire_items(4, prefix="urn:reuters:")))
    poller.make_due("reuters")
    poller.poll_due()
    page.wait_for_function("document.querySelectorAll('#stories tbody tr').length == 5",
                           timeout=20_000)
    assert int(page.get_attribute("#refreshed", "data-refreshes")) >= 1

    png = page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
    picture = not_blank(page, png)
    assert picture["width"] >= 1280 and picture["colours"] > 20 and picture["ink"] > 0.03
    # nothing but the page itself was requested: no CDN, font or script from elsewhere
    assert requested and all(url.startswith(wire_serve + "/") for url in requested)


def test_the_status_page_is_plain_html_that_escapes_what_the_wire_says(poller, agency,  # noqa: F811
                                                                        tmp_path):
    from tests.api_server import api_client

    agency.feed("/x", body=rss([{"guid": "urn:x:1", "title": "Yields &lt; 3% &amp; falling",
                                 "description": "Body text of the story.",
                                 "date": "Wed, 25 Nov 2026 11:00:00 GMT"}]))
    poller.configure([http_feed(agency, "x<b>", "/x")])
    poller.poll_due()
    url = poller.engine.url.render_as_string(hide_password=False)
    with api_client(url, tmp_path, WIRE_FEEDS=str(poller.feeds_path)) as api:
        answer = api.get("/")
        assert api.get("/?refresh=1").status_code == 400
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "Yields &lt; 3% &amp; falling" in answer.text  # the story's "<" and "&", escaped
    assert "x&lt;b&gt;" in answer.text
    assert "src=" not in answer.text and "href=\"http" not in answer.text
