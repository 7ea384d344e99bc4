"""The manager changes the policy and asks what-ifs over the whole project on the management page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.ledger import models, policy_jobs, services
from office import PASSWORD, Office, client_in

Job = models.PolicyJob


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
    marker = f'id="{field}-error">'
    return page.split(marker)[1].split("</p>")[0] if marker in page else ""


def test_a_manager_adopts_a_preset_with_overrides_and_sees_the_re_judge_queued_then_done(office: Office) -> None:
    _visit(office, days_ago=10)
    client = _client()
    response = client.post("/p/hz-1/manage/policy/", {"preset": "方法", "overrides": '{"valid_days": 20}'})
    assert response.status_code == 302
    assert models.Project.objects.get().policy == {"preset": "方法", "valid_days": 20}
    assert models.PolicyChange.objects.get().user.username == "zhao"
    page = client.get("/p/hz-1/manage/").content.decode()
    assert 'data-state="queued"' in page and 'hx-trigger="every 1s"' in page
    policy_jobs.policy_job_run(Job.objects.get().pk)
    partial = client.get("/p/hz-1/manage/jobs/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in partial and "1 of 1 customers" in partial and "hx-trigger" not in partial


@pytest.mark.parametrize(
    ("field", "form", "english"),
    [
        ("policy-overrides", {"preset": "default", "overrides": '{"valid_days": -3}'}, "valid_days must be at least 1"),
        ("policy-overrides", {"preset": "default", "overrides": "[30]"}, "must be an object"),
        ("policy-overrides", {"preset": "default", "overrides": "{valid_days: 30}"}, "not valid JSON"),
        ("policy-overrides", {"preset": "default", "overrides": '{"valid_days": 99999}'}, "more than 3650"),
        ("policy-overrides", {"preset": "default", "overrides": '{"colour": "red"}'}, "unknown policy parameter"),
        ("policy-preset", {"preset": "lenient", "overrides": ""}, "unknown preset"),
    ],
)
def test_a_policy_the_engine_refuses_is_said_next_to_its_field_and_nothing_changes(
    office: Office, field: str, form: dict[str, str], english: str
) -> None:
    response = _client().post("/p/hz-1/manage/policy/", form)
    page = response.content.decode()
    assert response.status_code == 200 and english in _error(page, field)
    assert form["overrides"].replace('"', "&quot;") in page  # what was typed is kept
    assert not models.PolicyChange.objects.exists() and not Job.objects.exists()
    assert models.Project.objects.get().policy == {}


def test_the_refusal_is_in_chinese_for_a_chinese_reader(office: Office) -> None:
    page = _client(language="zh-hans").post(
        "/p/hz-1/manage/policy/", {"preset": "default", "overrides": '{"valid_days": 0}'}
    )
    assert "不能小于 1" in _error(page.content.decode(), "policy-overrides")


def test_only_a_manager_changes_the_policy_or_starts_a_what_if(office: Office) -> None:
    alice = _client("alice")
    assert alice.post("/p/hz-1/manage/policy/", {"preset": "方法", "overrides": ""}).status_code == 403
    assert alice.post("/p/hz-1/manage/what-if/", {"what_if": '{"valid_days": 15}'}).status_code == 403
    assert alice.get("/p/hz-1/manage/jobs/").status_code == 403
    assert not Job.objects.exists()


def test_a_what_if_over_the_project_shows_its_progress_then_what_would_change(office: Office) -> None:
    _visit(office, days_ago=10)  # void by default for want of a follow-up (IH-4); held with 14 days
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    client = _client()
    assert client.post("/p/hz-1/manage/what-if/", {"what_if": '{"follow_up_days": 14}'}).status_code == 302
    job = Job.objects.get(kind=Job.Kind.WHAT_IF)
    assert 'data-kind="what_if" data-state="queued"' in client.get("/p/hz-1/manage/").content.decode()
    policy_jobs.policy_job_run(job.pk)
    partial = client.get("/p/hz-1/manage/jobs/", HTTP_HX_REQUEST="true").content.decode()
    assert "1 of 1 verdicts would change." in partial and "void → pending" in partial
    assert f"/customers/{office.zhang.pk}/dispute/" in partial and "张伟" in partial
    assert models.Project.objects.get().policy == {}  # a what-if changes nothing


def test_a_bad_what_if_over_the_project_is_said_next_to_its_field(office: Office) -> None:
    page = _client().post("/p/hz-1/manage/what-if/", {"what_if": '{"grace_days": "long"}'}).content.decode()
    assert "whole number of days" in _error(page, "project-what-if")
    assert not Job.objects.exists()
