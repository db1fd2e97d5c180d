"""Model rows read by SQL written once, for the few requests where Django building the query costs more
than the database running it (docs/benchmarks.md, "Secret ballot under load": a vote is such a request),
and a statement PostgreSQL plans once per session for one whose planning costs more than its running.

The instances come from `Model.from_db`, as the ORM's own, so they behave like any other: a field left
out here would be loaded on first access, and a related object set with `attach` is what
`select_related` would have cached.
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError, connection
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in `from_db` order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return connection.ops.quote_name(field.column)


def instance(model: type[M], row: tuple[object, ...], start: int = 0) -> M | None:
    """The instance whose columns begin at `row[start]` (a `select_list` of it), or None where a LEFT JOIN
    found nothing (its primary key is NULL)."""
    names, pk_index, converters = _loading(model, connection.vendor)
    values = list(row[start : start + len(names)])
    if values[pk_index] is None:
        return None
    # Through each field's converters, as the ORM does (SQLite returns datetimes as text, say).
    for index, expression, convert in converters:
        values[index] = convert(values[index], expression, connection)
    return model.from_db(connection.alias, names, values)


Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _loading(model: type[Model], vendor: str) -> tuple[list[str], int, list[tuple[int, Any, Converter]]]:
    """What loading a row of `model` needs, worked out once per process: the attribute names, where the
    primary key is, and the converters the ORM would apply (the backend's, then the field's)."""
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            converters.append((index, col, convert))
    pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
    return [f.attname for f in fields], pk_index, converters


def attach(obj: Model, name: str, related: Model | None) -> None:
    """Cache `related` as `obj.<name>`, as `select_related(name)` does: reading it runs no query."""
    obj._meta.get_field(name).set_cached_value(obj, related)  # type: ignore[union-attr]


# The database sessions (psycopg connections) that hold each prepared statement, by statement name.
_prepared: dict[str, weakref.WeakSet[Any]] = {}


def execute_prepared(cursor: Any, name: str, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (with %s placeholders) on PostgreSQL as the prepared statement `name`: PREPARE once per
    database session, then EXECUTE. Django's cursors bind parameters on the client, so psycopg prepares
    nothing by itself.

    Should the statement be gone (a connection pooler between Django and PostgreSQL that hands out
    server sessions per transaction does that), it is prepared again once, outside a transaction; inside
    one, the error stands, since the transaction is then aborted anyway."""
    session = connection.connection
    holders = _prepared.get(name)
    if holders is None:
        holders = _prepared[name] = weakref.WeakSet()
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    if session not in holders:
        _prepare(cursor, name, sql)
        holders.add(session)
    try:
        cursor.execute(execute, params)
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) != "26000" or connection.in_atomic_block:
            raise  # 26000: invalid_sql_statement_name, "prepared statement ... does not exist"
        _prepare(cursor, name, sql)
        cursor.execute(execute, params)


def _prepare(cursor: Any, name: str, sql: str) -> None:
    numbers = itertools.count(1)
    cursor.execute(f"PREPARE {name} AS {re.sub('%s', lambda _: f'${next(numbers)}', sql)}")
