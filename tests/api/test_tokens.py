"""Tokens (api/tokens.py, the admin): shown once, stored as a digest, revoked for good, recorded."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api_cast import Api, Cast
from leadledger.api import tokens
from leadledger.api.models import Token
from leadledger.engine.errors import DomainError
from office import PASSWORD


def test_a_token_is_stored_only_as_its_digest(cast: Cast) -> None:
    token, raw = tokens.token_create(agent=cast.liming, label="李明的手机")
    stored = Token.objects.get(pk=token.pk)
    assert raw not in {stored.digest, stored.prefix, stored.label}
    assert stored.digest == tokens.digest(raw) and raw.startswith(stored.prefix)
    assert stored.project == cast.office.project and stored.user == cast.liming.user


def test_an_agents_token_needs_the_agents_sign_in(cast: Cast) -> None:
    cast.liming.user = None
    cast.liming.save(update_fields=["user"])
    with pytest.raises(DomainError):
        tokens.token_create(agent=cast.liming)


def test_an_integration_acts_as_a_user_who_cannot_sign_in(cast: Cast) -> None:
    token, _raw = tokens.token_create(distributor=cast.anju)
    assert not token.user.has_usable_password()
    assert token.user != cast.liming.user


def test_a_token_has_one_owner(cast: Cast) -> None:
    with pytest.raises(DomainError):
        tokens.token_create(agent=cast.liming, distributor=cast.anju)
    with pytest.raises(DomainError):
        tokens.token_create()


def test_a_revoked_token_fails_and_who_revoked_it_is_kept(cast: Cast) -> None:
    token = Token.objects.get(digest=tokens.digest(cast.keys["liming"]))
    assert Api(cast.keys["liming"]).get("/registrations").status_code == 200
    root = get_user_model().objects.get(username="root")
    assert tokens.token_revoke(token=token, by=root)
    assert not tokens.token_revoke(token=token, by=None)  # the first revocation stays on record
    token.refresh_from_db()
    assert token.revoked_by == root and token.revoked_at is not None
    response = Api(cast.keys["liming"]).get("/registrations")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_a_token_records_when_it_was_last_used(cast: Cast) -> None:
    assert Token.objects.get(digest=tokens.digest(cast.keys["zhoutao"])).last_used_at is None
    Api(cast.keys["zhoutao"]).get("/registrations")
    assert Token.objects.get(digest=tokens.digest(cast.keys["zhoutao"])).last_used_at is not None


def test_an_agent_switched_off_loses_their_token(cast: Cast) -> None:
    user = cast.liming.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Api(cast.keys["liming"]).get("/registrations").status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer llk_nothing", "Basic bGltaW5nOnB3", "Bearer " + "x" * 5000])
def test_no_token_or_a_wrong_one_is_refused_in_json(cast: Cast, header: str) -> None:
    response = Client().get("/api/v1/registrations", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized" and response["WWW-Authenticate"] == "Bearer"


def test_a_signed_in_session_is_no_key_to_the_api(cast: Cast) -> None:
    """No cookie opens the API, so a page elsewhere cannot make a signed-in agent's browser register (CSRF)."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="liming", password=PASSWORD)
    assert browser.get("/api/v1/registrations").status_code == 401
    posted = browser.post("/api/v1/registrations", {"name": "陈红", "phone": "13900000011"})
    assert posted.status_code == 401


def test_errors_speak_the_callers_language(cast: Cast) -> None:
    assert "令牌" in Api(None).get("/registrations").json()["message"]
    assert "token" in Api(None, "en-GB,en;q=0.8").get("/registrations").json()["message"]
    assert "令牌" in Api(None, "fr-FR, zh-CN;q=0.5").get("/registrations").json()["message"]
    assert "令牌" in Api(None, "fr").get("/registrations").json()["message"]  # Chinese unless English is asked


def test_the_admin_shows_a_new_token_once_and_revokes_without_deleting(cast: Cast) -> None:
    get_user_model().objects.create_superuser("keeper", password=PASSWORD)
    admin = Client()
    assert admin.login(username="keeper", password=PASSWORD)
    page = admin.post(
        "/admin/api/token/add/", {"agent": cast.zhoutao.pk, "distributor": "", "label": "周涛的系统"}, follow=True
    )
    (raw,) = re.findall(r"llk_[A-Za-z0-9_-]{40,}", page.content.decode())  # the whole token, once
    made = Token.objects.get(label="周涛的系统")
    assert made.digest == tokens.digest(raw) and made.created_by.username == "keeper"
    assert raw not in admin.get(f"/admin/api/token/{made.pk}/change/").content.decode()
    admin.post("/admin/api/token/", {"action": "revoke", "_selected_action": [made.pk]})
    made.refresh_from_db()
    assert made.revoked_at is not None and made.revoked_by.username == "keeper"
    assert admin.get(f"/admin/api/token/{made.pk}/delete/").status_code == 403


def test_the_admin_refuses_a_token_without_one_owner_next_to_the_form(cast: Cast) -> None:
    get_user_model().objects.create_superuser("keeper", password=PASSWORD)
    admin = Client()
    assert admin.login(username="keeper", password=PASSWORD)
    cast.zhoutao.user = None
    cast.zhoutao.save(update_fields=["user"])
    for posted in ({"agent": "", "distributor": ""}, {"agent": cast.zhoutao.pk, "distributor": ""}):
        page = admin.post("/admin/api/token/add/", {**posted, "label": "x"})
        assert page.status_code == 200 and "errornote" in page.content.decode()
    assert not Token.objects.filter(label="x").exists()
