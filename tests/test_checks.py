"""`leadledger check`: Django's deployment checks plus ours, each failure said with its fix (issue 13)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.db import connection

from leadledger.checks import deployment_problems
from leadledger.cli import main
from leadledger.demo import secret_key_ensure
from leadledger.ledger import services
from office import Office

RANDOM_KEY = "k" * 20 + "Zq8-w3Lr_x9PfT2vB7nY4mC1dE6hJ0sU5aG"


@pytest.fixture
def deployed(settings, office: Office) -> object:  # type: ignore[no-untyped-def]
    """Settings as a deployment behind HTTPS sets them: every check passes."""
    settings.SECRET_KEY = RANDOM_KEY
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["leadledger.example.com"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    return settings


def _ids() -> set[str]:
    return {str(problem.id) for problem in deployment_problems()}


def test_a_deployment_with_everything_set_passes_every_check(deployed, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--lang", "en"]) == 0
    assert "every check passed" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["dev-only-not-secret-change-me", "leadledger-public-development-key-not-secret"])
def test_a_public_or_missing_secret_key_fails_the_check_with_its_fix(deployed, key: str, capsys) -> None:  # type: ignore[no-untyped-def]
    deployed.SECRET_KEY = key
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "leadledger.E001" in out and "LEADLEDGER_SECRET_KEY" in out


def test_debug_on_fails_the_check(deployed) -> None:  # type: ignore[no-untyped-def]
    deployed.DEBUG = True
    assert {"leadledger.E002", "security.W018"} <= _ids()


def test_allowed_hosts_of_anything_fails_the_check(deployed) -> None:  # type: ignore[no-untyped-def]
    deployed.ALLOWED_HOSTS = ["*"]
    assert "leadledger.E003" in _ids()


def test_cookies_sent_over_plain_http_fail_the_check_and_the_fix_names_our_setting(deployed, capsys) -> None:  # type: ignore[no-untyped-def]
    deployed.SESSION_COOKIE_SECURE = deployed.CSRF_COOKIE_SECURE = False
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "security.W012" in out and "security.W016" in out and "LEADLEDGER_HTTPS=true" in out


def test_a_check_an_operator_silenced_is_not_a_failure(deployed) -> None:  # type: ignore[no-untyped-def]
    deployed.SECURE_HSTS_SECONDS = 0
    assert "security.W004" in _ids()
    deployed.SILENCED_SYSTEM_CHECKS = [*deployed.SILENCED_SYSTEM_CHECKS, "security.W004"]
    assert _ids() == set()


def test_a_chain_that_does_not_verify_fails_the_check(deployed, office: Office) -> None:  # type: ignore[no-untyped-def]
    for staff in (office.alice, office.bob, office.alice):
        services.visit_register(project=office.project, customer=office.zhang, staff=staff)
    assert _ids() == set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_event_no_delete")
        else:  # the history's deferred key checks run first: PostgreSQL will not alter a table with them pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE ledger_event DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM ledger_event WHERE seq = 2")
    assert "leadledger.E012" in _ids()


def test_a_migration_not_applied_fails_the_check(deployed, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("ledger", "9999_future")])
    assert "leadledger.E011" in _ids()


def test_an_unreachable_database_fails_the_check(deployed, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from django.db import OperationalError

    def refuse() -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "ensure_connection", refuse)
        found = _ids()
    assert "leadledger.E010" in found


def test_the_first_run_writes_a_random_secret_key_only_its_owner_can_read_and_uses_it(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LEADLEDGER_SECRET_KEY", raising=False)
    settings.LEADLEDGER_SECRET_KEY_FILE = str(tmp_path / "office.sqlite3.secret-key")
    written = secret_key_ensure()
    assert written == tmp_path / "office.sqlite3.secret-key"
    key = written.read_text().strip()
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert len(key) >= 50 and key not in settings.PUBLIC_SECRET_KEYS and key == settings.SECRET_KEY
    assert secret_key_ensure() is None and written.read_text().strip() == key  # kept on later runs


def test_settings_read_the_key_file_beside_a_sqlite_database(tmp_path: Path) -> None:
    import subprocess
    import sys

    database = tmp_path / "office.sqlite3"
    (tmp_path / "office.sqlite3.secret-key").write_text("a-key-of-this-office-only\n")
    env = {k: v for k, v in os.environ.items() if k not in ("LEADLEDGER_SECRET_KEY", "LEADLEDGER_SECRET_KEY_FILE")}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    shown = subprocess.run(
        [sys.executable, "-c", "from leadledger import settings; print(settings.SECRET_KEY)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "a-key-of-this-office-only"
