"""The management page's forms and policy, kept drawn for their inputs (desk.manage._forms_drawn), are the
template's, and are drawn again whenever what they show changes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from leadledger.desk import manage
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def _manager(language: str) -> Client:
    client = client_in(language)
    assert client.login(username="zhao", password=PASSWORD)
    return client


def _page(client: Client) -> str:
    response = client.get("/p/hz-1/manage/")
    assert response.status_code == 200
    return CSRF.sub(r'\1"…"', response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("preset", [None, "方法"])
def test_the_forms_kept_drawn_are_the_templates(
    office: Office, monkeypatch: pytest.MonkeyPatch, language: str, preset: str | None
) -> None:
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王<芳>&")
    if preset:
        services.policy_set(project=office.project, policy={"preset": preset, "valid_days": 20}, user=office.zhao.user)
    client = _manager(language)
    kept = _page(client)
    assert kept.count(">王&lt;芳&gt;&amp;</option>") == 2 and "\x00" not in kept  # both forms offer her
    monkeypatch.setattr(manage, "_forms_html", lambda request, context: "")  # the template's include draws them
    assert _page(client) == kept


def test_the_forms_are_drawn_again_when_a_consultant_is_renamed_leaves_or_the_policy_changes(
    office: Office,
) -> None:
    client = _manager("zh-hans")
    first = _page(client)
    assert first.count(">王芳</option>") == 2
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王芳芳")
    renamed = _page(client)
    assert ">王芳</option>" not in renamed and renamed.count(">王芳芳</option>") == 2
    services.policy_set(project=office.project, policy={"preset": "方法"}, user=office.zhao.user)
    changed = _page(client)
    assert changed != renamed and "方法" in changed
    from leadledger.desk import services as desk_services

    desk_services.departure_record(by=office.zhao, leaver=office.alice, reason="laid_off", user=office.zhao.user)
    assert ">王芳芳</option>" not in _page(client)  # a departed consultant is offered no more (IH-13)
    english = _page(_manager("en"))
    assert "A consultant leaves" in english and "离职" not in english.split("<h1>")[1]


def test_a_departure_reshown_with_its_error_is_drawn_by_the_template_as_typed(office: Office) -> None:
    form = {"staff": office.bob.pk, "reason": "resigned", "notice_on": "2001-13-01", "confirmed": "yes"}
    response = _manager("en").post("/p/hz-1/manage/departure/", form)
    page = response.content.decode()
    assert response.status_code == 400 and 'id="notice-on-error"' in page
    assert f'<option value="{office.bob.pk}" selected>' in page and '"resigned" selected' in page
