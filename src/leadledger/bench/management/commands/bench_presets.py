"""Install the shipped duties of a kind of team in a project.

`DJANGO_SETTINGS_MODULE=leadledger.settings django-admin bench_presets hz-1 key_account`
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadledger.bench.presets import PRESETS
from leadledger.bench.services import presets_load
from leadledger.ledger.models import Project


class Command(BaseCommand):
    help = "Install the shipped duties (W-1) of a kind of team in a project; a second run adds nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's code")
        parser.add_argument("kind", choices=sorted(PRESETS), help="the kind of team")
        parser.add_argument("--english", action="store_true", help="name the duties in English")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(code=options["project"]).first()
        if project is None:
            raise CommandError(f"no project {options['project']!r}")
        made = presets_load(project=project, kind=options["kind"], zh=not options["english"])
        self.stdout.write(f"{len(made)} duties added to {project.code}")
