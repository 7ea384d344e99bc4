"""The source of truth (events) and what is derived from it (verdicts).

Personal data (names, phones, ID numbers) lives on Customer, referenced from events by id, so that a
lawful erasure can blank it without breaking the hash chain (DESIGN principle 5).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadledger.engine.identity import name_spellings
from leadledger.engine.phone import Phone


def valid_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(zone)s is not a time zone; use a name such as Asia/Shanghai."), params={"zone": value}
        )


class Project(models.Model):
    code = models.SlugField(unique=True, verbose_name=_("project code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    time_zone = models.CharField(
        max_length=64, default="Asia/Shanghai", validators=[valid_time_zone], verbose_name=_("time zone")
    )
    # A preset name and overrides, validated by the engine.
    policy = models.JSONField(_("policy"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    # The first event hashed by the chain's version 2 (every meaningful column, ledger/chain.py):
    # 1 for a project made since; the next event's number for one that existed before (migration 0015).
    chain_v2_from = models.BigIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("sales office")
        verbose_name_plural = _("sales offices")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="site_unique_name")]


class Staff(models.Model):
    class Role(models.TextChoices):
        CONSULTANT = "consultant", _("Consultant")
        RECEPTIONIST = "receptionist", _("Receptionist")
        MANAGER = "manager", _("Sales manager")
        CHANNEL_SPECIALIST = "channel_specialist", _("Channel specialist")
        CHANNEL_MANAGER = "channel_manager", _("Channel manager")
        FINANCE = "finance", _("Finance")
        ADMIN = "admin", _("Administrator")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="staff", verbose_name=_("project"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("sign-in account")
    )
    name = models.CharField(max_length=100, verbose_name=_("full name"))
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CONSULTANT, verbose_name=_("role"))

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        # A person has one role in a project; their access is always scoped to the projects they are staff of.
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], condition=Q(user__isnull=False), name="staff_one_role_per_project"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LanguageChoice(models.Model):
    """The language a person chose from the menu, kept for them wherever they sign in (decision 340)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_choice", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES)
    chosen_at = models.DateTimeField(_("chosen"), auto_now=True)

    class Meta:
        verbose_name = _("language choice")
        verbose_name_plural = _("language choices")

    def __str__(self) -> str:
        return self.language


class Distributor(models.Model):
    """A distribution company (分销商) whose agents bring customers to the project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="distributors")
    name = models.CharField(_("name"), max_length=200)
    # Switched on and off by the channel team only (channel/distributors.py), each change with its reason
    # (channel.Switch): while off, the company's agents and tokens are refused at every door (decision 480).
    active = models.BooleanField(_("active"), default=True, editable=False)

    class Meta:
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="distributor_unique_name")]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A distributor's agent (经纪人); may sign in (`user`), within this project only."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="agents")
    name = models.CharField(_("name"), max_length=100)
    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="agents", verbose_name=_("distributor")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("user")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    # The distributor's admin (docs/decisions.md 180): sees every registration of the company's agents.
    admin = models.BooleanField(_("distributor's admin"), default=False)
    # Switched on and off by the channel team or the company's admin only (channel/distributors.py), each
    # change with its reason (channel.Switch naming the agent): while off, refused at every door (decision 511).
    active = models.BooleanField(_("active"), default=True, editable=False)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], condition=Q(user__isnull=False), name="agent_one_per_user_per_project"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="customers", verbose_name=_("project"))
    name = models.CharField(max_length=100, verbose_name=_("full name"))
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True)  # E.164, or a mask such as 138****5678
    id_number = models.CharField(max_length=18, null=True, blank=True, verbose_name=_("ID number"))
    employee = models.BooleanField(default=False, verbose_name=_("company employee"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased"))
    # The name's pinyin and initials, so the desk finds 张伟 by "zhangwei" or "zw" (IH-18).
    pinyin = models.CharField(max_length=100, blank=True, default="", verbose_name=_("pinyin"))
    initials = models.CharField(max_length=30, blank=True, default="", verbose_name=_("initials"))
    # The last four digits, so that 138****5678 is found through an index, not a scan (ID-2).
    phone_tail = models.CharField(max_length=4, blank=True, default="", verbose_name=_("last four digits"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # Two desks registering one new phone at once create one customer (ID-1).
            models.UniqueConstraint(
                fields=["project", "phone"],
                condition=Q(phone__isnull=False) & ~Q(phone__contains="*"),
                name="customer_unique_exact_phone",
            )
        ]
        indexes = [
            models.Index(fields=["project", "name"], name="customer_name"),
            models.Index(fields=["project", "pinyin"], name="customer_pinyin"),
            models.Index(fields=["project", "initials"], name="customer_initials"),
            # Exact numbers: the unique constraint's index is partial, and a planner may not use it.
            models.Index(fields=["project", "phone"], name="customer_phone"),
            # A mask's candidates, their phones told apart from the index alone (no row read for each).
            models.Index(fields=["project", "phone_tail", "erased_at", "phone"], name="customer_phone_tail_phone"),
        ]

    def spell(self) -> Customer:
        """Fill the derived spellings of the name (bulk creation skips save(), so callers use this)."""
        self.pinyin, self.initials = name_spellings(self.name) if self.name else ("", "")
        self.phone_tail = Phone.of(self.phone).tail if self.phone else ""
        return self

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.spell()
        if kwargs.get("update_fields") is not None and {"name", "phone"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "pinyin", "initials", "phone_tail"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Relation(models.Model):
    """Two customers joined (a household, a referral: ID-3, ID-4), as they stand now.

    A manager's verification changes the row, so it is not a log itself: every change is written
    with a `RelationChange` (ledger/relations.py), and verify checks each row against its last one.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    a = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    b = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    verified = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, null=True)  # when it was told; the manager's queue is oldest first

    class Meta:
        # The few relations waiting for verification (ID-4), among a project's many verified ones.
        indexes = [
            models.Index(fields=["project", "at"], name="relation_unverified", condition=models.Q(verified=False))
        ]
        verbose_name = _("relation between customers")
        verbose_name_plural = _("relations between customers")


class RelationChange(models.Model):
    """A relation as it was made or changed, by whom, when: insert-only and hash-chained per project.

    `relation` is the row's id as a number, not a key: a relation deleted behind the app's back
    must leave its changes here for verify to name it.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    relation = models.BigIntegerField()
    a = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    b = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    verified = models.BooleanField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="relation_change_unique_seq")]


class Event(models.Model):
    """One fact, appended once and never changed.

    The chain hash covers every column but `id`, `prev_hash` and `hash` themselves (ledger/chain.py,
    version 2); events before the project's `chain_v2_from` cover `seq`, `at`, `kind` and `body`.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events", verbose_name=_("project"))
    seq = models.BigIntegerField(_("number"))  # the project's order of recording, 1, 2, 3 …
    kind = models.CharField(max_length=32, verbose_name=_("event type"))
    at = models.DateTimeField(_("time"))  # assigned by the server
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("recorded by")
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    # The staff member the event is by (its type's `by_field`): work is counted per person from it.
    # Read from the body; verify checks that it still agrees with it, in both chain versions.
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    body = models.TextField(_("content"))  # canonical JSON of the engine event's fields, ids only
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="event_unique_seq")]
        indexes = [
            models.Index(fields=["project", "customer", "seq"], name="event_customer"),
            # Departures (IH-13) are read with every judgement: found by index, never by a scan.
            models.Index(fields=["project", "kind", "seq"], name="event_kind"),
            models.Index(fields=["project", "staff", "at"], name="event_staff"),
            # The manager's dashboard counts a day's visits, deals and rulings by their moment; an agent's
            # registrations of the day (D-12's daily cap) are read by the same index.
            models.Index(fields=["project", "kind", "at"], name="event_kind_at"),
        ]


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

    class Meta:
        verbose_name = _("ownership verdict")
        verbose_name_plural = _("ownership verdicts")
        # Claims expiring this week, on the manager's dashboard: found by index, not by a scan.
        indexes = [models.Index(fields=["project", "status", "until"], name="verdict_status_until")]


class Disclosure(models.Model):
    """Personal data shown in full, or erased: who, when, why (PIPL; DESIGN principle 5).

    Insert-only and hash-chained per project (ledger/logchain.py): written by `logchain.chained_append`.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone shown in full")
        ID_NUMBER = "id_number", _("ID number shown in full")
        ERASURE = "erasure", _("Personal data erased")

    project = models.ForeignKey(Project, on_delete=models.PROTECT)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="disclosures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)  # set before the row is hashed, never after
    seq = models.BigIntegerField(default=0)  # the project's order of disclosures, 1, 2, 3 …
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("personal data disclosure")
        verbose_name_plural = _("personal data disclosures")
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="disclosure_unique_seq")]


class PolicyChange(models.Model):
    """Each policy a project has had, from when, set by whom (DESIGN principle 4: policy is versioned).

    Insert-only and hash-chained per project, like the disclosure log (ledger/logchain.py); the
    project's `policy` is the last one's, which verify checks.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="policy_changes")
    policy = models.JSONField()
    version = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="policy_change_unique_seq")]


class PolicyJob(models.Model):
    """Background work over a whole project's verdicts under one policy, watched through its progress.

    A re-judge stores every verdict again under the policy just adopted; a what-if judges every
    customer under a proposed policy without storing anything and keeps a summary of what would change.
    """

    class Kind(models.TextChoices):
        REJUDGE = "rejudge", _("Re-judge under the new policy")
        WHAT_IF = "what_if", _("What if the policy were different")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Superseded by a later change")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="policy_jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    policy = models.JSONField()  # as stored on the project, or as proposed
    policy_version = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    done = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    summary = models.JSONField(null=True, blank=True)  # a what-if's answer
    error = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("policy run")
        verbose_name_plural = _("policy runs")
        indexes = [models.Index(fields=["project", "kind", "state"], name="policy_job_state")]

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class SignInAttempt(models.Model):
    """Each sign-in tried at the sign-in page, as typed: whose username, from where, and how it ended.

    Insert-only, like the disclosure log. Counted to make a guesser wait (ledger/sign_ins.py) and shown
    to managers, so that 50 wrong passwords in a row leave a record. The username is kept as typed,
    whether or not such a user exists.
    """

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        WRONG = "wrong", _("Wrong username or password")
        WAITING = "waiting", _("Refused: too many failures, asked to wait")

    username = models.CharField(max_length=150, verbose_name=_("username"))
    address = models.GenericIPAddressField(null=True, verbose_name=_("IP address"))
    outcome = models.CharField(max_length=16, choices=Outcome.choices, verbose_name=_("outcome"))
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("time"))

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        indexes = [
            models.Index(fields=["username", "at"], name="sign_in_username_at"),
            models.Index(fields=["address", "at"], name="sign_in_address_at"),
        ]


class Lookup(models.Model):
    """One person looked up, or refused: who, where, what (digest and mask only), how many matched.

    Written by `ledger.lookups.lookup` alone; the per-user rate limit is counted from these rows, so it
    holds across every app process. The log must not become a second store of the phones it guards:
    what was asked is kept as a keyed digest (to answer "who looked up this number?") and a masked
    form a manager can read (`180****0932`), never as typed. Insert-only and hash-chained per project
    (ledger/logchain.py): a lookup deleted would hide an enumeration.
    """

    class Place(models.TextChoices):
        DESK = "desk", _("Reception desk search")
        CUSTOMERS = "customers", _("Customer list search")
        REFERRAL = "referral", _("Referral form")
        RELATION = "relation", _("Relation form")
        IMPORT = "import", _("Visit register import")
        REGISTRATION = "agent_report", _("Agent's registration")
        ESCORT = "escort", _("Escorted visit confirmation")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=16, choices=Place.choices)
    asked = models.CharField(max_length=40)  # masked: 180****0932, 张*, 8 rows
    digest = models.CharField(max_length=64)  # HMAC-SHA256 of the normalised query under the secret key
    matched = models.IntegerField(default=0)
    refused = models.BooleanField(default=False)  # over the rate limit: nothing was looked up
    # What the person was answered, where the lookup is an agent's registration: D-12's word, or 报备成功.
    answer = models.CharField(max_length=16, blank=True, default="")
    at = models.DateTimeField()
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("lookup of a person")
        verbose_name_plural = _("lookups of people")
        indexes = [
            # Every lookup counts the person's answered lookups of the last hour: entered by user and moment,
            # and counted from the index alone (`refused` in it: no row read for it).
            models.Index(fields=["user", "at", "refused"], name="lookup_user_at_refused"),
            models.Index(fields=["project", "digest"], name="lookup_digest"),
        ]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="lookup_unique_seq")]


class LookupSignal(models.Model):
    """A burst of lookups by one person, shown to the project's managers (risk, not a verdict).

    One row per burst: lookups that keep coming within the burst's window extend it (`last_at`,
    `count`) rather than raise a second signal. Hash-chained per project on what is fixed when it is
    raised (who, what kind, from when): deleting or re-pointing a signal is caught; its `last_at` and
    `count` grow by design, and are what the chained lookups say anyway.
    """

    class Kind(models.TextChoices):
        LIMIT = "limit", _("Reached the lookup limit")
        MISSES = "misses", _("Many lookups with no match")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.IntegerField(default=0)  # lookups (refused ones included) in the burst so far
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("lookup to look into")
        verbose_name_plural = _("lookups to look into")
        indexes = [models.Index(fields=["project", "last_at"], name="lookup_signal_recent")]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="lookup_signal_unique_seq")]
