"""Access to the API (WIRE_API_KEYS), its health endpoints, and `wire serve` as a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.api_server import api_client, free_port
from tests.conftest import REPO
from worker.api.auth import key_matches


def test_with_keys_every_endpoint_but_health_requires_one_of_them(sqlite_url, tmp_path):
    with api_client(sqlite_url, tmp_path, WIRE_API_KEYS="k-one, k-two") as api:
        for path in ("/stories", "/changes", "/feeds", "/metrics", "/openapi.json",
                     "/stories/1", "/clusters/1"):
            refused = api.get(path)
            assert refused.status_code == 401, path
            assert "error" in refused.json()
            assert refused.headers["www-authenticate"] == "Bearer"
            assert api.get(path, headers={"Authorization": "Bearer k-three"}).status_code == 401
            assert api.get(path, headers={"Authorization": "Basic k-one"}).status_code == 401
        assert api.get("/stories", headers={"Authorization": "Bearer k-one"}).status_code == 200
        assert api.get("/changes", headers={"Authorization": "Bearer k-two"}).status_code == 200
        assert api.get("/healthz").status_code == 200
        assert api.get("/readyz").status_code == 200
        # the key never comes back in an answer
        assert "k-one" not in api.get("/openapi.json",
                                      headers={"Authorization": "Bearer k-one"}).text


def test_keys_can_come_from_a_file(sqlite_url, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# publishers\nfile-key-1\n\nfile-key-2\n")
    with api_client(sqlite_url, tmp_path, WIRE_API_KEYS=f"@{keys}") as api:
        assert api.get("/stories").status_code == 401
        assert api.get("/stories", headers={"Authorization": "Bearer file-key-2"}).status_code == 200


def test_keys_are_compared_whole():
    keys = (b"secret-key",)
    assert key_matches("secret-key", keys)
    assert not key_matches("secret-ke", keys)
    assert not key_matches("secret-key2", keys)
    assert not key_matches("", keys)


def test_readiness_says_which_part_is_unreachable(sqlite_url, tmp_path):
    with api_client(sqlite_url, tmp_path, WIRE_BROKER_URL="redis://127.0.0.1:1/0") as api:
        answer = api.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["store"] == "ok"
        assert answer.json()["broker"].startswith("unreachable")
        assert api.get("/healthz").status_code == 200


def test_metrics_are_prometheus_text_with_the_spec_names(sqlite_url, tmp_path):
    with api_client(sqlite_url, tmp_path) as api:
        answer = api.get("/metrics")
    assert answer.headers["content-type"].startswith("text/plain")
    for name in ("wire_polls_total", "wire_poll_duration_seconds", "wire_items_total",
                 "wire_feed_last_success_timestamp_seconds", "wire_feed_health",
                 "wire_ingest_lag_seconds", "wire_alerts_total", "wire_queue_depth"):
        assert f"# TYPE {name.removesuffix('_total')}" in answer.text, name


def _wire(tmp_path, *args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIRE_")}
    base.update({"WIRE_DATABASE_URL": f"sqlite:///{tmp_path}/wire.db",
                 "WIRE_BROKER_URL": f"sqla+sqlite:///{tmp_path}/broker.db",
                 "PYTHONPATH": str(REPO), **env})
    return subprocess.Popen([sys.executable, "-m", "worker", *args], cwd=tmp_path, env=base,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _first_answer(proc, url):
    """The first answer of `wire serve` (started as `proc`) at `url`, once it listens."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "wire serve did not start"
            time.sleep(0.1)


def test_wire_serve_listens_on_wire_api_bind_until_stopped(tmp_path):
    port = free_port()
    proc = _wire(tmp_path, "serve", WIRE_API_BIND=f"127.0.0.1:{port}")
    try:
        answer = _first_answer(proc, f"http://127.0.0.1:{port}/stories")
        assert answer.status_code == 200 and answer.json() == {"stories": [], "next": None}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"] == (
            "wire-ingest")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    # a graceful stop; uvicorn then re-raises the signal, as a process stopped by it should
    assert proc.returncode in (0, -signal.SIGTERM)


@pytest.mark.parametrize("env, message", [
    ({"WIRE_API_KEYS": "@/nonexistent/keys"}, "WIRE_API_KEYS"),
    ({"WIRE_API_BIND": "localhost"}, "WIRE_API_BIND"),
])
def test_wire_serve_refuses_bad_settings_naming_them(tmp_path, env, message):
    proc = _wire(tmp_path, "serve", **env)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert message in err.decode()


def test_wire_help_does_not_import_the_web_framework():
    code = ("import sys; from worker.cli import main; sys.argv=['wire','--help']\n"
            "try: main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('fastapi','uvicorn','starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_wire_serve_stops_promptly_with_a_live_stream_open(tmp_path):
    port = free_port()
    proc = _wire(tmp_path, "serve", WIRE_API_BIND=f"127.0.0.1:{port}")
    try:
        _first_answer(proc, f"http://127.0.0.1:{port}/healthz")
        with httpx.stream("GET", f"http://127.0.0.1:{port}/alerts/stream", timeout=30) as live:
            assert live.status_code == 200
            stopping = time.monotonic()
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        assert time.monotonic() - stopping < 10
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
