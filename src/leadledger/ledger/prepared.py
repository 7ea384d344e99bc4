"""Reads declared once as querysets, compiled to SQL once per database, and run with each call's values.

Django builds and compiles a queryset afresh on every call: some 0.25 ms of Python for a read that the
database answers in 0.05 (docs/benchmarks.md, issue 14's page budget). The reads every page makes (the
departed staff, the project's people, a log's head) are declared here with stand-in values; the SQL
compiled from them is kept per database, and each call puts its own values where the stand-ins were
(as `desk.queue._count_sql` does for the menu's counts). The conditions stay declared once, in the ORM.

Each row's columns are converted as the ORM converts them (a moment made aware, JSON read), with this
thread's connection. A read whose stand-ins cannot be told apart from its other values is refused at its
first call, so that no read silently puts a value where another belongs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.sql import InsertQuery

# Values no real row holds, each used as one call's value would be (ids are positive; 1970 is before any event).
STAND_IN_IDS = (-4_242_401, -4_242_402, -4_242_403)
STAND_IN_MOMENT = datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
STAND_IN_MOMENT_2 = datetime(1970, 1, 3, 4, 5, 6, 789012, tzinfo=UTC)
STAND_IN_DAYS = (date(1970, 1, 4), date(1970, 1, 5))


class Ids:
    """A stand-in for a list of at most `most` ids (`pk__in=...`): the read is compiled for `most` of them, and a
    shorter list is filled up with its own last value, which the database reads as the list itself (IN ignores
    repeats). An empty list is refused: the ORM answers it without asking the database, so the caller does."""

    kind: type = int
    _next = -5_000_000  # each list's values its own, below the single stand-ins

    def __init__(self, most: int) -> None:
        if most < 1:
            raise ValueError("a list holds at least one value")
        self.most = most
        numbers = range(Ids._next, Ids._next - most, -1)
        Ids._next -= most
        self.values: list[Any] = [self.kind(n) if self.kind is int else f"\x00{n}" for n in numbers]


class Texts(Ids):
    """A stand-in for a list of at most `most` strings (a mask's stored tails), as `Ids` is for ids."""

    kind = str


def _ids(stand_in: object, given: object) -> tuple[object, ...]:
    if not isinstance(stand_in, Ids):
        return (given,)
    if not isinstance(given, (list, tuple)) or not all(type(v) is stand_in.kind for v in given):
        raise TypeError(f"{given!r} given where a list of {stand_in.kind.__name__} was compiled")
    if not given or len(given) > stand_in.most:
        raise ValueError(f"{len(given)} ids given where 1 to {stand_in.most} were compiled")
    return (*given, *[given[-1]] * (stand_in.most - len(given)))


class PreparedRead:
    """`build(*stand_ins)` compiled once per database; `rows(*values)` runs it with `values` in their place."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *stand_ins: object) -> None:
        self._build = build
        self._declared = stand_ins
        # Each value the SQL is compiled with: a list's ids each in its own place.
        self._stand_ins = tuple(v for s in stand_ins for v in (s.values if isinstance(s, Ids) else (s,)))
        self._compiled: dict[str, tuple[str, list[Any], list[int | None], list[Any]]] = {}
        # Each connection's converters of the columns (a thread's own: they are its connection's methods).
        self._converting: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()

    @staticmethod
    def _adapted(connection: Any, value: object) -> object:
        if isinstance(value, datetime):  # as the ORM passes a moment to this database
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):  # and a day
            return connection.ops.adapt_datefield_value(value)
        return value

    def _compile(self, alias: str) -> tuple[str, list[Any], list[int | None], list[Any]]:
        connection = connections[alias]
        built = self._build(*(s.values if isinstance(s, Ids) else s for s in self._declared))
        compiler = built.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        stand_ins = [self._adapted(connection, value) for value in self._stand_ins]
        places: list[int | None] = []
        for param in params:
            found = [i for i, value in enumerate(stand_ins) if type(value) is type(param) and value == param]
            if len(found) > 1:
                raise AssertionError(f"stand-in {param!r} given twice: give each value its own")
            places.append(found[0] if found else None)  # None: a value of the read itself (a kind, a role)
        if sorted({p for p in places if p is not None}) != list(range(len(stand_ins))):
            raise AssertionError("every stand-in must be a value the read is compiled with")
        self._compiled[alias] = (sql, list(params), places, columns)
        return self._compiled[alias]

    def rows(self, *values: object, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        """The rows the queryset built with `values` would give as a values_list (one tuple a row)."""
        if len(values) != len(self._declared):
            raise TypeError(f"expected {len(self._declared)} values, got {len(values)}")
        if any(isinstance(s, Ids) for s in self._declared):
            values = tuple(v for s, given in zip(self._declared, values, strict=True) for v in _ids(s, given))
        for value, stand_in in zip(values, self._stand_ins, strict=True):
            # The SQL was compiled for a value of the stand-in's kind: None (IS NULL in the ORM, `= NULL`
            # here), True for an id, a day for a moment would each be read otherwise than the queryset reads them.
            if (
                not isinstance(value, type(stand_in))
                or isinstance(value, bool) != isinstance(stand_in, bool)
                or isinstance(value, datetime) != isinstance(stand_in, datetime)
            ):
                raise TypeError(f"{value!r} given where a {type(stand_in).__name__} was compiled")
            if isinstance(value, datetime) and value.utcoffset() is None:
                raise ValueError(f"{value!r} is naive: the ORM would read it in the default time zone")
        sql, params, places, columns = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        given = [self._adapted(connection, value) for value in values]
        actual = [param if place is None else given[place] for param, place in zip(params, places, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, actual)
            rows = cursor.fetchall()
        # As SQLCompiler.get_converters and apply_converters do, with this thread's connection (asked once each).
        converting = self._converting.get(connection)
        if converting is None:
            converting = self._converting[connection] = [
                (i, column, converters)
                for i, column in enumerate(columns)
                if (converters := connection.ops.get_db_converters(column) + column.get_db_converters(connection))
            ]
        if not converting:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            values_of_row = list(row)
            for i, column, converters in converting:
                for converter in converters:
                    values_of_row[i] = converter(values_of_row[i], column, connection)
            converted.append(tuple(values_of_row))
        return converted


class PreparedInsert:
    """`instance.save(force_insert=True)` of a new row, its INSERT compiled once per database.

    For a model with no parent, no `save()` of its own and no receiver of its save signals (the chained logs,
    the desk's search record): Django builds and compiles the same INSERT on every save, some 0.15 ms of
    Python. Each field's value is prepared as Django's insert prepares it (`pre_save`, then
    `get_db_prep_save`); the key comes back as Django reads it. A value that is an expression, or a model
    whose fields need their own placeholders, is saved by Django instead.
    """

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        if meta.parents or list(meta.db_returning_fields) != [meta.auto_field]:
            raise AssertionError(f"{model.__name__}: only a model of one table whose key alone comes back")
        self._model = model
        self._fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        self._plain = not any(hasattr(field, "get_placeholder") for field in self._fields)
        self._compiled: dict[str, str] = {}

    def _compile(self, alias: str) -> str:
        query = InsertQuery(self._model)
        query.insert_values(self._fields, [self._model()])  # compiling runs pre_save: on a row of its own
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [self._model._meta.auto_field]  # as save() asks for it
        [(statement, params)] = compiler.as_sql()
        if len(params) != len(self._fields) or statement.count("%s") != len(self._fields):
            raise AssertionError(f"{self._model.__name__}: a field is not inserted as one plain value")
        if compiler.returning_params:  # values the database would write back into (Oracle's way): not here
            raise AssertionError("a key given back through parameters")
        self._compiled[alias] = statement
        return statement

    def insert(self, instance: Model, *, using: str = DEFAULT_DB_ALIAS) -> None:
        """Insert `instance` (a new row: no key yet) and give it its key, as `save(force_insert=True)` does."""
        if type(instance) is not self._model or instance.pk is not None:
            raise AssertionError("a new row of this read's model")
        connection = connections[using]
        if connection.vendor not in ("sqlite", "postgresql"):  # the two this project runs on, read as below
            instance.save(force_insert=True, using=using)
            return
        # As save() does first: a related object unsaved is refused ("prohibited to prevent data loss"), one
        # saved since it was assigned gives its key.
        instance._prepare_related_fields_for_save(operation_name="save")
        values = [field.pre_save(instance, True) for field in self._fields]
        if not self._plain or any(hasattr(value, "resolve_expression") for value in values):
            instance.save(force_insert=True, using=using)
            return
        statement = self._compiled.get(using) or self._compile(using)
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(self._fields, values, strict=True)
        ]
        key = self._model._meta.auto_field
        # As save() does: an error marks the transaction it happens in for rollback.
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(statement, params)
            if connection.features.can_return_columns_from_insert:  # INSERT … RETURNING the key: one row
                value = cursor.fetchone()[0]
            else:
                value = connection.ops.last_insert_id(cursor, self._model._meta.db_table, key.column)
        column = key.get_col(self._model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        setattr(instance, key.attname, value)
        instance._state.adding, instance._state.db = False, using
