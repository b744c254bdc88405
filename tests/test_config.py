"""The feed and alert configuration (SPEC "Feed and alert configuration")."""

from __future__ import annotations

import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import REPO
from worker.config import load_config
from worker.errors import ConfigError

SPEC_EXAMPLE = """
feeds:
  - name: dpa-wire            # unique; the feed's id in logs, metrics and `wire feeds`
    provider: dpa
    url: https://example.com/wire/feed.json   # an http(s) URL, or instead:
    # folder: /srv/wire/drop/dpa              # a local drop folder (exactly one of url, folder)
    format: auto              # auto (detect) or a name that `wire parse --format` takes
    interval: 60              # seconds between polls of this feed
    headers:                  # optional request headers; ${NAME} is taken from the environment
      Authorization: Bearer ${DPA_TOKEN}
    enabled: true             # optional, default true
alerts:
  - name: flash
    when:                     # every condition given must hold; all are optional
      urgency_at_most: 2      # IPTC urgency 1..9, 1 most urgent
      signals_any: [breaking]
      providers: [reuters, ap]
      keywords_any: [earthquake, election]   # words in the headline or body, case-insensitive
      changes: [new, update, correction, kill]   # which change of a story fires (default all)
    webhook: https://example.com/hooks/wire  # POST of the alert as JSON
    secret: ${WIRE_HOOK_SECRET}               # optional; signs each delivery (see Alerts)
"""

ENV = {"DPA_TOKEN": "t0k3n", "WIRE_HOOK_SECRET": "s3cret"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_spec_example_loads_with_its_variables_from_the_environment(tmp_path):
    config = load_config(write(tmp_path, SPEC_EXAMPLE), ENV)

    feed = config.feeds[0]
    assert (feed.name, feed.provider, feed.url, feed.interval) == (
        "dpa-wire", "dpa", "https://example.com/wire/feed.json", 60)
    assert feed.resolved_headers(ENV) == {"Authorization": "Bearer t0k3n"}
    assert feed.headers == {"Authorization": "Bearer ${DPA_TOKEN}"}  # the secret is not kept
    alert = config.alerts[0]
    assert alert.when.urgency_at_most == 2
    assert alert.when.changes == ["new", "update", "correction", "kill"]
    assert alert.resolved_secret(ENV) == "s3cret"


def test_the_shipped_example_configuration_is_valid_and_polls_a_drop_folder():
    config = load_config(REPO / "config" / "feeds.yaml", {})

    assert [f.protocol for f in config.feeds] == ["folder"]
    assert config.feeds[0].folders()[0] == Path("var/drop/inbox")


def test_defaults_enabled_auto_format_and_processed_failed_folders_inside_the_drop(tmp_path):
    config = load_config(write(tmp_path, """
        feeds:
          - {name: inbox, folder: /srv/drop, interval: 0.5}
    """), {})

    feed = config.feeds[0]
    assert (feed.enabled, feed.format, feed.interval) == (True, "auto", 0.5)
    assert feed.folders() == (Path("/srv/drop"), Path("/srv/drop/processed"),
                              Path("/srv/drop/failed"))
    assert config.alerts == []


def test_a_feed_timezone_reads_naive_timestamps_in_that_zone(tmp_path):
    config = load_config(write(tmp_path, """
        feeds:
          - {name: dpa, url: "http://127.0.0.1:9/x", interval: 60, timezone: Europe/Berlin}
    """), {})

    assert config.feeds[0].zone() == ZoneInfo("Europe/Berlin")


def test_an_empty_file_is_no_feeds(tmp_path):
    assert load_config(write(tmp_path, ""), {}).feeds == []


@pytest.mark.parametrize(
    ("yaml_text", "names"),
    [
        ("feeds:\n  - {name: a, url: 'http://x', interval: 0}", ["feed 'a'", "interval"]),
        ("feeds:\n  - {name: a, url: 'http://x', interval: -5}", ["feed 'a'", "interval"]),
        ("feeds:\n  - {name: a, url: 'http://x'}", ["feed 'a'", "interval", "missing"]),
        ("feeds:\n  - {name: a, url: 'ftp://x', interval: 1}", ["feed 'a'", "url"]),
        ("feeds:\n  - {name: a, interval: 1}", ["feed 'a'", "url", "folder"]),
        ("feeds:\n  - {name: a, url: 'http://x', folder: /d, interval: 1}",
         ["feed 'a'", "url", "folder"]),
        ("feeds:\n  - {name: a, url: 'http://x', interval: 1, intervall: 2}",
         ["feed 'a'", "intervall", "unknown key"]),
        ("feeds:\n  - {url: 'http://x', interval: 1}", ["feed #1", "name"]),
        ("feeds:\n  - {name: a, url: 'http://x', interval: 1, format: wordperfect}",
         ["feed 'a'", "format", "wordperfect"]),
        ("feeds:\n  - {name: a, url: 'http://x', interval: 1, timezone: Mars/Olympus}",
         ["feed 'a'", "timezone", "Mars/Olympus"]),
        ("feeds:\n  - {name: a, url: 'http://x', interval: 1, headers: {X-Key: '${NOPE}'}}",
         ["feed 'a'", "headers.X-Key", "NOPE"]),
        (("feeds:\n  - {name: a, url: 'http://x', interval: 1}\n"
          "  - {name: a, folder: /d, interval: 1}"), ["feed 'a'", "name", "two feeds"]),
        ("alerts:\n  - {name: f, webhook: 'http://h', when: {urgency_at_most: 12}}",
         ["alert 'f'", "when.urgency_at_most"]),
        ("alerts:\n  - {name: f, webhook: 'http://h', when: {changes: [boom]}}",
         ["alert 'f'", "when.changes", "boom"]),
        ("alerts:\n  - {name: f, webhook: 'http://h', when: {signals_any: [scoop]}}",
         ["alert 'f'", "when.signals_any", "scoop"]),
        ("alerts:\n  - {name: f, webhook: 'mailto:x'}", ["alert 'f'", "webhook"]),
        ("alerts:\n  - {name: f, webhook: 'http://h', secret: '${MISSING_SECRET}'}",
         ["alert 'f'", "secret", "MISSING_SECRET"]),
        ("feeds: {name: a}", ["feeds", "list"]),
        ("feeds: [\n", ["not valid YAML"]),
        ("- just\n- a list\n", ["top level"]),
    ],
)
def test_an_invalid_file_is_refused_naming_the_file_the_entry_and_the_key(tmp_path, yaml_text,
                                                                          names):
    path = write(tmp_path, yaml_text)

    with pytest.raises(ConfigError) as caught:
        load_config(path, {})

    message = str(caught.value)
    assert message.startswith(str(path))
    for name in names:
        assert name in message


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.yaml: cannot read"):
        load_config(tmp_path / "nowhere.yaml", {})


def test_the_embedded_broker_lives_beside_the_embedded_store(tmp_path):
    """Two stores run from one working folder must not share a queue (SPEC "Environment")."""
    from worker.settings import Settings

    one = Settings.from_env({"WIRE_DATABASE_URL": f"sqlite:///{tmp_path}/a/wire.db"}, tmp_path)
    two = Settings.from_env({"WIRE_DATABASE_URL": f"sqlite:///{tmp_path}/b/wire.db"}, tmp_path)
    default = Settings.from_env({}, tmp_path)

    assert one.broker_url == f"sqla+sqlite:///{tmp_path}/a/wire-broker.db"
    assert two.broker_url == f"sqla+sqlite:///{tmp_path}/b/wire-broker.db"
    assert default.broker_url == f"sqla+sqlite:///{tmp_path}/wire-broker.db"
    assert default.database_url == f"sqlite:///{tmp_path}/wire.db"


@pytest.mark.parametrize("variable, value, says", [
    ("WIRE_POLL_TIME_LIMIT", "soon", "not a number: 'soon'"),
    ("WIRE_DEDUPE_WINDOW_HOURS", "-1", "must be greater than 0"),
])
def test_a_bad_number_in_the_environment_is_refused_naming_the_variable(variable, value, says):
    from worker.errors import ConfigError
    from worker.settings import Settings

    with pytest.raises(ConfigError, match=f"{variable}: {says}"):
        Settings.from_env({variable: value})
