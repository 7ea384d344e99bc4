"""A manager in a real browser: lands on management, opens the queue, approves a renewal and reads the
confirmation; at the widths of a laptop (1366) and a tablet held sideways (1024)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import HERE, Server, screenshot
from office import PASSWORD
from served import free_port, serve_started

WIDTHS = {"1366": {"width": 1366, "height": 900}, "1024": {"width": 1024, "height": 768}}


@pytest.fixture(params=list(WIDTHS))
def wide(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.size_name = request.param
    yield opened
    context.close()


@pytest.fixture
def office_server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'manager.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
    }
    staged = subprocess.run(
        [sys.executable, str(HERE / "stage_manager.py")], capture_output=True, text=True, env=env, check=False
    )
    assert staged.returncode == 0, staged.stderr
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=60)  # gunicorn stops its workers first; slow on a busy machine


def test_a_manager_approves_a_renewal_from_the_queue_and_reads_what_happened(wide: Any, office_server: Server) -> None:
    from playwright.sync_api import expect

    page, base = wide, office_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("zhao")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/p/hz-1/manage/")  # a manager lands on management
    glance = page.locator("#at-a-glance")
    expect(glance).to_contain_text("待办事项")
    expect(page.locator("svg.chart")).to_have_count(3)
    screenshot(page, "manage-dashboard")

    glance.get_by_role("link", name="待办事项").first.click()
    expect(page).to_have_url(f"{base}/p/hz-1/manage/queue/")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(2)  # the renewal, then the dispute raised after it
    expect(rows.nth(0)).to_have_attribute("data-kind", "renewal_request")
    expect(rows.nth(1)).to_have_attribute("data-kind", "dispute")
    screenshot(page, "manage-queue")
    approve = rows.nth(0).get_by_role("button", name="批准")
    box = approve.bounding_box()
    assert box and box["x"] + box["width"] <= WIDTHS[page.size_name]["width"]  # reachable without scrolling sideways
    approve.click()

    expect(page).to_have_url(f"{base}/p/hz-1/manage/queue/")
    message = page.locator("p.message.success")
    expect(message).to_contain_text("已批准延期：张伟继续归王芳，有效至")
    expect(page.locator("#queue tbody tr")).to_have_count(1)  # only the dispute waits now
    screenshot(page, "manage-queue-approved")
