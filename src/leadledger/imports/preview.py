"""What an upload will do before anything is stored: the columns as understood, the first rows as read.

The preview reads the header and the first rows only, and checks them as the import will (people,
dates, phones, rows already imported); nothing is written. It compares rows with the project's
staff and with earlier imports' keys, never with its customers, so it tells the importer nothing
about people that the file in their hands does not (decision 162).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from leadledger.engine.phone import Phone
from leadledger.ledger import models as ledger

from .register import FIELDS, cell_text, column_map, read_rows
from .services import _Checker, _Good, import_limits, visible_nul

PREVIEW_ROWS = 10


def _shown(value: str) -> str:
    return visible_nul(value if len(value) <= 60 else value[:60] + "…")


def register_preview(
    *, project: ledger.Project, path: Path, now: datetime | None = None, rows: int = PREVIEW_ROWS
) -> dict[str, Any]:
    """The columns (header → field or None) and the first `rows` rows, each ok, already there or refused.

    Raises `RegisterError` when the file as a whole cannot be read (no header, a required column
    missing, over a limit): that is said on the upload form, before any job exists.
    """
    header, first = read_rows(path, None, import_limits(), first=rows)
    columns = column_map(header)
    field_of = {index: field for field, index in columns.items()}
    checker = _Checker(project, now or timezone.now(), has_kind="kind" in columns)
    zone = ZoneInfo(project.time_zone)
    shown: list[dict[str, Any]] = []
    for row in first:
        checked = checker.check(row)
        entry: dict[str, Any] = {"line": row.line, "zh": "", "en": ""}
        if isinstance(checked, _Good):
            entry["state"] = "ok"
            entry["cells"] = {
                "kind": checked.kind,
                "at": f"{checked.at.astimezone(zone):%Y-%m-%d %H:%M}",
                "name": checked.name,
                "phone": Phone.of(checked.phone).national,
                "consultant": checked.staff.name,
                "notes": _shown(checked.notes),
            }
        else:
            entry["state"] = "skip" if checked is None else "bad"
            if isinstance(checked, tuple):
                entry["zh"], entry["en"] = (visible_nul(text) for text in checked)
            raw = {field: _shown(cell_text(row.cells.get(field))) for field in FIELDS}
            moment = " ".join(v for v in (raw.pop("date"), raw.pop("time")) if v)
            entry["cells"] = {"at": moment, **raw}
        shown.append(entry)
    return {
        "columns": [[visible_nul(_shown(str(h))), field_of.get(index)] for index, h in enumerate(header)],
        "missing": [field for field in FIELDS if field not in columns],
        "rows": shown,
    }
