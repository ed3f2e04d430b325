"""Hot, fixed-shape reads without the ORM's per-request compiling, run as server-side prepared statements.

The busiest pages read a handful of rows by key. Through the ORM, building and compiling those queries cost more
than PostgreSQL spent answering them, and PostgreSQL spent more planning them than running them. Here a query's
SQL is written once (from the models' own column names), `prepared_cursor` has PostgreSQL parse and plan it once
per connection, and `RowShape.build` turns each row into a model instance the way the ORM's `from_db` does:
columns left out are deferred, as with `.only()`.

Only for statements whose best plan does not depend on the values (look-ups by primary or foreign key, a
category's facet pass): a prepared statement may switch to one generic plan after five executions. A partial
index's condition must be written into the statement, not bound: a generic plan of the category page's facet
pass with `status = $3` could not use `listing_cat_browse` (WHERE status = 'published') and cost three times as
much, so `KeyedQuery` and `prepared_rows` write such values in as literals.
`DB_PREPARED_STATEMENTS=0` turns preparing off (for a transaction-pooling PgBouncer older than 1.21, or one
without `max_prepared_statements`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

import psycopg
import psycopg.sql
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from psycopg.pq import Format

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
NEVER_BY_COUNT = 2**62


class _PreparingCursor(psycopg.Cursor):
    """Server-side parameter binding, and every statement prepared on its first execution on the connection."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedPreparingCursor(_PreparingCursor):
    """While queries are logged (DEBUG, tests): psycopg does not keep the text of a prepared execution, which
    Django's query log reads (`last_executed_query`)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        result = super().execute(query, params, binary=binary)
        if self._query is None:
            self._query = self._convert_query(query, params)
        return result


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[CursorWrapper]:
    """A cursor like `connection.cursor()` (logged, errors wrapped, health-checked) whose statements are prepared."""
    connection = connections[using]
    if not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    # what BaseDatabaseWrapper._cursor and the backend's create_cursor do, with our cursor class instead of the
    # connection's client-side one
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django connects with None, which turns preparing off altogether; a threshold no statement reaches
            # leaves the ORM's statements unprepared and lets ours be prepared when they ask
            connection.connection.prepare_threshold = NEVER_BY_COUNT
        cursor_class = _LoggedPreparingCursor if connection.queries_logged else _PreparingCursor
        raw = cursor_class(connection.connection)
        if connection.timezone != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(connection.timezone, raw)
        cursor = connection._prepare_cursor(raw)
    with cursor:
        yield cursor


@contextmanager
def side_connection(using: str = DEFAULT_DB_ALIAS, *, lock_timeout_ms: int = 2000) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own beside the thread's: what it writes commits at once (autocommit), so others see it
    while the thread's own transaction is still open (a long import reports its progress this way). It gives up
    waiting for a row lock after `lock_timeout_ms` rather than wait forever on a row the thread itself holds."""
    connection = connections.create_connection(using)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{lock_timeout_ms}ms"])
        yield connection
    finally:
        connection.close()


@dataclass(frozen=True)
class RowShape:
    """Which of a model's columns a query selects, and how to turn them back into an instance."""

    model: type[Model]
    attnames: tuple[str, ...]
    columns: tuple[str, ...]
    converters: tuple[tuple[int, object], ...]  # (position, field) for fields with from_db_value (JSON)
    pk_position: int

    @classmethod
    def of(cls, model: type[Model], *, exclude: Iterable[str] = (), only: Iterable[str] = ()) -> RowShape:
        """Every concrete field of `model` (or only those named), but the excluded ones; the primary key always."""
        excluded, wanted = set(exclude), set(only)
        fields = [
            field
            for field in model._meta.concrete_fields
            if field.primary_key or (field.name not in excluded and (not wanted or field.name in wanted))
        ]
        return cls(
            model=model,
            attnames=tuple(field.attname for field in fields),
            columns=tuple(field.column for field in fields),
            converters=tuple(
                (position, field) for position, field in enumerate(fields) if hasattr(field, "from_db_value")
            ),
            pk_position=next(position for position, field in enumerate(fields) if field.primary_key),
        )

    def __len__(self) -> int:
        return len(self.columns)

    def select(self, alias: str) -> str:
        return ", ".join(f'{alias}."{column}"' for column in self.columns)

    def build(self, values: Sequence, using: str = DEFAULT_DB_ALIAS) -> Model:
        if self.converters:
            values = list(values)
            connection = connections[using]
            for position, field in self.converters:
                values[position] = field.from_db_value(values[position], None, connection)
        return self.model.from_db(using, self.attnames, values)

    def build_or_none(self, values: Sequence, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """For a LEFT JOIN: None when the joined row is missing (its primary key is NULL)."""
        return None if values[self.pk_position] is None else self.build(values, using)


_PLACEHOLDER = re.compile(r"%%|%s")


def with_literals(sql: str, params: Sequence, raw_connection, *, keep) -> tuple[str, list]:
    """`sql` (compiled by the ORM, %s placeholders) with every parameter `keep(value)` refuses written in as a
    literal, and the parameters that remain, in order."""
    parts: list[str] = []
    kept: list = []
    values = iter(params)
    end = 0
    for match in _PLACEHOLDER.finditer(sql):
        parts.append(sql[end : match.start()])
        end = match.end()
        if match.group() == "%%":
            parts.append("%%")
            continue
        value = next(values)
        if keep(value):
            parts.append("%s")
            kept.append(value)
        else:  # placeholders remain, so a % in a literal is written %%
            parts.append(psycopg.sql.Literal(value).as_string(raw_connection).replace("%", "%%"))
    parts.append(sql[end:])
    if next(values, values) is not values:
        raise ValueError("more parameters than placeholders")
    return "".join(parts), kept


def prepared_rows(sql: str, params: Sequence) -> list[tuple]:
    """The rows of an ORM-compiled statement whose plan does not depend on its values, run as a prepared statement.

    Its choices' values (statuses: what the partial indexes' conditions name) are written in as literals, so a
    generic plan still proves those conditions; every other value stays a parameter, so one statement serves
    every category, price or attribute value of the same shape. For the category page's facet pass PostgreSQL
    then plans once per connection and shape instead of on every page (0.7 of 3.6 ms of its time).
    """
    with prepared_cursor() as cursor:
        statement, kept = with_literals(sql, params, cursor.connection, keep=lambda value: not isinstance(value, Enum))
        cursor.execute(statement, kept)
        return cursor.fetchall()


class KeyedQuery:
    """An ORM query that differs from one run to the next only by its keys (a user's id, a listing's), compiled
    once per process and run as a prepared statement.

    `build(*keys)` returns the queryset for those keys (a `values_list` one); it is compiled for stand-in keys the
    first time it runs, and each run binds the real keys where the stand-ins stood. The query's rules stay in the
    selectors that build it; only the compiling (which for a few index probes cost more than PostgreSQL spent
    answering them) is done once. Its other values are written into the statement as literals, so the planner
    sees them as it sees the ORM's own: a partial index whose condition they prove (the hidden sellers', say)
    stays usable when PostgreSQL moves the prepared statement to a generic plan. Keys are integers; anything
    else the query compares with (a date, "now") must not be compiled into it.
    """

    STAND_INS = (7_340_031_977, 7_340_031_979, 7_340_031_983)  # no real keys: found among the parameters by value

    def __init__(self, build, *, keys: int = 1) -> None:
        if not 1 <= keys <= len(self.STAND_INS):
            raise ValueError(f"a keyed query takes 1 to {len(self.STAND_INS)} keys")
        self.build = build
        self.keys = keys
        self._compiled: tuple[str, list[int]] | None = None

    def _compile(self, raw_connection) -> tuple[str, list[int]]:
        """The statement with the keys as placeholders and every other value as a literal, and which key goes to
        each placeholder."""
        if self._compiled is None:
            stand_ins = self.STAND_INS[: self.keys]
            sql, params = self.build(*stand_ins).query.sql_with_params()
            statement, kept = with_literals(
                sql, params, raw_connection, keep=lambda value: type(value) is int and value in stand_ins
            )
            order = [stand_ins.index(value) for value in kept]
            if set(order) != set(range(self.keys)):
                raise ValueError("the query does not use each of its keys")
            self._compiled = (statement, order)
        return self._compiled

    def rows(self, *keys: int) -> list[tuple]:
        if len(keys) != self.keys:
            raise TypeError(f"this query takes {self.keys} key(s), got {len(keys)}")
        with prepared_cursor() as cursor:
            sql, order = self._compile(cursor.connection)
            cursor.execute(sql, [keys[key] for key in order])
            return cursor.fetchall()
