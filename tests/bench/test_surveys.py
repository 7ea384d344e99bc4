"""Satisfaction surveys (W-5): a consultant asks their own customers, records answers; the manager's figures."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from leadledger.bench import selectors, surveys
from leadledger.bench.models import Survey
from leadledger.engine import duties as d
from office import PASSWORD, client_in
from workbench import Workbench


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_consultant_asks_her_customers_once_and_records_answers(bench: Workbench) -> None:
    office = bench.office
    alice = _signed_in("alice")
    sent = alice.post("/p/hz-1/bench/surveys/", {"action": "send", "cadence": "monthly"}, follow=True)
    month = f"{timezone.localdate():%Y-%m}"
    assert f"已向2位客户发出{month}满意度调查" in sent.content.decode()
    again = alice.post("/p/hz-1/bench/surveys/", {"action": "send", "cadence": "monthly"}, follow=True)
    assert "已向0位客户发出" in again.content.decode() and Survey.objects.count() == 2
    zhang = Survey.objects.get(customer=office.zhang)
    refused = alice.post("/p/hz-1/bench/surveys/", {"survey": zhang.pk, "score": "6"}, follow=True)
    assert "请选择1到5分的满意度" in refused.content.decode()
    done = alice.post("/p/hz-1/bench/surveys/", {"survey": zhang.pk, "score": "5", "comment": "讲解专业"}, follow=True)
    page = done.content.decode()
    assert "已记录张伟的满意度" in page and "非常满意" in page and "100.0%" in page
    line = next(x for x in selectors.board(office.alice, timezone.now()).lines if x.duty.name == "月度满意度调查")
    assert line.standing is not None and line.standing.status == d.MET  # W-2: the month's survey was sent


def test_the_manager_sees_each_members_figures_and_another_consultant_cannot_answer(bench: Workbench) -> None:
    office = bench.office
    made = surveys.surveys_send(by=office.alice, cadence=d.MONTHLY, period="")
    surveys.survey_answer(by=office.alice, survey=made[0], fields={"score": "2"})
    page = _signed_in("zhao").get("/p/hz-1/bench/surveys/").content.decode()
    assert "王芳" in page and "0.0%" in page and "2.00" in page
    bob = _signed_in("bob").post("/p/hz-1/bench/surveys/", {"survey": made[1].pk, "score": "5"}, follow=True)
    assert "只有发出调查的人或经理可以记录" in bob.content.decode()
    made[1].refresh_from_db()
    assert made[1].score is None
    month = timezone.localdate().strftime("%Y-%m")
    assert surveys.project_figures(office.project, d.MONTHLY, month).answered == 1


def test_the_monthly_complaint_report_carries_the_months_satisfaction(bench: Workbench) -> None:
    office = bench.office
    made = surveys.surveys_send(by=office.alice, cadence=d.MONTHLY, period="")
    surveys.survey_answer(by=office.alice, survey=made[0], fields={"score": "4"})
    surveys.survey_answer(by=office.alice, survey=made[1], fields={"score": "3"})
    page = _signed_in("zhao").get("/p/hz-1/bench/complaints/report/").content.decode()
    assert "客户满意率（月度调查）" in page and "50.0%" in page  # S-2 from W-5


def test_the_customers_archive_shows_their_surveys(bench: Workbench) -> None:
    made = surveys.surveys_send(by=bench.office.alice, cadence=d.MONTHLY, period="")
    zhang = next(s for s in made if s.customer_id == bench.office.zhang.pk)
    surveys.survey_answer(by=bench.office.alice, survey=zhang, fields={"score": "1", "comment": "回电太慢"})
    page = _signed_in("alice").get(f"/p/hz-1/bench/customers/{bench.office.zhang.pk}/").content.decode()
    assert "非常不满意" in page and "回电太慢" in page  # W-5, by customer


def test_a_mistyped_survey_number_is_not_found_not_an_error(bench: Workbench) -> None:
    # Found by fuzzing the r17 forms once: ":" reached the primary key lookup and answered 500.
    for typed in (":", "１", "-1", ""):
        response = _signed_in("alice").post("/p/hz-1/bench/surveys/", {"survey": typed, "score": "5"})
        assert response.status_code == 404, typed
