"""The consultant's and the manager's pages: each action writes events through the services."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from leadledger.desk.models import RenewalRequest
from leadledger.engine.answers import answer
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


def _client(username: str) -> Client:
    client = client_in("en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, customer: models.Customer, staff: models.Staff, days_ago: float = 0) -> None:
    at = timezone.now() - timedelta(days=days_ago) if days_ago else None
    services.event_append(
        project=office.project, kind="visit", body={"customer": str(customer.pk), "staff": str(staff.pk)}, at=at
    )


def test_my_customers_by_status_with_hours_left(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    _visit(office, li, office.bob)
    page = _client("alice").get("/p/hz-1/me/?tab=pending").content.decode()
    assert "Awaiting follow-up" in page and "张伟" in page and "李娜" not in page
    assert "6 d 23 h left" in page and "138****0001" in page


def test_a_follow_up_is_logged_for_my_customer_only(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    assert (
        _client("bob")
        .post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up"}, follow=True)
        .content.decode()
        .count("you can log contacts only for your own customers")
        == 1
    )
    _client("alice").post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up"})
    assert list(models.Event.objects.order_by("seq").values_list("kind", flat=True)) == ["visit", "follow_up"]
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.status == "active" and "IH-4" in verdict.cites


def test_a_referral_is_logged_in_advance_from_my_own_customer(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    page = (
        _client("bob")
        .post(
            "/p/hz-1/me/referral/", {"name": "李娜", "phone": "13900000002", "referrer": office.zhang.pk}, follow=True
        )
        .content.decode()
    )
    assert "the referrer must be one of your own customers" in page
    _client("alice").post("/p/hz-1/me/referral/", {"name": "李娜", "phone": "13900000002", "referrer": office.zhang.pk})
    li = models.Customer.objects.get(phone="+8613900000002")
    _visit(office, li, office.bob)  # Li Na arrives and Bob registers her: she is Alice's (IH-8)
    assert models.Verdict.objects.get(customer=li).owners == {str(office.alice.pk): "1"}


def test_a_renewal_asked_by_the_owner_and_approved_by_the_manager(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=20)
    services.event_append(
        project=office.project,
        kind="follow_up",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=timezone.now() - timedelta(days=19),
    )
    alice = _client("alice")
    assert (
        "say why the claim should be renewed"
        in alice.post(f"/p/hz-1/me/{office.zhang.pk}/renewal/", {"reason": ""}, follow=True).content.decode()
    )
    alice.post(f"/p/hz-1/me/{office.zhang.pk}/renewal/", {"reason": "客户下周带家人再来"})
    request = RenewalRequest.objects.get()
    assert _client("bob").get("/p/hz-1/manage/").status_code == 403
    assert _client("zhao").post(f"/p/hz-1/manage/renewals/{request.pk}/", {"decision": "approve"}).status_code == 302
    renewal = models.Event.objects.get(kind="renewal")
    assert json.loads(renewal.body)["approved_by"] == str(office.zhao.pk)
    assert "IH-6" in models.Verdict.objects.get(customer=office.zhang).cites
    request.refresh_from_db()
    assert request.status == "approved" and request.seq == renewal.seq


def test_a_ruling_needs_a_reason_and_a_rule_and_is_final(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    zhao = _client("zhao")
    url = f"/p/hz-1/customers/{office.zhang.pk}/dispute/ruling/"
    assert (
        "a ruling needs a reason"
        in zhao.post(url, {"staff": office.bob.pk, "rule": "IH-1"}, follow=True).content.decode()
    )
    assert "name the rule" in zhao.post(url, {"staff": office.bob.pk, "reason": "投诉"}, follow=True).content.decode()
    page = zhao.post(
        url, {"staff": office.bob.pk, "rule": "IH-12", "reason": "客户投诉后更换顾问"}, follow=True
    ).content.decode()
    assert models.Verdict.objects.get(customer=office.zhang).owners == {str(office.bob.pk): "1"}
    assert "IH-16" in page and 'class="changed"' in page  # the ruling's row shows the verdict moving
    said = re.sub(r"<[^>]+>", "", page)  # rule IDs are kept whole in spans (web.chips.unbroken)
    assert "IH-12：客户投诉后更换顾问" in said  # the rule and the reason, as a Chinese sentence writes them
    assert _client("alice").post(url, {"staff": office.alice.pk, "rule": "IH-1", "reason": "x"}).status_code == 403


def test_a_dispute_exports_to_a_file_that_replays_to_the_same_verdict(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    response = _client("zhao").get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/export.json")
    data = json.loads(response.content)
    assert data["kind"] == "attribution" and data["expect"][0]["consultant"] == str(office.alice.pk)
    assert answer(data).mismatches == []


def test_what_if_lists_the_verdicts_a_proposal_would_change(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=5)  # no follow-up: void after 3 days, kept with 7
    page = (
        _client("zhao")
        .get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/", {"what_if": '{"follow_up_days": 7}'})
        .content.decode()
    )
    assert "verdicts would change" in page and " 0 of " not in page


def test_a_departure_sends_customers_to_the_pool(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    form = {"staff": office.alice.pk, "reason": "resigned"}
    _client("zhao").post("/p/hz-1/manage/departure/", {**form, "confirmed": "yes"})  # after "are you sure?"
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.status == "pool" and "IH-13" in verdict.cites


def test_the_policy_page_shows_the_policy_in_force_and_its_history(office: Office) -> None:
    import pytest

    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    services.policy_set(project=office.project, policy={"preset": "方法", "valid_days": 20}, user=office.zhao.user)
    with pytest.raises(services.LedgerError):
        services.policy_set(project=office.project, policy={"valid_dayz": 20}, user=office.zhao.user)
    page = _client("zhao").get("/p/hz-1/manage/").content.decode()
    assert "Claim lasts</td><td>20 days" in page and "valid_days" not in page
    history = _client("zhao").get("/p/hz-1/manage/policy/").content.decode().split("<h2>History</h2>")[1]
    assert history.count("方法") == 2 and history.count("in force") == 1  # two entries, the newest in force
    assert models.PolicyChange.objects.count() == 2


def test_the_admin_refuses_a_policy_the_engine_refuses(office: Office) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    client = client_in("en")
    client.login(username="boss", password=PASSWORD)
    form = {"code": "hz-1", "name": "杭州一期", "time_zone": "Asia/Shanghai", "policy": '{"valid_days": -3}'}
    page = client.post(f"/admin/ledger/project/{office.project.pk}/change/", form).content.decode()
    assert "errornote" in page or "errorlist" in page
    form["policy"] = '{"valid_days": 30}'
    assert client.post(f"/admin/ledger/project/{office.project.pk}/change/", form).status_code == 302
    assert models.PolicyChange.objects.get().policy == {"valid_days": 30}


def test_todays_follow_ups_are_those_due_within_a_day(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=6.5)  # a window of 7 days: closes in about 12 hours
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    _visit(office, li, office.alice)  # closes in seven days
    page = _client("alice").get("/p/hz-1/me/").content.decode()
    today = page.split('<ul class="mine-rows">')[1].split("</ul>")[0]  # the page opens on today's list
    assert "张伟" in today and "李娜" not in today


def test_a_follow_up_on_a_lapsed_customer_says_why_nothing_changed(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=80)
    at = timezone.now() - timedelta(days=79)
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    services.event_append(project=office.project, kind="follow_up", body=body, at=at)
    services.verdicts_refresh(project=office.project, customer_ids=[office.zhang.pk], through_seq=2, now=timezone.now())
    before = models.Verdict.objects.get(customer=office.zhang)
    assert before.status == "lapsed", before.status
    page = _client("alice").post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up"}, follow=True)
    text = page.content.decode()
    after = models.Verdict.objects.get(customer=office.zhang)
    assert after.status == "lapsed"  # a follow-up does not revive a lapsed claim (IH-4, IH-7)
    from django.utils.html import escape

    assert "logged, but the ownership did not change" in text and escape(after.explain_en) in text
    assert "张伟: logged</p>" not in text


def test_the_same_referral_is_not_logged_twice(office: Office) -> None:
    form = {"name": "李娜", "phone": "13900000002"}
    first = _client("alice").post("/p/hz-1/me/referral/", form, follow=True).content.decode()
    assert "李娜: referral logged" in first
    again = _client("alice").post("/p/hz-1/me/referral/", form, follow=True).content.decode()
    assert "you already logged 李娜 as a referral on" in again and "(IH-8)" in again
    assert models.Event.objects.filter(kind="referral_logged").count() == 1


def test_the_expiry_warning_window_is_the_policys(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=57)  # with a follow-up: active, about ten days left
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    services.event_append(project=office.project, kind="follow_up", body=body, at=timezone.now() - timedelta(days=56))
    alice = _client("alice")
    assert "张伟" in alice.get("/p/hz-1/me/?tab=active").content.decode()  # ten days left is not within 7 days
    assert "张伟" not in alice.get("/p/hz-1/me/?tab=expiring").content.decode()
    office.project.policy = {"expiry_warning_days": 14}
    office.project.save()
    left = models.Verdict.objects.get(customer=office.zhang).until - timezone.now()  # type: ignore[operator]
    assert timedelta(days=7) < left < timedelta(days=14)
    page = alice.get("/p/hz-1/me/?tab=expiring").content.decode()
    assert "Active claims ending within 14 days." in page and "张伟" in page
    assert "张伟" not in alice.get("/p/hz-1/me/?tab=active").content.decode()


def test_a_referral_of_my_customer_by_themselves_is_refused_next_to_the_form(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    page = (
        _client("alice")
        .post(
            "/p/hz-1/me/referral/", {"name": "张伟", "phone": "13800000001", "referrer": office.zhang.pk}, follow=True
        )
        .content.decode()
    )
    assert "a customer cannot be their own referrer" in page
    assert not models.Event.objects.filter(kind="referral_logged").exists()
