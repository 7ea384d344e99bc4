"""SQLite writers take turns (ledger/sqlite): a writer waits for the one before, then starts at once,
in any thread or process; a rollback or a closed connection hands the turn on; an in-memory database has
no queue. On a launch day SQLite's own growing sleeps made waiting writers' p95 several times their cost."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from leadledger.settings import database_from_url


def _connection(path: Path, **options: object) -> Any:
    settings = database_from_url(f"sqlite:///{path}")
    settings["OPTIONS"] = {**settings["OPTIONS"], **options}  # type: ignore[dict-item]
    return ConnectionHandler({"default": settings})["default"]


def _write(connection: Any, value: str) -> None:
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()  # what transaction.atomic does first
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO said (value) VALUES (%s)", [value])


def _free(lock: Path) -> bool:
    descriptor = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker: Any) -> Any:
    """These tests open connections of their own to files of their own, not the suite's database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "turns.sqlite3"
    first = _connection(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE said (value TEXT)")
    first.close()
    return path


def test_a_second_writer_waits_for_the_first_and_then_writes(database: Path) -> None:
    order: list[str] = []
    first_in, second_tried = threading.Event(), threading.Event()

    def first() -> None:
        connection = _connection(database)
        _write(connection, "first")
        order.append("first wrote")
        first_in.set()
        second_tried.wait(5)
        time.sleep(0.2)  # the second is waiting meanwhile
        order.append("first commits")
        connection.commit()
        connection.close()

    def second() -> None:
        first_in.wait(5)
        connection = _connection(database)
        second_tried.set()
        _write(connection, "second")  # waits for its turn
        order.append("second wrote")
        connection.commit()
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["first wrote", "first commits", "second wrote"]
    reader = _connection(database)
    with reader.cursor() as cursor:
        cursor.execute("SELECT value FROM said ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
    reader.close()
    assert _free(Path(f"{database}-writers.lock"))  # the turn is handed back after the last commit


def test_a_rollback_or_a_closed_connection_hands_the_turn_on(database: Path) -> None:
    lock = Path(f"{database}-writers.lock")
    connection = _connection(database)
    _write(connection, "undone")
    assert not _free(lock)
    connection.rollback()
    assert _free(lock)
    _write(connection, "left open")
    assert not _free(lock)
    connection.close()
    assert _free(lock)


def test_a_writer_whose_turn_never_comes_is_refused_by_sqlite_not_left_waiting(database: Path) -> None:
    from django.db import OperationalError

    holder = _connection(database)
    _write(holder, "held")
    waiting = _connection(database, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        _write(waiting, "never")
    assert time.monotonic() - started < 5
    holder.rollback()
    holder.close()
    waiting.close()


def test_an_in_memory_database_has_no_queue(tmp_path: Path) -> None:
    settings = database_from_url(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    settings["NAME"] = ":memory:"
    connection = ConnectionHandler({"default": settings})["default"]
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()
    connection.rollback()
    connection.close()
    assert not list(tmp_path.iterdir())


def test_a_threads_connection_is_kept_between_requests(database: Path) -> None:
    """Decision 533: opening a SQLite connection (the schema read, the PRAGMAs) cost a bare view half its time;
    Django closes a connection at the end of each request unless it may be kept."""
    connection = _connection(database)
    connection.ensure_connection()
    opened = connection.connection
    connection.close_if_unusable_or_obsolete()  # what Django does as a request ends and the next begins
    connection.ensure_connection()
    assert connection.connection is opened
    _write(connection, "kept")
    connection.commit()
    assert _free(Path(f"{database}-writers.lock"))  # a kept connection still hands the writers' turn on
    connection.close()


def test_a_write_outside_a_transaction_waits_for_its_turn_and_a_read_does_not(database: Path) -> None:
    """Django saves one row in autocommit (a sign-in's attempt, its last_login): such a write waited in SQLite's
    growing sleeps instead of the writers' queue, and on a launch day a sign-in's p95 was five times its median."""
    lock = os.open(f"{database}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another writer's turn (SQLite itself is not locked)
    written = threading.Event()

    def autocommit_write() -> None:
        connection = _connection(database)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO said (value) VALUES (%s)", ["alone"])
        written.set()
        connection.close()

    writer = threading.Thread(target=autocommit_write)
    writer.start()
    reader = _connection(database)
    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM said")  # a read is not queued
        assert cursor.fetchone() == (0,)
    assert not written.wait(0.3)  # waits for the turn
    os.close(lock)  # the turn ends
    assert written.wait(5)
    writer.join(5)
    with reader.cursor() as cursor:
        cursor.execute("SELECT value FROM said")
        assert cursor.fetchall() == [("alone",)]
    reader.close()
    assert _free(Path(f"{database}-writers.lock"))  # handed back after the one statement
