"""The owner told inside the app, at once, when their customer is registered at the desk (IH-11, Q-4)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch, Notice
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _register(client: Client, site: models.Site, query: str, **form: object) -> str:
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    return client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, **form}, follow=True).content.decode()


def _busy(client: Client, site: models.Site, staff: models.Staff) -> None:
    client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_busy", "staff": staff.pk})


def test_a_returning_customer_whose_owner_is_busy_is_an_assist_said_at_the_desk_and_told_to_the_owner(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sun = _client("sun")
    _busy(sun, site, office.alice)
    done = _register(sun, site, "138****0001", customer=office.zhang.pk)
    assert "已登记张伟：由刘洋协助接待，客户仍归王芳（Q-4, IH-11）。已通知王芳。" in done
    notice = Notice.objects.get()
    assert (notice.staff, notice.kind, notice.customer, notice.receiver) == (
        office.alice,
        Notice.Kind.ASSISTED,
        office.zhang,
        office.bob,
    )
    verdict = models.Verdict.objects.get(customer=office.zhang)
    assert verdict.owners == {str(office.alice.pk): "1"}  # ownership stays (IH-11)

    alice = _client("alice")
    mine = alice.get("/p/hz-1/me/").content.decode()
    assert 'class="badge"' in mine and "1 条未读通知" in mine  # the menu's badge, on any page
    page = alice.get("/p/hz-1/notices/").content.decode()
    assert "您的客户<strong>张伟</strong>已到达市区展厅，由<strong>刘洋</strong>协助接待，客户仍归您。" in page
    assert 'class="notice-item assisted unread"' in page
    assert Notice.objects.get().read_at is not None  # seen, so read
    assert 'class="badge"' not in alice.get("/p/hz-1/me/").content.decode()


def test_a_colleague_sees_nothing_of_anothers_notices(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sun = _client("sun")
    _busy(sun, site, office.alice)
    _register(sun, site, "138****0001", customer=office.zhang.pk)
    bob = _client("bob")  # he is the one who receives, but the customer is not his
    assert "张伟" not in bob.get("/p/hz-1/notices/").content.decode()
    assert Notice.objects.get().read_at is None


def test_the_owner_who_receives_their_own_customer_and_a_new_customers_receiver_are_told_too(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sun = _client("sun")
    done = _register(sun, site, "138****0001", customer=office.zhang.pk)
    assert "已登记张伟，由王芳接待（Q-4）" in done and "协助" not in done
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")
    kinds = sorted(Notice.objects.values_list("kind", "staff__name"))
    assert kinds == [("arrived", "王芳"), ("new", "刘洋")]
    page = _client("alice").get("/p/hz-1/notices/").content.decode()
    assert "您的客户<strong>张伟</strong>已到达市区展厅，请前往接待。" in page


def test_a_visitor_who_asks_for_a_consultant_who_is_away_is_theirs_and_they_are_told(
    office: Office, site: models.Site
) -> None:
    sun = _client("sun")
    sun.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_away", "staff": office.bob.pk})
    done = _register(sun, site, "13900000002", name="李娜", phone="13900000002", asks_for=office.bob.pk)
    assert "已登记李娜：由王芳接待，客户归刘洋" in done and "IH-8" in done
    li = models.Customer.objects.get(phone="+8613900000002")
    event = models.Event.objects.filter(customer=li).get()
    assert json.loads(event.body)["asks_for"] == str(office.bob.pk)  # through the service, into the engine
    assert models.Verdict.objects.get(customer=li).owners == {str(office.bob.pk): "1"}  # IH-8, the engine's answer
    assert Notice.objects.get().staff == office.bob


def test_the_badge_poll_answers_nothing_while_the_count_is_unchanged(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    alice = _client("alice")
    assert alice.get("/p/hz-1/notices/badge/", {"n": "0"}).status_code == 204
    sun = _client("sun")
    _busy(sun, site, office.alice)
    _register(sun, site, "138****0001", customer=office.zhang.pk)
    changed = alice.get("/p/hz-1/notices/badge/", {"n": "0"})
    assert changed.status_code == 200 and ">1</span>" in changed.content.decode()
    assert alice.get("/p/hz-1/notices/badge/", {"n": "1"}).status_code == 204


def test_a_form_sent_twice_tells_the_owner_once(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sun = _client("sun")
    _busy(sun, site, office.alice)
    sun.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张伟"})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    for _ in range(2):
        done = sun.post(
            f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "customer": office.zhang.pk}, follow=True
        ).content.decode()
        assert "由刘洋协助接待，客户仍归王芳" in done
    assert Notice.objects.count() == 1


def test_each_consultants_count_of_assists_reads_as_a_count_in_both_languages(
    office: Office, site: models.Site
) -> None:
    """Issue 14: "0 assists so far" was read as "5.0"; the line is a whole count, singular or plural."""
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sun = _client("sun")
    _busy(sun, site, office.alice)
    _register(sun, site, "138****0001", customer=office.zhang.pk)  # 刘洋 assists with 王芳's customer
    assert "1 assist so far (IH-11)." in _client("bob", "en").get("/p/hz-1/me/").content.decode()
    assert "0 assists so far (IH-11)." in _client("alice", "en").get("/p/hz-1/me/").content.decode()
    assert "累计协助 1 次（IH-11）。" in _client("bob").get("/p/hz-1/me/").content.decode()
