"""A policy change re-judges every verdict in the background; a what-if judges them all and stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger import engine
from leadledger.ledger import models, policy_jobs, services
from office import PASSWORD, Office, client_in

Job = models.PolicyJob
TWO_WEEKS = {"follow_up_days": 14}  # a visit 10 days ago without a follow-up is void by default (IH-4), kept here


def _client(username: str) -> Client:
    client = client_in("en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, customer: models.Customer, staff: models.Staff, days_ago: float) -> None:
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(customer.pk), "staff": str(staff.pk)},
        at=timezone.now() - timedelta(days=days_ago),
    )


def _customers(office: Office, count: int) -> list[models.Customer]:
    made = [
        services.customer_find_or_create(project=office.project, name=f"客户{i}", phone=f"1390000{i:04d}")[0]
        for i in range(count)
    ]
    for customer in made:
        _visit(office, customer, office.bob, days_ago=10)
    return made


def _latest(kind: str = Job.Kind.REJUDGE) -> models.PolicyJob:
    return Job.objects.filter(kind=kind).latest("pk")


def _pages(office: Office, site: models.Site) -> tuple[str, str, str]:
    desk = _client("sun").get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张伟"}).content.decode()
    zhao = _client("zhao")
    customer = zhao.get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode()
    dispute = zhao.get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/").content.decode()
    return desk, customer, dispute


def _sentence(page: str) -> str:
    return page.split('<p class="chip-sentence">')[1].split("</p>")[0]


def test_a_policy_change_queues_a_re_judge_that_stores_every_verdict_under_the_new_policy(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=10)
    _customers(office, 5)
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    job = _latest()
    new = engine.policy_from({**TWO_WEEKS, "time_zone": office.project.time_zone}).version
    assert job.state == Job.State.QUEUED and job.policy_version == new
    assert not models.Verdict.objects.filter(policy_version=new).exists()
    seen: list[tuple[int, int]] = []
    job = policy_jobs.policy_job_run(job.pk, chunk=2, progress=lambda done, total: seen.append((done, total)))
    assert job.state == Job.State.DONE and job.done == job.total == 6 and job.finished_at is not None
    assert seen == [(0, 6), (2, 6), (4, 6), (6, 6)]
    assert set(models.Verdict.objects.values_list("policy_version", flat=True)) == {new}
    assert models.Verdict.objects.get(customer=office.zhang).owners == {str(office.alice.pk): "1"}


def test_after_the_re_judge_the_desk_the_customer_page_and_the_dispute_page_name_the_same_owner(
    office: Office,
) -> None:
    site = models.Site.objects.create(project=office.project, name="市区展厅")
    _visit(office, office.zhang, office.alice, days_ago=10)
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    desk, customer, dispute = _pages(office, site)
    assert _sentence(customer) != _sentence(dispute)  # the defect: stored and live verdicts disagree
    policy_jobs.policy_job_run(_latest().pk)
    desk, customer, dispute = _pages(office, site)
    assert 'class="presence' in desk and f"{office.alice.name}:" in desk
    assert _sentence(customer) == _sentence(dispute)
    assert office.alice.name in _sentence(dispute)


def test_a_second_change_supersedes_a_queued_re_judge_and_leaves_no_verdict_of_the_older_policy(
    office: Office,
) -> None:
    _customers(office, 4)
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    first = _latest()
    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    second = _latest()
    assert Job.objects.get(pk=first.pk).state == Job.State.SUPERSEDED
    assert policy_jobs.policy_job_run(first.pk).state == Job.State.SUPERSEDED  # runs nothing
    assert policy_jobs.policy_job_run(second.pk).state == Job.State.DONE
    assert set(models.Verdict.objects.values_list("policy_version", flat=True)) == {second.policy_version}


def test_a_change_while_a_re_judge_runs_stops_it_and_the_later_one_re_judges_everything(office: Office) -> None:
    _customers(office, 6)
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    first = _latest()

    def change_midway(done: int, total: int) -> None:
        if done == 2:
            services.policy_set(project=office.project, policy={"valid_days": 30}, user=office.zhao.user)

    ended = policy_jobs.policy_job_run(first.pk, chunk=2, progress=change_midway)
    assert ended.state == Job.State.SUPERSEDED and ended.done == 2
    versions = set(models.Verdict.objects.values_list("policy_version", flat=True))
    assert first.policy_version in versions  # the first chunk was stored before the change
    second = _latest()
    assert policy_jobs.policy_job_run(second.pk).state == Job.State.DONE
    assert set(models.Verdict.objects.values_list("policy_version", flat=True)) == {second.policy_version}


def test_events_recorded_while_a_re_judge_is_queued_are_judged_under_the_new_policy(office: Office) -> None:
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    _visit(office, office.zhang, office.alice, days_ago=10)
    assert models.Verdict.objects.get(customer=office.zhang).policy_version == _latest().policy_version


def test_a_policy_changed_behind_the_services_back_stops_the_re_judge(office: Office) -> None:
    _customers(office, 2)
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    models.Project.objects.filter(pk=office.project.pk).update(policy={"valid_days": 20})
    assert policy_jobs.policy_job_run(_latest().pk).state == Job.State.SUPERSEDED


def test_the_change_is_enqueued_as_a_background_task_when_it_commits(
    office: Office, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("policy_job_run") and task.args_kwargs["args"] == [_latest().pk]


def test_a_what_if_over_the_project_counts_the_changes_and_stores_no_verdict(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=10)
    _customers(office, 3)
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(office.bob.pk)},
        at=timezone.now() - timedelta(days=1),
    )
    services.verdicts_rebuild(project=office.project, now=timezone.now())  # compared at the moment each was judged
    before = list(models.Verdict.objects.order_by("pk").values())
    job = services.policy_what_if_start(project=office.project, proposed=TWO_WEEKS, user=office.zhao.user)
    job = policy_jobs.policy_job_run(job.pk, chunk=3)
    assert job.state == Job.State.DONE and job.total == 4 and job.done == 4
    assert list(models.Verdict.objects.order_by("pk").values()) == before
    summary = job.summary
    assert summary is not None
    assert summary["compared"] == 4 and summary["changed"] == 4
    # Bob's three void claims would hold; Zhang would still be Alice's, Bob's visit no first contact.
    assert summary["kinds"] == {"owner": 4} and summary["moves"] == {"void → pending": 3, "pending → pending": 1}
    first = {item["customer"]: item for item in summary["first"]}
    assert set(first) == {str(c) for c in models.Customer.objects.values_list("pk", flat=True)}
    assert office.alice.name in first[str(office.zhang.pk)]["proposed"]["zh"]
    assert office.bob.name in first[str(office.zhang.pk)]["current"]["zh"]


def test_a_what_if_that_the_engine_refuses_is_said_on_its_field(office: Office) -> None:
    with pytest.raises(services.LedgerError) as caught:
        services.policy_what_if_start(project=office.project, proposed={"valid_days": -1}, user=office.zhao.user)
    assert caught.value.field == "what_if" and "Claim lasts" in caught.value.en
    with pytest.raises(services.LedgerError):
        services.policy_what_if_start(project=office.project, proposed=[1], user=office.zhao.user)


def test_verify_exits_0_after_a_policy_change_and_after_the_re_judge(office: Office) -> None:
    """Verify judges each verdict under the policy it records (h-events' part of issue 12)."""
    from leadledger.cli import main

    _visit(office, office.zhang, office.alice, days_ago=10)
    _customers(office, 3)
    services.verdicts_rebuild(project=office.project, now=timezone.now())  # void now; pending under TWO_WEEKS
    assert main(["verify", "--project", "hz-1", "--lang", "en"]) == 0
    services.policy_set(project=office.project, policy=TWO_WEEKS, user=office.zhao.user)
    assert main(["verify", "--project", "hz-1", "--lang", "en"]) == 0  # nothing re-judged yet
    policy_jobs.policy_job_run(_latest().pk)
    assert main(["verify", "--project", "hz-1", "--lang", "en"]) == 0


def test_the_what_if_command_prints_progress_and_the_summary(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from leadledger.cli import main

    _visit(office, office.zhang, office.alice, days_ago=10)
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    assert main(["what-if", "--project", "hz-1", "--lang", "en", '{"follow_up_days": 14}']) == 0
    said = capsys.readouterr()
    assert "judging 100% 1/1" in said.err
    summary = json.loads(said.out)
    assert summary["changed"] == 1 and summary["kinds"] == {"owner": 1}
    assert summary["first"][0]["customer"] == str(office.zhang.pk) and "王芳" in summary["first"][0]["proposed"]
    assert models.Project.objects.get().policy == {}
    assert main(["what-if", "--project", "hz-1", "--lang", "en", '{"valid_days": 0}']) == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["what-if", "--project", "hz-1", "--lang", "en", "[15]"]) == 2
