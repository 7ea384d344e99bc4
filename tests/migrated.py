"""A fresh database, migrated in a second rather than in twelve: the suite's processes start from a copy.

Migrating an empty database renders Django's migration state some eighty times (12 s of CPU on our
two-core machines). The browser tests, the races and the workers each start from an empty database, so
in a run the first of them on SQLite migrates and keeps a copy of the file; the others start from that copy
and `migrate` again, which then has nothing to do. A PostgreSQL database is migrated as it comes (the
races there are few), and tests/ledger/test_migrations.py migrates from nothing, as a new office does.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

FOLDER = "LEADLEDGER_TEST_MIGRATED"  # this run's folder for the copy, set by tests/conftest.py


def _copied(source: Path, target: Path) -> None:
    # SQLite's backup, not a file copy: a write-ahead log beside the file holds committed pages too.
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def migrate() -> None:
    """Bring Django's database to the last migration, from this run's migrated copy when there is one."""
    folder = os.environ.get(FOLDER)
    database = settings.DATABASES["default"]
    if not folder or database["ENGINE"] != "leadledger.ledger.sqlite":
        call_command("migrate", interactive=False, verbosity=0)
        return
    name, copy = Path(str(database["NAME"])), Path(folder) / "migrated.sqlite3"
    empty = not name.exists() or name.stat().st_size == 0
    connections.close_all()
    if empty and copy.exists():
        _copied(copy, name)
    call_command("migrate", interactive=False, verbosity=0)
    if empty and not copy.exists():
        connections.close_all()
        partial = copy.with_name(f"{copy.name}.{os.getpid()}")
        _copied(name, partial)
        os.replace(partial, copy)  # whole or not at all, should two processes race to make it
