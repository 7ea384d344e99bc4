"""A returning customer whose owner is busy, in two real browsers at 768 and 1366 px: the receptionist is told
it is an assist and ownership stays (IH-11), and the owner, on her phone, sees the notice at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import Server, screenshot
from office import PASSWORD

WIDTHS = {"768": {"width": 768, "height": 1024}, "1366": {"width": 1366, "height": 900}}


@pytest.fixture(params=list(WIDTHS))
def two(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[Any, Any]]:
    """The receptionist's tablet and the owner's own browser (a second context: her own session)."""
    desk = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pages = []
    for context in (desk, phone):
        context.set_default_timeout(10_000)
        opened = context.new_page()
        opened.size_name = request.param
        pages.append(opened)
    yield pages[0], pages[1]
    desk.close()
    phone.close()


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_owner_is_told_when_a_colleague_assists_her_returning_customer(
    two: tuple[Any, Any], server: Server
) -> None:
    from playwright.sync_api import expect

    desk, owner = two
    base = server.url
    _sign_in(owner, base, "alice")  # 王芳, on her own page
    owner.goto(f"{base}/p/hz-1/me/")
    badge = owner.locator("#notice-badge")
    expect(badge).to_have_text("通知")  # nothing unread yet

    _sign_in(desk, base, "sun")
    desk.goto(f"{base}/p/hz-1/desk/{server.staged['site']}/")
    desk.locator("#board li", has_text="王芳").get_by_role("button", name="忙碌").click()
    expect(desk.locator("#board li", has_text="王芳")).to_contain_text("接待中")
    desk.get_by_label(re.compile("电话（完整或")).fill("138****0001")
    results = desk.locator("#results")
    expect(results).to_contain_text("王芳：接待中")
    expect(results.locator("mark")).to_have_text("0001")  # the matched part, marked
    match = results.locator("li.match", has_text="张伟")
    match.get_by_label("来访人数").fill("2")
    match.get_by_label("来访渠道").select_option("walk_in")
    match.get_by_label("意向等级").select_option("B")
    match.get_by_role("button", name="登记老客户来访").click()
    said = "已登记张伟：由刘洋协助接待，客户仍归王芳（Q-4, IH-11）。已通知王芳。"
    expect(desk.get_by_role("status")).to_contain_text(said)
    desk.locator("#today summary").click()
    expect(desk.locator("#today")).to_contain_text("自然到访")
    screenshot(desk, "desk-assist")

    # Her page's menu asks every 5 s; the badge shows the notice without her reloading.
    expect(badge.locator(".badge")).to_have_text("1", timeout=15_000)
    badge.click()
    expect(owner.locator(".notice-item")).to_contain_text("您的客户张伟已到达市区展厅，由刘洋协助接待，客户仍归您。")
    expect(owner.locator("#notice-badge .badge")).to_have_count(0)  # seen, so read
    screenshot(owner, "notices-phone")
