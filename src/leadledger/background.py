"""The background process `leadledger serve` runs beside the web server: the task worker (imports,
policy jobs) and the signed checkpoints of each chain head on a schedule (LEADLEDGER_CHECKPOINT_MINUTES).

Started by leadledger.server.background_start, which makes the kernel stop it when `serve` ends.
"""

from __future__ import annotations

import contextlib
import os
import threading


def checkpoints_every(minutes: int) -> None:
    """Sign each project's chain head on a schedule (when it has moved), in a thread of this process."""
    from .ledger import models
    from .ledger.checkpoints import checkpoint_take, checkpoints_logged

    def loop() -> None:
        while not stop.wait(minutes * 60):
            for project in models.Project.objects.all():
                logged = checkpoints_logged(project)
                head = project.events.order_by("-seq").values_list("seq", flat=True).first() or 0
                if not logged or logged[-1].seq != head:
                    checkpoint_take(project)

    stop = threading.Event()
    if minutes > 0:
        threading.Thread(target=loop, name="checkpoints", daemon=True).start()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django
    from django.core.management import call_command

    django.setup()
    checkpoints_every(int(os.environ.get("LEADLEDGER_CHECKPOINT_MINUTES", "60")))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole terminal's group
        call_command("db_worker", interval=1)


if __name__ == "__main__":
    main()
