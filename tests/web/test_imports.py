"""The import page: upload, preview, confirm or cancel, watch the progress, see and download the rejected rows."""

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


def _confirmed(manager: Client, name: str, content: bytes) -> str:
    """Upload a register, confirm its preview, and return the job's page."""
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    preview = manager.post("/p/hz-1/import/", {"register": upload}, follow=True)
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None and job.status == "preview", preview.content.decode()[-2000:]
    return manager.post(f"/p/hz-1/import/{job.pk}/confirm/", follow=True).content.decode()


def test_an_upload_is_imported_in_the_background_and_reported(manager: Client) -> None:
    upload = SimpleUploadedFile("来访登记.csv", REGISTER.encode("utf-8"), content_type="text/csv")
    response = manager.post("/p/hz-1/import/", {"register": upload}, follow=True)
    job = ImportJob.objects.get()
    assert response.redirect_chain[-1][0] == f"/p/hz-1/import/{job.pk}/"
    assert job.status == "preview" and not models.Customer.objects.filter(name="李娜").exists()
    response = manager.post(f"/p/hz-1/import/{job.pk}/confirm/", follow=True)
    page = response.content.decode()
    assert "The import has started" in page
    assert "1 rows imported, 0 already there, 1 rejected." in page
    job.refresh_from_db()
    assert job.content == b""  # done: the upload is not kept
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


def test_a_register_that_cannot_be_read_is_refused_on_the_form_with_the_reason(manager: Client) -> None:
    upload = SimpleUploadedFile("r.csv", "日期,姓名\n2026-03-01,张伟\n".encode(), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    assert "required columns not found: phone" in page and 'class="error" role="alert"' in page
    assert not ImportJob.objects.exists()


def test_a_job_of_another_project_is_not_found(manager: Client, office: Office) -> None:
    from office import office_create

    other = office_create("sh-2", "上海二期")
    job = ImportJob.objects.create(project=other.project, user=other.zhao.user, file_name="r.csv", content=b"")
    assert manager.get(f"/p/hz-1/import/{job.pk}/").status_code == 404
    assert manager.get(f"/p/hz-1/import/{job.pk}/report.csv").status_code == 404


def test_an_upload_over_the_size_limit_is_refused_before_its_body_is_parsed_or_kept(
    manager: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 2 * 1024 * 1024

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the body of an upload over the limit was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", never)
    upload = SimpleUploadedFile("大表.csv", REGISTER.encode() + b"x" * (3 * 1024 * 1024), content_type="text/csv")
    response = manager.post("/p/hz-1/import/", {"register": upload})
    assert response.status_code == 303 and response["Location"].startswith("/p/hz-1/import/?too_large=")
    page = manager.get(response["Location"]).content.decode()
    assert "The file is too large (3.0 MB): at most 2 MB per import; split it into several files." in page
    assert 'class="error" role="alert"' in page  # next to the field
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_within_the_margin_is_refused_by_the_form(manager: Client, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("大表.csv", REGISTER.encode() + b"x" * (2 * 1024 * 1024), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}).content.decode()
    assert "The file is too large (2.0 MB): at most 2 MB per import" in page
    assert not ImportJob.objects.exists()


def test_the_refusal_of_a_large_upload_is_in_chinese_for_a_chinese_office(office: Office, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 1024 * 1024
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    upload = SimpleUploadedFile("大表.csv", b"x" * (2 * 1024 * 1024), content_type="text/csv")
    page = client.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    assert "文件过大（2.0 MB）" in page


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


def test_a_truncated_sheet_is_refused_with_its_reason_at_the_preview(manager: Client) -> None:
    upload = SimpleUploadedFile("来访.xlsx", _truncated_xlsx())
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    assert "the Excel file is damaged: nothing after row" in page and not ImportJob.objects.exists()


def test_an_unexpected_error_fails_the_job_with_a_sentence_and_logs_the_traceback(
    manager: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise MemoryError

    monkeypatch.setattr("leadledger.imports.tasks.register_import", broken)
    page = _confirmed(manager, "r.csv", REGISTER.encode())
    assert ImportJob.objects.get().status == "failed"
    assert "the import stopped unexpectedly; the error is logged for the administrator" in page
    assert "MemoryError" in caplog.text and "Traceback" in caplog.text


def test_a_rejected_row_or_a_header_holding_nul_is_reported_with_the_nul_made_visible(manager: Client) -> None:
    # PostgreSQL cannot store NUL: the report (and a failure's reason) repeat what the file held.
    register = REGISTER.replace("钱七", "钱\x00七").encode()
    page = _confirmed(manager, "r.csv", register)
    assert "1 rows imported, 0 already there, 1 rejected." in page and "钱\u2400七" in page
    job = ImportJob.objects.get()
    report = manager.get(f"/p/hz-1/import/{job.pk}/report.csv").content.decode("utf-8-sig")
    assert "钱\u2400七" in report and "\x00" not in report
    headless = SimpleUploadedFile("h.csv", "日\x00期,姓名\n2026-03-01,张伟\n".encode())
    page = manager.post("/p/hz-1/import/", {"register": headless}, follow=True)
    assert "required columns not found" in page.content.decode() and "\x00" not in page.content.decode()


PREVIEWED = (
    "来访日期,时间,客户姓名,手机号码,接待顾问,类型,备注,楼栋\n"
    "2026-03-01,10:00,李娜,139 0000 0002,王芳,来访,首次到访,3号楼\n"
    "2026-03-01,11:00,钱七,1,王芳,来访,,\n"
    "2026-03-01,12:00,张三,13800138000,王芳,来访,示例,\n"
)


def test_the_preview_shows_how_each_column_was_understood_and_the_first_rows_and_stores_nothing(
    manager: Client,
) -> None:
    upload = SimpleUploadedFile("来访.csv", PREVIEWED.encode(), content_type="text/csv")
    page = manager.post("/p/hz-1/import/", {"register": upload}, follow=True).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "preview" and bytes(job.content) == PREVIEWED.encode()
    assert "Check before importing" in page and "Confirm import" in page and "Cancel" in page
    columns = job.preview["columns"]
    assert columns[0] == ["来访日期", "date"] and columns[3] == ["手机号码", "phone"] and columns[7] == ["楼栋", None]
    assert '<td>楼栋</td><td><span class="muted">not imported</span></td>' in page
    assert [row["state"] for row in job.preview["rows"]] == ["ok", "bad", "bad"]
    assert "2026-03-01 10:00" in page and "13900000002" in page and "Will be imported" in page
    assert "“1” is not a valid mainland China mobile phone number" in page
    assert "this is the template&#x27;s example row and is not imported" in page
    assert not models.Customer.objects.filter(name="李娜").exists() and not models.Event.objects.exists()


def test_a_cancelled_preview_stores_nothing_and_deletes_the_file(manager: Client) -> None:
    upload = SimpleUploadedFile("来访.csv", PREVIEWED.encode(), content_type="text/csv")
    manager.post("/p/hz-1/import/", {"register": upload})
    job = ImportJob.objects.get()
    page = manager.post(f"/p/hz-1/import/{job.pk}/cancel/", follow=True).content.decode()
    assert "Import cancelled: nothing was saved and the uploaded file was deleted." in page
    job.refresh_from_db()
    assert job.status == "cancelled" and bytes(job.content) == b"" and not models.Event.objects.exists()
    # Confirming it afterwards (a second tab) starts nothing.
    page = manager.post(f"/p/hz-1/import/{job.pk}/confirm/", follow=True).content.decode()
    assert "already confirmed or cancelled" in page and not models.Event.objects.exists()


def test_the_rejected_rows_are_shown_on_the_page_with_their_reasons_as_well_as_downloadable(
    manager: Client,
) -> None:
    page = _confirmed(manager, "来访.csv", PREVIEWED.encode())
    assert "1 rows imported, 0 already there, 2 rejected." in page
    assert 'id="rejected"' in page and "The first 2 rejected rows of 2, with their reasons." in page
    assert "“1” is not a valid mainland China mobile phone number" in page
    assert "<td>钱七</td>" in page
    job = ImportJob.objects.get()
    assert "example row" in manager.get(f"/p/hz-1/import/{job.pk}/report.csv").content.decode("utf-8-sig")


def test_at_most_50_rejected_rows_are_shown_on_the_page(manager: Client) -> None:
    register = "日期,客户姓名,电话,置业顾问\n" + "".join(f"2026-03-01 10:00,客户{n},{n},王芳\n" for n in range(70))
    page = _confirmed(manager, "r.csv", register.encode())
    assert "The first 50 rejected rows of 70, with their reasons." in page
    assert page.count("is not a valid mainland China mobile phone number") == 50


def test_the_template_has_the_chinese_headers_an_example_row_and_notes_and_imports_nothing(
    manager: Client, tmp_path: Any
) -> None:
    import io

    from openpyxl import load_workbook

    response = manager.get("/p/hz-1/import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E6%9D%A5%E8%AE%BF" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    register, notes = book.worksheets
    assert (register.title, notes.title) == ("来访登记", "填写说明")
    rows = list(register.iter_rows(values_only=True))
    assert rows[0] == ("日期", "时间", "客户姓名", "电话", "置业顾问", "来访方式", "备注")
    assert rows[1][:5] == ("2026-03-01", "10:30", "张三", "13800138000", "王芳")
    assert [row[0] for row in notes.iter_rows(min_row=2, max_row=8, values_only=True)] == list(rows[0])
    # Imported as it is downloaded, its example row is refused with its reason.
    upload = SimpleUploadedFile("模板.xlsx", response.content)
    manager.post("/p/hz-1/import/", {"register": upload})
    job = ImportJob.objects.get()
    assert [row["state"] for row in job.preview["rows"]] == ["bad"]
    manager.post(f"/p/hz-1/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert (job.status, job.imported, job.rejected) == ("done", 0, 1) and not models.Customer.objects.filter(
        name="张三"
    ).exists()
    assert "模板" not in "".join(str(v) for v in rows[1][:5])


def test_the_templates_example_row_never_names_a_consultant_who_left(manager: Client, office: Office) -> None:
    import io

    from openpyxl import load_workbook

    from leadledger.desk import services

    services.departure_record(by=office.zhao, leaver=office.alice, reason="resigned", user=None)
    book = load_workbook(io.BytesIO(manager.get("/p/hz-1/import/template.xlsx").content))
    assert list(book.worksheets[0].iter_rows(values_only=True))[1][4] == "刘洋"  # an import may give 刘洋 customers


def test_the_import_pages_are_for_those_who_may_import(office: Office) -> None:
    client = client_in("en")
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/p/hz-1/import/template.xlsx").status_code == 403


def test_a_lost_job_is_failed_on_its_page_with_what_was_stored_and_can_be_run_again(
    manager: Client, office: Office
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = ImportJob.objects.create(
        project=office.project,
        user=office.zhao.user,
        file_name="r.csv",
        content=REGISTER.encode(),
        status="saving",
        total=2,
        checked=2,
        updated_at=timezone.now() - timedelta(minutes=10),
    )
    page = manager.get(f"/p/hz-1/import/{job.pk}/").content.decode()
    assert "The import stopped: no progress for 5 minutes" in page and "No row was saved yet" in page
    assert "hx-trigger" not in page and "Run the import again" in page
    page = manager.post(f"/p/hz-1/import/{job.pk}/again/", follow=True).content.decode()
    assert "The import is running again" in page and "1 rows imported, 0 already there, 1 rejected." in page
    assert "Run the import again" not in manager.get(f"/p/hz-1/import/{job.pk}/").content.decode()


def test_an_upload_far_over_the_limit_is_cut_off_unread(
    manager: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 100 * 1024

    def never(_: object) -> None:
        raise AssertionError("a body four times over the limit was read")

    monkeypatch.setattr("leadledger.web.uploads._drain", never)
    upload = SimpleUploadedFile("大表.csv", b"x" * (1024 * 1024), content_type="text/csv")
    response = manager.post("/p/hz-1/import/", {"register": upload})
    assert response.status_code == 303 and response["Connection"] == "close"


def test_the_page_knows_the_limit_to_say_it_before_a_file_is_sent(manager: Client, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    page = manager.get("/p/hz-1/import/").content.decode()
    assert 'data-max-bytes="2097152"' in page
    assert 'data-too-large="The file is too large (__SIZE__ MB): at most 2 MB per import' in page
