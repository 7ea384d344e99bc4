"""Units put on sale from the office's Excel (销控表): all or nothing, each problem said with its row."""

from __future__ import annotations

import html
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from leadledger.sales.models import SaleLog, Unit
from office import PASSWORD, Office


def _file(rows: list[list[Any]], header: tuple[str, ...] = ("楼栋", "楼层", "房号", "建筑面积", "表价（元）")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(username: str, content: bytes, name: str = "销控表.xlsx") -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=username, password=PASSWORD)
    url = reverse("sales_units_upload", kwargs={"project": "hz-1"})
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_a_manager_puts_a_buildings_units_on_sale_from_excel(office: Office) -> None:
    rows = [
        ["3栋", 12, "1201", 89.5, "1,280,000"],
        ["3栋", 12, 1202, 120, 1560000.5],
        ["5栋", 1, "101", "95.00", 990000],
    ]
    answer = _upload("zhao", _file(rows))
    assert "3 套房源已上架" in answer.content.decode()
    unit = Unit.objects.get(building__name="3栋", number="1201")
    assert (unit.floor, unit.area, unit.list_price, unit.status) == (
        12,
        Decimal("89.50"),
        Decimal("1280000.00"),
        "available",
    )
    assert Unit.objects.get(number="1202").list_price == Decimal("1560000.50")
    assert SaleLog.objects.filter(kind="listed").count() == 3  # each in the chained sales log, with who and when
    assert "3栋" in answer.content.decode() and "5栋" in answer.content.decode()  # the board shows them


def test_a_wrong_row_lists_nothing_and_says_which_row(office: Office) -> None:
    rows = [["3栋", 12, "1201", 89.5, 1280000], ["3栋", "十二", "1202", 89.5, "abc"], ["3栋", 12, "1201", 80, 1]]
    text = _upload("zhao", _file(rows)).content.decode()
    assert "销控表未导入" in text and "第3行：楼层、表价不正确" in text and "第4行：3栋1201在文件中重复" in text
    # a floor is ASCII digits (the import reads full-width and superscript ones as NFKC does), -10 to 200
    for floor in ("١٢", "-11", "201", "2.5"):
        text = _upload("zhao", _file([["3栋", floor, "1203", 89.5, 1]])).content.decode()
        assert "第2行：楼层不正确" in text, floor
    assert not Unit.objects.exists()
    text = _upload("zhao", _file([[1, 2, 3]], header=("楼栋", "楼层", "房号"))).content.decode()
    assert "缺少列：面积、表价" in text
    assert "请选择 .xlsx" in _upload("zhao", b"a,b", name="units.csv").content.decode()
    assert "Excel" in _upload("zhao", b"not a zip", name="units.xlsx").content.decode()  # damaged: said, not a 500
    assert not Unit.objects.exists()
    assert _upload("zhao", _file([["3栋", "-2", "B201", 30, 1]])).status_code < 400  # a basement floor is one
    assert Unit.objects.get().floor == -2


def test_units_already_listed_are_refused_and_a_consultant_may_not_upload(office: Office) -> None:
    _upload("zhao", _file([["3栋", 12, "1201", 89.5, 1280000]]))
    text = _upload("zhao", _file([["3栋", 12, "1201", 89.5, 1280000], ["3栋", 12, "1202", 89.5, 1]])).content.decode()
    assert "第2行：3栋1201已在销控表中" in text
    assert Unit.objects.count() == 1
    assert _upload("alice", _file([["3栋", 12, "1203", 89.5, 1]])).status_code == 403
    assert Unit.objects.count() == 1


def test_a_refused_file_is_said_under_the_file_field_not_above_the_page(office: Office) -> None:
    answer = _upload("zhao", _file([["3栋", "十二", "1202", 89.5, 1]]))
    assert answer.status_code == 400
    page = answer.content.decode()
    field = page.index('id="units-file"')
    said = page.index('id="units-file-error"')
    assert field < said < field + 400 and 'aria-describedby="units-file-error"' in page  # right under the input
    assert '/sales/units/#units-upload"' in page and 'id="units-upload"' in page  # opens on the form, below the board
    assert "第2行：楼层不正确" in page[said : said + 200]
    assert page.count("第2行：楼层不正确") == 1  # once, not also in the messages above the page


def test_a_refused_file_is_said_in_english_in_a_sentence_with_each_rows_problem(office: Office) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username="zhao", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en"})
    url = reverse("sales_units_upload", kwargs={"project": "hz-1"})

    def said(content: bytes) -> str:
        page = client.post(url, {"file": SimpleUploadedFile("units.xlsx", content)}).content.decode()
        return html.unescape(page)

    page = said(_file([["3栋", "十二", "1202", 89.5, 1]]))
    assert "Nothing was put on sale: 1 row of the file cannot be read. Row 2: floor not valid." in page
    assert "1 rows" not in page and "第2行" not in page  # the rows' problems in English too, not in Chinese
    page = said(_file([["3栋", "十二", "1202", 89.5, "abc"], ["3栋", 12, "1201", 80, 1], ["3栋", 12, "1201", 80, 1]]))
    assert "2 rows of the file cannot be read. Row 2: floor and list price not valid. Row 4: 3栋 1201 appears" in page
    many = said(_file([["3栋", "x", str(n), 80, 1] for n in range(10)]))
    assert "Row 9: floor not valid. 2 rows more not shown." in many  # the first eight, then the count of the rest
    assert "lacks columns: area, list price (it needs" in said(_file([[1, 2, 3]], header=("楼栋", "楼层", "房号")))
    said(_file([["3栋", 12, "1201", 89.5, 1280000]]))
    page = said(_file([["3栋", 12, "1201", 89.5, 1280000], ["3栋", 12, "1202", 89.5, 1]]))
    assert "1 row of the file lists a unit already on sale. Row 2: 3栋 1201 is already on sale." in page
