"""An escorted visit at phone width (390 px): 李明 shows his code, the channel specialist types it with the
customer's number and confirms; the slip is printed as a PDF (rendered to PNG); 周涛 cannot open it (issue 15)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import Server, screenshot
from browser.test_agent_register import _fits, _sign_in, agents_server, phone  # noqa: F401 (fixtures)


def test_an_escorted_visit_is_confirmed_by_its_code_and_the_slip_printed(
    phone: Any,  # noqa: F811
    agents_server: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    base = agents_server.url
    _sign_in(phone, base, "liming")
    row = phone.locator(".registration", has_text="刘洋")
    expect(row.locator(".word")).to_have_text("报备成功")
    row.get_by_role("link", name="带看码").click()
    expect(phone.locator(".qr svg")).to_be_visible()
    code = phone.locator("#escort-code").inner_text().strip()
    assert "138" not in code and "刘" not in phone.locator("main").inner_text()  # nothing personal
    _fits(phone)
    screenshot(phone, "agent-code")

    _sign_in(phone, base, "qian")  # the channel specialist, on a phone at the door
    phone.goto(f"{base}/p/hz-1/channel/escort/")
    phone.get_by_label("带看码").fill(code)
    phone.get_by_label("客户完整手机号").fill("13800000066")
    phone.get_by_role("button", name="确认到访").click()
    expect(phone.locator(".message.success")).to_contain_text("带看已确认")
    expect(phone.locator(".slip .credit").first).to_have_text("本次到访计入安居分销经纪人李明名下。")
    expect(phone.locator(".slip")).to_have_count(2)  # copies A and B
    _fits(phone)
    screenshot(phone, "escort-slip")
    slip_url = phone.url

    pdf = phone.request.get(base + phone.get_by_role("link", name="打印用PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing (apt-get install poppler-utils; .ci/run does)")
    (tmp_path / "slip.pdf").write_bytes(pdf.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "slip.pdf"), str(tmp_path / "slip")],
        check=True,
    )
    assert next(tmp_path.glob("slip*.png")).stat().st_size > 10_000

    _sign_in(phone, base, "liming")  # the agent's own copy, from his page
    phone.get_by_role("link", name="确认单第").first.click()
    expect(phone.locator(".slip .credit").first).to_contain_text("李明")
    agent_slip = phone.url

    _sign_in(phone, base, "zhoutao")  # another firm's agent: neither the staff's slip nor 李明's
    for url in (slip_url, agent_slip, agent_slip + "pdf/"):
        response = phone.goto(url)
        assert response is not None and response.status == 404, url
        assert "刘洋" not in phone.content()
