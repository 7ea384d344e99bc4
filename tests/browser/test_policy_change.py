"""A manager changes the policy in a real browser; once the re-judge is done, every page names the same owner."""

from __future__ import annotations

import re
from typing import Any

from browser.conftest import Server, screenshot
from office import PASSWORD

DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _verdict(page: Any, url: str) -> str:
    page.goto(url)
    return str(page.locator("p.verdict").first.inner_text())


def test_a_policy_change_reaches_the_desk_the_customer_page_and_the_dispute_page(page: Any, server: Server) -> None:
    from playwright.sync_api import expect

    base, zhang = server.url, server.staged["zhang"]
    customer_url = f"{base}/p/hz-1/customers/{zhang}/"
    dispute_url = f"{base}/p/hz-1/customers/{zhang}/dispute/"
    _sign_in(page, base, "zhao")
    before = _verdict(page, customer_url)

    # 方法 has no follow-up rule and keeps a claim 15 days (IH-4, IH-5): Zhang's deadline moves.
    page.goto(f"{base}/p/hz-1/manage/")
    page.get_by_label("单项调整（JSON）").fill('{"valid_days": -1}')
    page.get_by_role("button", name="启用此策略").click()
    expect(page.locator("#policy-overrides-error")).to_contain_text("valid_days 不能小于 1")
    page.get_by_label("预设方案").select_option("方法")
    page.get_by_label("单项调整（JSON）").fill("")
    page.get_by_role("button", name="启用此策略").click()
    expect(page.get_by_text("新策略已生效")).to_be_visible()
    job = page.locator('#policy-jobs .job[data-kind="rejudge"]').first
    expect(job).to_have_attribute("data-state", "done", timeout=30_000)  # the worker runs it; htmx polls
    expect(job).to_contain_text("已判定 1 / 1 位客户")
    screenshot(page, "manage-policy")

    after = _verdict(page, customer_url)
    assert after != before and "王芳" in after
    assert _verdict(page, dispute_url) == after  # the live judgement and the stored one agree

    _sign_in(page, base, "sun")
    page.goto(f"{base}/p/hz-1/desk/{server.staged['site']}/")
    page.get_by_label(re.compile("电话（完整或")).fill("张伟")
    results = page.locator("#results")
    expect(results).to_contain_text("王芳")
    shown = DATE.findall(str(results.inner_text()))
    assert shown and set(shown) <= set(DATE.findall(after))  # the same deadline as the verdict's sentence
