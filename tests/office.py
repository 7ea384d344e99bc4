"""A project with its people: Alice and Bob (consultants), Zhao (manager), Sun (receptionist),
Root (administrator), each with a login named after them, and customer Zhang."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import translation

from leadledger.ledger import models, services

PASSWORD = "correct horse battery staple"


@dataclass
class Office:
    project: models.Project
    alice: models.Staff
    bob: models.Staff
    zhao: models.Staff
    sun: models.Staff
    root: models.Staff
    zhang: models.Customer


def password_hash() -> str:
    """PASSWORD hashed once a process: the office's Argon2 costs 25-50 ms a hash (web/hashers.py), and each
    test's office has five people; a shared salt is nothing to these tests. Signing in still verifies it."""
    return _hashed(settings.PASSWORD_HASHERS[0])


@functools.cache
def _hashed(hasher: str) -> str:  # by the first hasher's name, should a test change the hashers
    return make_password(PASSWORD)


def _staff(project: models.Project, username: str, name: str, role: str) -> models.Staff:
    user = get_user_model().objects.create(username=username, password=password_hash(), first_name=name)
    return models.Staff.objects.create(project=project, user=user, name=name, role=role)


def office_create(code: str = "hz-1", name: str = "杭州一期") -> Office:
    Role = models.Staff.Role
    project = models.Project.objects.create(code=code, name=name)
    prefix = "" if code == "hz-1" else f"{code}-"
    people = [
        _staff(project, f"{prefix}alice", "王芳", Role.CONSULTANT),
        _staff(project, f"{prefix}bob", "刘洋", Role.CONSULTANT),
        _staff(project, f"{prefix}zhao", "赵强", Role.MANAGER),
        _staff(project, f"{prefix}sun", "孙丽", Role.RECEPTIONIST),
        _staff(project, f"{prefix}root", "系统管理员", Role.ADMIN),
    ]
    zhang, _ = services.customer_find_or_create(project=project, name="张伟", phone="138 0000 0001")
    return Office(project, *people, zhang)


def client_in(language: str) -> Client:
    """A test client for someone who chose `language` from the menu on the sign-in page, before signing in:
    the choice is the browser's (its cookie) and, once they sign in, theirs (decision 340)."""
    client = Client()
    with translation.override(translation.get_language()):  # the request's language stays the request's
        client.post("/i18n/setlang/", {"language": language, "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return client
