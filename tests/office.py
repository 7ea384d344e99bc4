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
from leadledger.web.hashers import OfficeArgon2PasswordHasher

PASSWORD = "correct horse battery staple"
# The shipped hashers (settings.PASSWORD_HASHERS), for the tests of the shipped cost (tests/web/test_sign_in.py).
OFFICE_HASHERS = list(settings.PASSWORD_HASHERS)


class QuickArgon2PasswordHasher(OfficeArgon2PasswordHasher):
    """Argon2id at its least cost, for the suite's own sign-ins (conftest.py puts it in the shipped one's place).

    At the office's cost a sign-in's check took 33 ms of CPU, and the suite signs in thousands of times: a
    quarter of the CPU of the page tests went to hashing (decision 534). Same algorithm name, so a hash made
    here verifies in a server started with the shipped settings, which re-makes it at the office's cost.
    """

    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1


def quick_hashers() -> None:
    """The suite's hashers: the quick one where the office's is; the other (older) hashers as shipped."""
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = [
        f"{__name__}.QuickArgon2PasswordHasher" if path == OFFICE_HASHERS[0] else path for path in OFFICE_HASHERS
    ]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


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
    """PASSWORD hashed once a process (by the suite's quick hasher, or the shipped one where a test restores
    it); each test's office has five people, and a shared salt is nothing to these tests."""
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
