"""Notices to existing customers (S-3): consent kept on the archive, a notice logged for those who agreed."""

from __future__ import annotations

from django.test import Client

from leadledger.bench import notices
from leadledger.bench.models import ConsentChange, Notice, NoticeDelivery
from leadledger.engine.model import DEAL
from leadledger.ledger import services as ledger_services
from office import PASSWORD, client_in
from workbench import Workbench

NOTICE = {"topic": "handover", "channel": "sms", "title": "6月30日交房", "text": "请携带购房合同到售楼处办理交房。"}


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def _bought(bench: Workbench, *customers: object) -> None:
    office = bench.office
    for customer in customers:
        body = {"customer": str(customer.pk), "buyer": str(customer.pk), "staff": str(office.alice.pk)}  # type: ignore[attr-defined]
        ledger_services.event_append(project=office.project, kind=DEAL, body=body)


def test_the_owner_records_the_channels_and_a_change_is_logged_not_overwritten(bench: Workbench) -> None:
    office = bench.office
    client = _signed_in("alice")
    url = f"/p/hz-1/bench/customers/{office.zhang.pk}/"
    done = client.post(url, {"action": "consent", "channels": ["sms", "wechat"]}, follow=True)
    assert "已保存张伟同意的通知渠道" in done.content.decode()
    assert notices.consents_of(office.zhang) == {"sms", "wechat"}
    client.post(url, {"action": "consent", "channels": ["wechat"]})
    assert notices.consents_of(office.zhang) == {"wechat"}
    assert ConsentChange.objects.filter(customer=office.zhang).count() == 3  # two agreed, one taken back
    page = client.get(url).content.decode()
    assert "客户同意接收通知的渠道" in page and 'value="wechat" checked' in page


def test_a_notice_goes_only_to_buyers_who_agreed_and_says_how_many(bench: Workbench) -> None:
    office = bench.office
    _bought(bench, office.zhang, bench.li)
    notices.consent_set(by=office.alice, customer=office.zhang, channels=["sms"])
    notices.consent_set(by=office.alice, customer=bench.li, channels=["wechat"])
    client = _signed_in("sun")  # the desk serves customers too
    page = client.get("/p/hz-1/bench/notices/").content.decode()
    assert "客户通知" in page and "1位客户" in page
    done = client.post("/p/hz-1/bench/notices/", NOTICE, follow=True).content.decode()
    assert "已登记通知“6月30日交房”，发给1位客户" in done
    assert "张伟" in done and "李娜" not in done and "未发送（未同意该渠道）" in done
    notice = Notice.objects.get()
    assert list(NoticeDelivery.objects.filter(notice=notice).values_list("customer", flat=True)) == [office.zhang.pk]
    assert notice.left_out["no_consent"] == 1 and notice.by == office.sun


def test_a_notice_nobody_may_receive_is_refused_and_nothing_typed_is_lost(bench: Workbench) -> None:
    _bought(bench, bench.office.zhang)  # a buyer who agreed to nothing
    response = _signed_in("zhao").post("/p/hz-1/bench/notices/", NOTICE)
    body = response.content.decode()
    assert response.status_code == 422 and "没有已成交且同意这个渠道的客户" in body and "请携带购房合同" in body
    missing = _signed_in("zhao").post("/p/hz-1/bench/notices/", {**NOTICE, "title": ""})
    assert missing.status_code == 422 and "请填写通知标题" in missing.content.decode()
    assert not Notice.objects.exists()


def test_a_customer_who_never_bought_gets_no_notice(bench: Workbench) -> None:
    notices.consent_set(by=bench.office.alice, customer=bench.li, channels=["sms"])  # a prospect, not a buyer
    assert notices.audience_of(bench.office.project, "sms").to == []
