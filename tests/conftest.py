"""Shared fixtures: real stores (SQLite file and PostgreSQL), the clock, the shared data.

PostgreSQL is required: the suite creates its own database on the server named by
WIRE_TEST_PG_URL (default: the local server, user postgres) and fails, never skips, when it
cannot. Each test gets an empty store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.agency_server import AgencyServer
from worker.settings import database_url
from worker.store.db import make_engine, open_store

REPO = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("WIRE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def shared_dir() -> Path:
    """`../shared` beside the repository (WIRE_SHARED_DIR overrides); it must exist."""
    path = Path(os.environ.get("WIRE_SHARED_DIR") or REPO.parent / "shared")
    if not path.is_dir():
        pytest.fail(f"shared folder {path} not found (set WIRE_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_dir()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


def _admin_engine() -> Engine:
    return create_engine(database_url(PG_SERVER, REPO), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database with the current schema, dropped at the end."""
    admin = _admin_engine()
    name = f"wire_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at {PG_SERVER} is required and not reachable: {e}")
    url = make_url(database_url(PG_SERVER, REPO)).set(database=name).render_as_string(
        hide_password=False
    )
    open_store(url).dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(engine: Engine) -> None:
    from worker.store.models import Base

    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "wire.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """URL of a fresh SQLite store file with the current schema."""
    path = tmp_path / "wire.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def pg_store_url(pg_url: str) -> Iterator[str]:
    """The session PostgreSQL database, emptied for this test."""
    engine = make_engine(pg_url)
    truncate_all(engine)
    engine.dispose()
    yield pg_url


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """An engine on a fresh SQLite store (opened as a command opens it)."""
    engine = open_store(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """An empty store on each backend."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_store_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def agency() -> Iterator[AgencyServer]:
    """A local HTTP server playing the agencies (tests/agency_server.py)."""
    server = AgencyServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A store with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    admin = _admin_engine()
    name = f"wire_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
