"""Every spreadsheet the app writes for people hands no formula to Excel (CSV injection).

One function neutralises a cell (`imports.services.inert`); each file the app writes is checked here
as a person gets it: the rejected rows downloaded from the import page, and written by `leadledger
import`. A module that starts writing CSV or Excel must use the same function (the scan below).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

import leadledger
from leadledger.cli import main
from leadledger.imports.models import ImportJob
from leadledger.imports.services import inert
from office import PASSWORD, Office, client_in

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
REGISTER = (
    "日期,客户姓名,电话,置业顾问,类型,备注\n"
    '2026-03-01 10:00,"=HYPERLINK(""http://x"")",1,王芳,来访,+cmd\n'
    "2026-03-01 11:00,@SUM(A1),2,-2+3,来访,\tx\n"
)


def _cells(text: str) -> list[str]:
    return [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]


def _inert(cells: list[str]) -> None:
    assert cells and not any(cell.startswith(DANGEROUS) for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells and "'+cmd" in cells


@given(st.text(max_size=20))
def test_a_neutralised_cell_never_starts_a_formula_and_keeps_what_was_written(cell: str) -> None:
    shown = inert(cell)
    assert not shown.startswith(DANGEROUS)
    assert shown in (cell, "'" + cell)


def test_the_rejected_rows_downloaded_from_the_import_page_are_inert(office: Office, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": f"{settings.TASKS_PACKAGE}.backends.immediate.ImmediateBackend"}}
    client = client_in("en")
    assert client.login(username="zhao", password=PASSWORD)
    upload = SimpleUploadedFile("register.csv", REGISTER.encode("utf-8"), content_type="text/csv")
    client.post("/p/hz-1/import/", {"register": upload})
    job = ImportJob.objects.get()
    client.post(f"/p/hz-1/import/{job.pk}/confirm/")
    _inert(_cells(client.get(f"/p/hz-1/import/{job.pk}/report.csv").content.decode("utf-8-sig")))


def test_the_rejected_rows_written_by_the_command_are_inert(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    assert main(["import", str(path), "--lang", "en"]) == 1
    _inert(_cells((tmp_path / "register.rejected.csv").read_text("utf-8-sig")))


WRITERS = ("csv.writer(", "csv.DictWriter(", "Workbook(", "write_only=True", ".to_csv(", ".to_excel(")


def test_every_module_that_writes_a_spreadsheet_neutralises_its_cells() -> None:
    source = Path(leadledger.__file__).parent
    writers = [p for p in source.rglob("*.py") if any(w in p.read_text("utf-8") for w in WRITERS)]
    assert sorted(p.relative_to(source).as_posix() for p in writers) == [
        "bench/exports.py",
        "desk/exports.py",
        "imports/services.py",
        "imports/template.py",
    ]
    assert all("inert(" in p.read_text("utf-8") for p in writers)
