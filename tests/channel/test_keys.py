"""The page for API tokens and webhooks (decision 481): a token issued and shown once, listed without its secret,
revoked after "are you sure?"; a webhook added with its secret shown once, stopped, and its last deliveries.

The cast of tests/api_cast.py; 孙红 the channel manager, 钱多 a channel specialist (who may not issue).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from api_cast import Api, Cast, cast_make
from leadledger.api import tokens, webhooks
from leadledger.api.models import Attempt, Delivery, Token, Webhook
from leadledger.engine.errors import DomainError
from leadledger.ledger import models
from office import PASSWORD, Office, _staff


@pytest.fixture
def cast(office: Office) -> Cast:
    return cast_make(office)


@pytest.fixture
def sun(cast: Cast) -> models.Staff:
    return _staff(cast.office.project, "sunhong", "孙红", models.Staff.Role.CHANNEL_MANAGER)


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _url(name: str, **kw: int) -> str:
    return reverse(name, kwargs={"project": "hz-1", **kw})


def test_a_token_is_shown_once_listed_without_its_secret_and_works(cast: Cast, sun: models.Staff) -> None:
    client = _signed_in("sunhong")
    issued = client.post(_url("channel_key_issue"), {"owner": f"agent:{cast.zhoutao.pk}", "label": "周涛的手机"})
    assert issued.status_code == 302
    token = Token.objects.get(label="周涛的手机")
    assert token.created_by == sun.user and token.agent == cast.zhoutao
    page = client.get(_url("channel_keys"))
    text = page.content.decode()
    raw = page.context["shown_once"]["value"]
    assert raw in text and "已生成接口令牌" in text and "no-store" in page["Cache-Control"]
    assert tokens.digest(raw) == token.digest
    assert Api(raw).get("/registrations").status_code == 200
    again = client.get(_url("channel_keys")).content.decode()
    assert raw not in again and token.prefix in again  # shown once; afterwards only how it begins
    for other in cast.keys.values():
        assert other not in again


def test_a_token_is_revoked_after_are_you_sure(cast: Cast, sun: models.Staff) -> None:
    token = Token.objects.get(agent=cast.liming)
    client = _signed_in("sunhong")
    asked = client.get(_url("channel_key_revoke", pk=token.pk)).content.decode()
    assert "确定撤销这个接口令牌吗" in asked and "李明" in asked
    assert Token.objects.get(pk=token.pk).revoked_at is None  # asking revokes nothing
    done = client.post(_url("channel_key_revoke", pk=token.pk), follow=True).content.decode()
    assert "已撤销" in done
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == sun.user
    assert Api(cast.keys["liming"]).get("/registrations").status_code == 401


def test_issuing_errors_are_said_next_to_the_field(cast: Cast, sun: models.Staff) -> None:
    client = _signed_in("sunhong")
    nobody = client.post(_url("channel_key_issue"), {"owner": "agent:999999", "label": "x"})
    assert nobody.status_code == 400 and "请选择令牌给谁用" in nobody.content.decode()
    other = models.Agent.objects.get(project__code="xh-2")  # another project's agent: not on this page's list
    assert client.post(_url("channel_key_issue"), {"owner": f"agent:{other.pk}"}).status_code == 400
    with pytest.raises(DomainError):
        tokens.token_issue(by=sun, agent=other)
    assert Token.objects.filter(agent=other).count() == 1  # the cast's own, nothing more


def test_only_managers_issue_tokens(cast: Cast, sun: models.Staff) -> None:
    qian = _staff(cast.office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST)
    with pytest.raises(DomainError):
        tokens.token_issue(by=qian, agent=cast.liming)
    for username in ("qian", "alice", "sun"):
        assert _signed_in(username).get(_url("channel_keys")).status_code == 403, username
    assert _signed_in("zhao").get(_url("channel_keys")).status_code == 200  # a sales manager, for staff tokens
    token = Token.objects.get(agent=cast.liming)
    assert _signed_in("qian").post(_url("channel_key_revoke", pk=token.pk)).status_code == 403
    assert Token.objects.get(pk=token.pk).revoked_at is None


def test_another_projects_token_or_webhook_is_not_found(cast: Cast, sun: models.Staff) -> None:
    other = Token.objects.get(agent__project__code="xh-2")
    client = _signed_in("sunhong")
    assert client.get(_url("channel_key_revoke", pk=other.pk)).status_code == 404
    assert client.post(_url("channel_key_revoke", pk=other.pk)).status_code == 404
    assert Token.objects.get(pk=other.pk).revoked_at is None
    hook = webhooks.webhook_create(
        distributor=models.Distributor.objects.get(project__code="xh-2"), url="https://x.cn/"
    )
    assert client.post(_url("channel_webhook_stop", pk=hook.pk)).status_code == 404
    assert Webhook.objects.get(pk=hook.pk).active


def test_a_webhook_is_added_with_its_secret_shown_once_and_stopped(cast: Cast, sun: models.Staff) -> None:
    client = _signed_in("sunhong")
    bad = client.post(_url("channel_webhook_add"), {"distributor": cast.anju.pk, "url": "ftp://anju.cn/x"})
    assert bad.status_code == 400 and "请填写完整的网址（以 https:// 或 http:// 开头）" in bad.content.decode()
    assert client.post(_url("channel_webhook_add"), {"distributor": "", "url": "https://anju.cn/h"}).status_code == 400
    added = client.post(_url("channel_webhook_add"), {"distributor": cast.anju.pk, "url": "https://anju.cn/hook"})
    assert added.status_code == 302
    hook = Webhook.objects.get(url="https://anju.cn/hook")
    assert hook.created_by == sun.user
    page = client.get(_url("channel_keys")).content.decode()
    assert hook.secret in page
    assert hook.secret not in client.get(_url("channel_keys")).content.decode()
    asked = client.get(_url("channel_webhook_stop", pk=hook.pk)).content.decode()
    assert "确定停止向这个地址发送吗" in asked and Webhook.objects.get(pk=hook.pk).active
    client.post(_url("channel_webhook_stop", pk=hook.pk))
    assert not Webhook.objects.get(pk=hook.pk).active


def test_the_last_deliveries_show_their_state_and_the_receivers_answer(cast: Cast, sun: models.Staff) -> None:
    from django.utils import timezone

    hook = webhooks.webhook_create(distributor=cast.anju, url="https://anju.cn/hook")
    sent = Delivery.objects.create(webhook=hook, registration_seq=41, payload="{}", state="delivered", attempts=1)
    Attempt.objects.create(delivery=sent, at=timezone.now(), status=200)
    failing = Delivery.objects.create(webhook=hook, registration_seq=42, payload="{}", attempts=2)
    Attempt.objects.create(delivery=failing, at=timezone.now(), status=None, error="timed out")
    page = _signed_in("sunhong").get(_url("channel_keys")).content.decode()
    assert "HTTP 200" in page and "已送达" in page and "待发送" in page and "未连通" in page
    assert "{}" not in page and "timed out" not in page  # neither the payload nor raw errors
