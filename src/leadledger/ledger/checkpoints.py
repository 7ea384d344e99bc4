"""Signed checkpoints of each project's chain head, kept outside the database.

The hash chain shows an edit, a deletion in the middle or a reordering, but nothing inside the
database can show that the last events were deleted, or that the whole history was rewritten and
hashed again. A checkpoint, like Certificate Transparency's signed tree head, says "project P's
chain had N events and the N-th hashed to H at time T", signed (HMAC-SHA256) with a key that lives
in a file outside the database. Checkpoints are appended to a log file outside the database too,
and a manager can print one and keep it. `verify` checks the chain against each: a truncation
leaves fewer than N events, a rewrite gives another hash at N, and a forged checkpoint does not
carry the key's signature.

Since chain version 2 a checkpoint also signs the head of each chained log (ledger/logchain.py: the
disclosure log, the policy changes): printed `LL2.…`. Checkpoints taken before (`LL1.…`, or a
logged line without `logs`) still verify, for the events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from leadledger.engine.errors import DomainError

from . import logchain, models

PRINTED_PREFIX = "LL2"  # LL2.<project>.<seq>.<head>.<time>.<each log's seq>.<its head>….<signature>
PRINTED_V1 = "LL1"  # LL1.<project>.<seq>.<head>.<time>.<signature>: events only


@dataclass(frozen=True, slots=True)
class Checkpoint:
    project: str  # the project's code
    seq: int  # the number of the last event the checkpoint saw (0: an empty chain)
    head: str  # that event's hash
    at: str  # when it was taken, UTC, to the second: 2026-12-02T12:00:00Z
    signature: str
    # Each chained log's (seq, head) in the order of logchain.LOGS; None: a version 1 checkpoint.
    logs: tuple[tuple[int, str], ...] | None = None

    def signed_text(self) -> str:
        events = f"{self.project}|{self.seq}|{self.head}|{self.at}"
        if self.logs is None:
            return f"leadledger checkpoint v1|{events}"
        return f"leadledger checkpoint v2|{events}|{'|'.join(f'{seq}|{head}' for seq, head in self.logs)}"

    def printed(self) -> str:
        """One line a manager can print, keep, and give back to `leadledger verify --checkpoint`."""
        stamp = self.at.replace("-", "").replace(":", "")
        events = f"{self.project}.{self.seq}.{self.head}.{stamp}"
        if self.logs is None:
            return f"{PRINTED_V1}.{events}.{self.signature}"
        logs = "".join(f".{seq}.{head}" for seq, head in self.logs)
        return f"{PRINTED_PREFIX}.{events}{logs}.{self.signature}"


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    where: str
    zh: str
    en: str


class CheckpointError(DomainError):
    """A printed checkpoint that cannot be read, said in Chinese and English."""


def _key_file() -> Path:
    return Path(settings.LEADLEDGER_KEY_FILE)


def _log_file() -> Path:
    return Path(settings.LEADLEDGER_CHECKPOINT_LOG)


def signing_key() -> bytes:
    """The signing key, made on first use and readable by its owner only."""
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def _sign(text: str, key: bytes) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def checkpoint_take(project: models.Project, *, head: tuple[int, str] | None = None) -> Checkpoint:
    """Sign the project's chain head now and append it to the log outside the database.

    `head` (seq, hash) signs a head read elsewhere: a backup's, from the copy itself.
    """
    last = head or models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", "hash").first()
    seq, head_hash = last if last else (0, "0" * 64)
    moment = timezone.now().astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # A backup's head is read from the copy; the log chains' heads would be the live database's, so a
    # backup's checkpoint signs the events alone (the LL1 form) rather than logs the copy may not hold.
    logs = None if head is not None else tuple(logchain.log_head(chained, project) for chained in logchain.LOGS)
    unsigned = Checkpoint(project=project.code, seq=seq, head=head_hash, at=moment, signature="", logs=logs)
    checkpoint = replace(unsigned, signature=_sign(unsigned.signed_text(), signing_key()))
    log = _log_file()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(checkpoint), ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return checkpoint


def checkpoints_logged(project: models.Project) -> list[Checkpoint]:
    """The project's checkpoints in the log outside the database, oldest first."""
    log = _log_file()
    if not log.exists():
        return []
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            if data.get("logs") is not None:
                data["logs"] = tuple((int(seq), str(head)) for seq, head in data["logs"])
            checkpoint = Checkpoint(**data)
        except (ValueError, TypeError, AttributeError):
            continue  # a torn last line after a power cut; the others still count
        if checkpoint.project == project.code:
            found.append(checkpoint)
    return found


def parse_printed(text: str) -> Checkpoint:
    """A checkpoint from its printed line."""
    parts = text.strip().split(".")
    size = len(parts)
    # LL2 carries a number and a head for each log signed then (logchain.LOGS grows at its end only).
    shaped = (parts[0] == PRINTED_V1 and size == 6) or (parts[0] == PRINTED_PREFIX and size >= 8 and size % 2 == 0)
    numbers = [parts[2], *parts[5:-1:2]] if shaped else []
    if not (shaped and all(number.isascii() and number.isdigit() for number in numbers)):
        wanted = 6 + 2 * len(logchain.LOGS)
        raise CheckpointError(
            f"无法识别的检查点：应为 LL2. 开头、以点分隔的 {wanted} 段（或 LL1. 开头的六段）",
            f"not a checkpoint: {wanted} parts separated by dots, from LL2. (or six from LL1.)",
        )
    project, seq, head, stamp, signature = *parts[1:5], parts[-1]
    logs = None if parts[0] == PRINTED_V1 else tuple((int(parts[i]), parts[i + 1]) for i in range(5, size - 1, 2))
    try:
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointError("检查点中的时间无法识别", "the checkpoint's time cannot be read") from None
    at = moment.isoformat().replace("+00:00", "Z")
    return Checkpoint(project=project, seq=int(seq), head=head, at=at, signature=signature, logs=logs)


def checkpoint_problems(project: models.Project, checkpoints: Iterable[Checkpoint]) -> Iterator[CheckpointProblem]:
    """What the chains as stored say against each checkpoint: forged, truncated or rewritten."""
    key = signing_key()
    wanted = [c for c in checkpoints if c.project == project.code]
    heads = dict(
        models.Event.objects.filter(project=project, seq__in={c.seq for c in wanted}).values_list("seq", "hash")
    )
    last = models.Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first() or 0
    for checkpoint in wanted:
        where = f"checkpoint {checkpoint.seq} ({checkpoint.at})"
        if not hmac.compare_digest(_sign(checkpoint.signed_text(), key), checkpoint.signature):
            yield CheckpointProblem(
                where,
                "检查点的签名不符：它不是用本系统的密钥签发的，或已被改动",
                "the checkpoint's signature does not match: it was not signed with this system's key, or was altered",
            )
            continue
        if checkpoint.seq > last:
            yield CheckpointProblem(
                where,
                f"检查点记录了 {checkpoint.seq} 条事件，现在只有 {last} 条：末尾的事件被删除了",
                f"the checkpoint saw {checkpoint.seq} events and only {last} remain: the last events were deleted",
            )
        elif checkpoint.seq and heads.get(checkpoint.seq) != checkpoint.head:
            yield CheckpointProblem(
                where,
                f"第 {checkpoint.seq} 条事件的哈希与检查点不符：此前的历史被改写过",
                f"event {checkpoint.seq}'s hash differs from the checkpoint's: the history up to it was rewritten",
            )
        for chained, (seq, head) in zip(logchain.LOGS, checkpoint.logs or (), strict=False):
            yield from _log_against(project, where, chained, seq, head)


def _log_against(
    project: models.Project, where: str, chained: logchain.ChainedLog, seq: int, head: str
) -> Iterator[CheckpointProblem]:
    rows = chained.model._default_manager.filter(project=project)
    count, _ = logchain.log_head(chained, project)
    if seq > count:
        yield CheckpointProblem(
            where,
            f"检查点记录了 {seq} 条{chained.zh}，现在只有 {count} 条：末尾的记录被删除了",
            f"the checkpoint saw {seq} rows of the {chained.name} log and only {count} remain: the last were deleted",
        )
    elif seq and rows.filter(seq=seq).values_list("hash", flat=True).first() != head:
        yield CheckpointProblem(
            where,
            f"第 {seq} 条{chained.zh}的哈希与检查点不符：此前的记录被改写过",
            f"{chained.name} {seq}'s hash differs from the checkpoint's: the log up to it was rewritten",
        )
