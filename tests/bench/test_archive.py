"""The customer archive (客户小档案, W-4): class with a reason, a flag that puts the customer on today's list."""

from __future__ import annotations

from django.test import Client

from leadledger.bench.models import CustomerFile
from office import PASSWORD, client_in
from workbench import Workbench


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_owner_classes_and_flags_and_the_customer_is_on_todays_list(bench: Workbench) -> None:
    office = bench.office
    client = _signed_in("alice")
    url = f"/p/hz-1/bench/customers/{office.zhang.pk}/"
    assert "全部联系记录" in client.get(url).content.decode()
    response = client.post(url, {"target": "target", "reason": "预算充足，看三房", "flag": "key"}, follow=True)
    assert "已保存张伟的客户小档案" in response.content.decode()
    saved = CustomerFile.objects.get(customer=office.zhang)
    assert (saved.target, saved.flag, saved.by) == ("target", "key", office.alice)
    today = client.get("/p/hz-1/bench/").content.decode()
    assert 'data-flag="key"' in today and "重点单" in today and "张伟" in today


def test_a_class_needs_a_reason_kept_beside_the_field(bench: Workbench) -> None:
    response = _signed_in("alice").post(
        f"/p/hz-1/bench/customers/{bench.office.zhang.pk}/", {"target": "non_target", "reason": "", "flag": ""}
    )
    assert response.status_code == 422 and "请写明界定的理由" in response.content.decode()
    assert not CustomerFile.objects.exists()


def test_another_consultant_finds_nothing_and_a_manager_keeps_it(bench: Workbench) -> None:
    url = f"/p/hz-1/bench/customers/{bench.office.zhang.pk}/"
    assert _signed_in("bob").get(url).status_code == 404  # Zhang is Alice's
    manager = _signed_in("zhao").post(url, {"target": "non_target", "reason": "只是路过", "flag": "problem"})
    assert manager.status_code == 302
