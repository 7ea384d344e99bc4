"""A day at the desk, in a real browser, at the receptionist's tablet width: what a receptionist does."""

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


def test_a_morning_at_the_desk(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base = server.url
    _sign_in(page, base, "sun")
    page.goto(f"{base}/p/hz-1/desk/{server.staged['site']}/")
    expect(page.get_by_role("heading", name=re.compile("接待台"))).to_be_visible()
    board = page.locator("#board")
    expect(board).to_contain_text("下一位新客户由王芳接待")

    # Ask first, by a masked number: Zhang is Wang Fang's, and she is here.
    search = page.get_by_label(re.compile("电话（完整或"))
    search.fill("138****0001")
    expect(page.locator("#results")).to_contain_text("张伟")
    expect(page.locator("#results")).to_contain_text("王芳：在场")
    screenshot(page, "desk-search")

    # A new walk-in: nobody matches the phone, the rotation names Wang Fang.
    search.fill("13900000002")
    expect(page.locator("#results")).to_contain_text("新客户")
    page.get_by_label("姓名", exact=True).fill("李娜")
    page.get_by_role("button", name="登记并分配").click()
    expect(page.get_by_role("status")).to_contain_text("已登记李娜，由王芳接待（Q-1, Q-2）")
    expect(board).to_contain_text("下一位新客户由刘洋接待")

    # Zhang comes back while Wang Fang is busy with Li Na: Liu Yang assists, Zhang stays hers.
    page.get_by_label(re.compile("电话（完整或")).fill("zhangwei")
    expect(page.locator("#results")).to_contain_text("王芳：接待中")
    page.get_by_role("button", name="登记老客户来访").click()
    expect(page.get_by_role("status")).to_contain_text("已登记张伟：由刘洋协助接待，客户仍归王芳（Q-4, IH-11）")
    page.get_by_label(re.compile("电话（完整或")).fill("zw")
    expect(page.locator("#results")).to_contain_text("王芳 · 待追访")  # still hers: the chip

    # Wang Fang is done with Li Na: the board shows it within its two-second refresh.
    page.locator("#board li", has_text="王芳").get_by_role("button", name="已完成").click()
    expect(page.locator("#board li", has_text="王芳")).to_contain_text("空闲")
    screenshot(page, "desk-board")

    # The language switch keeps the page.
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name=re.compile("Reception desk"))).to_be_visible()
    expect(board).to_contain_text("Rotation")
    screenshot(page, "desk-en")


def test_a_follow_up_a_renewal_its_approval_and_a_ruling(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base = server.url
    _sign_in(page, base, "alice")  # 王芳, whose customer 张伟 awaits a follow-up
    page.get_by_role("link", name="我的客户").click()
    page.locator("nav.tabs").get_by_role("link", name="待追访").click()
    row = page.locator(".mine-row", has_text="张伟")
    expect(row).to_contain_text("还剩6天")
    row.get_by_text("追访", exact=True).click()
    row.get_by_role("button", name="登记追访").click()
    expect(page.get_by_role("status")).to_contain_text("已登记张伟的追访")
    page.locator("nav.tabs").get_by_role("link", name="有效").click()
    row = page.locator(".mine-row", has_text="张伟")
    row.locator("summary", has_text="更多").click()  # the rest of the line, loaded on demand
    row.get_by_label("延期理由").fill("客户下周带家人再来")
    row.get_by_role("button", name="申请延期").click()
    expect(page.get_by_role("status")).to_contain_text("已提交延期申请")
    screenshot(page, "consultant")
    page.get_by_role("button", name="退出").click()

    _sign_in(page, base, "zhao")  # the manager approves, then rules the customer to 刘洋
    page.get_by_role("link", name="管理").click()
    approvals = page.locator("tr", has_text="客户下周带家人再来")
    approvals.get_by_role("button", name="批准").click()
    expect(page.locator("body")).not_to_contain_text("客户下周带家人再来")
    screenshot(page, "manager")
    page.get_by_role("link", name="杭州一期").click()
    page.get_by_role("link", name="张伟").click()
    page.get_by_role("link", name=re.compile("处理争议")).click()
    expect(page.locator("table")).to_contain_text("延期")
    page.get_by_label("客户归属于").select_option(label="刘洋")
    page.get_by_label("所偏离的规则").select_option("IH-12")
    page.get_by_label("原因").fill("客户投诉后更换顾问")
    page.get_by_role("button", name="裁定").click()
    expect(page.locator(".chip-box").first).to_contain_text("刘洋")
    expect(page.locator(".chip-box").first).to_contain_text("IH-16")
    screenshot(page, "dispute")


def test_a_double_click_registers_once_and_says_so_once(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base = server.url
    _sign_in(page, base, "sun")
    page.goto(f"{base}/p/hz-1/desk/{server.staged['site']}/")
    page.get_by_label(re.compile("电话（完整或")).fill("13900000002")
    expect(page.locator("#results")).to_contain_text("新客户")
    page.get_by_label("姓名", exact=True).fill("李娜")
    button = page.get_by_role("button", name="登记并分配")
    button.dblclick()
    expect(page.get_by_role("status")).to_contain_text("已登记李娜，由王芳接待（Q-1, Q-2）")
    expect(page.locator(".message.error:visible, p.error:visible")).to_have_count(
        0
    )  # the htmx problem box stays hidden
    board = page.locator("#board")
    expect(board).to_contain_text("下一位新客户由刘洋接待")
    expect(page.locator("#board li", has_text="王芳")).to_contain_text("今日接待 1 组")  # one visit, not two
    expect(page.locator("#board li", has_text="刘洋")).to_contain_text("今日接待 0 组")
