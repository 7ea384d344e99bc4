"""`leadledger check`: Django's deployment checks plus ours, registered with Django's check framework
(so `django-admin check --deploy --database default` runs them too).

Ours: a secret key that is set and not a public one, DEBUG off, allowed hosts that name the server,
the database reachable, every migration applied, and every project's chain verifying (with the signed
checkpoints logged outside the database). `leadledger serve --host` refuses to listen beyond this
machine while any of them, or any of Django's, fails (cli._serve).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage, Error

DATABASE = "default"


def _error(id_: int, zh: str, en: str, hint: str = "") -> Error:
    return Error(f"{zh} / {en}", hint=hint or None, id=f"leadledger.E{id_:03d}")


@checks.register(checks.Tags.security, deploy=True)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = settings.SECRET_KEY
    if not key or key in settings.PUBLIC_SECRET_KEYS:
        return [
            _error(
                1,
                "密钥是公开的默认值，任何人都能伪造登录",
                "the secret key is a public default: anyone could forge a signed-in session",
                "set LEADLEDGER_SECRET_KEY, or run `leadledger demo`/`serve` once to write "
                f"a random key to {settings.LEADLEDGER_SECRET_KEY_FILE} (docs/operations.md)",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def debug_and_hosts_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found = []
    if settings.DEBUG:
        found.append(_error(2, "调试模式已开启", "DEBUG is on", "unset LEADLEDGER_DEBUG"))
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        found.append(
            _error(
                3,
                "ALLOWED_HOSTS 未指明服务器的地址",
                "ALLOWED_HOSTS does not name this server",
                "set LEADLEDGER_ALLOWED_HOSTS to the names people type, e.g. leadledger.example.com",
            )
        )
    return found


@checks.register(checks.Tags.database, deploy=True)
def database_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Reachable, migrated, and every chain verifying: only when asked to check the database."""
    if not databases or DATABASE not in databases:
        return []
    from django.db import DatabaseError, connections

    connection = connections[DATABASE]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        return [_error(10, "无法连接数据库", f"the database cannot be reached: {error}", "check DATABASE_URL")]
    if pending := pending_migrations(connection):
        return [
            _error(
                11,
                f"数据库还有 {pending} 个迁移未执行",
                f"{pending} migrations are not applied",
                "run `leadledger migrate`",
            )
        ]
    return _chains_check()


def pending_migrations(connection: Any = None) -> int:
    """How many migrations the database has not had (0: its tables are the code's)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection if connection is not None else connections[DATABASE])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _chains_check() -> list[CheckMessage]:
    from leadledger.ledger import models
    from leadledger.ledger.checkpoints import CheckpointError, checkpoint_problems, checkpoints_logged
    from leadledger.ledger.verify import chain_problems

    found: list[CheckMessage] = []
    for project in models.Project.objects.order_by("code"):
        try:
            problems: list[Any] = [*chain_problems(project), *checkpoint_problems(project, checkpoints_logged(project))]
        except CheckpointError as error:
            problems = [error]
        if problems:
            first = problems[0]
            found.append(
                _error(
                    12,
                    f"项目 {project.code} 的事件链未通过校验（{len(problems)} 处问题，首个：{first.zh}）",
                    f"the chain of project {project.code} does not verify"
                    f" ({len(problems)} problems, first: {first.en})",
                    "run `leadledger verify` for the full report",
                )
            )
    return found


# Django's own deployment warnings, with what to set here to answer them.
HTTPS_HINT = "serve over HTTPS: LEADLEDGER_HTTPS=true (behind a proxy that ends TLS, also LEADLEDGER_PROXY_HTTPS=true)"
HINTS = {
    "security.W004": HTTPS_HINT,
    "security.W008": HTTPS_HINT,
    "security.W012": HTTPS_HINT,
    "security.W016": HTTPS_HINT,
    "security.W009": "set LEADLEDGER_SECRET_KEY to a long random value, or let `leadledger serve` write one",
    "security.W018": "unset LEADLEDGER_DEBUG",
    "security.W020": "set LEADLEDGER_ALLOWED_HOSTS",
}


def said(message: CheckMessage) -> str:
    """One failed check on one line, with what to set to answer it."""
    hint = HINTS.get(message.id or "", message.hint or "")
    return f"{message.id}: {message.msg}" + (f"\n    -> {hint}" if hint else "")


def deployment_problems() -> list[CheckMessage]:
    """Every deployment check that fails, Django's and ours, with the database's; silenced ones left out."""
    messages = checks.run_checks(include_deployment_checks=True, databases=[DATABASE])
    return [m for m in messages if m.level >= checks.WARNING and not m.is_silenced()]
