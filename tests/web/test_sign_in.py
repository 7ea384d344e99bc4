"""Sign-in: a guesser is made to wait and recorded, passwords are checked by Django's validators and
hashed with Argon2 at a cost a morning's sign-ins can bear (issue 13: 50 guesses in 12 s, password "1")."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from leadledger.demo import PASSWORD as DEMO_PASSWORD
from leadledger.ledger.models import SignInAttempt
from leadledger.ledger.sign_ins import sign_in_wait
from office import PASSWORD, Office, client_in

WRONG = "not the password"


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.7") -> object:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_after_five_wrong_passwords_even_the_right_one_waits_and_the_page_says_so_in_chinese(office: Office) -> None:
    client = client_in("zh-hans")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME):
        assert _sign_in(client, "alice", WRONG).status_code == 200
    page = _sign_in(client, "alice", PASSWORD)
    assert not _signed_in(client)
    assert "密码错误次数过多，请 1 分钟后再试" in page.content.decode()


def test_the_wait_is_said_in_english_when_english_was_chosen(office: Office) -> None:
    client = client_in("en")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME):
        _sign_in(client, "alice", WRONG)
    page = _sign_in(client, "alice", PASSWORD)
    assert "Too many wrong passwords. Try again in 1 minute." in page.content.decode()


def test_fifty_guesses_in_a_row_check_only_the_first_five_passwords_and_all_are_recorded(office: Office) -> None:
    client = Client()
    for _ in range(50):
        _sign_in(client, "alice", WRONG)
    outcomes = list(SignInAttempt.objects.filter(username="alice").values_list("outcome", flat=True))
    assert outcomes.count(SignInAttempt.Outcome.WRONG) == settings.SIGN_IN_FAILURES_PER_USERNAME
    assert outcomes.count(SignInAttempt.Outcome.WAITING) == 50 - settings.SIGN_IN_FAILURES_PER_USERNAME


def test_one_person_guessing_does_not_lock_out_a_colleague_signing_in_from_the_same_office(office: Office) -> None:
    guesser = Client()
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME):
        _sign_in(guesser, "alice", WRONG)
    colleague = Client()
    _sign_in(colleague, "bob", PASSWORD)
    assert _signed_in(colleague)


def test_one_address_trying_many_usernames_waits_too(office: Office) -> None:
    client = Client()
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        _sign_in(client, f"nobody{n}", WRONG, address="203.0.113.9")
    _sign_in(client, "bob", PASSWORD, address="203.0.113.9")
    assert not _signed_in(client)
    elsewhere = Client()
    _sign_in(elsewhere, "bob", PASSWORD, address="198.51.100.1")
    assert _signed_in(elsewhere)


def test_the_wait_starts_at_a_minute_and_doubles_with_each_failure_past_the_limit_up_to_the_cap(office: Office) -> None:
    limit = settings.SIGN_IN_FAILURES_PER_USERNAME
    for _ in range(limit - 1):
        SignInAttempt.objects.create(username="alice", address=None, outcome=SignInAttempt.Outcome.WRONG)
    last = SignInAttempt.objects.create(username="alice", address=None, outcome=SignInAttempt.Outcome.WRONG)
    assert sign_in_wait(username="alice", address=None, now=last.at) == timedelta(seconds=60)
    assert sign_in_wait(username="alice", address=None, now=last.at + timedelta(seconds=60)) == timedelta(0)
    last = SignInAttempt.objects.create(username="alice", address=None, outcome=SignInAttempt.Outcome.WRONG)
    assert sign_in_wait(username="alice", address=None, now=last.at) == timedelta(seconds=120)
    for _ in range(30):
        last = SignInAttempt.objects.create(username="alice", address=None, outcome=SignInAttempt.Outcome.WRONG)
    assert sign_in_wait(username="alice", address=None, now=last.at) == timedelta(
        seconds=settings.SIGN_IN_WAIT_MAX_SECONDS
    )


def test_a_successful_sign_in_starts_the_count_again(office: Office) -> None:
    client = Client()
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME - 1):
        _sign_in(client, "alice", WRONG)
    _sign_in(client, "alice", PASSWORD)
    assert _signed_in(client)
    client.post("/logout/")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME - 1):
        _sign_in(client, "alice", WRONG)
    _sign_in(client, "alice", PASSWORD)
    assert _signed_in(client)


def test_every_failed_sign_in_is_logged_with_username_and_address(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="leadledger.sign_in"):
        _sign_in(Client(), "alice", WRONG, address="10.1.2.3")
    assert any("alice" in r.getMessage() and "10.1.2.3" in r.getMessage() for r in caplog.records)


def test_the_manager_sees_failed_sign_ins_of_the_project_and_a_consultant_may_not(office: Office) -> None:
    _sign_in(Client(), "alice", WRONG, address="10.1.2.3")
    _sign_in(Client(), "stranger", WRONG, address="10.1.2.4")
    manager = client_in("zh-hans")
    manager.login(username="zhao", password=PASSWORD)
    page = manager.get("/p/hz-1/sign-ins/").content.decode()
    assert "alice" in page and "10.1.2.3" in page and "用户名或密码错误" in page
    assert "stranger" not in page  # not one of this project's people
    consultant = Client()
    consultant.login(username="bob", password=PASSWORD)
    assert consultant.get("/p/hz-1/sign-ins/").status_code == 403


def test_an_address_a_proxy_garbled_is_not_stored(office: Office, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BEHIND_PROXY = True
    Client().post("/login/", {"username": "alice", "password": WRONG}, HTTP_X_FORWARDED_FOR="not-an-address")
    assert SignInAttempt.objects.get(username="alice").address is None


def test_a_password_of_1_is_refused_when_a_password_is_changed(office: Office) -> None:
    client = client_in("en")
    client.login(username="alice", password=PASSWORD)
    page = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "1", "new_password2": "1"}
    ).content.decode()
    assert "too short" in page and "entirely numeric" in page
    assert get_user_model().objects.get(username="alice").check_password(PASSWORD)


@pytest.mark.parametrize("password", ["1", "12345678", "password", "alice2026"])
def test_weak_passwords_are_refused_by_the_validators(db: None, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, get_user_model()(username="alice2026", first_name="王芳"))


def test_the_demo_password_passes_the_validators_it_is_checked_against(db: None) -> None:
    validate_password(DEMO_PASSWORD, get_user_model()(username="wangfang", first_name="王芳"))


SHIPPED_COST = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


def test_new_passwords_are_hashed_with_argon2id_at_the_chosen_cost(office: Office, office_hashers: None) -> None:
    user = get_user_model().objects.get(username="alice")
    user.set_password("a new passphrase 2026")
    user.save(update_fields=["password"])
    assert user.password.startswith(SHIPPED_COST)
    assert not identify_hasher(user.password).must_update(user.password)


def test_a_pbkdf2_hash_from_before_is_upgraded_to_argon2_at_the_next_sign_in(
    office: Office, office_hashers: None
) -> None:
    user = get_user_model().objects.get(username="alice")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    client = Client()
    _sign_in(client, "alice", PASSWORD)
    assert _signed_in(client)
    user.refresh_from_db()
    assert user.password.startswith(SHIPPED_COST)


def test_a_hash_made_at_a_lower_cost_is_made_again_at_the_shipped_cost_at_the_next_sign_in(
    office: Office, office_hashers: None
) -> None:
    """The suite's own hashes are cheap (office.py); a server with the shipped settings still signs them in."""
    user = get_user_model().objects.get(username="alice")
    assert not user.password.startswith(SHIPPED_COST)
    client = Client()
    _sign_in(client, "alice", PASSWORD)
    assert _signed_in(client)
    user.refresh_from_db()
    assert user.password.startswith(SHIPPED_COST)


def test_a_sign_in_lasts_a_working_day_but_not_until_the_next_morning() -> None:
    assert 12 * 3600 <= settings.SESSION_COOKIE_AGE < 24 * 3600
    assert not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_administrator_sees_every_attempt_in_the_admin_and_cannot_change_or_delete_one(office: Office) -> None:
    _sign_in(Client(), "stranger", WRONG, address="10.9.9.9")
    office.root.user.is_staff = office.root.user.is_superuser = True
    office.root.user.save(update_fields=["is_staff", "is_superuser"])
    admin = Client()
    admin.force_login(office.root.user)
    listing = admin.get("/admin/ledger/signinattempt/").content.decode()
    assert "stranger" in listing and "10.9.9.9" in listing
    attempt = SignInAttempt.objects.get(username="stranger")
    assert admin.post(f"/admin/ledger/signinattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SignInAttempt.objects.filter(pk=attempt.pk).exists()


def test_an_addresss_failures_are_forgotten_after_an_hour_so_the_office_is_not_kept_waiting(office: Office) -> None:
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS + 3):
        last = SignInAttempt.objects.create(
            username=f"typo{n}", address="203.0.113.9", outcome=SignInAttempt.Outcome.WRONG
        )
    assert sign_in_wait(username="bob", address="203.0.113.9", now=last.at) == timedelta(minutes=8)
    assert sign_in_wait(username="bob", address="203.0.113.9", now=last.at + timedelta(minutes=61)) == timedelta(0)


def test_what_a_sign_in_writes_is_written_together_or_not_at_all(office: Office) -> None:
    """The record of a successful sign-in, the new session and last_login are one transaction (web/sign_in.py:
    one writers' turn on SQLite instead of three). A failure while signing in leaves no record of success."""
    from django.contrib.auth.signals import user_logged_in
    from django.contrib.sessions.models import Session

    def fails(**_kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    user_logged_in.connect(fails, dispatch_uid="test.fails")
    try:
        with pytest.raises(RuntimeError):
            _sign_in(Client(), "alice", PASSWORD)
    finally:
        user_logged_in.disconnect(dispatch_uid="test.fails")
    assert not SignInAttempt.objects.filter(username="alice", outcome=SignInAttempt.Outcome.SIGNED_IN).exists()
    assert not Session.objects.exists()
    assert get_user_model().objects.get(username="alice").last_login is None
    client = Client()
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert SignInAttempt.objects.filter(username="alice", outcome=SignInAttempt.Outcome.SIGNED_IN).count() == 1
