"""Customers as each role sees them: masked phones, logged full views, "owned by X" for others, erasure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client

from leadledger.ledger import models, services
from leadledger.ledger.verify import verify
from office import PASSWORD, Office, client_in


def _client(username: str) -> Client:
    client = client_in("en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _alices_customer(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)


def test_phones_are_masked_in_lists_and_pages(office: Office) -> None:
    _alices_customer(office)
    for username in ("alice", "bob", "zhao", "sun"):
        client = _client(username)
        for url in ("/p/hz-1/", f"/p/hz-1/customers/{office.zhang.pk}/"):
            page = client.get(url).content.decode()
            assert "138****0001" in page and "13800000001" not in page


def test_the_owner_reads_the_sentence_and_the_story(office: Office) -> None:
    _alices_customer(office)
    page = _client("alice").get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode()
    assert "王芳 registered the first visit" in page and "Story" in page and "Visit" in page
    assert "IH-1" not in page  # rule IDs are the manager's (web/chips.py)
    assert "IH-1" in _client("zhao").get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode()


def test_another_consultant_sees_only_the_chip_owner_status_until(office: Office) -> None:
    _alices_customer(office)
    services.event_append(
        project=office.project, kind="follow_up", body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    )
    verdict = models.Verdict.objects.get(customer=office.zhang)
    local = verdict.until.astimezone(ZoneInfo("Asia/Shanghai"))
    until = f"{local.day} {local.strftime('%b')}"
    page = _client("bob").get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode()
    assert "王芳" in page and f"Valid until {until}" in page
    assert "registered the first visit" not in page and "Why" not in page
    assert "IH-1" not in page and "Story" not in page and "Show in full" not in page
    listed = _client("bob").get("/p/hz-1/?q=张").content.decode()
    assert listed.count('class="chip chip-green"') == 1 and "registered the first visit" not in listed


def test_a_full_view_needs_a_reason_and_is_logged(office: Office) -> None:
    _alices_customer(office)
    client = _client("zhao")
    url = f"/p/hz-1/customers/{office.zhang.pk}/show/phone/"
    assert client.get(url).status_code == 405  # a look is an action, never a link to follow
    page = client.post(url, {"reason": "  "}).content.decode()
    assert "This field is required." in page and "+8613800000001" not in page
    page = client.post(url, {"reason": "回电确认看房时间"}).content.decode()
    assert "+8613800000001" in page
    look = models.Disclosure.objects.get()
    assert (look.user.username, look.kind, look.reason) == ("zhao", "phone", "回电确认看房时间")
    assert client.get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode().count("+8613800000001") == 0


def test_the_owner_may_look_but_another_consultant_may_not(office: Office) -> None:
    _alices_customer(office)
    url = f"/p/hz-1/customers/{office.zhang.pk}/show/phone/"
    assert _client("bob").post(url, {"reason": "想看看"}).status_code == 403
    assert _client("sun").post(url, {"reason": "想看看"}).status_code == 403
    assert "+8613800000001" in _client("alice").post(url, {"reason": "约看房"}).content.decode()
    assert list(models.Disclosure.objects.values_list("user__username", flat=True)) == ["alice"]


def test_the_disclosure_log_cannot_be_changed(office: Office) -> None:
    import pytest
    from django.db import connection, transaction

    services.personal_data_show(
        project=office.project, customer=office.zhang, user=office.zhao.user, field="phone", reason="核对"
    )
    for statement in ("UPDATE ledger_disclosure SET reason = ''", "DELETE FROM ledger_disclosure"):
        with pytest.raises(Exception, match="insert-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_erasure_blanks_personal_data_and_keeps_history_and_chain(office: Office) -> None:
    _alices_customer(office)
    referred, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    services.event_append(
        project=office.project,
        kind="referral_logged",
        body={"staff": str(office.alice.pk), "customer": str(referred.pk), "referrer": str(office.zhang.pk)},
    )
    client = _client("root")
    assert "Grounds for the erasure" in client.post(f"/p/hz-1/customers/{office.zhang.pk}/erase/", {}).content.decode()
    response = client.post(f"/p/hz-1/customers/{office.zhang.pk}/erase/", {"reason": "客户书面申请"}, follow=True)
    page = response.content.decode()
    assert "has been erased" in page and f"Erased customer #{office.zhang.pk}" in page and "138****" not in page
    office.zhang.refresh_from_db()
    assert (office.zhang.name, office.zhang.phone, office.zhang.erased_at is not None) == ("", None, True)
    assert models.Event.objects.count() == 2  # nothing of the history is gone
    assert models.Verdict.objects.get(customer=office.zhang).owners == {str(office.alice.pk): "1"}
    assert "张伟" not in "".join(models.Verdict.objects.values_list("explain_zh", flat=True))
    assert verify(office.project, lambda problem: None) == 0
    assert models.Disclosure.objects.get().kind == "erasure"


def test_times_are_shown_in_the_projects_time_zone(office: Office) -> None:
    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=datetime(2026, 3, 1, 2, 0, tzinfo=ZoneInfo("UTC")),
    )
    office.project.time_zone = "Asia/Urumqi"  # UTC+6
    office.project.save()
    page = _client("alice").get(f"/p/hz-1/customers/{office.zhang.pk}/").content.decode()
    story = '<span class="nowrap">2026-03-01</span> <span class="nowrap">08:00</span>'  # day and time kept whole
    assert story in page and "Asia/Urumqi" in page
