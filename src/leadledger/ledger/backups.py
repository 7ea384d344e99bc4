"""Backups that restore: a consistent copy of the database, signed at the heads it holds.

A backup taken while the desks keep registering must be checkable later, so its checkpoints are
read from the copy itself (SQLite) or from the very snapshot pg_dump writes (PostgreSQL), never from
the live database a moment after, which may already be further on. They are signed and logged like
any checkpoint, and written beside the backup (FILE.checkpoints) so that a restore can say the copy
is whole.

A restore never overwrites data silently: into a database that already holds events it needs
`replace`, and even then the database it replaces is kept (SQLite: renamed beside it; PostgreSQL: a
pg_dump taken first).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection, transaction

from ..engine.errors import DomainError
from . import models
from .checkpoints import Checkpoint, checkpoint_take

GENESIS = "0" * 64


class BackupError(DomainError):
    """A backup or restore refused, said in the user's language; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    checkpoints: list[Checkpoint]

    @property
    def manifest(self) -> Path:
        return manifest_of(self.path)


@dataclass(frozen=True, slots=True)
class Restored:
    source: Path
    kept: str  # where the database it replaced was kept, or "" when there was none
    heads: dict[str, tuple[int, str]]  # project code -> (last seq, its hash) in the restored database
    matches_manifest: bool | None  # None: the backup came without its checkpoints file


def manifest_of(path: Path) -> Path:
    return path.with_name(path.name + ".checkpoints")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _heads_in(cursor: object) -> dict[str, tuple[int, str]]:
    """Every project's chain head as the cursor's connection sees it (projects without events: genesis)."""
    execute = cursor.execute  # type: ignore[attr-defined]
    execute(
        "SELECT p.code, e.seq, e.hash FROM ledger_project p LEFT JOIN ledger_event e ON e.project_id = p.id "
        "AND e.seq = (SELECT MAX(seq) FROM ledger_event WHERE project_id = p.id)"
    )
    rows = cursor.fetchall()  # type: ignore[attr-defined]
    return {code: (seq or 0, head or GENESIS) for code, seq, head in rows}


def _pg_args(settings: dict[str, object]) -> list[str]:
    args = ["-d", str(settings["NAME"])]
    for option, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    return args


def _pg_env(settings: dict[str, object]) -> dict[str, str]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return env


def backup_write(target: Path) -> Backup:
    """Copy the database to `target` (never over an existing file) and sign the heads the copy holds."""
    if target.exists():
        raise BackupError(f"{target} 已存在，不覆盖", f"{target} already exists, not overwritten")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # one consistent copy while the desks keep writing
            heads = _heads_in(copy.cursor())
        finally:
            copy.close()
    else:
        settings = connection.settings_dict
        # pg_dump writes the snapshot this transaction exported: the heads read here are the dump's.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            heads = _heads_in(cursor)
            dumped = subprocess.run(
                ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target), *_pg_args(settings)],
                capture_output=True,
                text=True,
                env=_pg_env(settings),
                check=False,
            )
        if dumped.returncode != 0:
            target.unlink(missing_ok=True)
            reason = dumped.stderr.strip().splitlines()[-1] if dumped.stderr.strip() else ""
            raise BackupError(f"pg_dump 失败：{reason}", f"pg_dump failed: {reason}")
    checkpoints = [
        checkpoint_take(project, head=heads[project.code])
        for project in models.Project.objects.filter(code__in=heads).order_by("code")
    ]
    written = Backup(target, checkpoints)
    with written.manifest.open("w", encoding="utf-8") as out:
        for checkpoint in checkpoints:
            out.write(json.dumps(asdict(checkpoint), ensure_ascii=False) + "\n")
    return written


def _manifest_heads(source: Path) -> dict[str, tuple[int, str]] | None:
    manifest = manifest_of(source)
    if not manifest.exists():
        return None
    heads = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        heads[data["project"]] = (int(data["seq"]), str(data["head"]))
    return heads


def _sqlite_source_checked(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as probe:
            if probe.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"备份文件 {source} 已损坏", f"the backup {source} is damaged")
            probe.execute("SELECT 1 FROM ledger_event LIMIT 1")
    except sqlite3.DatabaseError:
        raise BackupError(
            f"{source} 不是 LeadLedger 的 SQLite 备份", f"{source} is not a LeadLedger SQLite backup"
        ) from None


def _holds_events() -> bool:
    tables = connection.introspection.table_names()
    return "ledger_event" in tables and models.Event.objects.exists()


def backup_restore(source: Path, *, replace: bool = False) -> Restored:
    """Restore the configured database from a backup written by `backup_write`; then read its heads."""
    if not source.is_file():
        raise BackupError(f"没有备份文件 {source}", f"no backup file {source}")
    if connection.vendor == "sqlite":
        _sqlite_source_checked(source)
    occupied = _holds_events()
    if occupied and not replace:
        raise BackupError(
            "当前数据库已有事件：为免覆盖，恢复已停止。确认要用备份替换时加 --replace（当前数据库会先另存）",
            "the database already holds events: nothing was restored. Add --replace to replace it "
            "(the current database is kept aside first)",
        )
    kept = ""
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        if occupied:
            kept = str(name.with_name(f"{name.name}.before-restore-{_stamp()}"))
            with sqlite3.connect(name) as live, sqlite3.connect(kept) as aside:
                live.backup(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        name.unlink(missing_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup, sqlite3.connect(name) as live:
            backup.backup(live)
    else:
        settings = connection.settings_dict
        if occupied:
            kept = str(source.with_name(f"{settings['NAME']}.before-restore-{_stamp()}.dump"))  # beside the backup
            backup_write(Path(kept))
        connection.close()
        options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
        restored = subprocess.run(
            ["pg_restore", *options, *_pg_args(settings), str(source)],
            capture_output=True,
            text=True,
            env=_pg_env(settings),
            check=False,
        )
        if restored.returncode != 0:
            reason = restored.stderr.strip().splitlines()[-1] if restored.stderr.strip() else ""
            raise BackupError(
                f"pg_restore 失败，数据库未改动：{reason}", f"pg_restore failed, nothing changed: {reason}"
            )
    with connection.cursor() as cursor:
        heads = _heads_in(cursor)
    expected = _manifest_heads(source)
    matches = None if expected is None else all(heads.get(code) == head for code, head in expected.items())
    return Restored(source=source, kept=kept, heads=heads, matches_manifest=matches)
