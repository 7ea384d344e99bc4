"""Fixtures shared by the whole suite."""

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from helpers import Story
from office import OFFICE_HASHERS, Office, office_create, quick_hashers

POSTGRES = os.environ.get("LEADLEDGER_TEST_POSTGRES")

# No per-example deadline: on a loaded two-core machine (CI, a busy laptop) a slow example is not a
# failure; what the properties check is the answer, not the time. Speed is checked by benchmarks.
hypothesis_settings.register_profile("leadledger", deadline=None)
hypothesis_settings.load_profile("leadledger")


def _no_log_file() -> None:
    """The suite's server errors and failed sign-ins are not the user's: kept out of ~/.leadledger's log
    file (settings are loaded before this file; the test of the file runs a process of its own)."""
    from leadledger.logs import RotatingFile

    for name in ("django.request", "django.security", "leadledger"):
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if isinstance(h, RotatingFile)]:
            logger.removeHandler(handler)


_no_log_file()
quick_hashers()


@pytest.fixture
def office_hashers(settings) -> None:  # type: ignore[no-untyped-def]
    """The shipped password hashers, for a test of the shipped cost (the suite's are quick: office.py)."""
    settings.PASSWORD_HASHERS = OFFICE_HASHERS


def pytest_configure(config: pytest.Config) -> None:
    """This process's folder for a migrated copy of an empty SQLite database (tests/migrated.py)."""
    os.environ["LEADLEDGER_TEST_MIGRATED"] = tempfile.mkdtemp(prefix="leadledger-migrated-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop("LEADLEDGER_TEST_MIGRATED", ""), ignore_errors=True)


@pytest.fixture
def story() -> Story:
    return Story()


@pytest.fixture
def office(db: None) -> Office:
    return office_create()


def _fresh_database(kind: str, tmp_path: Path, label: str) -> Iterator[str]:
    """A new empty database of `kind` for the test, dropped after it (PostgreSQL) or in tmp_path (SQLite)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip(f"PostgreSQL {label} skipped: set LEADLEDGER_TEST_POSTGRES to a server URL (see .ci/run)")
    import psycopg

    name = f"leadledger_{label}_{uuid.uuid4().hex[:8]}"
    admin_dsn = POSTGRES.replace("postgresql:///", "dbname=").replace("?host=", " host=")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = POSTGRES.partition("?")
    yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def race_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each kind, outside the test transaction: the desks must really commit."""
    yield from _fresh_database(request.param, tmp_path, "race")


@pytest.fixture
def spare_database(race_database: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh database of the same kind as `race_database` (a restore's target)."""
    yield from _fresh_database("sqlite" if race_database.startswith("sqlite") else "postgresql", tmp_path, "spare")


@pytest.fixture(autouse=True)
def _checkpoints_beside_the_test(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each test signs with its own key into its own log, never the user's ~/.leadledger."""
    settings.LEADLEDGER_KEY_FILE = str(tmp_path / "keys" / "checkpoint.key")
    settings.LEADLEDGER_CHECKPOINT_LOG = str(tmp_path / "keys" / "checkpoints.jsonl")
    settings.LEADLEDGER_SECRET_KEY_FILE = str(tmp_path / "keys" / "secret-key")  # `demo` writes one if none


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker more than the cores (`-n auto`): about a seventh of a two-worker run's core time was idle,
    tests waiting on servers starting, the board's 2-s refresh and killed processes; a third worker fills it
    (the 3.11 suite 1,114 s → 913 s on two cores, docs/operations.md)."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PostgreSQL rerun is the longest test by far: start it first, so the other worker runs the rest beside it.
    Browser walks and races in databases of their own are long runs (the `long` marker, pyproject.toml).

    Long runs next, short tests last: xdist's worksteal gives each worker a contiguous share and a worker with
    nothing left takes from the end of another's queue, so a long test left to the end ran alone while
    the others waited (a run here spent its last two minutes on its last 3% of tests)."""
    for item in items:
        if "browser" in item.path.parts or item.get_closest_marker("own_database"):
            item.add_marker(pytest.mark.long)
    items.sort(key=lambda item: ("test_postgresql.py" not in item.nodeid, item.get_closest_marker("long") is None))


@pytest.fixture(autouse=True)
def _lookups_unlimited(settings) -> None:  # type: ignore[no-untyped-def]
    """The suite searches far past a human pace as one user (sweeps, fuzzing, races); the lookup limits
    (ledger/lookups.py) are lifted here and set back to the shipped numbers by the tests of the limits
    themselves (tests/ledger/test_lookups.py, the `lookup_limits` fixture)."""
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 1_000_000
    settings.LEADLEDGER_LOOKUPS_PER_HOUR = 1_000_000
