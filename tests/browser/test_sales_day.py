"""Sales control in a browser (issue 16's "Done when"): two consultants take a deposit on the same unit at
once, at desktop and tablet widths, and exactly one gets it while the manager's board changes by itself;
the manager rules otherwise on the disputed deal; a statement is downloaded and read back (openpyxl), and
its PDF rendered with pdftoppm (`sales-statement.png` beside the screenshots)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from browser.conftest import HERE, SIZES, Server, browser, screenshot  # noqa: F401 (fixture)
from office import PASSWORD
from served import free_port, serve_started


@pytest.fixture
def sales_server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sales.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
    }
    staged = subprocess.run(
        [sys.executable, str(HERE / "stage_sales.py")], capture_output=True, text=True, env=env, check=False
    )
    assert staged.returncode == 0, staged.stderr
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)  # the board's watchers keep connections open: give the workers time
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _person(browser: Any, size: str, base: str, username: str) -> Any:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.size_name = size
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.size_name}: the page scrolls sideways ({width} px)"


def test_two_consultants_take_one_unit_at_once_and_the_manager_rules_the_deal(
    browser: Any,  # noqa: F811
    sales_server: Server,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    base, unit = sales_server.url, sales_server.staged["units"][0]
    zhao = _person(browser, "desktop", base, "zhao")  # the manager watches the board
    zhao.goto(f"{base}/p/hz-1/sales/")
    cell = zhao.locator('.unit[data-unit="1201"]')
    expect(cell).to_contain_text("可售")
    _fits(zhao)

    alice = _person(browser, "desktop", base, "alice")
    bob = _person(browser, "tablet", base, "bob")
    for page, buyer in ((alice, "张伟"), (bob, "李娜")):
        page.goto(f"{base}/p/hz-1/sales/unit/{unit}/")
        page.get_by_label("购房客户").select_option(label=page.locator("#buyers option", has_text=buyer).inner_text())
        _fits(page)
    # Both press "确认认购" at the same moment: neither waits for the other's answer.
    for page in (alice, bob):
        page.evaluate("document.querySelector('form.card').requestSubmit()")
    for page in (alice, bob):
        page.wait_for_load_state("load")
        expect(page.locator("main")).to_contain_text("1201")
    won = [page for page in (alice, bob) if page.locator(".message.success").count()]
    lost = [page for page in (alice, bob) if page.locator(".error[role=alert]").count()]
    assert len(won) == 1 and len(lost) == 1, "exactly one deposit succeeds"
    expect(won[0].locator(".message.success")).to_contain_text("3栋-1201已认购")
    expect(lost[0].locator(".error[role=alert]")).to_contain_text("以先落定者为准")
    expect(lost[0].locator("main .unit.deposit")).to_have_text("已认购")  # the unit as it is now, no form
    expect(lost[0].locator("form.card")).to_have_count(0)
    screenshot(lost[0], "sales-taken")
    winner = "王芳" if won[0] is alice else "刘洋"

    # The manager's board changes without a reload (its refresh every 2 s).
    expect(cell).to_contain_text("已认购", timeout=10_000)
    expect(cell).to_contain_text(winner)
    screenshot(zhao, "sales-board")

    # The manager rules otherwise on the disputed deal: 60% to Alice, 30% to Bob, the rest to the pool.
    zhao.goto(won[0].url)
    expect(zhao.locator(".sentence")).not_to_be_empty()
    zhao.get_by_label("或另行裁定，并说明理由").fill("两位顾问对来电客户有争议，按界定5裁定")
    zhao.locator("#share-staff-0").select_option(label="王芳")
    zhao.locator("#share-percent-0").fill("60")
    zhao.locator("#share-staff-1").select_option(label="刘洋")
    zhao.locator("#share-percent-1").fill("30")
    zhao.get_by_role("button", name="另行裁定").click()
    expect(zhao.locator(".message.success")).to_contain_text("裁定已记录")
    expect(zhao.locator("#deal-money")).to_contain_text("王芳 1,800.00、刘洋 900.00、部门奖金池 300.00")
    _fits(zhao)
    screenshot(zhao, "sales-deal-ruled")

    # Alice reads her month: the page, the Excel read back, the PDF rendered.
    alice.goto(f"{base}/p/hz-1/me/statement/")
    expect(alice.locator("#totals")).to_contain_text("1800.00")
    with alice.expect_download() as download:
        alice.get_by_role("link", name="导出表格").click()
    rows = list(load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active.iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in rows if row and row[0]}
    assert figures["已分配佣金"] == 1800 and figures["成交"] in (0, 1)
    pdf = alice.request.get(base + alice.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing (apt-get install poppler-utils; .ci/run does)")
    (tmp_path / "statement.pdf").write_bytes(pdf.body())
    out = Path(os.environ.get("LEADLEDGER_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "statement.pdf"),
            str(out / "sales-statement"),
        ],
        check=True,
    )
    assert next(out.glob("sales-statement*.png")).stat().st_size > 10_000
    for page in (alice, bob, zhao):
        page.context.close()
