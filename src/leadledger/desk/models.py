"""The desk's own records: each site's rotation state, and the searches done before a registration."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leadledger.ledger.models import Project, Site


class Rotation(models.Model):
    """A site's rotation: the engine's Desk state as JSON, changed under a row lock, one click at a time."""

    site = models.OneToOneField(Site, primary_key=True, on_delete=models.PROTECT, related_name="rotation")
    state = models.JSONField()
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")


class DeskSearch(models.Model):
    """An ask-first search (IH-18): who asked what, where, and which customers it found. Insert-only."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    query = models.CharField(max_length=100)
    found = models.JSONField()  # customer ids, in the order shown
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("desk search")
        verbose_name_plural = _("desk searches")


class DeskVisit(models.Model):
    """A visit registered at the desk: the event it became, the search before it, the rotation's answer."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    seq = models.BigIntegerField()
    search = models.ForeignKey(DeskSearch, on_delete=models.PROTECT)
    staff = models.CharField(max_length=32)
    turn = models.IntegerField(null=True)  # the site's turn number this walk-in used, if it used one
    cites = models.CharField(max_length=100)
    explain_zh = models.TextField()
    explain_en = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("desk visit")
        verbose_name_plural = _("desk visits")
        # The desk's "today" is read on every board refresh: found by index, not by a scan of the years.
        indexes = [models.Index(fields=["site", "at"], name="deskvisit_site_at")]


class RenewalRequest(models.Model):
    """A consultant asks to renew a claim (IH-6); a manager's approval records the renewal event."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        APPROVED = "approved", "approved"
        REFUSED = "refused", "refused"

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT)
    staff = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("ledger.Staff", null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True)
    seq = models.BigIntegerField(null=True)  # the renewal event, once approved
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")


class Suspension(models.Model):
    """A consultant taken off the rotation by a manager until a moment (Q-7), at every site of the project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    staff = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    since = models.DateTimeField(auto_now_add=True)
    until = models.DateTimeField()

    class Meta:
        verbose_name = _("suspension from the rotation")
        verbose_name_plural = _("suspensions from the rotation")


class Dispute(models.Model):
    """Someone contests who a customer belongs to; open until a manager rules on the customer (IH-16).

    Not an event: a dispute changes no verdict; the ruling that settles it is the event.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    ruling_seq = models.BigIntegerField(null=True)  # the ruling that settled it
    settled_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["project", "settled_at", "at"], name="dispute_open")]


class DayFigures(models.Model):
    """A past day's figures for the manager's dashboard, counted once from the ledger (decision 141).

    A finished day's events never change, but an import may add some to a past day later: each row
    keeps the project's last event seq it has seen, and a day touched by a later event is counted again.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    day = models.DateField()
    figures = models.JSONField()
    through_seq = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "day"], name="day_figures_unique")]


class Notice(models.Model):
    """A consultant told, inside the app, that their customer was registered at the desk and who receives them.

    Written in the registration's transaction, so there is never a visit without its notice nor a
    notice of a visit that was rolled back. Names are read when the notice is shown (an erased
    customer's name is gone from here too); only `read_at` ever changes.
    """

    class Kind(models.TextChoices):
        NEW = "new", "new"  # a new customer, received by the consultant who now owns them
        ARRIVED = "arrived", "arrived"  # an owned customer came back, received by their owner
        ASSISTED = "assisted", "assisted"  # an owned customer came back, received by a colleague (IH-11)
        # A registration corrected at the desk (docs/decisions.md 222): the customer is now theirs, or no longer.
        GAINED = "corrected_to", "corrected_to"
        LOST = "corrected_away", "corrected_away"

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    staff = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")  # who is told
    kind = models.CharField(max_length=16, choices=Kind.choices)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()  # the visit event
    at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            # The menu's badge counts a person's unread notices on every page: an index of the unread only.
            models.Index(fields=["staff"], condition=models.Q(read_at__isnull=True), name="notice_unread"),
            models.Index(fields=["staff", "at"], name="notice_staff_at"),
        ]


class Holding(models.Model):
    """One owner of one customer, as the stored verdict says: "my customers" finds a consultant's by index.

    Derived from `ledger.Verdict` (its owners, status and moments) and nothing else, by database triggers
    on the verdict table (migrations 0010, 0012), so it changes in the same statement as the verdict,
    whichever code writes it (an event, a rebuild, a policy change) and nobody can forget it. Never
    written by Python.
    """

    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    staff = models.CharField(max_length=32)  # a key of the verdict's owners: the staff id as text
    customer = models.ForeignKey("ledger.Customer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    # The verdict's own columns, repeated by the same triggers (desk migration 0012): "my customers"
    # counts its tabs and reads a tab's page from the (project, staff, ...) index alone, in one range,
    # instead of 2,000 verdict rows spread over the table (docs/decisions.md 545).
    status = models.CharField(max_length=16, default="")
    until = models.DateTimeField(null=True)
    judged_at = models.DateTimeField(null=True)
    channel_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "staff"], name="holding_unique")]
        indexes = [
            models.Index(
                fields=["project", "staff", "status", "until", "judged_at", "channel_until", "customer"],
                name="holding_tabs",
            )
        ]


class FollowUpPlan(models.Model):
    """The latest follow-up a consultant logged for a customer: its note and the day to contact them next.

    The follow-up event's body holds both (the truth, under the chain); this row repeats the latest
    one, written in the same transaction as the event (`services.contact_log`), so that "today's
    follow-ups" of a consultant with thousands of customers is one indexed read.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("ledger.Staff", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()  # the follow-up event
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True, default="")
    next_contact = models.DateField(null=True)  # a calendar day in the project's time zone

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "customer"], name="followupplan_unique")]
        indexes = [models.Index(fields=["project", "staff", "next_contact"], name="followupplan_next")]
