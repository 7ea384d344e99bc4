"""Complaints (S-1): recorded as they arrive, answered on their clock, passed to a department with its own
deadline, closed only with the customer's confirmation; the clocks on the list, the most urgent first."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.bench import complaints, selectors
from leadledger.bench.models import Complaint, ServiceHours
from leadledger.engine import complaints as engine
from leadledger.engine.errors import DomainError
from office import PASSWORD, Office, client_in

FORM = {"name": "陈静", "phone": "13700000007", "channel": "phone", "kind": "house", "text": "厨房墙面开裂，要求维修"}


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _record(office: Office, at: datetime | None = None, **more: str) -> Complaint:
    return complaints.complaint_record(by=office.sun, fields={**FORM, **more}, now=at)


def test_the_desk_records_a_complaint_and_its_24_hour_clock_runs(office: Office) -> None:
    client = _signed_in("sun")
    response = client.post("/p/hz-1/bench/complaints/", FORM, follow=True)
    made = Complaint.objects.get(project=office.project)
    assert made.received_by == office.sun and made.answered_at is None
    page = response.content.decode()
    assert "已登记陈静的投诉，开始计时" in page
    assert 'data-clock="running"' in page and "剩23小时" in page
    listed = client.get("/p/hz-1/bench/complaints/").content.decode()
    assert "陈静" in listed and "13700000007" not in listed  # masked on the list (decision 400)
    assert "13700000007" in page  # in full where it is handled: the customer is called back


def test_a_form_with_a_mistake_keeps_what_was_typed_and_says_it_beside_the_field(office: Office) -> None:
    response = _signed_in("alice").post("/p/hz-1/bench/complaints/", {**FORM, "channel": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "请选择投诉渠道" in page and "厨房墙面开裂，要求维修" in page
    assert not Complaint.objects.exists()


def test_settled_at_once_is_recorded_closed(office: Office) -> None:
    made = _record(office, settled="当场更换了门锁，客户满意")
    assert made.settled_at_once and made.closed_at is not None and made.confirmation
    assert selectors.open_complaints(office.project, timezone.now()) == []
    assert "当场解决" in _signed_in("sun").get("/p/hz-1/bench/complaints/").content.decode()


def test_an_unanswered_complaint_is_overdue_after_24_hours_and_tops_the_list(office: Office) -> None:
    now = timezone.now()
    late = _record(office, at=now - timedelta(hours=25), name="周晓")
    _record(office, at=now - timedelta(hours=1))
    rows = selectors.open_complaints(office.project, now)
    assert rows[0].complaint.pk == late.pk
    assert rows[0].answer.state == engine.OVERDUE
    page = _signed_in("zhao").get("/p/hz-1/bench/complaints/").content.decode()
    assert "已超时" in page and "超时1小时" in page


def test_answering_stops_the_clock_on_time_or_late(office: Office) -> None:
    now = timezone.now()
    made = _record(office, at=now - timedelta(hours=30))
    answered = now - timedelta(hours=2)
    made = complaints.complaint_answer(by=office.alice, complaint=made, answer="已约工程部周三上门", now=answered)
    row = selectors.clocks_of(made, now, selectors.service_hours(office.project))
    assert row.answer.state == engine.LATE
    on_time = _record(office, at=now - timedelta(hours=3))
    on_time = complaints.complaint_answer(by=office.alice, complaint=on_time, answer="已答复", now=answered)
    assert selectors.clocks_of(on_time, now, selectors.service_hours(office.project)).answer.state == engine.ON_TIME


def test_a_complaint_closes_only_answered_after_the_department_and_with_the_customers_confirmation(
    office: Office,
) -> None:
    made = _record(office)
    client = _signed_in("alice")
    url = f"/p/hz-1/bench/complaints/{made.pk}/"
    refused = client.post(url, {"action": "close", "confirmation": "客户满意"})
    assert refused.status_code == 422 and "投诉尚未答复客户，不能结案" in refused.content.decode()
    client.post(url, {"action": "answer", "answer": "已约工程部上门查看"})
    passed = client.post(url, {"action": "pass", "department": "工程部", "hours": "48"}, follow=True)
    assert "已转交工程部" in passed.content.decode()
    assert 'data-department="running"' in passed.content.decode()
    refused = client.post(url, {"action": "close", "confirmation": "客户满意"})
    assert "转交的部门尚未给出处理结果，不能结案" in refused.content.decode()
    client.post(url, {"action": "done", "result": "已修补墙面"})
    refused = client.post(url, {"action": "close", "confirmation": "  "})
    assert "结案需要客户对处理结果的确认" in refused.content.decode()
    closed = client.post(url, {"action": "close", "confirmation": "客户电话确认满意"}, follow=True)
    assert "陈静的投诉已结案" in closed.content.decode()
    made.refresh_from_db()
    assert made.closed_at is not None and made.closed_by == office.alice and made.confirmation == "客户电话确认满意"
    with pytest.raises(DomainError):
        complaints.complaint_answer(by=office.alice, complaint=made, answer="再次答复")


@pytest.mark.parametrize("hours", ["0", "abc", "721", ""])
def test_a_department_needs_a_deadline_in_whole_hours(office: Office, hours: str) -> None:
    made = _record(office)
    response = _signed_in("sun").post(
        f"/p/hz-1/bench/complaints/{made.pk}/", {"action": "pass", "department": "工程部", "hours": hours}
    )
    assert response.status_code == 422 and "小时数" in response.content.decode()


def test_business_hours_stop_the_clock_at_night_and_at_weekends(office: Office) -> None:
    ServiceHours.objects.create(
        project=office.project, business=True, opens=time(9), closes=time(18), weekdays="0,1,2,3,4"
    )
    zone = selectors.zone_of(office.project)
    friday_evening = datetime(2026, 3, 13, 20, 0, tzinfo=zone)
    made = _record(office, at=friday_evening)
    row = selectors.clocks_of(made, friday_evening + timedelta(hours=40), selectors.service_hours(office.project))
    assert row.answer.due == datetime(2026, 3, 18, 15, 0, tzinfo=zone)
    assert (row.answer.state, row.answer.left) == (engine.RUNNING, timedelta(hours=24))  # Sunday noon: untouched


def test_the_english_page_reads_in_english(office: Office) -> None:
    made = _record(office)
    page = _signed_in("sun", "en").get(f"/p/hz-1/bench/complaints/{made.pk}/").content.decode()
    assert "Close with the customer&#x27;s confirmation" in page or "Close with the customer's confirmation" in page
    assert "running" in page


def test_finance_handles_no_complaints(office: Office) -> None:
    from leadledger.ledger import models

    wu = models.Staff.objects.create(project=office.project, name="吴算", role=models.Staff.Role.FINANCE)
    with pytest.raises(DomainError):
        complaints.complaint_record(by=wu, fields=FORM)


def test_the_workbench_reminds_of_open_complaints_and_those_past_their_clock(office: Office) -> None:
    from workbench import workbench_create

    workbench_create(office)
    now = timezone.now()
    _record(office, at=now - timedelta(hours=30))
    _record(office, at=now - timedelta(hours=1))
    today = _signed_in("alice").get("/p/hz-1/bench/").content.decode()
    assert "2条投诉未结案" in today and "1条已超时" in today and 'data-complaints="1"' in today
    team = _signed_in("zhao").get("/p/hz-1/bench/team/").content.decode()
    assert "2条投诉未结案" in team
    english = _signed_in("alice", "en").get("/p/hz-1/bench/").content.decode()
    assert "2 complaints open" in english and "1 past its clock" in english


def test_the_manager_sets_business_hours_on_a_page_and_the_clock_follows(office: Office) -> None:
    from leadledger.bench import selectors as bench_selectors

    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    url = "/p/hz-1/bench/complaints/hours/"
    assert "答复时限（小时）" in client.get(url).content.decode()
    form = {"response_hours": "8", "business": "on", "opens": "09:00", "closes": "18:00", "weekdays": ["0", "1", "2"]}
    done = client.post(url, form, follow=True).content.decode()
    assert "已保存：投诉须在8小时内答复（只计营业时间）" in done
    hours, business = bench_selectors.service_hours(office.project)
    assert hours == 8 and business is not None and business.weekdays == frozenset({0, 1, 2})
    wrong = client.post(url, {**form, "opens": "19:00"})
    assert wrong.status_code == 422 and "营业时间须先开门后下班" in wrong.content.decode()
    none = client.post(url, {**form, "weekdays": []})
    assert none.status_code == 422 and "至少要有一个工作日" in none.content.decode()
    assert bench_selectors.service_hours(office.project)[0] == 8  # nothing saved by the refusals
    alice = client_in("zh-hans")
    assert alice.login(username="alice", password=PASSWORD)
    assert alice.get(url).status_code == 403
