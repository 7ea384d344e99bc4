"""A NUL character is refused before any view, with a sentence in the language the person chose."""

from __future__ import annotations

import pytest
from django.test import Client

from office import PASSWORD, Office, client_in


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "控制字符"), ("en", "control character")])
def test_a_nul_in_a_search_is_refused_in_the_chosen_language(office: Office, language: str, words: str) -> None:
    client = client_in(language)
    assert client.login(username="alice", password=PASSWORD)
    response = client.get(f"/p/{office.project.code}/", {"q": "张\x00"})
    assert response.status_code == 400
    assert words in response.content.decode()


def test_a_nul_in_a_form_is_refused_and_nothing_is_recorded(office: Office) -> None:
    from leadledger.ledger import models

    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    before = models.Event.objects.count()
    response = client.post(f"/p/{office.project.code}/desk/", {"name": "张\x00三", "phone": "13800000001"})
    assert response.status_code == 400
    assert models.Event.objects.count() == before
