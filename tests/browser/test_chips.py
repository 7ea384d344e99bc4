"""The status chip in a real browser, on a 768 px tablet held upright and at 1366 px: the status is read
first, the sentence opens on a tap, and nothing runs off the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser.conftest import Server, screenshot
from office import PASSWORD


@pytest.mark.parametrize("width", [768, 1366])
def test_the_chip_shows_first_and_the_sentence_opens_on_a_tap(browser: Any, server: Server, width: int) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.size_name = str(width)
    page.goto(f"{server.url}/login/")
    page.get_by_label("用户名").fill("zhao")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{server.url}/p/hz-1/customers/{server.staged['zhang']}/")
    chip = page.locator(".chip").first
    expect(chip).to_be_visible()
    expect(chip).to_have_text(re.compile(r"王芳\s*·\s*待追访\s*·\s*还剩 \d+ 天"))
    sentence = page.locator(".chip-sentence").first
    expect(sentence).to_be_hidden()
    page.get_by_text("说明").first.click()
    expect(sentence).to_be_visible()
    expect(sentence).to_contain_text("王芳于")
    expect(sentence.locator(".cites")).to_contain_text("IH-1")  # the manager sees the rules, small
    box = chip.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    screenshot(page, "customer-chip")

    page.goto(f"{server.url}/p/hz-1/")
    row_chip = page.locator("table.rows .chip").first
    expect(row_chip).to_be_visible()
    box = row_chip.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    screenshot(page, "customers-chip")
    context.close()
