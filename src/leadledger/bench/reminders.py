"""Reminders to a team's group robot (WeChat Work 企业微信 or DingTalk 钉钉): off unless the project
configures a webhook (settings.LEADLEDGER_ROBOT_WEBHOOK). Both robots take the same text message.

The app itself always shows what is owed (today's duties, the team page); this only repeats it where
the office already chats, so a failure to reach the robot is logged and never stops anything.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings

from leadledger.engine import complaints as complaints_engine
from leadledger.engine import duties as d
from leadledger.ledger import models as ledger

from . import selectors
from .models import Team

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


def reminder_text(project: ledger.Project, now: datetime) -> str:
    """What is owed now: complaints past their clock (S-1) and each team member's duties not yet met (W-2)."""
    lines = []
    for row in selectors.open_complaints(project, now):
        name = row.complaint.name
        if row.answer.state == complaints_engine.OVERDUE:
            late = int(-row.answer.left.total_seconds() // 3600)
            lines.append(f"投诉超时：{name}（答复已超时{late}小时）")
        elif row.department is not None and row.department.state == complaints_engine.OVERDUE:
            lines.append(f"投诉超时：{name}（{row.complaint.department}处理已超时）")
    people = ledger.Staff.objects.filter(project=project, pk__in=Team.objects.filter(project=project).values("members"))
    for person in people.distinct().order_by("pk"):
        board = selectors.board(person, now)
        short = [
            f"{line.duty.name}{line.standing.done}/{line.standing.owed}"
            for line in board.lines
            if line.standing is not None and line.standing.status != d.MET
        ]
        if short:
            lines.append(f"待完成职责：{person.name}（{'、'.join(short)}）")
    return "\n".join([f"{project.name}工作提醒", *lines]) if lines else ""


def robot_send(text: str, url: str | None = None) -> bool:
    """Post a text message to the group robot; False (logged) when none is configured or it fails."""
    url = url if url is not None else settings.LEADLEDGER_ROBOT_WEBHOOK
    if not url or not text:
        return False
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # the office's own robot
            answer = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, TimeoutError, ValueError) as problem:
        log.warning("the group robot was not reached: %s", problem)
        return False
    # WeChat Work answers {"errcode": 0}; DingTalk the same: anything else is the robot refusing.
    if answer.get("errcode", 0) != 0:
        log.warning("the group robot refused the reminder: %s", answer)
        return False
    return True
