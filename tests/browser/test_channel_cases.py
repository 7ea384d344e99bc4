"""The channel team's cases at phone width (390 px, issue 15's "Done when"): a spouse case verified with
evidence gives the deal to the right distributor; a distributor's appeal is filed and decided.

The cast of tests/browser/stage.py: 李明 of 安居分销 registered and escorted 陈红, whose husband 王强 signed
the deal; 周涛 of 好房分销; 钱多 the channel specialist; 孙红 the channel manager.
"""

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
from browser.test_agent_register import _fits, _sign_in, phone  # noqa: F401 (fixture)
from served import free_port, serve_started

PDF = b"%PDF-1.4\n% a marriage certificate, scanned\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 500


@pytest.fixture
def cases_server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_STAGE_AGENTS": "1",
        "LEADLEDGER_STAGE_CASES": "1",
        "LEADLEDGER_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    staged = subprocess.run(
        [sys.executable, str(HERE / "stage.py")], capture_output=True, text=True, env=env, check=False
    )
    assert staged.returncode == 0, staged.stderr
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=10)


def test_a_spouse_case_is_verified_with_evidence_and_the_deal_goes_to_the_distributor(
    phone: Any,  # noqa: F811
    cases_server: Server,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    base = cases_server.url
    (tmp_path / "结婚证.pdf").write_bytes(PDF)
    _sign_in(phone, base, "qian")
    phone.goto(f"{base}/p/hz-1/channel/")
    phone.get_by_label("经纪人").select_option(label="安居分销 · 李明")
    phone.get_by_label("已确认客户的手机号").fill("13900000011")
    phone.get_by_label("购买人或同行人的手机号").fill("13900000022")
    phone.get_by_label("关系").select_option(label="配偶")
    phone.get_by_label("情况说明").fill("陈红由李明带看，其丈夫王强签约。")
    phone.get_by_role("button", name="登记", exact=True).click()
    expect(phone.locator(".message.success")).to_contain_text("特殊情况已登记")
    expect(phone.locator(".deal-channel")).to_have_text("归案场（无分销）")  # unverified: D-5 gives the house
    phone.get_by_label("材料类型").select_option(label="结婚证")
    phone.get_by_label("文件（PDF、JPG或PNG，不超过10MB）").set_input_files(str(tmp_path / "结婚证.pdf"))
    phone.get_by_role("button", name="上传").click()
    expect(phone.locator(".message.success")).to_contain_text("证明材料已上传")
    expect(phone.locator(".evidence")).to_contain_text("结婚证.pdf")
    phone.get_by_label("核实方式").select_option(label="电话回访")
    phone.get_by_label("核实结果").fill("回访王强，确认与陈红为夫妻。")
    phone.get_by_role("button", name="保存核实记录").click()
    expect(phone.locator(".message.success")).to_contain_text("核实记录已保存")
    assert phone.get_by_role("button", name="记录决定").count() == 0  # the specialist does not decide
    _fits(phone)
    case_url = phone.url

    _sign_in(phone, base, "sunhong")
    phone.goto(case_url)
    phone.get_by_label("支持").check()
    phone.get_by_label("原因").fill("结婚证与回访一致")
    phone.get_by_role("button", name="记录决定").click()
    expect(phone.locator(".message.success")).to_contain_text("已支持")
    expect(phone.locator(".deal-channel")).to_have_text("计入安居分销李明名下")
    expect(phone.locator(".facts")).to_contain_text("已核实")
    _fits(phone)
    screenshot(phone, "channel-case-upheld")


def test_an_appeal_is_filed_with_evidence_and_decided(
    phone: Any,  # noqa: F811
    cases_server: Server,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    base = cases_server.url
    (tmp_path / "通话记录.png").write_bytes(PNG)
    _sign_in(phone, base, "zhoutao")
    phone.get_by_label("客户姓名").fill("刘洋")
    phone.get_by_label("手机号").fill("13800000066")
    phone.get_by_role("button", name="报备", exact=True).click()
    expect(phone.locator(".message.warning")).to_have_text("报备未通过：已被报备")
    phone.locator(".registration", has_text="刘洋").get_by_role("link", name="申诉").click()
    phone.get_by_label("申诉理由").fill("客户上周已与我们联系，附通话记录。")
    phone.get_by_label("材料类型").select_option(label="通话记录")
    phone.get_by_label("文件（PDF、JPG或PNG，不超过10MB）").set_input_files(str(tmp_path / "通话记录.png"))
    phone.get_by_role("button", name="提交申诉").click()
    expect(phone.locator(".message.success")).to_contain_text("申诉已提交")
    appeal = phone.locator(".appeal").first
    expect(appeal.locator(".word")).to_have_text("待决定")
    body = phone.locator("main").inner_text()
    assert "李明" not in body and "安居分销" not in body  # the appeal says nothing of who holds the customer
    _fits(phone)

    _sign_in(phone, base, "sunhong")
    phone.goto(f"{base}/p/hz-1/channel/")
    phone.locator(".case", has_text="刘洋").get_by_role("link").click()
    expect(phone.locator(".evidence")).to_contain_text("通话记录.png")
    phone.get_by_label("驳回").check()
    phone.get_by_label("原因").fill("通话记录晚于他方报备")
    phone.get_by_role("button", name="记录决定").click()
    expect(phone.locator(".message.success")).to_contain_text("已驳回")
    _fits(phone)
    screenshot(phone, "channel-appeal-decided")

    _sign_in(phone, base, "zhoutao")
    appeal = phone.locator(".appeal").first
    expect(appeal.locator(".word")).to_have_text("已驳回")
    expect(appeal).to_contain_text("通话记录晚于他方报备")  # the manager's reason, as written
