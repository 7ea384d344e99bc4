"""What an import remembers: each row it turned into an event (so a second run adds nothing), and its jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadledger.ledger.models import Project


class ImportedRow(models.Model):
    """A register row already recorded, by a key over what it says; its notes stay here, off the chain."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    key = models.CharField(max_length=64)
    seq = models.BigIntegerField()  # the event it became
    source = models.CharField(max_length=255)
    line = models.IntegerField()
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="imported_row_once")]


class ImportJob(models.Model):
    """An import started from the web page: previewed, confirmed, run in the background, watched.

    The uploaded file is kept in `content` (in the database, beside the job: outside the web root,
    and seen by every app server and worker) from the upload until the import is done or cancelled,
    then emptied. A failed job keeps it, so that it can be run again.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        CANCELLED = "cancelled", _("Cancelled")
        QUEUED = "queued", _("Queued")
        READING = "reading", _("Checking rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="import_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.IntegerField(default=0)
    checked = models.IntegerField(default=0)
    imported = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    report = models.TextField(blank=True)  # CSV of the rejected rows, with the reason for each
    # What the page shows before confirming (the columns as understood, the first rows as they will be
    # read) and after (the first rejected rows with their reasons in both languages).
    preview = models.JSONField(null=True, blank=True)
    rejected_first = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The worker's heartbeat: set with every step it reports. A job reading or saving whose heartbeat
    # is older than LEADLEDGER_IMPORT_STALE_SECONDS has lost its worker (services.import_jobs_tidy).
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    again_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(90 * self.checked / self.total) if self.total else 0
