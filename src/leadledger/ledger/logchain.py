"""Hash chains for the insert-only logs beside the events: disclosures, policy changes, and any like them.

A log that must not be changed quietly declares itself once as a `ChainedLog`: its model (which
carries `project`, `seq`, `prev_hash` and `hash` columns, unique on (project, seq)) and the columns
its hash covers, in order. Rows are written only by `chained_append` (under a per-log lock, so the
chain stays one line), checked by `log_problems` (which `leadledger verify` runs for every log in
`LOGS`), and each log's head is signed in the checkpoints (`log_head`). To chain another log: give its
model those four columns and a migration that chains its rows already there (as 0015 does for
disclosures), declare it here and add it to `LOGS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction

from leadledger.money import models as money_models
from leadledger.sales import models as sales_models

from . import models as ledger_models
from .chain import GENESIS, canonical, moment, row_hash
from .prepared import STAND_IN_IDS, PreparedInsert, PreparedRead
from .verify.report import Problem


@dataclass(frozen=True, slots=True)
class ChainedLog:
    name: str  # as verify and the checkpoints name it: "disclosure"
    zh: str  # how a row is named in Chinese: "查看记录"
    model: type[models.Model]
    columns: tuple[str, ...]  # every column that carries meaning, as attribute names, in hash order
    lock: int  # the advisory lock's first key on PostgreSQL (the events' is 7031)


DISCLOSURES = ChainedLog(
    name="disclosure",
    zh="个人信息查看记录",
    model=ledger_models.Disclosure,
    columns=("project_id", "customer_id", "user_id", "kind", "reason", "at"),
    lock=7032,
)
POLICY_CHANGES = ChainedLog(
    name="policy change",
    zh="规则变更记录",
    model=ledger_models.PolicyChange,
    columns=("project_id", "policy", "version", "user_id", "at"),
    lock=7033,
)
LOOKUPS = ChainedLog(
    name="lookup",
    zh="查询记录",
    model=ledger_models.Lookup,
    columns=("project_id", "user_id", "place", "asked", "digest", "matched", "answer", "refused", "at"),
    lock=7034,
)
# A signal's last_at and count grow while its burst goes on: only what is fixed when it is raised is hashed.
LOOKUP_SIGNALS = ChainedLog(
    name="lookup signal",
    zh="查询风险提示",
    model=ledger_models.LookupSignal,
    columns=("project_id", "user_id", "kind", "first_at"),
    lock=7035,
)
RELATION_CHANGES = ChainedLog(
    name="relation change",
    zh="客户关系变更记录",
    model=ledger_models.RelationChange,
    columns=("project_id", "relation", "a_id", "b_id", "kind", "verified", "user_id", "at"),
    lock=7036,
)
# Units' deposits, signings and returns, and the manager's word on each deal (decision 240).
SALES = ChainedLog(
    name="sale",
    zh="销控记录",
    model=sales_models.SaleLog,
    columns=("project_id", "unit_id", "kind", "price", "staff_id", "buyers", "deal_seq", "note", "user_id", "at"),
    lock=7040,
)
MONEY_LINES = ChainedLog(
    name="money line",
    zh="佣金与罚款流水",
    model=money_models.MoneyLine,
    columns=("project_id", "event_id", "source", "account", "kind", "amount", "note", "at"),
    lock=7037,
)
# Checkpoints sign the heads in this order: a new log is added at the end, never between.
LOGS = (DISCLOSURES, POLICY_CHANGES, LOOKUPS, LOOKUP_SIGNALS, RELATION_CHANGES, SALES, MONEY_LINES)


def _spelled(value: Any) -> str | int | None:
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, dict | list):
        return canonical(value)  # type: ignore[arg-type]
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def _hash(log: ChainedLog, prev_hash: str, seq: int, values: dict[str, Any]) -> str:
    return row_hash(prev_hash, [seq, *(_spelled(values[column]) for column in log.columns)])


def _head_read(log: ChainedLog) -> PreparedRead:
    manager = log.model._default_manager
    return PreparedRead(
        lambda project: manager.filter(project_id=project).order_by("-seq").values_list("seq", "hash")[:1],
        STAND_IN_IDS[0],
    )


_HEADS: dict[str, PreparedRead] = {}  # each log's head, read on every append: prepared (ledger.prepared)
_INSERTS: dict[str, PreparedInsert] = {}  # and its row, inserted so


def chained_append(log: ChainedLog, *, project: ledger_models.Project, **values: Any) -> Any:
    """Append one row to the project's chain of this log: numbered, linked and hashed."""
    with transaction.atomic(savepoint=False):  # within a caller's transaction, one fate with it: no savepoint
        if connection.vendor == "postgresql":  # on SQLite the IMMEDIATE transaction holds the write lock
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [log.lock, project.pk])
        heads = _HEADS.get(log.name) or _HEADS.setdefault(log.name, _head_read(log))
        found = heads.rows(project.pk, using=transaction.get_connection().alias)
        seq, prev_hash = (found[0][0] + 1, found[0][1]) if found else (1, GENESIS)
        row = log.model(project=project, seq=seq, prev_hash=prev_hash, **values)
        # Each column as the database will give it back (a moment to the microsecond, ids as ints).
        stated = {column: getattr(row, column) for column in log.columns}
        row.hash = _hash(log, prev_hash, seq, stated)  # type: ignore[attr-defined]
        inserts = _INSERTS.get(log.name) or _INSERTS.setdefault(log.name, PreparedInsert(log.model))
        inserts.insert(row, using=transaction.get_connection().alias)
    return row


def log_head(log: ChainedLog, project: ledger_models.Project) -> tuple[int, str]:
    """The number and hash of the log's last row in this project ((0, GENESIS) when it has none)."""
    last = log.model._default_manager.filter(project=project).order_by("-seq").values_list("seq", "hash").first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def log_problems(log: ChainedLog, project: ledger_models.Project) -> Iterator[Problem]:
    """Every row of the log that is not where, or not what, the chain says: edited, deleted, inserted, reordered."""
    expected, prev_hash = 1, GENESIS
    rows = log.model._default_manager.filter(project=project).order_by("seq", "pk")
    for row in rows.values("seq", "prev_hash", "hash", *log.columns).iterator(chunk_size=2000):
        seq = row["seq"]
        where = f"{log.name} {seq}"
        if seq != expected:
            yield Problem(
                where,
                f"expected {log.name} {expected} here: rows deleted or inserted",
                f"此处应为第 {expected} 条{log.zh}：有记录被删除或插入",
            )
        if row["prev_hash"] != prev_hash:
            yield Problem(
                where,
                "does not follow the previous row's hash: deleted, inserted or reordered",
                f"{log.zh}与前一条的哈希不衔接：有记录被删除、插入或调换顺序",
            )
        if _hash(log, row["prev_hash"], seq, row) != row["hash"]:
            columns = ", ".join(column.removesuffix("_id") for column in log.columns)
            yield Problem(
                where,
                f"its content ({columns}) does not match its hash: edited",
                f"{log.zh}的内容与哈希不符：被篡改",
            )
        expected, prev_hash = seq + 1, row["hash"]
