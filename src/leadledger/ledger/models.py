"""The source of truth (events) and what is derived from it (verdicts).

Personal data (names, phones, ID numbers) lives on Customer, referenced from events by id, so that a
lawful erasure can blank it without breaking the hash chain (DESIGN principle 5).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Project(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    policy = models.JSONField(default=dict, blank=True)  # a preset name and overrides, validated by the engine
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="site_unique_name")]


class Staff(models.Model):
    class Role(models.TextChoices):
        CONSULTANT = "consultant", "置业顾问"
        RECEPTIONIST = "receptionist", "前台接待"
        MANAGER = "manager", "销售经理"
        CHANNEL_SPECIALIST = "channel_specialist", "渠道专员"
        CHANNEL_MANAGER = "channel_manager", "渠道经理"
        FINANCE = "finance", "财务"
        ADMIN = "admin", "管理员"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CONSULTANT)


class Agent(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="agents")
    name = models.CharField(max_length=100)
    distributor = models.CharField(max_length=200)


class Customer(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, null=True, blank=True)  # E.164, or a mask such as 138****5678
    id_number = models.CharField(max_length=18, null=True, blank=True)
    employee = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Two desks registering one new phone at once create one customer (ID-1).
            models.UniqueConstraint(
                fields=["project", "phone"],
                condition=Q(phone__isnull=False) & ~Q(phone__contains="*"),
                name="customer_unique_exact_phone",
            )
        ]
        indexes = [models.Index(fields=["project", "name"], name="customer_name")]


class Relation(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    a = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    b = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    verified = models.BooleanField(default=False)


class Event(models.Model):
    """One fact, appended once and never changed. The chain hash covers `seq`, `at`, `kind` and `body`."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    seq = models.BigIntegerField()  # the project's order of recording, 1, 2, 3 …
    kind = models.CharField(max_length=32)
    at = models.DateTimeField()  # assigned by the server
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()  # canonical JSON of the engine event's fields, ids only
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="event_unique_seq")]
        indexes = [models.Index(fields=["project", "customer", "seq"], name="event_customer")]


class Verdict(models.Model):
    """A customer's current verdict, materialised in the same transaction as the event that changed it."""

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.PROTECT, related_name="verdict")
    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    owners = models.JSONField(null=True)  # {"staff id": "share"} or null
    status = models.CharField(max_length=16)
    until = models.DateTimeField(null=True)
    channel = models.JSONField(null=True)  # {"agent id": "share"} or null for the house
    channel_status = models.CharField(max_length=16)
    channel_until = models.DateTimeField(null=True)
    cites = models.CharField(max_length=200)
    explain_zh = models.TextField()
    explain_en = models.TextField()
    policy_version = models.CharField(max_length=64)
    through_seq = models.BigIntegerField()  # the last event this verdict has seen
    judged_at = models.DateTimeField()  # the moment it was judged at: time alone moves a status
