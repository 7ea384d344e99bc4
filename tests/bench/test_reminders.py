"""Reminders to a group robot (WeChat Work or DingTalk): off by default, posted to a local fake robot."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from leadledger.bench import complaints
from leadledger.bench.reminders import reminder_text, robot_send
from office import Office
from workbench import workbench_create


class FakeRobot(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        FakeRobot.received.append(json.loads(self.rfile.read(length)))
        body = json.dumps(FakeRobot.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[str]:
    FakeRobot.received, FakeRobot.answer = [], {"errcode": 0, "errmsg": "ok"}
    server = HTTPServer(("127.0.0.1", 0), FakeRobot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    server.shutdown()
    server.server_close()


def _overdue(office: Office) -> None:
    fields = {"name": "陈静", "channel": "phone", "kind": "house", "text": "墙面开裂"}
    complaints.complaint_record(by=office.sun, fields=fields, now=timezone.now() - timedelta(hours=27))


def test_the_reminder_names_complaints_past_their_clock_and_duties_not_yet_met(office: Office) -> None:
    workbench_create(office)
    _overdue(office)
    text = reminder_text(office.project, timezone.now())
    assert text.startswith("杭州一期工作提醒")
    assert "投诉超时：陈静（答复已超时3小时）" in text
    assert "待完成职责：王芳（" in text and "回访老客户0/10" in text


def test_nothing_past_due_sends_nothing(office: Office, robot: str) -> None:
    assert reminder_text(office.project, timezone.now()) == ""
    assert not robot_send("", robot)
    assert FakeRobot.received == []


def test_off_by_default(office: Office) -> None:
    _overdue(office)
    out = StringIO()
    call_command("bench_remind", "hz-1", stdout=out)
    assert "not sent" in out.getvalue()


def test_the_command_posts_a_text_message_the_robots_accept(office: Office, robot: str) -> None:
    _overdue(office)
    out = StringIO()
    with override_settings(LEADLEDGER_ROBOT_WEBHOOK=robot):
        call_command("bench_remind", "hz-1", stdout=out)
    assert out.getvalue().strip() == "sent"
    [message] = FakeRobot.received
    assert message["msgtype"] == "text" and "投诉超时：陈静" in message["text"]["content"]


def test_a_refusing_or_absent_robot_is_logged_not_raised(office: Office, robot: str) -> None:
    FakeRobot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    assert not robot_send("提醒", robot)
    assert not robot_send("提醒", "http://127.0.0.1:9/nobody-listens")
