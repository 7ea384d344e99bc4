"""Every project page, tried by URL and by form post: other projects are not found, other roles forbidden."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from office import PASSWORD, Office, office_create

MANAGERS_ONLY = {
    "manage",
    "manage_renewal",
    "manage_departure",
    "manage_suspension",
    "dispute",
    "dispute_export",
    "dispute_ruling",
    "relation_verify",
    "imports",
    "import_job",
    "import_report",
}
DESK = {"desk_home", "desk", "desk_search", "desk_register", "desk_board", "desk_relation", "desk_move"}
MINE = {"mine", "mine_referral", "mine_contact", "mine_renewal"}
FORBIDDEN = {
    "alice": MANAGERS_ONLY | DESK | {"customer_erase", "customer_reveal"},  # a consultant; Zhang is not hers
    "sun": MANAGERS_ONLY | MINE | {"customer_erase", "customer_reveal"},  # a receptionist
    "zhao": MINE | {"customer_erase"},  # a manager (erasure is the administrator's)
}


def _project_urls() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name and "<slug:project>" in str(pattern.pattern):
                found.append((pattern.name, str(pattern.pattern)))

    walk(get_resolver().url_patterns)
    return found


def _url(name: str, pattern: str, project: str, pk: int) -> str:
    # pk: an existing customer, so that a page with an object-level check reaches it (ids differ by database).
    kwargs: dict[str, object] = {"project": project}
    for key in ("pk", "site"):
        if f"<int:{key}>" in pattern:
            kwargs[key] = pk
    if "<str:field>" in pattern:
        kwargs["field"] = "phone"
    return reverse(name, kwargs=kwargs)


def _ask(client: Client, url: str) -> int:
    status = client.get(url).status_code
    return client.post(url, {}).status_code if status == 405 else status


URLS = _project_urls()


def test_every_project_page_is_covered() -> None:
    assert len(URLS) >= 25


@pytest.mark.parametrize(("name", "pattern"), URLS, ids=[name for name, _ in URLS])
def test_strangers_and_other_roles_are_kept_out(office: Office, name: str, pattern: str) -> None:
    other = office_create("sh-2", "上海二期")
    assert other  # its staff are strangers to hz-1, and hz-1's to it
    url = _url(name, pattern, "hz-1", office.zhang.pk)
    anonymous = Client()
    assert _ask(anonymous, url) in (302, 405) and (anonymous.get(url).status_code != 200)
    stranger = Client()
    assert stranger.login(username="sh-2-alice", password=PASSWORD)
    assert _ask(stranger, url) == 404, url
    for username, forbidden in FORBIDDEN.items():
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        status = _ask(client, url)
        if name in forbidden:
            assert status == 403, (username, url, status)
        else:
            assert status != 403, (username, url, status)


@pytest.mark.parametrize(
    ("username", "url", "form"),
    [
        ("sun", "/p/hz-1/desk/{site}/register/", {"search": "x", "customer": "{customer}"}),
        ("sun", "/p/hz-1/desk/{site}/register/", {"search": "1", "customer": "'; DROP TABLE"}),
        ("sun", "/p/hz-1/desk/{site}/relation/", {"customer": "abc", "phone": "1", "kind": "spouse"}),
        ("sun", "/p/hz-1/desk/{site}/board/move/", {"action": "go_away", "staff": "nobody"}),
        ("alice", "/p/hz-1/me/referral/", {"name": "李娜", "phone": "13900000002", "referrer": "1.5"}),
        ("zhao", "/p/hz-1/manage/suspension/", {"staff": "", "days": "1", "reason": "x"}),
        ("zhao", "/p/hz-1/manage/departure/", {"staff": "-1", "reason": "resigned"}),
        ("zhao", "/p/hz-1/customers/{customer}/dispute/ruling/", {"staff": "x", "rule": "IH-1", "reason": "x"}),
    ],
)
def test_a_tampered_form_is_a_bad_request_not_a_server_error(
    office: Office, username: str, url: str, form: dict[str, str]
) -> None:
    from leadledger.ledger import models

    site = models.Site.objects.create(project=office.project, name="展厅")
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    assert client.post(url.format(site=site.pk, customer=office.zhang.pk), form).status_code == 400
