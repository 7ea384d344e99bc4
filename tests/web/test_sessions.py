"""The signed-in user read on every page (web/sessions.py): Django's checks, a prepared read, and nobody signed
out by the change of backend."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from leadledger.web import sessions
from office import PASSWORD, Office, client_in

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_user_read_is_the_orms(office: Office) -> None:
    backend = sessions.Backend()
    for person in (office.alice, office.zhao, office.root):
        expected = get_user_model().objects.get(pk=person.user_id)
        got = backend.get_user(person.user_id)
        assert got is not None and got._state.adding is False
        fields = [f.attname for f in get_user_model()._meta.concrete_fields]
        assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert backend.get_user(10**17) is None


def test_a_session_signed_in_through_djangos_backend_stays_signed_in(office: Office) -> None:
    client = _signed_in("sun")
    row = _session(client)
    data = row.get_decoded()
    assert data[BACKEND_SESSION_KEY] == sessions.BACKEND
    data[BACKEND_SESSION_KEY] = sessions.DJANGOS  # as a session signed in before this release holds it
    Session.objects.filter(pk=row.pk).update(session_data=sessions.SessionStore().encode(data))
    assert client.get("/p/hz-1/").status_code == 200  # not sent to sign in
    assert _session(client).get_decoded()[BACKEND_SESSION_KEY] == sessions.DJANGOS  # read as ours, left as it was


def test_an_inactive_user_or_a_changed_password_signs_the_session_out(office: Office) -> None:
    first, second = _signed_in("sun"), _signed_in("alice")
    User = get_user_model()
    assert first.get("/p/hz-1/").status_code == 200 and second.get("/p/hz-1/").status_code == 200
    User.objects.filter(pk=office.sun.user_id).update(is_active=False)
    assert first.get("/p/hz-1/")["Location"].startswith("/login/")
    user = User.objects.get(pk=office.alice.user_id)
    user.set_password("another secret 42")
    user.save()
    assert second.get("/p/hz-1/")["Location"].startswith("/login/")
