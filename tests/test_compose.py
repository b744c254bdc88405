"""docker-compose.yml, Dockerfile and .env.example, checked without a container engine: the
compose file is valid against the Compose Specification's JSON schema (pinned in
tests/compose/), every service runs a real `wire` command, every variable it passes is one
`Settings` reads, and every setting is documented in .env.example."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import REPO
from worker.cli import COMMAND_MODULES, cli

SPEC_ENV = {"WIRE_DATABASE_URL", "WIRE_BROKER_URL", "WIRE_FEEDS"}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value, env=None):
    """Compose's `${NAME}`, `${NAME:-default}`, `${NAME:?error}` over a loaded file, as `docker
    compose config` would with `env` (unset: the default, else '')."""
    env = env or {}
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if isinstance(value, str):
        return _INTERPOLATION.sub(lambda m: env.get(m.group(1)) or (
            m.group(3) if m.group(2) in (":-", "-") else "secret"), value).replace("$$", "$")
    return value


def compose(env=None):
    return interpolate(yaml.safe_load((REPO / "docker-compose.yml").read_text()), env)


def wire_services():
    return {name: s for name, s in compose()["services"].items()
            if str(s.get("image", "")).startswith("wire-ingest") or "build" in s}


def settings_variables() -> set[str]:
    """The variables `Settings.from_env` reads: settings.py is the only module that reads
    the environment, so its `WIRE_*` names are the whole list."""
    source = (REPO / "worker" / "settings.py").read_text()
    return set(re.findall(r'"(WIRE_[A-Z0-9_]+)"', source))


def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((REPO / "tests" / "compose" / "compose-spec.json").read_text())
    assert schema["$schema"].startswith("https://json-schema.org/draft-07/")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_compose_file_is_valid_against_the_compose_specification():
    raw = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    validator().validate(raw)
    validator().validate(compose())


def test_a_broken_compose_file_is_refused_by_the_schema():
    broken = compose()
    broken["services"]["worker"]["restart"] = ["always"]
    with pytest.raises(jsonschema.ValidationError):
        validator().validate(broken)
    broken = compose()
    broken["services"]["worker"]["healthcheck"]["tset"] = ["CMD", "true"]
    with pytest.raises(jsonschema.ValidationError):
        validator().validate(broken)


def test_services_are_the_production_shape():
    services = compose()["services"]
    assert {"redis", "postgres", "migrate", "beat", "worker", "api"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "replicas" not in services["worker"].get("deploy", {})  # scaled with --scale
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("beat", "worker", "api"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["restart"] == "unless-stopped"
        assert SPEC_ENV <= set(service["environment"])
        assert service["environment"]["WIRE_BROKER_URL"].startswith("redis://")
        assert service["environment"]["WIRE_DATABASE_URL"].startswith("postgresql://")
    for name in ("redis", "postgres", "worker", "api"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    bind = services["worker"]["environment"]["WIRE_METRICS_BIND"]
    assert bind.endswith(":9100") and "/metrics" in " ".join(
        services["worker"]["healthcheck"]["test"])
    assert services["api"]["environment"]["WIRE_API_BIND"] == "0.0.0.0:8000"
    # the stores keep their data in volumes
    assert any(v.startswith("postgres:") for v in services["postgres"]["volumes"])
    assert any(v.startswith("redis:") for v in services["redis"]["volumes"])


def test_postgresql_keeps_the_stories_rows_in_memory_for_search():
    """Searches visit their matches' rows: compose gives PostgreSQL more than its 128 MB
    default of shared buffers, and .env.example says how to size them."""
    assert "shared_buffers=1GB" in compose()["services"]["postgres"]["command"]
    assert "shared_buffers=6GB" in compose({"POSTGRES_SHARED_BUFFERS": "6GB"})[
        "services"]["postgres"]["command"]
    assert "POSTGRES_SHARED_BUFFERS=" in (REPO / ".env.example").read_text()


def test_a_worker_is_given_longer_to_stop_than_a_poll_may_take():
    from worker.settings import Settings

    grace = compose()["services"]["worker"]["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) > Settings.from_env({}).poll_time_limit


def test_every_service_command_is_a_wire_command():
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)
    runner = CliRunner()
    for name, service in wire_services().items():
        command = service["command"]
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, f"{name}: wire {' '.join(command)}: {result.output}"
        # and the options parse as given (not only --help): e.g. --concurrency takes a number
        context = cli.make_context("wire", list(command), resilient_parsing=False)
        sub = cli.get_command(context, command[0])
        sub.make_context(command[0], list(command[1:]), parent=context)


def test_every_variable_passed_to_wire_is_a_setting_it_reads():
    known = settings_variables()
    passed: set[str] = set()
    for name, service in wire_services().items():
        unknown = set(service["environment"]) - known
        assert not unknown, f"{name} passes variables no setting reads: {unknown}"
        passed |= set(service["environment"])
    # and every setting can be set through the compose file
    assert known - passed <= {"WIRE_METRICS_DIR"}, known - passed


def test_the_settings_take_the_values_compose_passes():
    from worker.settings import Settings

    env = compose({"POSTGRES_PASSWORD": "pw", "WIRE_HISTORY_DAYS": "30", "WIRE_API_KEYS": "k1,k2"})
    worker = Settings.from_env(env["services"]["worker"]["environment"])
    assert worker.database_url == "postgresql+psycopg://wire:pw@postgres:5432/wire"
    assert worker.metrics_bind == "0.0.0.0:9100" and worker.history_days == 30
    assert worker.poll_time_limit == 120  # empty: the default
    api = Settings.from_env(env["services"]["api"]["environment"])
    assert api.api_bind == "0.0.0.0:8000" and api.api_keys() == ("k1", "k2")


def test_the_api_refuses_to_start_open_beyond_localhost():
    """Compose stops with its message when WIRE_API_KEYS is unset (`${NAME:?message}`)."""
    raw = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert raw["services"]["api"]["environment"]["WIRE_API_KEYS"].startswith("${WIRE_API_KEYS:?")


def test_env_example_lists_every_setting_with_its_meaning():
    lines = (REPO / ".env.example").read_text().splitlines()
    listed = {}
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            name = line.split("=", 1)[0]
            listed[name] = lines[i - 1]
    assert settings_variables() <= set(listed), settings_variables() - set(listed)
    for name, comment in listed.items():
        assert comment.startswith("# ") and len(comment) > 20, f"{name}: no meaning given"
    # and every variable the compose file interpolates is there too
    text = json.dumps(yaml.safe_load((REPO / "docker-compose.yml").read_text()))
    assert {m[0] for m in _INTERPOLATION.findall(text)} <= set(listed)


def test_the_image_runs_wire_as_a_user_that_is_not_root():
    dockerfile = (REPO / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert 'ENTRYPOINT ["wire"]' in dockerfile
    assert re.search(r"^RUN pip install \.", dockerfile, re.MULTILINE)
    for copied in ("pyproject.toml", "worker", "config"):
        assert re.search(rf"^COPY .*\b{copied}\b", dockerfile, re.MULTILINE), copied
