"""The hot statements, run on the driver's own connection but written once, in SQLAlchemy.

Why this module exists: on the per-item path SQLAlchemy's execution of a statement (binding
each row's parameters through the type processors, setting up the result) costs as much client
CPU as the statement itself: 0.026 of the 0.066 ms the story upsert took per new story on
SQLite, ~0.1 ms per near-duplicate statement on PostgreSQL (docs/performance.md). So the few
statements of that path are built once in SQLAlchemy, compiled once per dialect (its SQL, its
parameter style and order), and executed by sqlite3 / psycopg directly, prepared, in the
caller's transaction. Values are converted by the columns' own bind processors, taken from the
models (`converters`), so what lands in the store is what SQLAlchemy would have written (a test
compares).

Everything else goes through SQLAlchemy as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import Insert


#: a psycopg placeholder (`%(name)s`, not an escaped `%%`). `%(name)b` has psycopg send the
#: value in PostgreSQL's binary format: a document's texts as arrays cost ~10 ms of CPU per
#: 100 stories to quote as text (each element searched for characters to escape) and ~1 ms in
#: binary (measured with psycopg 3.3's dumpers)
_BINARY = re.compile(r"(?<!%)%\((\w+)\)s")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: named placeholders (psycopg): the statement's own constant parameters
    constants: dict[str, Any]
    #: positional placeholders (sqlite3): where each one's value sits in the given values
    #: followed by `tail`; None when the given values are already in placeholder order
    order: list[int] | None
    tail: list[Any]
    positional: bool


class RawStatement:
    """A SQLAlchemy statement compiled once per dialect and run on the driver connection.

    `params` names the statement's parameters in the order `execute` takes their values,
    already in the driver's types (see `converters`).
    """

    def __init__(self, statement: ClauseElement, params: Sequence[str]) -> None:
        self.statement = statement
        self.params = tuple(params)
        self._by_dialect: dict[str, _Compiled] = {}

    def execute(self, conn: Connection, values: Sequence[Any]) -> Any:
        """Run in `conn`'s transaction; returns the driver's cursor."""
        compiled = self._by_dialect.get(conn.dialect.name) or self._compile(conn.dialect)
        if not compiled.positional:
            return _run(conn, compiled.sql, {**compiled.constants, **dict(zip(self.params, values))})
        if compiled.order is None and not compiled.tail:
            return _run(conn, compiled.sql, values)
        given = [*values, *compiled.tail]
        return _run(conn, compiled.sql,
                    given if compiled.order is None else [given[i] for i in compiled.order])

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        constants = {k: v for k, v in compiled.params.items() if k not in self.params}
        if not compiled.positional:  # psycopg: every parameter sent in binary
            found = _Compiled(_BINARY.sub(r"%(\1)b", compiled.string), constants, None, [], False)
        else:
            where = {name: i for i, name in enumerate(self.params)}
            tail = [name for name in compiled.positiontup if name not in where]  # type: ignore[union-attr]
            for k, name in enumerate(tail):
                where[name] = len(self.params) + k
            order = [where[name] for name in compiled.positiontup]  # type: ignore[union-attr]
            found = _Compiled(compiled.string, constants,
                              None if order == list(range(len(order))) else order,
                              [constants[name] for name in tail], True)
        self._by_dialect[dialect.name] = found
        return found


def multi_row(
    build: Callable[[list[dict[str, Any]]], Insert], columns: Sequence[str], rows: int
) -> RawStatement:
    """An INSERT of `rows` rows over `columns` (`build` adds ON CONFLICT, RETURNING) whose
    values are given flat, row after row, in `columns` order."""
    names = [[f"r{i}__{c}" for c in columns] for i in range(rows)]
    statement = build([{c: bindparam(name) for c, name in zip(columns, row)} for row in names])
    return RawStatement(statement, [name for row in names for name in row])


def converters(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """(position, bind processor) of the `columns` whose type converts values for `dialect`:
    the model's own processors (times, JSON), so raw rows are stored as SQLAlchemy stores them."""
    out = []
    for position, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            out.append((position, processor))
    return tuple(out)


def _run(conn: Connection, sql: str, params: Any) -> Any:
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        if not conn.in_transaction():
            conn.begin()
        return driver.execute(sql, params, prepare=True)  # type: ignore[union-attr]
    return driver.execute(sql, params)  # type: ignore[union-attr]
