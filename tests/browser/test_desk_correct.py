"""A receptionist corrects a registration in a real browser: the wrong consultant, put right the same day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import Server, opened, screenshot
from office import PASSWORD


@pytest.fixture(params=["tablet"])  # the receptionist's tablet; every page's fit at each width: test_walks.py
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    yield from opened(browser, request.param)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_wrong_consultant_is_corrected_with_a_reason_and_a_confirmation(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base = server.url
    _sign_in(page, base, "sun")
    page.goto(f"{base}/p/hz-1/desk/{server.staged['site']}/")
    page.get_by_label(re.compile("电话（完整或")).fill("13900000002")
    expect(page.locator("#results")).to_contain_text("新客户")
    page.get_by_label("姓名", exact=True).fill("李娜")
    page.get_by_role("button", name="登记并分配").click()
    expect(page.get_by_role("status")).to_contain_text("已登记李娜，由王芳接待")

    today = page.locator("#today")
    today.locator("summary").click()
    row = today.locator("tr", has_text="李娜")
    row.get_by_role("link", name="更正").click()
    expect(page.get_by_role("heading", name="更正登记")).to_be_visible()
    page.get_by_label("接待人").select_option(label="刘洋")
    page.get_by_label("原因").fill("接待的是刘洋，登记时选错了顾问")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#correct-confirm")).to_contain_text("这次来访将记为李娜，由刘洋接待")
    screenshot(page, "desk-correct-confirm")
    page.get_by_role("button", name="确认更正").click()
    expect(page.get_by_role("status")).to_contain_text("已更正登记：李娜，由刘洋接待。已通知")
    today = page.locator("#today")
    today.locator("summary").click()
    row = today.locator("tr", has_text="李娜")
    expect(row).to_contain_text("刘洋")
    expect(row).to_contain_text("已更正")
    screenshot(page, "desk-corrected")
