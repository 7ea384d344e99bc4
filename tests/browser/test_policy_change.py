"""A manager changes the policy in a real browser: the editor, a preview of what would change, apply, the
re-judge's progress to the end; then every page names the same owner until the same day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import Server, opened, screenshot
from office import PASSWORD


@pytest.fixture(params=["desktop"])  # a manager's flow, at the office PC; every page's fit at each width: test_walks.py
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    yield from opened(browser, request.param)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _verdict(page: Any, url: str) -> str:
    """The verdict's chip and its sentence, as the page holds them (the sentence opens on a tap)."""
    page.goto(url)
    return " ".join(str(page.locator(".chip-box").first.text_content()).split())


def test_a_policy_change_is_previewed_applied_and_reaches_the_desk_the_customer_page_and_the_dispute_page(
    page: Any, server: Server
) -> None:
    from playwright.sync_api import expect

    base, zhang = server.url, server.staged["zhang"]
    customer_url = f"{base}/p/hz-1/customers/{zhang}/"
    dispute_url = f"{base}/p/hz-1/customers/{zhang}/dispute/"
    _sign_in(page, base, "zhao")
    expect(page).to_have_url(f"{base}/p/hz-1/manage/")  # a manager lands on management
    expect(page.locator("#policy-in-force")).to_contain_text("归属有效期")
    expect(page.locator("#policy-in-force")).to_contain_text("60 天")
    before = _verdict(page, customer_url)

    page.goto(f"{base}/p/hz-1/manage/")
    page.get_by_role("link", name="调整归属政策").click()
    valid_days = page.get_by_label("归属有效期（天）")
    valid_days.fill("0")
    page.get_by_role("button", name="预览变化").click()
    expect(page.locator("#policy-valid_days-error")).to_contain_text("归属有效期不能小于 1 天")

    # 方法 has no follow-up rule (IH-4) and keeps a claim 15 days (IH-5); the manager makes it 20.
    page.get_by_label("预设方案").select_option("方法")
    expect(valid_days).to_have_value("15")  # the preset fills its values in
    expect(page.get_by_label("首次来访后的追访期限（天）")).to_have_value("")
    valid_days.fill("20")
    page.get_by_role("button", name="预览变化").click()
    preview = page.locator('.job[data-kind="what_if"]')
    expect(preview).to_have_attribute("data-state", "done", timeout=30_000)  # the worker runs it; htmx polls
    expect(preview).to_contain_text("1 位客户中有 1 位的判定会改变")
    expect(preview.locator("table.moves")).to_contain_text("待追访")
    expect(preview.locator("table.moves")).to_contain_text("有效")
    expect(preview).to_contain_text("张伟")
    screenshot(page, "policy-preview")
    previewed = page.url
    assert _verdict(page, customer_url) == before  # a preview changes nothing

    page.goto(previewed)
    expect(page.get_by_label("归属有效期（天）")).to_have_value("20")  # the form shows what was previewed
    page.get_by_role("button", name="启用此政策").click()
    expect(page.get_by_text("新政策已生效")).to_be_visible()
    job = page.locator('.job[data-kind="rejudge"]').first
    expect(job).to_have_attribute("data-state", "done", timeout=30_000)
    expect(job).to_contain_text("已判定 1 / 1 位客户")
    expect(job).to_contain_text("当前政策")
    expect(page.locator("#policy-in-force")).to_contain_text("20 天")
    screenshot(page, "policy-editor")

    after = _verdict(page, customer_url)
    assert after != before and "王芳" in after
    assert _verdict(page, dispute_url) == after  # the live judgement and the stored one agree

    _sign_in(page, base, "sun")
    expect(page).to_have_url(re.compile(rf"{base}/p/hz-1/desk/\d+/$"))  # a receptionist lands on the desk
    page.get_by_label(re.compile("电话（完整或")).fill("张伟")
    results = page.locator("#results")
    expect(results).to_contain_text("王芳")
    chip = " ".join(str(results.locator(".chip").first.text_content()).split())
    assert chip and after.startswith(chip)  # the same chip as the customer page's
