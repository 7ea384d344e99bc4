"""A consultant's "my customers" on a phone (390 px) and a tablet (768 px): today's list first, a
follow-up logged with a note and the next-contact day, the confirmation, and marking themself busy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from browser.conftest import HERE, Server, screenshot
from office import PASSWORD
from served import free_port, serve_started

WIDTHS = {"390": (390, 844), "768": (768, 1024)}

# More of Alice's customers, registered at past moments, so that each tab has someone in it.
MORE = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from leadledger.ledger import models, services
project = models.Project.objects.get(code="hz-1")
alice = models.Staff.objects.get(project=project, user__username="alice")
def visit(name, phone, days_ago, follow_up_after=None):
    customer, _ = services.customer_find_or_create(project=project, name=name, phone=phone)
    now = timezone.now()
    body = {"customer": str(customer.pk), "staff": str(alice.pk)}
    services.event_append(project=project, kind="visit", body=body, at=now - timedelta(days=days_ago))
    if follow_up_after is not None:
        at = now - timedelta(days=days_ago - follow_up_after)
        services.event_append(project=project, kind="follow_up", body=body, at=at)
visit("李娜", "13900000002", 6.6)
visit("陈晨", "13900000003", 2)
visit("赵敏", "13900000004", 58, 1)
visit("周杰", "13900000005", 20, 2)
visit("吴刚", "13900000006", 90, 1)
"""


@pytest.fixture
def mine_server(tmp_path: Path) -> Iterator[Server]:
    """`leadledger serve` on a fresh SQLite file with the office, Zhang's visit and five more of Alice's customers."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mine.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    staged = subprocess.run([sys.executable, str(HERE / "stage.py")], capture_output=True, text=True, env=env)
    assert staged.returncode == 0, staged.stderr
    more = subprocess.run([sys.executable, "-c", MORE], capture_output=True, text=True, env=env)
    assert more.returncode == 0, more.stderr
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=60)  # gunicorn stops its workers first; slow on a busy machine


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


@pytest.mark.parametrize("phone", list(WIDTHS), indirect=True)
def test_a_consultant_logs_a_follow_up_with_a_note_and_sees_it_on_todays_list(phone: Any, mine_server: Server) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{mine_server.url}/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的客户")).to_be_visible()  # a consultant lands here
    tabs = page.locator("nav.tabs")
    expect(tabs.locator('[aria-current="page"]')).to_contain_text("今日待办")  # opens on today's list
    rows = page.locator("#mine-list .mine-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("李娜")  # her follow-up window closes within a day (IH-4)
    screenshot(page, "mine-today")

    tabs.get_by_role("link", name="待追访").click()  # htmx swaps the list in place
    expect(tabs.locator('[aria-current="page"]')).to_contain_text("待追访")
    zhang = page.locator(".mine-row", has_text="张伟")
    expect(zhang).to_contain_text("138****0001")
    line = zhang.locator(".line").bounding_box()
    assert line is not None and line["height"] < 60, line  # one line per customer on a phone, two at most
    # Nothing drawn over anything else: at 390 px the number once ran under the chip, the time left under
    # the buttons.
    parts = [zhang.locator(part).bounding_box() for part in (".phone", ".chip", ".left", ".acts")]
    for i, one in enumerate(parts):
        for other in parts[i + 1 :]:
            assert one is not None and other is not None
            apart = (
                one["x"] + one["width"] <= other["x"] + 0.5
                or other["x"] + other["width"] <= one["x"] + 0.5
                or one["y"] + one["height"] <= other["y"] + 0.5
                or other["y"] + other["height"] <= one["y"] + 0.5
            )
            assert apart, (one, other)
    zhang.get_by_text("追访", exact=True).click()
    zhang.get_by_label("追访记录").fill("客户想要三房，周末带太太再来")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    zhang.get_by_label("下次联系").fill(today)
    zhang.get_by_role("button", name="登记追访").click()

    expect(page.get_by_role("status")).to_contain_text("已登记张伟的追访，下次联系：今天")
    expect(tabs.locator('[aria-current="page"]')).to_contain_text("今日待办")
    zhang = page.locator("#mine-list .mine-row", has_text="张伟")
    expect(zhang).to_contain_text("今天联系")
    expect(zhang).to_contain_text("客户想要三房，周末带太太再来")
    expect(zhang.locator(".chip-label")).to_have_text("有效")  # followed up in time: active (IH-4, IH-5)
    screenshot(page, "mine-after-follow-up")

    page.get_by_role("button", name="忙碌").click()
    expect(page.get_by_role("status")).to_contain_text("已标记为忙碌")
    expect(page.locator(".my-desk .presence")).to_have_text("忙碌")
    page.get_by_role("button", name="忙完了").click()
    expect(page.locator(".my-desk .presence")).to_have_text("在岗")
