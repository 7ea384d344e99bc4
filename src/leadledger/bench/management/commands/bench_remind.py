"""Send a project's workbench reminders to its group robot, if one is configured.

`LEADLEDGER_ROBOT_WEBHOOK=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... django-admin bench_remind hz-1`
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from leadledger.bench.reminders import reminder_text, robot_send
from leadledger.ledger.models import Project


class Command(BaseCommand):
    help = "Post what is owed (complaints past their clock, duties not yet met) to the group robot's webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's code")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(code=options["project"]).first()
        if project is None:
            raise CommandError(f"no project {options['project']!r}")
        text = reminder_text(project, timezone.now())
        if not text:
            self.stdout.write("nothing owed")
        elif robot_send(text):
            self.stdout.write("sent")
        else:
            self.stdout.write("not sent (no webhook configured, or the robot was not reached)")
