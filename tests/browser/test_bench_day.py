"""A day in a customer manager's life (issue 17): Alice (王芳) follows up a prospect and sees today's
callbacks move, writes her work log, submits her weekly report on her phone; Zhao (赵强), her manager,
sees the team's standing at his desk and returns the report with a comment, which Alice then reads.
Between, a buyer's complaint is recorded, answered within its clock and closed with their confirmation."""

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

# Li (李娜) first visited three days ago, so a follow-up today is a callback (W-2); Zhao's key-account
# team (Alice) has the shipped duties of 篇1.
BENCH = """
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from leadledger.bench import services
from leadledger.bench.models import DutyTemplate
from leadledger.ledger import models, services as ledger_services
project = models.Project.objects.get(code="hz-1")
alice = models.Staff.objects.get(project=project, user__username="alice")
zhao = models.Staff.objects.get(project=project, user__username="zhao")
li, _ = ledger_services.customer_find_or_create(project=project, name="李娜", phone="13900000002")
body = {"customer": str(li.pk), "staff": str(alice.pk)}
ledger_services.event_append(project=project, kind="visit", body=body, at=timezone.now() - timedelta(days=3))
services.presets_load(project=project, kind="key_account")
team = services.team_create(by=zhao, name="大客户一组", kind="key_account", members=[alice.pk])
for duty in DutyTemplate.objects.filter(project=project):
    duty.teams.add(team)
# Bob (刘洋) sells through dealers and wholesalers (篇4): the distribution duties, counted from his field log.
bob = models.Staff.objects.get(project=project, user__username="bob")
services.presets_load(project=project, kind="distribution")
field_team = services.team_create(by=zhao, name="分销一组", kind="distribution", members=[bob.pk])
for duty in DutyTemplate.objects.filter(project=project, team_kind="distribution"):
    duty.teams.add(field_team)
"""


@pytest.fixture
def bench_server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    staged = subprocess.run([sys.executable, str(HERE / "stage.py")], capture_output=True, text=True, env=env)
    assert staged.returncode == 0, staged.stderr
    more = subprocess.run([sys.executable, "-c", BENCH], capture_output=True, text=True, env=env)
    assert more.returncode == 0, more.stderr
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=60)  # gunicorn stops its workers first; slow on a busy machine


def _signed_in(browser: Any, server: Server, username: str, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def test_a_customer_managers_day_and_the_managers_review(browser: Any, bench_server: Server) -> None:
    from playwright.sync_api import expect

    url = bench_server.url
    alice = _signed_in(browser, bench_server, "alice", 390, 844)
    alice.size_name = "390"
    alice.goto(f"{url}/p/hz-1/bench/")
    callbacks = alice.locator("li.duty", has_text="回访老客户")
    expect(callbacks.locator("[data-count]")).to_have_text("0 / 10")
    expect(callbacks).to_contain_text("进行中")
    screenshot(alice, "bench-today")

    alice.goto(f"{url}/p/hz-1/me/?tab=pending")  # she follows Li up from her customers
    li = alice.locator(".mine-row", has_text="李娜")
    li.get_by_text("追访", exact=True).click()
    li.get_by_label("追访记录").fill("李姐想看三房，周六带家人来")
    li.get_by_role("button", name="登记追访").click()
    expect(alice.get_by_role("status")).to_contain_text("已登记李娜的追访")

    alice.goto(f"{url}/p/hz-1/bench/")  # today's target moved, counted from the logged follow-up
    expect(callbacks.locator("[data-count]")).to_have_text("1 / 10")
    alice.get_by_label("今天的工作").fill("回访李娜，约周六看房；整理本周来电")
    alice.get_by_role("button", name="保存工作日志").click()
    expect(alice.get_by_role("status")).to_contain_text("已保存今天的工作日志")
    log_line = alice.locator("li.duty", has_text="工作日志")
    expect(log_line.locator("[data-count]")).to_have_text("1 / 1")
    expect(log_line).to_contain_text("已完成")

    alice.get_by_role("link", name="本周周报").first.click()
    expect(alice.locator("dl.counts")).to_contain_text("回访老客户")
    alice.get_by_label("本周成果").fill("回访老客户1组，约看房1组")
    alice.get_by_label("下周计划").fill("周六带李娜看三房")
    alice.get_by_role("button", name="提交给经理").click()
    expect(alice.get_by_role("status")).to_contain_text("等待经理审阅")
    screenshot(alice, "bench-report")

    # A buyer phones to complain (S-1): she records it, answers within its clock, and closes it once the
    # customer confirms.
    alice.get_by_role("link", name="客户投诉").first.click()
    alice.get_by_label("客户姓名").fill("陈静")
    alice.get_by_label("回电号码").fill("13700000007")
    alice.get_by_label("投诉渠道").select_option(label="电话")
    alice.get_by_label("投诉类型").select_option(label="房屋质量")
    alice.get_by_label("投诉内容").fill("厨房墙面开裂")
    alice.get_by_role("button", name="登记投诉").click()
    expect(alice.get_by_role("status")).to_contain_text("已登记陈静的投诉，开始计时")
    expect(alice.locator("[data-clock]")).to_contain_text("计时中")
    expect(alice.locator("[data-clock]")).to_contain_text("剩23小时")
    screenshot(alice, "bench-complaint")
    alice.get_by_label("给客户的答复").fill("已约工程部周三上门查看")
    alice.get_by_role("button", name="记录答复").click()
    expect(alice.get_by_role("status")).to_contain_text("已记录给陈静的答复")
    expect(alice.locator("[data-clock]")).to_contain_text("按时")
    alice.get_by_label("客户如何确认处理结果").fill("客户电话确认满意")
    alice.get_by_role("button", name="结案").click()
    expect(alice.get_by_role("status")).to_contain_text("陈静的投诉已结案")
    expect(alice.locator("[data-state=closed]")).to_be_visible()

    zhao = _signed_in(browser, bench_server, "zhao", 1366, 900)
    zhao.size_name = "desktop"
    zhao.goto(f"{url}/p/hz-1/bench/team/")
    person = zhao.locator("article.person", has_text="王芳")
    expect(person.locator("li.duty", has_text="回访老客户").locator("[data-count]")).to_have_text("1 / 10")
    screenshot(zhao, "bench-team")
    zhao.get_by_role("link", name="王芳").click()
    zhao.get_by_label("意见").fill("请写明李娜的意向面积和预算")
    zhao.get_by_role("button", name="附意见退回").click()
    expect(zhao.get_by_role("status")).to_contain_text("已退回王芳的")

    alice.goto(f"{url}/p/hz-1/bench/report/")  # her report again, as returned
    expect(alice.get_by_text("请写明李娜的意向面积和预算")).to_be_visible()
    expect(alice.get_by_role("button", name="提交给经理")).to_be_visible()  # returned: she may submit again
    alice.context.close()
    zhao.context.close()


def test_a_distribution_salesperson_logs_field_work_on_the_phone(browser: Any, bench_server: Server) -> None:
    """Bob (刘洋) adds a wholesaler he looks after, logs today's call to it, gets a mistake said beside its
    field with what he typed kept, and sees the call counted on his duties (篇4, W-2, decision 490)."""
    from playwright.sync_api import expect

    bob = _signed_in(browser, bench_server, "bob", 390, 844)
    bob.size_name = "390"
    bob.goto(f"{bench_server.url}/p/hz-1/bench/")
    called = bob.locator("li.duty", has_text="电话联系二级批发商")
    expect(called).to_be_visible()
    bob.get_by_role("link", name="登记外勤").click()

    bob.get_by_role("radio", name="二级批发商", exact=True).check()
    bob.get_by_label("名称", exact=True).fill("李记批发")
    bob.get_by_role("button", name="加入名单").click()
    expect(bob.get_by_role("status")).to_contain_text("已将李记批发加入名单")

    bob.get_by_role("radio", name="零售巡店", exact=True).check()  # a mistake first: shops written in words
    bob.get_by_label("走访店数（零售巡店）").fill("十家")
    bob.get_by_label("备注（可不填）").fill("城东一条街")
    bob.get_by_role("button", name="记下").click()
    error = bob.locator("form.field-form p.error").first
    expect(error).to_be_visible()
    expect(bob.get_by_label("备注（可不填）")).to_have_value("城东一条街")  # nothing typed is lost
    expect(bob.get_by_label("走访店数（零售巡店）")).to_have_value("十家")

    bob.get_by_role("radio", name="电话联系二级批发商", exact=True).check()
    bob.get_by_label("走访店数（零售巡店）").fill("")
    bob.locator("#trader").select_option(label="李记批发")
    bob.get_by_label("备注（可不填）").fill("催周五送货")
    bob.get_by_role("button", name="记下").click()
    expect(bob.get_by_role("status")).to_contain_text("已记下电话联系二级批发商：李记批发")
    expect(bob.locator("li[data-field=wholesaler_call]")).to_contain_text("催周五送货")
    screenshot(bob, "bench-field")

    bob.goto(f"{bench_server.url}/p/hz-1/bench/")  # counted from the log, not ticked by hand
    expect(called.locator("[data-count]")).to_have_text("1 / 1")
    bob.context.close()
