"""Duty templates: the three kinds of team shipped (篇1, 篇4, 篇5), edited and assigned by the manager."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from leadledger.bench import services
from leadledger.bench.models import DutyTemplate, Team
from leadledger.bench.presets import PRESETS
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from office import PASSWORD, Office, client_in


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("kind", sorted(PRESETS))
def test_each_kind_of_team_installs_once(office: Office, kind: str) -> None:
    made = services.presets_install(by=office.zhao, kind=kind)
    assert len(made) == len(PRESETS[kind]) > 0
    assert services.presets_install(by=office.zhao, kind=kind) == []  # a second time adds nothing


def test_the_shipped_numbers_are_the_sources(office: Office) -> None:
    services.presets_load(project=office.project, kind="key_account")
    services.presets_load(project=office.project, kind="distribution")
    services.presets_load(project=office.project, kind="sales_office")
    key = {t.counts: t for t in DutyTemplate.objects.filter(team_kind="key_account").exclude(counts="")}
    assert (key[d.CALLBACKS].target, key[d.NEW_PROSPECTS].target) == (10, 5)  # 篇1 3.1
    stock = DutyTemplate.objects.get(team_kind="distribution", name="登记库存")
    assert (stock.cadence, stock.n, stock.starts is not None) == (d.EVERY_N_DAYS, 5, True)  # 篇4
    meeting = DutyTemplate.objects.get(team_kind="sales_office", name="晨会")
    assert meeting.at_time is not None and meeting.at_time.strftime("%H:%M") == "08:30"  # 篇5


def test_the_command_installs_them_too(office: Office) -> None:
    out = io.StringIO()
    call_command("bench_presets", "hz-1", "sales_office", stdout=out)
    assert "3 duties added" in out.getvalue()


def test_a_consultant_may_not_install_or_edit(office: Office) -> None:
    with pytest.raises(DomainError):
        services.presets_install(by=office.alice, kind="key_account")
    services.presets_load(project=office.project, kind="key_account")
    duty = DutyTemplate.objects.first()
    assert duty is not None
    assert _signed_in("alice").get(f"/p/hz-1/bench/duties/{duty.pk}/").status_code == 403


def test_the_manager_edits_and_assigns_a_duty(office: Office) -> None:
    zhao = _signed_in("zhao")
    assert "已添加10项职责" in zhao.post("/p/hz-1/bench/duties/", {"kind": "key_account"}, follow=True).content.decode()
    made = zhao.post(
        "/p/hz-1/bench/duties/",
        {"action": "team", "team_name": "大客户一组", "team_kind": "key_account", "members": [office.alice.pk]},
        follow=True,
    )
    assert "已建立团队大客户一组" in made.content.decode()
    team = Team.objects.get(name="大客户一组")
    duty = DutyTemplate.objects.get(counts=d.CALLBACKS)
    url = f"/p/hz-1/bench/duties/{duty.pk}/"
    form = {"name": "回访老客户", "cadence": d.DAILY, "target": "8", "counts": d.CALLBACKS, "teams": [team.pk]}
    refused = zhao.post(url, {**form, "target": "八"})
    assert refused.status_code == 422 and "请填写不小于 0 的整数" in refused.content.decode()
    saved = zhao.post(url, {**form, "people": [office.bob.pk]}, follow=True)
    assert "已保存职责回访老客户" in saved.content.decode()
    duty.refresh_from_db()
    assert duty.target == 8 and list(duty.teams.all()) == [team] and list(duty.people.all()) == [office.bob]


def test_every_n_days_needs_n(office: Office) -> None:
    services.presets_load(project=office.project, kind="key_account")
    duty = DutyTemplate.objects.first()
    assert duty is not None
    fields = {"name": "x", "cadence": d.EVERY_N_DAYS, "target": "1", "n": "0", "counts": ""}
    with pytest.raises(DomainError) as raised:
        services.duty_save(by=office.zhao, duty=duty, fields=fields)
    assert raised.value.field == "n"


def test_the_team_dashboard_opens_in_excel_with_the_same_figures_and_a_chart(office: Office) -> None:
    import io

    from openpyxl import load_workbook

    from workbench import call, workbench_create

    bench = workbench_create(office)
    call(office, office.zhang, office.alice)
    response = _signed_in("zhao").get("/p/hz-1/bench/team.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    duties = list(book["今日职责"].iter_rows(min_row=3, values_only=True))
    callbacks = next(row for row in duties if row[1] == "回访老客户")
    assert callbacks[0] == "王芳" and callbacks[3:] == (1, 10, "进行中")  # W-2, as on 团队今日
    month = list(book["本月"].iter_rows(values_only=True))
    assert month[0][0] == "成员" and month[1][0] == "王芳" and month[1][1] == 1  # one call this month
    assert len(book["本月"]._charts) == 1 and bench.team.name == "大客户一组"
    assert _signed_in("alice").get("/p/hz-1/bench/team.xlsx").status_code == 403
