"""Signed checkpoints of each project's chain head, kept outside the database.

The hash chain shows an edit, a deletion in the middle or a reordering, but nothing inside the
database can show that the last events were deleted, or that the whole history was rewritten and
hashed again. A checkpoint, like Certificate Transparency's signed tree head, says "project P's
chain had N events and the N-th hashed to H at time T", signed (HMAC-SHA256) with a key that lives
in a file outside the database. Checkpoints are appended to a log file outside the database too,
and a manager can print one and keep it. `verify` checks the chain against each: a truncation
leaves fewer than N events, a rewrite gives another hash at N, and a forged checkpoint does not
carry the key's signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import models

PRINTED_PREFIX = "LL1"  # the printed form's version: LL1.<project>.<seq>.<head>.<time>.<signature>


@dataclass(frozen=True, slots=True)
class Checkpoint:
    project: str  # the project's code
    seq: int  # the number of the last event the checkpoint saw (0: an empty chain)
    head: str  # that event's hash
    at: str  # when it was taken, UTC, to the second: 2026-12-02T12:00:00Z
    signature: str

    def signed_text(self) -> str:
        return f"leadledger checkpoint v1|{self.project}|{self.seq}|{self.head}|{self.at}"

    def printed(self) -> str:
        """One line a manager can print, keep, and give back to `leadledger verify --checkpoint`."""
        stamp = self.at.replace("-", "").replace(":", "")
        return f"{PRINTED_PREFIX}.{self.project}.{self.seq}.{self.head}.{stamp}.{self.signature}"


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    where: str
    zh: str
    en: str


class CheckpointError(ValueError):
    """A printed checkpoint that cannot be read, said in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


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
    unsigned = Checkpoint(project=project.code, seq=seq, head=head_hash, at=moment, signature="")
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": _sign(unsigned.signed_text(), signing_key())})
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
            checkpoint = Checkpoint(**data)
        except (ValueError, TypeError):
            continue  # a torn last line after a power cut; the others still count
        if checkpoint.project == project.code:
            found.append(checkpoint)
    return found


def parse_printed(text: str) -> Checkpoint:
    """A checkpoint from its printed line."""
    parts = text.strip().split(".")
    if len(parts) != 6 or parts[0] != PRINTED_PREFIX or not parts[2].isdigit():
        raise CheckpointError(
            "无法识别的检查点：应为 LL1. 开头、以点分隔的六段",
            "not a checkpoint: six parts separated by dots, from LL1.",
        )
    _, project, seq, head, stamp, signature = parts
    try:
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointError("检查点中的时间无法识别", "the checkpoint's time cannot be read") from None
    at = moment.isoformat().replace("+00:00", "Z")
    return Checkpoint(project=project, seq=int(seq), head=head, at=at, signature=signature)


def checkpoint_problems(project: models.Project, checkpoints: Iterable[Checkpoint]) -> Iterator[CheckpointProblem]:
    """What the chain as stored says against each checkpoint: forged, truncated or rewritten."""
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
        elif checkpoint.seq > last:
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
