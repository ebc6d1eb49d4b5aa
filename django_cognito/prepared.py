"""Reads on the sign-in path, compiled to SQL once per connection and shape.

Django compiles a QuerySet to SQL each time it is evaluated. For the 25 columns of a pool user
that costs about 0.4 ms of Python, several times what the database spends answering, and
every sign-in makes such reads. :func:`fetch` builds the QuerySet once with marker arguments,
compiles it, notes where each argument lands among the SQL parameters, and from then on runs
the plain parameterised SQL. Rows become model instances through the converters and
``Model.from_db`` that Django's own iterator uses, so they behave exactly like the ORM's.

A QuerySet whose compiled parameters do not show every marker unchanged (an argument that a
lookup transforms, such as ``__contains``), or that selects related rows, is simply
evaluated by the ORM on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models.query import QuerySet

from .crypto.fields import EncryptedTextField

M = TypeVar("M", bound=models.Model)
_INT_MARKER = -7_355_608_000_000_000


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each SQL parameter: the index of the argument it carries, or None for a constant.
    slots: tuple[int | None, ...]
    constants: tuple[Any, ...]
    init_list: tuple[str, ...]
    model_columns: slice
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


def _marker(index: int, value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError("prepared arguments are strings or integers")
    # Mixed case and LIKE's special characters, so that a lookup lowering, raising or escaping
    # its argument shows as a transformation.
    return f"\x00Cognito_Arg%{index}\\\x00" if isinstance(value, str) else _INT_MARKER - index


def _lazy(converters: list[Callable[..., Any]], expression: Any) -> list[Callable[..., Any]]:
    """Encrypted columns stay sealed until read (see ``EncryptedTextField``)."""
    field = getattr(expression, "target", None)
    if not isinstance(field, EncryptedTextField):
        return converters
    return [field.sealed_from_db_value if c == field.from_db_value else c for c in converters]


def _compile(queryset: QuerySet[Any], markers: Sequence[object]) -> _Compiled | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    if compiler.klass_info is None or compiler.klass_info.get("related_klass_infos") or \
            compiler.annotation_col_map:
        return None
    positions = {marker: index for index, marker in enumerate(markers)}
    slots: list[int | None] = []
    constants: list[Any] = []
    for param in params:
        slot = positions.get(param) if isinstance(param, (str, int)) else None
        if slot is None and (isinstance(param, str) and "\x00cognito_arg%" in param.lower() or
                             isinstance(param, int) and param <= _INT_MARKER):
            return None  # an argument transformed on its way into the SQL
        slots.append(slot)
        constants.append(None if slot is not None else param)
    if {s for s in slots if s is not None} != set(range(len(markers))):
        return None
    fields = [column[0] for column in compiler.select[:compiler.col_count]]
    converters = {pos: (_lazy(convs, expression), expression)
                  for pos, (convs, expression) in compiler.get_converters(fields).items()}
    start, end = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1]
    init_list = tuple(column[0].target.attname for column in compiler.select[start:end + 1])
    return _Compiled(sql=sql, slots=tuple(slots), constants=tuple(constants),
                     init_list=init_list, model_columns=slice(start, end + 1),
                     converters=tuple((pos, tuple(convs), expression)
                                      for pos, (convs, expression) in converters.items()))


def fetch(key: Hashable, model: type[M], build: Callable[[Sequence[Any]], QuerySet[M]],
          args: Sequence[Any]) -> list[M]:
    """The ``model`` instances ``build(args)`` selects, through SQL compiled once per ``key``.

    ``build`` must give the same query shape for every ``args`` under one ``key``; ``args``
    are strings or integers that the query compares as they are.
    """
    using = router.db_for_read(model)
    connection = connections[using]
    store: dict[Hashable, _Compiled | None] = connection.__dict__.setdefault(
        "_cognito_prepared", {})
    if key not in store:
        markers = [_marker(i, a) for i, a in enumerate(args)]
        try:
            store[key] = _compile(build(markers).using(using), markers)
        except (TypeError, ValueError, ValidationError):
            store[key] = None  # a field that cannot take a marker: the ORM it is
    compiled = store[key]
    if compiled is None:
        return list(build(args).using(using))
    params = [args[s] if s is not None else c
              for s, c in zip(compiled.slots, compiled.constants, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    results = []
    for row in rows:
        values = list(row)
        for pos, convs, expression in compiled.converters:
            value = values[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            values[pos] = value
        results.append(model.from_db(using, compiled.init_list, values[compiled.model_columns]))
    return results


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def insert(model: type[models.Model], values: dict[str, Any]) -> None:
    """INSERT one row of ``model`` from ``{field name: value}``, the SQL built once per
    connection and column set; values go through each field's ``get_db_prep_save``.

    Unlike ``Model.save`` it sends no ``pre_save``/``post_save`` signals and reads nothing
    back, so it serves rows whose every column the caller knows (defaults are not applied).
    """
    using = router.db_for_write(model)
    connection = connections[using]
    store: dict[Hashable, tuple[str, tuple[Any, ...]]] = \
        connection.__dict__.setdefault("_cognito_prepared_inserts", {})
    key = (model._meta.label, tuple(values))
    if key not in store:
        fields = tuple(_concrete(model, name) for name in values)
        quote = connection.ops.quote_name
        table = str(model._meta.db_table)
        sql = (f"INSERT INTO {quote(table)} "  # noqa: S608 (names from the model)
               f"({', '.join(quote(str(f.column)) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        store[key] = (sql, fields)
    sql, fields = store[key]
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
