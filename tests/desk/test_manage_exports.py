"""Every list on the manager's pages as an Excel file, opened as an office would open it (openpyxl)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from leadledger.desk import services
from leadledger.desk.manage import EXPORTS
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services
from office import PASSWORD, Office, client_in

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _sheet(client: Client, name: str, query: str = "") -> list[tuple[Any, ...]]:
    response = client.get(f"/p/hz-1/manage/export/{name}.xlsx{query}")
    assert response.status_code == 200, name
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="hz-1-{name}-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def busy(office: Office) -> Office:
    """An office whose names and reasons were typed to be formulas: each must reach Excel as text."""
    evil = ledger_services.customer_find_or_create(
        project=office.project, name='=HYPERLINK("http://x")', phone="139 0000 0002"
    )[0]
    for customer in (office.zhang, evil):
        ledger_services.event_append(
            project=office.project, kind="visit", body={"customer": str(customer.pk), "staff": str(office.alice.pk)}
        )
    models.Verdict.objects.update(status="active", until=timezone.now() + timedelta(days=2))
    services.renewal_ask(staff=office.alice, customer=evil, reason="+cmd|' /C calc'!A0")
    services.suspension_set(manager=office.zhao, staff=str(office.bob.pk), days=2, reason="@SUM(A1)")
    services.dispute_raise(staff=office.bob, customer=evil, reason="-2+3")
    return office


def test_the_claims_expiring_this_week_open_in_excel_with_every_row_and_no_formula(busy: Office) -> None:
    rows = _sheet(_client("zhao"), "expiring")
    assert rows[0] == ("Customer", "Owner", "Valid until")
    assert {r[0] for r in rows[1:]} == {"张伟", '\'=HYPERLINK("http://x")'}
    assert all(r[1] == "王芳" for r in rows[1:]) and all(r[2] is not None for r in rows[1:])


def test_the_queue_in_excel_is_in_the_users_language_with_every_cell_inert(busy: Office) -> None:
    rows = _sheet(_client("zhao", "zh-hans"), "queue")
    assert rows[0] == ("事项", "提交时间", "客户", "人员", "说明")
    kinds = [r[0] for r in rows[1:]]
    assert sorted(kinds) == sorted(["延期", "停止轮接", "归属争议"])
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert not any(c.startswith(DANGEROUS) for c in cells)
    assert "'+cmd|' /C calc'!A0" in cells and "'@SUM(A1)" in cells and "'-2+3" in cells


def test_the_dashboards_tables_export_with_numbers_as_numbers(busy: Office) -> None:
    zhao = _client("zhao")
    visits = _sheet(zhao, "visits", "?days=7")
    assert visits[0] == ("Day", "Visits", "First visits", "Return visits") and len(visits) == 8
    assert visits[-1][1:] == (2, 2, 0)  # today: two first visits
    consultants = _sheet(zhao, "consultants")
    assert consultants[1][:4] == ("王芳", 2, 2, 0) and consultants[1][4] == 0


@pytest.mark.parametrize("name", EXPORTS)
def test_every_list_on_the_managers_pages_exports(busy: Office, name: str) -> None:
    rows = _sheet(_client("zhao"), name)
    assert rows and all(isinstance(h, str) and h for h in rows[0])
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert not any(c.startswith(DANGEROUS) for c in cells)


def test_an_unknown_list_is_not_found_and_a_consultant_may_not_export(busy: Office) -> None:
    assert _client("zhao").get("/p/hz-1/manage/export/everyone.xlsx").status_code == 404
    assert _client("alice").get("/p/hz-1/manage/export/queue.xlsx").status_code == 403


def test_each_list_on_the_management_page_links_to_its_excel_file(busy: Office) -> None:
    page = _client("zhao").get("/p/hz-1/manage/").content.decode()
    for name in EXPORTS:
        if name != "queue":
            assert f"/manage/export/{name}.xlsx" in page, name
    assert "/manage/export/queue.xlsx" in _client("zhao").get("/p/hz-1/manage/queue/").content.decode()


def test_the_dispute_pages_events_open_in_excel_each_verdict_as_its_chip_reads(busy: Office) -> None:
    evil = models.Customer.objects.get(name__startswith="=")
    client = _client("zhao", "zh-hans")
    page = client.get(f"/p/hz-1/customers/{evil.pk}/dispute/").content.decode()
    assert f"/p/hz-1/customers/{evil.pk}/dispute/events.xlsx" in page
    response = client.get(f"/p/hz-1/customers/{evil.pk}/dispute/events.xlsx")
    assert response.status_code == 200
    assert f'filename="hz-1-dispute-{evil.pk}-' in response["Content-Disposition"]
    rows = [tuple(r) for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == ("序号", "时间", "事项", "案场", "人员", "记录人", "之前", "之后")
    assert len(rows) == 2 and rows[1][2] == "来访" and rows[1][4] == "王芳"
    assert rows[1][6] == "未归属" and rows[1][7].startswith("王芳 · ")


def test_the_dispute_events_sheet_is_the_managers_alone(busy: Office) -> None:
    response = _client("alice").get(f"/p/hz-1/customers/{busy.zhang.pk}/dispute/events.xlsx")
    assert response.status_code in (403, 404)
