"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis): whatever a
client sends, on either store, the answer is never a 500 and always matches the document."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api_server import api_settings, serving
from tests.helpers import ingest, version_of
from worker.store.db import make_engine

NOW = datetime.now(UTC)
#: examples per operation and generation mode; the suite's run is derandomized (the same cases
#: every run), WIRE_FUZZ_EXAMPLES=300 explores further with fresh random cases
EXAMPLES = int(os.environ.get("WIRE_FUZZ_EXAMPLES") or 40)
RANDOM = "WIRE_FUZZ_EXAMPLES" in os.environ
KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_api(request, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/wire.db"
        from worker.store.db import open_store

        open_store(url).dispose()
    else:
        url = request.getfixturevalue("pg_url")
        from tests.conftest import truncate_all

        engine = make_engine(url)
        truncate_all(engine)
        engine.dispose()
    engine = make_engine(url)
    ingest([version_of("urn:f:1", headline="Earthquake hits", version=1),
            version_of("urn:f:1", created="2017-10-15T10:00:00Z", headline="Quake update",
                       version=2, signals=("correction",)),
            version_of("urn:f:2", headline="Election day", body="Voters went to the polls.",
                       pubstatus="canceled")], engine, NOW)
    engine.dispose()
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: inbox\n    folder: drop\n"
                                         "    interval: 5\n")
    with serving(api_settings(url, tmp_path, WIRE_API_KEYS=KEY)) as base:
        yield base


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_no_request_gets_a_server_error_or_an_undocumented_answer(fuzzed_api, mode):
    """Valid requests (positive) and requests that break the document (negative), per path."""
    schema = schemathesis.openapi.from_url(f"{fuzzed_api}/openapi.json", headers=AUTH)

    @schema.auth()
    class Bearer:  # sent unless the case is about a missing or broken key
        def get(self, case, context):
            return KEY

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    # the live stream never ends by itself: tests/test_alerts_api.py reads it as a client does
    operations = [op for op in operations if op.path != "/alerts/stream"]

    for operation in operations:
        if mode is schemathesis.GenerationMode.NEGATIVE and not operation.definition.raw.get(
                "parameters"):
            continue  # nothing to break

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            # every check but accepting all schema-valid data: an opaque cursor is a string,
            # yet only the ones the API gave out are accepted (the others get a 400)
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        call()
