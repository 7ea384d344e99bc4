"""The import page: upload, watch the progress, download the rejected rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from leadledger.imports.models import ImportJob
from leadledger.ledger import models
from office import PASSWORD, Office, client_in

REGISTER = (
    "日期,客户姓名,电话,置业顾问,类型\n2026-03-01 10:00,李娜,13900000002,王芳,来访\n2026-03-01 11:00,钱七,1,王芳,来访\n"
)


@pytest.fixture
def manager(office: Office, settings: Any) -> Client:
    # The task runs at once here; `leadledger serve` runs it in its worker.
    settings.TASKS = {"default": {"BACKEND": f"{settings.TASKS_PACKAGE}.backends.immediate.ImmediateBackend"}}
    client = client_in("en")
    assert client.login(username="zhao", password=PASSWORD)
    return client


def test_an_upload_is_imported_in_the_background_and_reported(manager: Client) -> None:
    upload = SimpleUploadedFile("来访登记.csv", REGISTER.encode("utf-8"), content_type="text/csv")
    response = manager.post("/p/hz-1/import/", {"register": upload}, follow=True)
    job = ImportJob.objects.get()
    assert response.redirect_chain[-1][0] == f"/p/hz-1/import/{job.pk}/"
    page = response.content.decode()
    assert "1 rows imported, 0 already there, 1 rejected." in page
    assert models.Customer.objects.filter(name="李娜").exists()
    report = manager.get(f"/p/hz-1/import/{job.pk}/report.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "“1” is not a valid mainland China mobile phone number" in report.content.decode("utf-8-sig")
    fragment = manager.get(f"/p/hz-1/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<section class="card" id="progress"') and "hx-trigger" not in fragment
    assert "来访登记.csv" in manager.get("/p/hz-1/import/").content.decode()


def test_a_job_still_running_keeps_polling(manager: Client, office: Office) -> None:
    job = ImportJob.objects.create(
        project=office.project,
        user=office.zhao.user,
        file_name="r.csv",
        content=b"",
        status="reading",
        total=200,
        checked=50,
    )
    fragment = manager.get(f"/p/hz-1/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="22"' in fragment and "50 of 200 rows checked" in fragment


def test_a_file_that_is_not_a_register_is_refused_on_the_form(manager: Client) -> None:
    upload = SimpleUploadedFile("合同.pdf", b"%PDF", content_type="application/pdf")
    page = manager.post("/p/hz-1/import/", {"register": upload}).content.decode()
    assert "Only .xlsx and .csv files can be imported." in page and not ImportJob.objects.exists()


def test_a_register_that_cannot_be_read_fails_with_the_reason(manager: Client) -> None:
    upload = SimpleUploadedFile("r.csv", "日期,姓名\n2026-03-01,张伟\n".encode(), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    assert "required columns not found: phone" in page
    assert ImportJob.objects.get().status == "failed"


def test_a_job_of_another_project_is_not_found(manager: Client, office: Office) -> None:
    from office import office_create

    other = office_create("sh-2", "上海二期")
    job = ImportJob.objects.create(project=other.project, user=other.zhao.user, file_name="r.csv", content=b"")
    assert manager.get(f"/p/hz-1/import/{job.pk}/").status_code == 404
    assert manager.get(f"/p/hz-1/import/{job.pk}/report.csv").status_code == 404


def test_an_upload_over_the_size_limit_is_refused_on_the_form_with_the_limit(manager: Client, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("大表.csv", REGISTER.encode() + b"x" * (3 * 1024 * 1024), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}).content.decode()
    assert "The file is too large (3.0 MB): at most 2 MB per import; split it into several files." in page
    assert not ImportJob.objects.exists()


def _truncated_xlsx() -> bytes:
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "客户姓名", "电话", "置业顾问"])
    for n in range(5):
        sheet.append(["2026-03-01 10:00", f"客户{n}", f"139{n:08d}", "王芳"])
    whole, cut = io.BytesIO(), io.BytesIO()
    book.save(whole)
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    return cut.getvalue()


def test_a_truncated_sheet_fails_the_job_with_its_reason_on_the_page(manager: Client) -> None:
    upload = SimpleUploadedFile("来访.xlsx", _truncated_xlsx())
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.finished_at is not None
    assert "the Excel file is damaged: nothing after row" in page and "hx-trigger" not in page


def test_an_unexpected_error_fails_the_job_with_a_sentence_and_logs_the_traceback(
    manager: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise MemoryError

    monkeypatch.setattr("leadledger.imports.tasks.register_import", broken)
    upload = SimpleUploadedFile("r.csv", REGISTER.encode(), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    assert ImportJob.objects.get().status == "failed"
    assert "the import stopped unexpectedly; the error is logged for the administrator" in page
    assert "MemoryError" in caplog.text and "Traceback" in caplog.text


def test_a_rejected_row_or_a_header_holding_nul_is_reported_with_the_nul_made_visible(manager: Client) -> None:
    # PostgreSQL cannot store NUL: the report (and a failure's reason) repeat what the file held.
    register = REGISTER.replace("钱七", "钱\x00七").encode()
    page = manager.post("/p/hz-1/import/", {"register": SimpleUploadedFile("r.csv", register)}, follow=True)
    assert "1 rows imported, 0 already there, 1 rejected." in page.content.decode()
    job = ImportJob.objects.get()
    report = manager.get(f"/p/hz-1/import/{job.pk}/report.csv").content.decode("utf-8-sig")
    assert "钱\u2400七" in report and "\x00" not in report
    headless = SimpleUploadedFile("h.csv", "日\x00期,姓名\n2026-03-01,张伟\n".encode())
    page = manager.post("/p/hz-1/import/", {"register": headless}, follow=True)
    assert "required columns not found" in page.content.decode()
    assert "\x00" not in ImportJob.objects.get(file_name="h.csv").error
