"""Django's SQLite backend, with writers that take turns every 2 ms instead of SQLite's growing sleeps.

SQLite lets one writer at a time. A second writer used to wait in SQLite's busy handler, which sleeps and
tries again (1, 2, 5 … then 100 ms at a time): on a launch day (30 desks, 130 sign-ins, registrations,
every search's log line) a registration that had to wait slept past the writer it waited for, and its p95
was several times its own cost (docs/benchmarks.md, "A launch day"). Here each transaction first takes a
lock on a file beside the database (flock: every process and thread of every app server on this file),
asked again every 2 ms, so that the next writer starts as soon as the one before ends and SQLite never sees
two writers. Readers are not concerned (WAL). An in-memory database (the suite's) has no file and no queue.

A write outside a transaction (Django saves a single row in autocommit: a sign-in's attempt and last_login)
takes its turn too, for that one statement. Without it such a write met a busy database in SQLite's sleeps,
and on a launch day a sign-in's p95 was five times its median (docs/benchmarks.md, seventeenth session).
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows has no fcntl: writers there wait in SQLite's own way, as with Django's backend
    fcntl = None  # type: ignore[assignment]


# A statement that writes by itself when no transaction is open (Django's SQL starts with its verb).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _qmark(query: str) -> str:
    # Django's conversion from its "%s" placeholders to sqlite3's "?": the same few statements each request,
    # rewritten by a regex on every execute (some forty a page).
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class _Cursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write in autocommit waits for the writers' turn like a transaction does."""

    turns: DatabaseWrapper

    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query)
        return str(super().convert_query(query, param_names=param_names))

    def _turn_if_alone(self, query: str) -> AbstractContextManager[None]:
        connection = self.connection  # sqlite3's: no transaction open and none to be opened implicitly
        if connection.in_transaction or connection.isolation_level is not None or not _WRITES.match(query):
            return nullcontext()
        return self.turns.turn_for_a_statement()

    def execute(self, query: str, params: Any = None) -> Any:
        with self._turn_if_alone(query):
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        with self._turn_if_alone(query):
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    _turn: int | None = None  # the lock file's descriptor while this connection holds the writers' turn

    def create_cursor(self, name: str | None = None) -> _Cursor:
        cursor: _Cursor = self.connection.cursor(factory=_Cursor)
        cursor.turns = self
        return cursor

    @contextmanager
    def turn_for_a_statement(self) -> Iterator[None]:
        """The writers' turn for one statement that commits by itself (autocommit, no transaction open)."""
        if self._turn is not None:  # already ours
            yield
            return
        self._take_turn()
        try:
            yield
        finally:
            self._end_turn()

    def _take_turn(self) -> None:
        if self._turn is None and fcntl is not None and not self.is_in_memory_db():
            descriptor = os.open(f"{self.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
            # Asked every 2 ms (a blocking flock cannot time out): a writer starts at most 2 ms after the one
            # before ends. Past the database's timeout it goes on without its turn, and SQLite's own wait decides
            # ("database is locked", as before) rather than a writer waiting forever on a stuck one.
            deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() < deadline:
                        time.sleep(0.002)
                        continue
                    os.close(descriptor)
                    return
                except BaseException:
                    os.close(descriptor)
                    raise
                self._turn = descriptor
                return

    def _end_turn(self) -> None:
        descriptor, self._turn = self._turn, None
        if descriptor is not None:
            os.close(descriptor)  # closing releases the lock

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._end_turn()
