"""Re-check the chain and rebuild every verdict: any edit, deletion, insertion or reordering shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from . import models, selectors
from .chain import GENESIS, chain_hash


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "event 17", "customer 42"
    en: str
    zh: str


def _chain_rows(project: models.Project) -> Iterator[tuple[int, datetime, str, str, str, str]]:
    """The chain's columns in order, read without the ORM's per-value converters (verify reads millions)."""
    table = models.Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, at, kind, body, prev_hash, hash FROM {table} WHERE project_id = %s ORDER BY seq", [project.pk]
        )
        while batch := cursor.fetchmany(10000):
            for seq, at, kind, body, prev, digest in batch:
                if isinstance(at, str):  # SQLite keeps UTC as text …
                    at = datetime.fromisoformat(at)
                if at.tzinfo is None:  # … which its driver may have parsed, naively
                    at = at.replace(tzinfo=UTC)
                yield seq, at, kind, body, prev, digest


def chain_problems(project: models.Project) -> Iterator[Problem]:
    """Every break in the project's chain: a changed body, a missing, extra or moved event."""
    expected_seq, prev_hash = 1, GENESIS
    for seq, at, kind, body, stored_prev, stored_hash in _chain_rows(project):
        where = f"event {seq}"
        if seq != expected_seq:
            yield Problem(
                where,
                f"expected event {expected_seq} here: events deleted or inserted",
                f"此处应为第 {expected_seq} 条事件：有事件被删除或插入",
            )
        if stored_prev != prev_hash:
            yield Problem(
                where,
                "does not follow the previous event's hash: deleted, inserted or reordered",
                "与前一条事件的哈希不衔接：有事件被删除、插入或调换顺序",
            )
        if chain_hash(stored_prev, seq, at, kind, body) != stored_hash:
            yield Problem(where, "its content does not match its hash: edited", "内容与哈希不符：事件被篡改")
        expected_seq, prev_hash = seq + 1, stored_hash


def verdict_problems(project: models.Project) -> Iterator[Problem]:
    """Every stored verdict that a rebuild by replay does not give, and every missing one."""
    timeline = selectors.whole_timeline(project)
    stored = {str(v.customer_id): v for v in models.Verdict.objects.filter(project=project)}
    touched = {
        str(c)
        for c in models.Event.objects.filter(project=project, customer__isnull=False)
        .values_list("customer_id", flat=True)
        .distinct()
    }
    for cid in sorted(touched - stored.keys(), key=int):
        yield Problem(f"customer {cid}", "has events but no stored verdict", "有事件但没有归属结论")
    for cid, row in stored.items():
        fresh = timeline.verdict(cid, row.judged_at)
        owners = {k: str(v) for k, v in fresh.owners.items()} if fresh.owners else None
        channel = {k: str(v) for k, v in fresh.channel.items()} if fresh.channel else None
        if (owners, fresh.status, channel, fresh.channel_status) != (
            row.owners,
            row.status,
            row.channel,
            row.channel_status,
        ):
            yield Problem(
                f"customer {cid}",
                f"stored verdict {row.owners}/{row.status} differs from the replay's {owners}/{fresh.status}",
                f"存储的归属 {row.owners}/{row.status} 与重放结果 {owners}/{fresh.status} 不一致",
            )


def verify(project: models.Project, report: Callable[[Problem], None]) -> int:
    """Report every problem; return how many there were."""
    count = 0
    for problem in (*chain_problems(project), *verdict_problems(project)):
        report(problem)
        count += 1
    return count
