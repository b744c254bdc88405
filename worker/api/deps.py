"""What routes receive: a store connection per request, the clock, shared query parameters.

Routes are plain functions run in the server's thread pool (SQLAlchemy is synchronous); each
request borrows one pooled connection and returns it when the answer is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Connection, Engine

from worker.api.errors import BadParameter

#: the largest id the store can hold (PostgreSQL bigint)
MAX_ID = 2**63 - 1
MAX_LIMIT = 1000
#: no NUL: PostgreSQL text cannot hold one
NO_NUL = r"^[^\x00]*$"


def engine_of(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def connection(request: Request) -> Iterator[Connection]:
    with engine_of(request).connect() as conn:
        yield conn


def clock() -> datetime:
    """The clock, read at the edge only."""
    return datetime.now(UTC)


def since_time(value: str | None, parameter: str = "since") -> datetime | None:
    """A `since` as an aware UTC time (ISO 8601; without an offset it is UTC). A time beyond
    the calendar's ends after conversion is clamped to it: it is a lower bound."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        raise BadParameter(parameter, f"not an ISO 8601 time: {value!r} "
                                      "(e.g. 2017-10-14T21:00:00Z)") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if parsed.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)


Conn = Annotated[Connection, Depends(connection)]
Now = Annotated[datetime, Depends(clock)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="how many at most (1-1000)")]
Since = Annotated[str | None, Query(
    max_length=64, json_schema_extra={"format": "date-time"},
    description="ISO 8601 time (UTC when it has no offset); only versions created at or after")]


def known_parameters(request: Request) -> None:
    """Refuse a query parameter the endpoint does not take (a typo must not widen a filter),
    and one given twice (which of the two would count is not obvious)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {p.alias for p in _query_params(dependant)}
    for name in request.query_params:
        if name not in known:
            raise BadParameter(name, "unknown parameter")
        if len(request.query_params.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")


def _query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _query_params(sub)
    return found
