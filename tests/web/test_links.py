"""No page offers a link its viewer may not open: each role follows every link of the pages it can reach
from where it lands, and none answers "无权访问" (403). Found by looking: the tokens page led a sales manager
to the distributors' page, which only the channel team may open."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from leadledger.ledger import models
from office import PASSWORD, Office

HREF = re.compile(r'href="(/[^"#?]*)')
DOWNLOADS = (".pdf", ".xlsx", ".csv", ".json", ".png", ".svg", ".css", ".js")  # files, not pages: not followed
PAGES = 150  # a role's reachable pages are far fewer; a bound, should a link ever build an endless chain


def _reached(client: Client, start: str) -> dict[str, tuple[int, str]]:
    """Every page reachable from `start` by plain links: its status, and the page that linked to it."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([(start, "")])
    while queue and len(seen) < PAGES:
        url, linked_from = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow=True)
        seen[url] = (response.status_code, linked_from)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            if href.startswith("/p/") and not href.endswith(DOWNLOADS) and href not in seen:
                queue.append((href, url))
    return seen


@pytest.mark.parametrize("username", ["alice", "zhao", "sun", "root", "qian"])
def test_no_link_leads_its_viewer_to_a_refusal(office: Office, username: str) -> None:
    if username == "qian":  # the channel team's specialist
        user = get_user_model().objects.create_user(username="qian", password=PASSWORD)
        role = models.Staff.Role.CHANNEL_SPECIALIST
        models.Staff.objects.create(project=office.project, user=user, name="钱敏", role=role)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    landing = str(client.get("/")["Location"])
    reached = _reached(client, landing)
    assert len(reached) > 5, reached  # the walk went somewhere
    refused = {url: linked_from for url, (status, linked_from) in reached.items() if status == 403}
    assert not refused, refused
