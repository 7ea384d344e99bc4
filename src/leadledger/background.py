"""The background process `leadledger serve` runs beside the web server: the task worker (imports,
policy jobs, webhook deliveries), the search for registrations' status changes to send (api/webhooks.py),
the agents' reminders before protection ends (channel/reminders.py) and the signed checkpoints of each
chain head on a schedule (LEADLEDGER_CHECKPOINT_MINUTES).

Started by leadledger.server.background_start, which makes the kernel stop it when `serve` ends.
"""

from __future__ import annotations

import contextlib
import os
import threading


def checkpoints_due() -> list[str]:
    """Sign each project whose chain head, or the head of one of its chained logs (lookups, disclosures,
    sales…), moved since its last checkpoint; the codes of the projects signed. A log that moved alone
    counts too: otherwise the lookups of a quiet day could be cut off unseen until the next event."""
    from .ledger import logchain, models
    from .ledger.checkpoints import checkpoint_take, checkpoints_logged

    signed = []
    for project in models.Project.objects.all():
        logged = checkpoints_logged(project)
        head = project.events.order_by("-seq").values_list("seq", flat=True).first() or 0
        heads = tuple(tuple(logchain.log_head(chained, project)) for chained in logchain.LOGS)
        last_logs = tuple(tuple(pair) for pair in (logged[-1].logs or ())) if logged else None
        if not logged or logged[-1].seq != head or last_logs != heads:
            checkpoint_take(project)
            signed.append(project.code)
    return signed


def checkpoints_every(minutes: int) -> None:
    """Sign the heads that moved on a schedule, in a thread of this process."""

    def loop() -> None:
        while not stop.wait(minutes * 60):
            checkpoints_due()

    stop = threading.Event()
    if minutes > 0:
        threading.Thread(target=loop, name="checkpoints", daemon=True).start()


def webhooks_every(seconds: int) -> None:
    """Find registrations whose status changed (time alone lapses one) and send what is due, on a schedule."""

    def loop() -> None:
        from .api.webhooks import sweep

        while not stop.wait(seconds):
            try:
                sweep()
            except Exception:  # one bad round (a database hiccup) must not end the loop; the next retries
                import logging

                logging.getLogger("leadledger").exception("webhook sweep failed")

    stop = threading.Event()
    if seconds > 0:
        threading.Thread(target=loop, name="webhooks", daemon=True).start()


def reminders_every(seconds: int) -> None:
    """Remind agents of protections ending soon (channel/reminders.py, decision 512), on a schedule."""

    def loop() -> None:
        from .channel.reminders import sweep

        while not stop.wait(seconds):
            try:
                sweep()
            except Exception:  # as the webhooks' loop: the next round retries
                import logging

                logging.getLogger("leadledger").exception("reminder sweep failed")

    stop = threading.Event()
    if seconds > 0:
        threading.Thread(target=loop, name="reminders", daemon=True).start()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
    import django
    from django.core.management import call_command

    django.setup()
    checkpoints_every(int(os.environ.get("LEADLEDGER_CHECKPOINT_MINUTES", "60")))
    webhooks_every(int(os.environ.get("LEADLEDGER_WEBHOOK_SWEEP_SECONDS", "60")))
    reminders_every(int(os.environ.get("LEADLEDGER_REMINDER_SWEEP_SECONDS", "600")))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole terminal's group
        call_command("db_worker", interval=1)


if __name__ == "__main__":
    main()
