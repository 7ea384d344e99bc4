"""Webhooks (api/webhooks.py): a company's system told of each status change of its registrations, signed
with HMAC-SHA256, retried with backoff, every attempt recorded. The receiver is a local HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from api_cast import Api, Cast
from leadledger.api import webhooks
from leadledger.api.models import Attempt, Delivery, Webhook
from leadledger.channel import services as channel_services


class Receiver:
    """A distributor's endpoint: answers each POST with the next status given (then 200), keeps what came."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.answers.pop(0) if outer.answers else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiving = Receiver()
    yield receiving
    receiving.server.shutdown()
    receiving.server.server_close()


@pytest.fixture
def hook(cast: Cast, receiver: Receiver) -> Webhook:
    return webhooks.webhook_create(distributor=cast.anju, url=receiver.url)


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What docs/api.md tells a receiver to do."""
    signed = headers["x-leadledger-timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-leadledger-signature"])


def test_a_new_registration_is_posted_signed(cast: Cast, hook: Webhook, receiver: Receiver) -> None:
    seq = (
        Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()["registration"]
    )
    (delivery,) = webhooks.changes_find(cast.office.project)
    webhooks.delivery_attempt(delivery.pk)
    ((headers, body),) = receiver.received
    assert _verified(hook.secret, headers, body)
    assert not _verified("another secret", headers, body)
    sent = json.loads(body)
    assert (sent["event"], sent["registration"], sent["code"], sent["word"]) == (
        "registration.status",
        seq,
        "registered",
        "报备成功",
    )
    assert "13900000011" not in body.decode()  # no full number leaves the building
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.DELIVERED, 1)
    assert list(Attempt.objects.values_list("status", flat=True)) == [200]


def test_a_status_is_told_once_and_a_change_is_told_again(cast: Cast, hook: Webhook, receiver: Receiver) -> None:
    api = Api(cast.keys["liming"])
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(hours=2)):  # D-11's lead
        answer = api.post("/registrations", {"name": "陈红", "phone": "13900000011"}).json()
    assert len(webhooks.changes_find(cast.office.project)) == 1
    assert webhooks.changes_find(cast.office.project) == []  # nothing changed
    office = cast.office
    channel_services.escort_confirm(
        project=office.project, staff=office.sun, user=office.sun.user, code=answer["escort_code"], phone="13900000011"
    )
    (visited,) = webhooks.changes_find(office.project)
    assert json.loads(visited.payload)["code"] == "visited"


def test_another_companys_registrations_are_not_sent(cast: Cast, hook: Webhook) -> None:
    Api(cast.keys["zhoutao"]).post("/registrations", {"name": "马丽", "phone": "13900000022"})
    assert webhooks.changes_find(cast.office.project) == []


def test_a_refusing_receiver_is_tried_again_after_a_wait(cast: Cast, hook: Webhook, receiver: Receiver) -> None:
    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    (delivery,) = webhooks.changes_find(cast.office.project)
    receiver.answers = [500]
    now = timezone.now()
    first = webhooks.delivery_attempt(delivery.pk, now)
    assert (first.state, first.attempts, first.next_at) == (Delivery.State.PENDING, 1, now + timedelta(seconds=30))
    assert webhooks.delivery_attempt(delivery.pk, now + timedelta(seconds=10)).attempts == 1  # not yet due
    assert webhooks.deliveries_due(now + timedelta(seconds=31)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.DELIVERED, 2)
    assert list(Attempt.objects.order_by("at").values_list("status", flat=True)) == [500, 200]
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]  # the same body


def test_an_unreachable_receiver_is_given_up_after_six_tries(cast: Cast, hook: Webhook, receiver: Receiver) -> None:
    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    (delivery,) = webhooks.changes_find(cast.office.project)
    receiver.server.shutdown()
    receiver.server.server_close()  # nobody listens there now
    now = timezone.now()
    waits = []
    for _ in range(webhooks.TRIES):
        delivery = webhooks.delivery_attempt(delivery.pk, now)
        if delivery.next_at is not None:
            waits.append(delivery.next_at - now)
            now = delivery.next_at
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == webhooks.TRIES
    assert [w.total_seconds() for w in waits] == [30, 120, 480, 1920, 7680]
    assert Attempt.objects.filter(delivery=delivery, status__isnull=True).exclude(error="").count() == webhooks.TRIES


def test_an_api_registration_queues_the_search_for_changes(cast: Cast, hook: Webhook) -> None:
    from django_tasks_db.models import DBTaskResult

    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="changes_send")
    assert queued.args_kwargs["args"] == [cast.office.project.pk]


def test_the_sweep_finds_and_sends(cast: Cast, hook: Webhook, receiver: Receiver) -> None:
    Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"})
    webhooks.sweep()
    assert len(receiver.received) == 1
    assert Delivery.objects.get().state == Delivery.State.DELIVERED
