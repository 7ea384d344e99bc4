"""Fixtures shared by the whole suite."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from helpers import Story
from office import Office, office_create

POSTGRES = os.environ.get("LEADLEDGER_TEST_POSTGRES")

# No per-example deadline: on a loaded two-core machine (CI, a busy laptop) a slow example is not a
# failure; what the properties check is the answer, not the time. Speed is checked by benchmarks.
hypothesis_settings.register_profile("leadledger", deadline=None)
hypothesis_settings.load_profile("leadledger")


@pytest.fixture
def story() -> Story:
    return Story()


@pytest.fixture
def office(db: None) -> Office:
    return office_create()


@pytest.fixture(params=["sqlite", "postgresql"])
def race_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each kind, outside the test transaction: the desks must really commit."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL race skipped: set LEADLEDGER_TEST_POSTGRES to a server URL (see .ci/run)")
    import psycopg

    name = f"leadledger_race_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        POSTGRES.replace("postgresql:///", "dbname=").replace("?host=", " host="), autocommit=True
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = POSTGRES.partition("?")
    yield f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(
        POSTGRES.replace("postgresql:///", "dbname=").replace("?host=", " host="), autocommit=True
    ) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _checkpoints_beside_the_test(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each test signs with its own key into its own log, never the user's ~/.leadledger."""
    settings.LEADLEDGER_KEY_FILE = str(tmp_path / "keys" / "checkpoint.key")
    settings.LEADLEDGER_CHECKPOINT_LOG = str(tmp_path / "keys" / "checkpoints.jsonl")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PostgreSQL rerun is the longest test by far: start it first, so the other worker runs the rest beside it."""
    items.sort(key=lambda item: "test_postgresql.py" not in item.nodeid)


@pytest.fixture(autouse=True)
def _lookups_unlimited(settings) -> None:  # type: ignore[no-untyped-def]
    """The suite searches far past a human pace as one user (sweeps, fuzzing, races); the lookup limits
    (ledger/lookups.py) are lifted here and set back to the shipped numbers by the tests of the limits
    themselves (tests/ledger/test_lookups.py, the `lookup_limits` fixture)."""
    settings.LEADLEDGER_LOOKUPS_PER_MINUTE = 1_000_000
    settings.LEADLEDGER_LOOKUPS_PER_HOUR = 1_000_000
