"""docker-compose.yml, checked without a Docker engine: valid YAML, real commands, SPEC env."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from tests.conftest import REPO
from worker.cli import COMMAND_MODULES, cli

SPEC_ENV = {"WIRE_DATABASE_URL", "WIRE_BROKER_URL", "WIRE_FEEDS"}


def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_services_are_the_production_shape():
    services = compose()["services"]
    assert {"redis", "postgres", "migrate", "beat", "worker"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["migrate"]["command"] == ["migrate"]
    for name in ("beat", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert SPEC_ENV <= set(services[name]["environment"])
        assert services[name]["environment"]["WIRE_BROKER_URL"].startswith("redis://")
        assert services[name]["environment"]["WIRE_DATABASE_URL"].startswith("postgresql://")


def test_every_service_command_is_a_wire_command():
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)
    runner = CliRunner()
    for name, service in compose()["services"].items():
        if service.get("image", "").startswith("wire-ingest") or "build" in service:
            command = service["command"]
            result = runner.invoke(cli, [*command, "--help"])
            assert result.exit_code == 0, f"{name}: wire {' '.join(command)}: {result.output}"


def test_image_installs_the_package_and_runs_wire():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "pip install" in dockerfile and 'ENTRYPOINT ["wire"]' in dockerfile
