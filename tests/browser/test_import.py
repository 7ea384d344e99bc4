"""Importing a visit register in a real browser: the template, the preview, confirming, the rejected rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import Server, opened, screenshot
from office import PASSWORD


@pytest.fixture(params=["desktop"])  # a manager's flow, at the desk's PC; every page's fit at each width: test_walks.py
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    yield from opened(browser, request.param)


REGISTER = (
    "来访日期,时间,客户姓名,手机号码,接待顾问,类型,备注,楼栋\n"
    "2026-03-01,10:00,李娜,139 0000 0002,王芳,来访,首次到访,3号楼\n"
    "2026-03-01,10:20,钱七,1380000,王芳,来访,,\n"
    "2026-03-01,,孙丽丽,13987654321,王芳,来访,,\n"
)


def test_a_manager_previews_a_register_confirms_it_and_reads_the_rejected_rows(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base = server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("zhao")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/p/hz-1/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    assert download.value.suggested_filename == "来访登记模板.xlsx"

    page.set_input_files(
        "#id_register", files=[{"name": "来访登记.csv", "mimeType": "text/csv", "buffer": REGISTER.encode()}]
    )
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("尚未保存任何数据")
    expect(preview.get_by_role("row", name=re.compile("楼栋"))).to_contain_text("不导入")
    expect(preview.get_by_role("row", name=re.compile("李娜"))).to_contain_text("将导入")
    expect(preview.get_by_role("row", name=re.compile("钱七"))).to_contain_text("不是有效的大陆手机号码")
    screenshot(page, "import-preview")

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status").first).to_contain_text("导入已开始")
    rejected = page.locator("#rejected")
    expect(rejected).to_be_visible(timeout=30_000)  # the background worker, polled every second
    expect(page.locator("#progress")).to_contain_text("导入 1 行，已存在 0 行，拒绝 2 行。")
    expect(rejected.get_by_role("row", name=re.compile("孙丽丽"))).to_contain_text("只有日期，没有时间")
    screenshot(page, "import-done")
