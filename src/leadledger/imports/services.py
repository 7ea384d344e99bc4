"""Importing a visit register: check every row, record the good ones as events, report the rest.

The good rows go through the ledger's own services (`events_import`), so an imported visit is
chained and judged by the engine exactly like one registered at the desk. Each recorded row leaves a
key over what it says; a row whose key is already there is skipped, so importing a file twice adds
nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leadledger.engine import EngineError
from leadledger.engine.identity import phone_key
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services

from . import models
from .register import Problem, Row, cell_text, parse_kind, parse_moment, read_rows

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    raw: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class _Good:
    line: int
    kind: str
    at: datetime
    name: str
    phone: str
    staff: ledger.Staff
    notes: str
    key: str


@dataclass
class ImportResult:
    header: list[str]
    imported: int = 0
    skipped: int = 0  # already imported by an earlier run
    rejected: list[Rejected] = field(default_factory=list)

    def report_csv(self, lang: str) -> str:
        """The rejected rows as they were, each with its reason, ready to fix and import again."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["行号" if lang == "zh" else "line", "原因" if lang == "zh" else "reason", *self.header])
        for row in self.rejected:
            writer.writerow([row.line, row.zh if lang == "zh" else row.en, *row.raw])
        return out.getvalue()


def _row_key(kind: str, at: datetime, phone: str, name: str, staff: ledger.Staff) -> str:
    # What the row says, not where it sits in the file: a re-exported register still matches.
    text = "|".join(
        (kind, at.astimezone(ZoneInfo("UTC")).isoformat(), phone, name if "*" in phone else "", str(staff.pk))
    )
    return hashlib.sha256(text.encode()).hexdigest()


class _Checker:
    """Checks one row at a time against the project: people, dates, duplicates."""

    def __init__(self, project: ledger.Project, now: datetime) -> None:
        self.zone = ZoneInfo(project.time_zone)
        self.now = now
        by_name: dict[str, list[ledger.Staff]] = {}
        for staff in project.staff.all():
            by_name.setdefault(staff.name.strip(), []).append(staff)
        self.staff = by_name
        self.done = set(models.ImportedRow.objects.filter(project=project).values_list("key", flat=True))
        self.seen: dict[str, int] = {}

    def check(self, row: Row) -> _Good | Problem | None:
        """The row ready to record, the reason it cannot be, or None when an earlier import recorded it."""
        kind = parse_kind(row.cells.get("kind"))
        if isinstance(kind, tuple):
            return kind
        at = parse_moment(row.cells.get("date"), row.cells.get("time"), self.zone)
        if isinstance(at, tuple):
            return at
        if at > self.now:
            return (f"日期在未来：{at:%Y-%m-%d %H:%M}", f"the date is in the future: {at:%Y-%m-%d %H:%M}")
        name = cell_text(row.cells.get("name"))
        if not name:
            return ("缺少客户姓名", "the customer's name is missing")
        raw_phone = cell_text(row.cells.get("phone"))
        if not raw_phone:
            return ("缺少电话", "the phone is missing")
        try:
            phone = phone_key(raw_phone)
        except EngineError as error:
            return (error.zh, error.en)
        consultant = cell_text(row.cells.get("consultant"))
        if not consultant:
            return ("缺少置业顾问", "the consultant is missing")
        matches = self.staff.get(consultant, [])
        if not matches:
            return (f"项目中没有置业顾问「{consultant}」", f"no staff member named {consultant!r} in this project")
        if len(matches) > 1:
            return (f"项目中有多位「{consultant}」，无法区分", f"several staff members are named {consultant!r}")
        key = _row_key(kind, at, phone, name, matches[0])
        if key in self.seen:
            return (f"与第 {self.seen[key]} 行重复", f"duplicate of line {self.seen[key]}")
        if key in self.done:
            return None
        self.seen[key] = row.line
        return _Good(row.line, kind, at, name, phone, matches[0], cell_text(row.cells.get("notes")), key)


def _who(good: _Good) -> str:
    # A masked number is not an identity on its own (ID-2): the same mask and name is the same customer.
    return f"{good.phone}|{good.name}" if "*" in good.phone else good.phone


def _customers(project: ledger.Project, good: list[_Good]) -> dict[str, int]:
    """`_who` → customer id, creating the customers not yet known (ID-1, ID-2)."""
    exact = {g.phone: g.name for g in reversed(good) if "*" not in g.phone}  # the first row's name wins
    known: dict[str, int] = {}
    phones = list(exact)
    for start in range(0, len(phones), 500):
        chunk = phones[start : start + 500]
        known.update(ledger.Customer.objects.filter(project=project, phone__in=chunk).values_list("phone", "pk"))
    missing = [ledger.Customer(project=project, name=exact[p], phone=p).spell() for p in phones if p not in known]
    # A desk may register one of these phones meanwhile: its customer is the same one (ID-1).
    ledger.Customer.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    missing_phones = [c.phone for c in missing]
    for start in range(0, len(missing_phones), 500):
        chunk = missing_phones[start : start + 500]
        known.update(ledger.Customer.objects.filter(project=project, phone__in=chunk).values_list("phone", "pk"))
    for g in good:
        if "*" in g.phone and _who(g) not in known:
            customer = ledger.Customer.objects.filter(project=project, phone=g.phone, name=g.name).first()
            if customer is None:
                customer = ledger.Customer.objects.create(project=project, phone=g.phone, name=g.name)
            known[_who(g)] = customer.pk
    return known


def register_import(
    *,
    project: ledger.Project,
    path: Path,
    actor: Any = None,
    columns: dict[str, str] | None = None,
    progress: Progress | None = None,
    saving: Callable[[], None] | None = None,
    now: datetime | None = None,
    source: str | None = None,
) -> ImportResult:
    """Import a visit register (.xlsx or .csv) into the project; see the module's docstring."""
    header, rows = read_rows(path, columns)
    result = ImportResult(header)
    checker = _Checker(project, now or timezone.now())
    good: list[_Good] = []
    for done, row in enumerate(rows, start=1):
        checked = checker.check(row)
        if checked is None:
            result.skipped += 1
        elif isinstance(checked, tuple):
            result.rejected.append(Rejected(row.line, row.raw, *checked))
        else:
            good.append(checked)
        if progress and (done % 1000 == 0 or done == len(rows)):
            progress(done, len(rows))
    if not good:
        return result
    if saving:
        saving()
    good.sort(key=lambda g: (g.at, g.line))
    with transaction.atomic():
        customers = _customers(project, good)
        records = [(g.kind, {"customer": str(customers[_who(g)]), "staff": str(g.staff.pk)}, g.at) for g in good]
        events = ledger_services.events_import(project=project, records=records, actor=actor)
        models.ImportedRow.objects.bulk_create(
            [
                models.ImportedRow(
                    project=project, key=g.key, seq=e.seq, source=source or path.name, line=g.line, notes=g.notes
                )
                for g, e in zip(good, events, strict=True)
            ],
            batch_size=2000,
        )
    result.imported = len(good)
    return result
