"""A day at the desk, in a real browser, at desktop and tablet widths: what a receptionist does."""

from __future__ import annotations

import re
from typing import Any

from browser.conftest import Server, screenshot
from office import PASSWORD


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
    expect(board).to_contain_text("下一位新客户：王芳")

    # Ask first, by a masked number: Zhang is Wang Fang's, and she is here.
    search = page.get_by_label(re.compile("电话（完整或"))
    search.fill("138****0001")
    expect(page.locator("#results")).to_contain_text("张伟")
    expect(page.locator("#results")).to_contain_text("王芳: 在场")
    screenshot(page, "desk-search")

    # A new walk-in: nobody matches the phone, the rotation names Wang Fang.
    search.fill("13900000002")
    expect(page.locator("#results")).to_contain_text("新客户")
    page.get_by_label("姓名", exact=True).fill("李娜")
    page.get_by_role("button", name="登记并分配").click()
    expect(page.get_by_role("status")).to_contain_text("已登记 李娜，由 王芳 接待（Q-1, Q-2）")
    expect(board).to_contain_text("下一位新客户：刘洋")

    # Zhang comes back while Wang Fang is busy with Li Na: Liu Yang assists, Zhang stays hers.
    page.get_by_label(re.compile("电话（完整或")).fill("zhangwei")
    expect(page.locator("#results")).to_contain_text("王芳: 接待中")
    page.get_by_role("button", name="登记老客户来访").click()
    expect(page.get_by_role("status")).to_contain_text("已登记 张伟，由 刘洋 接待（Q-4, IH-11）")
    page.get_by_label(re.compile("电话（完整或")).fill("zw")
    expect(page.locator("#results")).to_contain_text("王芳 于")  # still hers: the engine's sentence

    # Wang Fang is done with Li Na: the board shows it within its two-second refresh.
    page.locator("#board li", has_text="王芳").get_by_role("button", name="已完成").click()
    expect(page.locator("#board li", has_text="王芳")).to_contain_text("空闲")
    screenshot(page, "desk-board")

    # The language switch keeps the page.
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name=re.compile("Reception desk"))).to_be_visible()
    expect(board).to_contain_text("Rotation")
    screenshot(page, "desk-en")
