"""Importing a visit register: check every row, record the good ones as events, report the rest.

The good rows go through the ledger's own services (`events_import`), so an imported visit is
chained and judged by the engine exactly like one registered at the desk; a call and a follow-up
become the engine's call and follow-up events, never visits. Each recorded row leaves a key over
what it says; a row whose key is already there is skipped, so importing a file twice adds nothing
the second time. A doubtful row (no time, a masked phone, someone who cannot own customers, a
follow-up of nobody) is rejected with its reason, never guessed at.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leadledger.capabilities import OWN_CUSTOMERS, can
from leadledger.engine import EngineError, Phone
from leadledger.engine.errors import DomainError
from leadledger.engine.model import CALL, FOLLOW_UP, VISIT
from leadledger.engine.text import NOTES_MAX, name_checked, plain_text
from leadledger.ledger import lookups
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services
from leadledger.ledger.convert import policy_of
from leadledger.ledger.selectors import departed_staff

from . import models
from .register import Limits, Problem, Row, cell_text, parse_kind, parse_moment, read_rows

Progress = Callable[[int, int], None]
# The example row of the downloadable template (template.py): 张三 is the Chinese "John Doe", and
# 13800138000 the number every Chinese form shows as an example. A row naming both is never imported.
EXAMPLE = ("张三", "+8613800138000")
REPORT_MAX_ROWS = 10_000  # rejected rows listed in a report; the count of the rest is said
REPORT_CELL = 200  # characters of a cell repeated in a report


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    raw: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class _Good:
    line: int
    raw: tuple[str, ...]
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

    def report_csv(self, lang: str, *, max_rows: int = REPORT_MAX_ROWS) -> str:
        """The rejected rows as they were, each with its reason, ready to fix and import again.

        A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written with
        a leading apostrophe: the report is opened in Excel, and a register's cell is not a command.
        The report lists the first `max_rows` rows, each cell cut to REPORT_CELL characters, and says
        how many more there were: a file rejected as a whole is fixed at its source, not row by row.
        """
        out = io.StringIO()
        writer = csv.writer(out)
        head = ["行号" if lang == "zh" else "line", "原因" if lang == "zh" else "reason", *self.header]
        writer.writerow([inert(_cut(cell)) for cell in head])
        ordered = sorted(self.rejected, key=lambda r: r.line)
        for row in ordered[:max_rows]:
            reason = row.zh if lang == "zh" else row.en
            writer.writerow([row.line, inert(reason), *(inert(_cut(c)) for c in row.raw)])
        if len(ordered) > max_rows:
            more = len(ordered) - max_rows
            writer.writerow(
                ["…", f"另有 {more} 行被拒绝，未列出" if lang == "zh" else f"{more} more rejected rows not listed"]
            )
        return visible_nul(out.getvalue())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cut(cell: str) -> str:
    return cell if len(cell) <= REPORT_CELL else cell[:REPORT_CELL] + "…"


def _let_the_desk_in() -> None:
    # SQLite's busy handler polls; it does not queue. A writer that takes the lock again at once
    # would starve a desk waiting for it, batch after batch; a short pause lets the desk in first.
    # PostgreSQL queues waiters on the project's advisory lock in order: no pause is needed there.
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        time.sleep(getattr(settings, "LEADLEDGER_IMPORT_PAUSE_MS", 50) / 1000)


def visible_nul(text: str) -> str:
    """`text` with NUL shown as ␀: PostgreSQL cannot store NUL, and a report repeats what a file held."""
    return text.replace("\x00", "\u2400")


def import_batch() -> int:
    """Rows written per transaction (LEADLEDGER_IMPORT_BATCH)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "LEADLEDGER_IMPORT_BATCH", 1000)))


def import_limits() -> Limits:
    """The limits of an import, from the settings (LEADLEDGER_IMPORT_MAX_BYTES, _MAX_ROWS, _MAX_COLUMNS)."""
    from django.conf import settings

    default = Limits()
    return Limits(
        max_bytes=getattr(settings, "LEADLEDGER_IMPORT_MAX_BYTES", default.max_bytes),
        max_rows=getattr(settings, "LEADLEDGER_IMPORT_MAX_ROWS", default.max_rows),
        max_columns=getattr(settings, "LEADLEDGER_IMPORT_MAX_COLUMNS", default.max_columns),
    )


def inert(cell: str) -> str:
    """A cell as text a spreadsheet shows and never evaluates (CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _row_key(kind: str, at: datetime, phone: str, name: str, staff: ledger.Staff) -> str:
    # What the row says, not where it sits in the file: a re-exported register still matches.
    # (The name was part of the key when masked phones were imported; full numbers leave it out.)
    text = "|".join((kind, at.astimezone(ZoneInfo("UTC")).isoformat(), phone, "", str(staff.pk)))
    return hashlib.sha256(text.encode()).hexdigest()


class _Checker:
    """Checks one row at a time against the project: people, dates, duplicates; no query per row."""

    def __init__(self, project: ledger.Project, now: datetime, *, has_kind: bool) -> None:
        self.zone = ZoneInfo(project.time_zone)
        self.now = now
        self.has_kind = has_kind
        departed = departed_staff(project)
        by_name: dict[str, list[ledger.Staff]] = {}
        self.owners: dict[int, Problem | None] = {}
        for staff in project.staff.all():
            by_name.setdefault(staff.name.strip(), []).append(staff)
            self.owners[staff.pk] = _may_own(staff, departed)
        self.staff = by_name
        self.done = set(models.ImportedRow.objects.filter(project=project).values_list("key", flat=True))
        self.seen: dict[str, int] = {}

    def check(self, row: Row) -> _Good | Problem | None:
        """The row ready to record, the reason it cannot be, or None when an earlier import recorded it."""
        kind = parse_kind(row.cells.get("kind"), has_column=self.has_kind)
        if isinstance(kind, tuple):
            return kind
        at = parse_moment(row.cells.get("date"), row.cells.get("time"), self.zone)
        if isinstance(at, tuple):
            return at
        if at > self.now:
            return (f"日期在未来：{at:%Y-%m-%d %H:%M}", f"the date is in the future: {at:%Y-%m-%d %H:%M}")
        try:
            # Checked here, not by the database: PostgreSQL would refuse the whole batch for one long name.
            name = name_checked(cell_text(row.cells.get("name")))
            notes = plain_text(
                cell_text(row.cells.get("notes")), limit=NOTES_MAX, what=("备注", "the notes"), lines=True
            )
        except DomainError as error:
            return (error.zh, error.en)
        if not name:
            return ("缺少客户姓名", "the customer's name is missing")
        raw_phone = cell_text(row.cells.get("phone"))
        if not raw_phone:
            return ("缺少电话", "the phone is missing")
        try:
            # A mask (136****8888) is not a customer of its own (ID-2): the register must give the number.
            phone = Phone.parse(raw_phone, masks=False).value
        except EngineError as error:
            return (error.zh, error.en)
        if (name, phone) == EXAMPLE:
            return (
                "这是模板中的示例行，不会导入：请删除该行后填写实际登记",
                "this is the template's example row and is not imported: delete it and fill in the register",
            )
        consultant = cell_text(row.cells.get("consultant"))
        if not consultant:
            return ("缺少置业顾问", "the consultant is missing")
        matches = self.staff.get(consultant, [])
        if not matches:
            return (f"项目中没有置业顾问「{consultant}」", f"no staff member named “{consultant}” in this project")
        if len(matches) > 1:
            return (f"项目中有多位「{consultant}」，无法区分", f"several staff members are named “{consultant}”")
        refused = self.owners[matches[0].pk]
        if refused is not None:
            return refused
        key = _row_key(kind, at, phone, name, matches[0])
        if key in self.seen:
            return (f"与第 {self.seen[key]} 行重复", f"duplicate of line {self.seen[key]}")
        if key in self.done:
            return None
        self.seen[key] = row.line
        return _Good(row.line, row.raw, kind, at, name, phone, matches[0], notes, key)


def _may_own(staff: ledger.Staff, departed: set[str]) -> Problem | None:
    """Why a register row cannot give a customer to this staff member, if it cannot (IH-1, IH-13)."""
    if can(staff, OWN_CUSTOMERS, departed=departed):
        return None
    if str(staff.pk) in departed:
        return (
            f"{staff.name}已离职，不能再接待或拥有客户（IH-13）",
            f"{staff.name} has left and can no longer receive or own customers (IH-13)",
        )
    return (
        f"{staff.name}不是置业顾问，不能成为客户的归属人",
        f"{staff.name} is not a consultant and cannot be given a customer",
    )


def _known_phones(project: ledger.Project, phones: list[str]) -> dict[str, int]:
    """Phone → customer id of the project's customers with these exact numbers, in chunks (ID-1)."""
    known: dict[str, int] = {}
    for start in range(0, len(phones), 500):
        chunk = phones[start : start + 500]
        known.update(ledger.Customer.objects.filter(project=project, phone__in=chunk).values_list("phone", "pk"))
    return known


def _nothing_to_follow(project: ledger.Project, good: list[_Good]) -> tuple[list[_Good], list[Rejected]]:
    """Refuse a follow-up (or a call, where calls claim nothing: IH-3) of a customer with no earlier record.

    `good` is in time order. A customer has an earlier record when the project already knows the
    phone, or an earlier row of this file is a contact that registers them.
    """
    calls_claim = policy_of(project).phone_contact_claims  # IH-3
    known = set(_known_phones(project, sorted({g.phone for g in good if g.kind != VISIT})))
    kept: list[_Good] = []
    refused: list[Rejected] = []
    for g in good:
        claims = g.kind == VISIT or (g.kind == CALL and calls_claim)
        if claims or g.phone in known:
            known.add(g.phone)
            kept.append(g)
            continue
        what = ("回访", "a follow-up") if g.kind == FOLLOW_UP else ("来电", "a call")
        refused.append(
            Rejected(
                g.line,
                g.raw,
                f"{what[0]}之前没有该客户的来访记录：没有可跟进的客户，请先导入或登记其来访",
                f"{what[1]} of a customer with no earlier visit on record: nothing to follow up; import or"
                " register the visit first",
            )
        )
    return kept, refused


def _customers(project: ledger.Project, good: list[_Good]) -> dict[str, int]:
    """Phone → customer id, creating the customers not yet known (ID-1)."""
    exact = {g.phone: g.name for g in reversed(good)}  # the first row's name wins
    phones = list(exact)
    known = _known_phones(project, phones)
    missing = [ledger.Customer(project=project, name=exact[p], phone=p).spell() for p in phones if p not in known]
    # A desk may register one of these phones meanwhile: its customer is the same one (ID-1).
    ledger.Customer.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    known.update(_known_phones(project, [c.phone for c in missing if c.phone]))
    return known


def register_import(
    *,
    project: ledger.Project,
    path: Path,
    actor: Any = None,
    columns: dict[str, str] | None = None,
    progress: Progress | None = None,
    saving: Callable[[], None] | None = None,
    saved: Progress | None = None,
    now: datetime | None = None,
    source: str | None = None,
    batch: int | None = None,
    beat: Callable[[], None] | None = None,
) -> ImportResult:
    """Import a visit register (.xlsx or .csv) into the project; see the module's docstring.

    An import matches every phone of the file against the project's customers (and its report tells
    which are unknown), so it is a lookup of people: one per file, logged and within the importer's
    limits like a search (`lookups.LookupRefused`); from the command line (`actor` None) logged only.
    """
    return lookups.lookup(
        project=project,
        user=actor,
        place=lookups.Place.IMPORT,
        query=source or path.name,
        find=lambda: _rows_import(
            project, path, columns, actor, progress, saving, saved, now, source or path.name, batch, beat
        ),
        matched=lambda result: result.imported + result.skipped,
    )


def _rows_import(
    project: ledger.Project,
    path: Path,
    columns: dict[str, str] | None,
    actor: Any,
    progress: Progress | None,
    saving: Callable[[], None] | None,
    saved: Progress | None,
    now: datetime | None,
    source: str,
    batch: int | None,
    beat: Callable[[], None] | None,
) -> ImportResult:
    header, rows = read_rows(path, columns, import_limits(), beat=beat)
    result = ImportResult(header)
    checker = _Checker(project, now or timezone.now(), has_kind=bool(rows) and "kind" in rows[0].cells)
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
    good, nothing_to_follow = _nothing_to_follow(project, good)
    result.rejected.extend(nothing_to_follow)
    if not good:
        return result
    # Short transactions, each under the project's lock (events_import): the desk registers between
    # two batches instead of waiting a minute behind a 200,000-row file, and the chain stays one line
    # whoever appends between them. A batch is all or nothing with its ImportedRow keys, so an import
    # stopped half-way is taken up again where it stopped by importing the same file.
    size = batch or import_batch()
    for start in range(0, len(good), size):
        part = good[start : start + size]
        with transaction.atomic():
            # Another run of the same file (a job run again while its lost worker still wrote) may have
            # stored some of these rows since they were checked: the keys are read again, under the
            # project's lock that events_import takes first, and those rows are skipped, not doubled.
            ledger_services.project_lock(project)
            stored = set(
                models.ImportedRow.objects.filter(project=project, key__in=[g.key for g in part]).values_list(
                    "key", flat=True
                )
            )
            if stored:
                result.skipped += len(stored)
                part = [g for g in part if g.key not in stored]
            if not part:
                continue
            customers = _customers(project, part)
            records = [(g.kind, {"customer": str(customers[g.phone]), "staff": str(g.staff.pk)}, g.at) for g in part]
            events = ledger_services.events_import(project=project, records=records, actor=actor)
            models.ImportedRow.objects.bulk_create(
                [
                    models.ImportedRow(project=project, key=g.key, seq=e.seq, source=source, line=g.line, notes=g.notes)
                    for g, e in zip(part, events, strict=True)
                ],
                batch_size=2000,
            )
        result.imported += len(part)
        if saved:
            saved(result.imported, len(good))
        _let_the_desk_in()
    return result
