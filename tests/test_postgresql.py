"""Everything that touches the database, again on PostgreSQL, when a server is given (CI starts one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

POSTGRES = os.environ.get("LEADLEDGER_TEST_POSTGRES")
HERE = Path(__file__).parent
# The ledger and the imports write and search the database their own way; of the pages, the tests of what
# a database may refuse (hostile values, fuzzing, lengths, NUL, sign-in's writes, the import page). The desk's
# races run on PostgreSQL in databases of their own; its pages, the page-by-role sweeps and the wording are
# the same on either database and run once, on SQLite (CI's time budget, decision 445), but "my customers",
# whose SQL is the database's own work.
DATABASE_SUITES = (
    "ledger",
    "imports",
    "web/test_hostile_input.py",
    "web/test_fuzz_forms.py",
    "web/test_lengths.py",
    "web/test_nul.py",
    "web/test_enumeration.py",
    "web/test_errors.py",
    "web/test_imports.py",
    "web/test_sign_in.py",
    "desk/test_mine.py",  # its tabs are counted and paged by the database (FILTER, NULLS LAST) from triggers' rows
)


@pytest.mark.skipif(
    not POSTGRES,
    reason="PostgreSQL run skipped: set LEADLEDGER_TEST_POSTGRES, e.g. "
    "postgresql:///leadledger_test?host=/var/run/postgresql (.ci/run starts a server and sets it)",
)
def test_the_database_suites_pass_on_postgresql() -> None:
    env = {**os.environ, "DATABASE_URL": str(POSTGRES)}
    env.pop("LEADLEDGER_TEST_POSTGRES")  # the races already ran on PostgreSQL in this session
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",  # this test holds one of the outer run's workers; the other goes on with the rest
            *(str(HERE / suite) for suite in DATABASE_SUITES),
            f"--ignore={HERE / 'imports' / 'test_fuzz_reader.py'}",  # files read in memory: no database (22 s)
            "-m",
            "not own_database",  # they ran on PostgreSQL in this session, in databases of their own
            "-k",
            "not passes_on_postgresql",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE.parent,
        check=False,
    )
    failed = "\n".join(line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR")))
    assert result.returncode == 0, failed + "\n" + result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary
    # Nothing skipped on PostgreSQL but what only SQLite has (INSERT OR REPLACE, REPLACE INTO).
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("SQLite's" in line for line in skipped), "\n".join(skipped)


def test_the_sweep_s_two_roles_open_every_page_the_other_two_open() -> None:
    """Hostile values go to the pages as the administrator and a consultant only (web/test_hostile_input.py)."""
    from leadledger.capabilities import ROLE_CAPABILITIES
    from leadledger.ledger.models import Staff

    swept = ROLE_CAPABILITIES[Staff.Role.ADMIN] | ROLE_CAPABILITIES[Staff.Role.CONSULTANT]
    assert ROLE_CAPABILITIES[Staff.Role.MANAGER] <= swept and ROLE_CAPABILITIES[Staff.Role.RECEPTIONIST] <= swept
