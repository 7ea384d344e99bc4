"""A Chinese page reads as a Chinese sales office writes: no English word, no raw key of the policy, no
Python literal, no time zone's name, no ASCII quote around a value, no space around a person's name
(issue 14). Every main page, as each role opens it, with an office's day of data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from leadledger.desk.models import RenewalRequest, Suspension
from leadledger.engine import PARAMETERS
from leadledger.ledger import models, policy_jobs, services
from leadledger.ledger.models import PolicyJob as Job
from office import PASSWORD, Office, client_in

# Words a Chinese page may show in Latin letters: the product, file formats, and rule IDs (IH-4: two letters).
ALLOWED = {"LeadLedger", "Excel", "CSV", "JSON", "PDF", "xlsx", "csv"}
ENGLISH = re.compile(r"[A-Za-z]{3,}")
LITERALS = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|\{\}|\[\]|'[^'\n]*'|\"[^\"\n]*\"")
ZONES = re.compile(r"Asia/|Etc/|\bUTC\b|\bGMT\b")
KEYS = re.compile(r"\b(?:" + "|".join(re.escape(p.name) for p in PARAMETERS) + r")\b")
# A space beside a person's name where a Chinese office writes none: "王芳 于", "归 王芳".
NAMES = ("王芳", "刘洋", "赵强", "孙丽", "张伟", "李娜")
SPACED = re.compile(r"(?:" + "|".join(NAMES) + r") [\u4e00-\u9fff]|[\u4e00-\u9fff] (?:" + "|".join(NAMES) + r")")


def shown(page: str) -> str:
    """What a person reads: the text without scripts, styles and tags (attributes are not read)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"</?(?:strong|b|em|i|span|a|small|abbr|code|time)\b[^>]*>", "", page)  # inline: no space
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", page)


# ASCII punctuation written after Chinese: "王芳: 在场" where an office writes "王芳：在场".
ASCII_AFTER = re.compile(r"[\u4e00-\u9fff][:;,!?()]")


def faults(page: str) -> list[str]:
    text = shown(page)
    found = [word for word in ENGLISH.findall(text) if word not in ALLOWED]
    for pattern in (LITERALS, ZONES, KEYS, SPACED, ASCII_AFTER):
        found += pattern.findall(text)
    return found


def test_the_checker_catches_what_it_is_for() -> None:
    bad_ones = ("有效期 valid_days", "Owned by 王芳", "是否 False", "电话号码：'12345'", "{}", "Asia/Shanghai")
    for bad in bad_ones:
        assert faults(f"<p>{bad}</p>"), bad
    assert faults("<p>王芳 于 2026-12-01 首次登记来访</p>")
    assert faults("<p>王芳: 在场</p>")
    assert not faults('<p title="Why">王芳 · 有效至12月30日（IH-5）</p><script>var a = "Why";</script>')
    assert not faults("<p>导出争议材料（JSON），138****5678，LeadLedger</p>")


@pytest.fixture
def day(office: Office) -> dict[str, object]:
    """An office's day: a site, customers in each state, a renewal waiting, a suspension, a relation."""
    site = models.Site.objects.create(project=office.project, name="市区展厅")
    now = timezone.now()
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(
        project=office.project, kind="follow_up", body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    )
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="139 0000 0002")
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(li.pk), "staff": str(office.bob.pk)},
        at=now - timedelta(days=1),
    )
    old, _ = services.customer_find_or_create(project=office.project, name="陈静", phone="137 0000 0003")
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(old.pk), "staff": str(office.alice.pk)},
        at=now - timedelta(days=120),
    )
    models.Relation.objects.create(project=office.project, a=office.zhang, b=li, kind="spouse", verified=False)
    RenewalRequest.objects.create(project=office.project, customer=office.zhang, staff=office.alice, reason="再看一次")
    Suspension.objects.create(
        project=office.project, staff=office.bob, by=office.zhao, reason="迟到", until=now + timedelta(days=1)
    )
    return {"site": site.pk, "zhang": office.zhang.pk, "li": li.pk}


def _client(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


PAGES = [
    ("sun", "/p/hz-1/desk/{site}/"),
    ("sun", "/p/hz-1/desk/{site}/board/"),
    ("sun", "/p/hz-1/desk/{site}/search/?q=张伟"),
    ("sun", "/p/hz-1/desk/{site}/search/?q=13900000009"),
    ("alice", "/p/hz-1/me/"),
    ("alice", "/p/hz-1/customers/{zhang}/"),
    ("bob", "/p/hz-1/customers/{zhang}/"),
    ("zhao", "/p/hz-1/manage/"),
    ("zhao", "/p/hz-1/customers/{zhang}/dispute/"),
    ("zhao", "/p/hz-1/customers/{zhang}/dispute/?param=valid_days&value=15"),
    ("zhao", "/p/hz-1/customers/{zhang}/dispute/?param=valid_days&value=0"),
    ("zhao", "/p/hz-1/manage/policy/"),
    ("zhao", "/p/hz-1/import/"),
    ("zhao", "/p/hz-1/"),
    ("zhao", "/p/hz-1/sign-ins/"),
    ("zhao", "/p/hz-1/customers/{zhang}/"),
    # The rest of the day's walk (tests/browser/test_walks.py visits each of these).
    ("sun", "/p/hz-1/customers/{zhang}/"),
    ("alice", "/p/hz-1/me/?tab=pending"),
    ("alice", "/p/hz-1/me/?tab=active"),
    ("alice", "/p/hz-1/me/?tab=lapsed"),
    ("alice", "/p/hz-1/me/{zhang}/more/"),
    ("alice", "/p/hz-1/notices/"),
    ("alice", "/p/hz-1/customers/{li}/"),
    ("zhao", "/p/hz-1/manage/queue/"),
    ("zhao", "/p/hz-1/manage/?days=30"),
    ("zhao", "/p/hz-1/customers/{li}/dispute/"),
    ("zhao", "/p/hz-1/customers/{zhang}/dispute/?preset=方法"),
    ("zhao", "/password/"),
]


@pytest.mark.parametrize(("username", "address"), PAGES, ids=[f"{u}:{a}" for u, a in PAGES])
def test_a_chinese_page_shows_no_english_word_raw_key_or_literal(
    day: dict[str, object], username: str, address: str
) -> None:
    response = _client(username).get(address.format(**day))
    assert response.status_code == 200, address
    assert faults(response.content.decode()) == [], address


def test_a_departures_are_you_sure_page_and_a_policy_preview_read_in_chinese(day: dict[str, object]) -> None:
    client = _client("zhao")
    bob = models.Staff.objects.get(user__username="bob")
    response = client.post("/p/hz-1/manage/departure/", {"staff": str(bob.pk), "reason": "离职"})
    assert response.status_code == 200 and faults(response.content.decode()) == []
    response = client.post("/p/hz-1/manage/policy/preview/", {"preset": "方法", "valid_days": "20"}, follow=True)
    assert response.status_code == 200 and faults(response.content.decode()) == []
    preview = Job.objects.get(kind=Job.Kind.WHAT_IF)
    policy_jobs.policy_job_run(preview.pk)
    job = client.get(f"/p/hz-1/manage/policy/jobs/{preview.pk}/").content.decode()
    assert "张伟" in job and faults(job) == []
    response = client.post("/p/hz-1/manage/policy/apply/", {"preview": str(preview.pk)}, follow=True)
    assert faults(response.content.decode()) == []
    assert "新政策已生效" in response.content.decode()


def test_an_agents_pages_read_in_chinese(office: Office) -> None:
    office.project.policy = {"protection_scheme": "report_visit"}
    office.project.save(update_fields=["policy"])
    firm = models.Distributor.objects.create(project=office.project, name="安居分销")
    user = get_user_model().objects.create_user(username="liming", password=PASSWORD, first_name="李明")
    models.Agent.objects.create(project=office.project, name="李明", distributor=firm, user=user)
    client = _client("liming")
    assert faults(client.get("/p/hz-1/agent/").content.decode()) == []
    form = {"name": "周敏", "phone": "138 0000 0077"}
    response = client.post("/p/hz-1/agent/register/", form, follow=True)
    assert response.status_code == 200 and faults(response.content.decode()) == []
    again = client.post("/p/hz-1/agent/register/", {"name": "周敏", "phone": "12345"}, follow=True)
    assert faults(again.content.decode()) == []


def test_the_admin_reads_in_chinese(office: Office) -> None:
    """Our part of the admin and django-tasks' (its words kept in our catalogue, web/tasks_admin.py): the
    apps' index, a model's change page, the task results. Django's own screen-reader headings ("Model
    name", untranslated upstream) are left out."""
    get_user_model().objects.create_superuser("boss", password=PASSWORD, first_name="管理员")
    client = _client("boss")
    for address in (
        "/admin/",
        "/admin/ledger/",
        f"/admin/ledger/customer/{office.zhang.pk}/change/",
        "/admin/django_tasks_database/",
        "/admin/django_tasks_database/dbtaskresult/",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode().split('id="content"')[1].split(">", 1)[1]  # the page, not every app's menu
        page = re.sub(r'<(\w+) class="visually-hidden">.*?</\1>', "", page, flags=re.S)
        assert faults(page) == [], (address, faults(page))
    assert "后台任务" in client.get("/admin/").content.decode()
