"""Model rows read by SQL written once, for the few requests where Django building the query costs more
than the database running it (docs/benchmarks.md, "Secret ballot under load": a vote is such a request).

The instances come from `Model.from_db`, as the ORM's own, so they behave like any other: a field left
out here would be loaded on first access, and a related object set with `attach` is what
`select_related` would have cached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection
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
