"""The manager's policy editor: each parameter as a person reads it, a preview before anything changes,
then the change applied and every verdict judged again, with its progress."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.ledger import models, policy_jobs, services
from office import PASSWORD, Office, client_in, office_create

Job = models.PolicyJob
RAW = re.compile(r"valid_days|phone_contact_claims|follow_up_days|\bFalse\b|\bTrue\b|\{\}|default@|[0-9a-f]{12}")


def _client(username: str = "zhao", language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, days_ago: float) -> None:
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=timezone.now() - timedelta(days=days_ago),
    )


def _error(page: str, field: str) -> str:
    marker = f'id="policy-{field}-error">'
    return page.split(marker)[1].split("</p>")[0] if marker in page else ""


def _shown(page: str) -> str:
    """What a person reads: the page's text without tags, scripts and field names."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["归属有效期", "60 天", "否", "IH-5", "标准（规则目录默认值）", "方法（销售客户归属界定方法）"]),
        ("en", ["Claim lasts", "60 days", "No", "IH-5", "Standard (the rule catalogue", "Preview the change"]),
    ],
)
def test_the_editor_shows_each_parameter_with_its_label_unit_and_rule_and_no_raw_key(
    office: Office, language: str, words: list[str]
) -> None:
    services.policy_set(project=office.project, policy={"preset": "default"}, user=office.zhao.user)
    for url in ("/p/hz-1/manage/policy/", "/p/hz-1/manage/"):
        text = _shown(_client(language=language).get(url).content.decode())
        assert all(word in text for word in words[:4]), url
        assert not RAW.search(text), RAW.search(text)
    text = _shown(_client(language=language).get("/p/hz-1/manage/policy/").content.decode())
    assert all(word in text for word in words[4:])


def test_a_value_the_engine_refuses_is_said_next_to_its_field_and_nothing_changes(office: Office) -> None:
    form = {"preset": "default", "valid_days": "0", "poaching_fine": "lots", "grace_days": "7"}
    response = _client().post("/p/hz-1/manage/policy/preview/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Claim lasts: must be at least 1 day" in _error(page, "valid_days")
    assert "amount in yuan" in _error(page, "poaching_fine")
    assert not _error(page, "grace_days")
    assert 'value="lots"' in page  # what was typed is kept
    assert not Job.objects.exists() and models.Project.objects.get().policy == {}


def test_the_refusal_is_in_chinese_for_a_chinese_reader(office: Office) -> None:
    page = _client(language="zh-hans").post("/p/hz-1/manage/policy/preview/", {"preset": "default", "valid_days": "-3"})
    assert "归属有效期不能小于 1 天" in _error(page.content.decode(), "valid_days")


def test_a_preview_judges_the_project_and_stores_nothing_then_apply_adopts_it_and_re_judges(office: Office) -> None:
    _visit(office, days_ago=10)  # void by default for want of a follow-up (IH-4); 方法 has no follow-up rule
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    client = _client()
    response = client.post("/p/hz-1/manage/policy/preview/", {"preset": "方法", "valid_days": "20"})
    preview = Job.objects.get(kind=Job.Kind.WHAT_IF)
    assert response.status_code == 302
    assert response["Location"] == f"/p/hz-1/manage/policy/?preview={preview.pk}#preview"
    assert models.Project.objects.get().policy == {} and not models.PolicyChange.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-kind="what_if" data-state="queued"' in page and 'hx-trigger="every 1s"' in page
    assert 'value="20"' in page  # the form shows what is previewed

    policy_jobs.policy_job_run(preview.pk)
    partial = _shown(client.get(f"/p/hz-1/manage/policy/jobs/{preview.pk}/").content.decode())
    assert "1 of 1 verdicts would change." in partial
    assert re.search(r"void\s+active\s+1", partial)  # the move, in words
    assert "张伟" in partial and "Apply this policy" in partial

    response = client.post("/p/hz-1/manage/policy/apply/", {"preview": str(preview.pk)})
    assert response.status_code == 302
    assert models.Project.objects.get().policy == {"preset": "方法", "valid_days": 20}
    assert models.PolicyChange.objects.get().user.username == "zhao"
    page = client.get("/p/hz-1/manage/policy/").content.decode()
    assert "The new policy is in force" in page
    rejudge = Job.objects.get(kind=Job.Kind.REJUDGE)
    assert f'id="policy-job-{rejudge.pk}" data-kind="rejudge" data-state="queued"' in page
    policy_jobs.policy_job_run(rejudge.pk)
    partial = _shown(client.get(f"/p/hz-1/manage/policy/jobs/{rejudge.pk}/").content.decode())
    assert "Done: 1 customer is judged under this policy." in partial and "the policy in force" in partial
    assert "hx-trigger" not in partial
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.status == "active" and verdict.policy_version.startswith("方法@")


def test_nothing_is_applied_without_a_finished_preview_of_this_project(office: Office) -> None:
    client = _client()
    client.post("/p/hz-1/manage/policy/preview/", {"preset": "方法"})
    queued = Job.objects.get()
    other = office_create("sh-2", "上海二期")
    theirs = services.policy_what_if_start(project=other.project, proposed={"preset": "制度"}, user=None)
    policy_jobs.policy_job_run(theirs.pk)
    for pk in (queued.pk, theirs.pk, 999_999):
        response = client.post("/p/hz-1/manage/policy/apply/", {"preview": str(pk)}, follow=True)
        assert "preview the change first" in response.content.decode()
    assert client.post("/p/hz-1/manage/policy/apply/", {"preview": "x"}).status_code == 400
    assert not models.PolicyChange.objects.exists()
    assert models.Project.objects.get(code="hz-1").policy == {}


def test_the_history_says_which_policy_and_since_when_never_a_version_hash(office: Office) -> None:
    services.policy_set(project=office.project, policy={"preset": "制度", "valid_days": 30}, user=office.zhao.user)
    text = _shown(_client(language="zh-hans").get("/p/hz-1/manage/policy/").content.decode())
    assert "制度（销售部客户界定制度），另调整 1 项" in text and "当前政策" in text
    assert not RAW.search(text)


def test_only_a_manager_opens_the_editor_or_previews_or_applies(office: Office) -> None:
    for username in ("alice", "sun"):
        client = _client(username)
        assert client.get("/p/hz-1/manage/policy/").status_code == 403
        assert client.post("/p/hz-1/manage/policy/preview/", {"preset": "方法"}).status_code == 403
        assert client.post("/p/hz-1/manage/policy/apply/", {"preview": "1"}).status_code == 403
    assert not Job.objects.exists()
