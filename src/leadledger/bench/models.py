"""The customer manager's workbench (RULES.md section 8): duty templates, teams, work logs and reports.

What is done is never stored here: it is counted from the ledger's events (W-2) by engine/duties.py.
A work log and a submitted report are themselves logged work, counted the same way.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from leadledger.engine import competency, duties, notices
from leadledger.ledger.models import Project, Staff


class TeamKind(models.TextChoices):
    # The three kinds of team of the source (篇1, 篇4, 篇5), each with its shipped duties (bench/presets.py).
    KEY_ACCOUNT = "key_account", _("Key-account sales")
    DISTRIBUTION = "distribution", _("Distribution")
    SALES_OFFICE = "sales_office", _("Sales office")


class Cadence(models.TextChoices):
    DAILY = duties.DAILY, _("Daily")
    WEEKLY = duties.WEEKLY, _("Weekly")
    DEKAD = duties.DEKAD, _("Every ten days")
    MONTHLY = duties.MONTHLY, _("Monthly")
    QUARTERLY = duties.QUARTERLY, _("Quarterly")
    YEARLY = duties.YEARLY, _("Yearly")
    EVERY_N_DAYS = duties.EVERY_N_DAYS, _("Every N days")


class Counts(models.TextChoices):
    """What a duty counts from logged work (engine duties.COUNTS); blank: not yet counted by the app."""

    NOT_COUNTED = "", _("Not counted yet")
    CALLBACKS = duties.CALLBACKS, _("Existing prospects called back")
    NEW_PROSPECTS = duties.NEW_PROSPECTS, _("New prospects")
    VISITS = duties.VISITS, _("Visits received")
    CALLS = duties.CALLS, _("Calls")
    WORK_LOG = "work_log", _("Work logs")
    WEEKLY_REPORT = "weekly_report", _("Weekly reports")
    MONTHLY_REPORT = "monthly_report", _("Monthly reports")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly reports")
    YEARLY_REPORT = "yearly_report", _("Yearly reports")
    SURVEYS = "survey", _("Satisfaction surveys sent")
    # 篇4: the distribution team's field log (decisions 490, 491).
    STOCK_CHECKS = duties.STOCK_CHECK, _("Dealer stock checks")
    STOCK_LOGGED = duties.STOCK_LOGGED, _("Stock logged with its figures")
    WHOLESALERS_CALLED = duties.WHOLESALERS_CALLED, _("Each wholesaler called")
    WHOLESALERS_VISITED = duties.WHOLESALERS_VISITED, _("Each wholesaler visited")
    RETAIL_ROUNDS = duties.RETAIL_ROUNDS, _("Retail rounds of 10 shops")
    MARKET_ANALYSES = duties.MARKET_ANALYSIS, _("Market analyses with the dealer")
    WHOLESALER_MEETINGS = duties.WHOLESALER_MEETING, _("Wholesaler meetings")


class Team(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of team"), max_length=32, choices=TeamKind.choices)
    # The person's manager sees the team's duties and reviews its reports.
    manager = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("manager")
    )
    members = models.ManyToManyField(Staff, blank=True, related_name="+", verbose_name=_("members"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="bench_team_unique_name")]

    def __str__(self) -> str:
        return self.name


class DutyTemplate(models.Model):
    """A duty a role repeats at a cadence (W-1), with the target counted from logged work (W-2)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    team_kind = models.CharField(_("kind of team"), max_length=32, choices=TeamKind.choices)
    role = models.CharField(_("role"), max_length=32, choices=Staff.Role.choices, default=Staff.Role.CONSULTANT)
    name = models.CharField(_("duty"), max_length=200)
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices)
    n = models.PositiveSmallIntegerField(_("every how many days"), null=True, blank=True)
    # An every-N-days duty's periods are counted from this day (docs/decisions.md 270).
    starts = models.DateField(_("counted from the day"), null=True, blank=True)
    at_time = models.TimeField(_("at"), null=True, blank=True)  # 篇5: the 8:30 morning meeting
    counts = models.CharField(_("counted from"), max_length=32, choices=Counts.choices, blank=True, default="")
    target = models.PositiveIntegerField(_("target"), default=1)
    source = models.CharField(_("source"), max_length=40, blank=True, default="")  # e.g. 篇1 3.1
    # Who it is assigned to: whole teams and single people (both may be empty: not assigned yet).
    teams = models.ManyToManyField(Team, blank=True, related_name="duties", verbose_name=_("teams"))
    people = models.ManyToManyField(Staff, blank=True, related_name="+", verbose_name=_("people"))

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class WorkLogEntry(models.Model):
    """One person's work log of one day (W-3, 篇1 3.12)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    day = models.DateField(_("day"))
    text = models.TextField(_("work log"))
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="bench_one_log_a_day")]


class Report(models.Model):
    """A weekly, monthly, quarterly or yearly report (W-3, 篇1 3.16, 3.22, 3.35, 3.37): the period's
    counted figures and the written parts."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY)
    period = models.CharField(_("period"), max_length=16)  # the engine's period name, e.g. 2026-W11
    figures = models.JSONField(default=dict)  # counted at submission, by the engine, from the events
    results = models.TextField(_("results"), blank=True, default="")
    problems = models.TextField(_("problems and their causes"), blank=True, default="")
    plan = models.TextField(_("plan"), blank=True, default="")
    suggestions = models.TextField(_("suggestions"), blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["staff", "cadence", "period"], name="bench_one_report_a_period")]
        indexes = [models.Index(fields=["project", "state"], name="bench_report_state")]


class ServiceHours(models.Model):
    """When a project's complaint clock runs (S-1): calendar hours unless the project sets business hours."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    response_hours = models.PositiveSmallIntegerField(_("hours to answer a complaint"), default=24)
    business = models.BooleanField(_("count business hours only"), default=False)
    opens = models.TimeField(_("opens"), default=time(9))
    closes = models.TimeField(_("closes"), default=time(18))
    weekdays = models.CharField(_("working days"), max_length=13, default="0,1,2,3,4")  # Monday is 0

    class Meta:
        verbose_name = _("complaint hours")
        verbose_name_plural = _("complaint hours")


class Complaint(models.Model):
    """A customer's complaint (S-1): how it came, its answering clock, any department's own deadline,
    and the customer's confirmation at closing. Clocks are the engine's (engine/complaints.py)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        QQ_WECHAT = "qq_wechat", _("QQ or WeChat")
        WEIBO = "weibo", _("Weibo")
        IN_PERSON = "in_person", _("In person")

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        HOUSE = "house", _("The house")
        CONTRACT = "contract", _("Contract and price")
        PROPERTY = "property", _("Property management")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("customer's name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("about"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("complaint"))
    received_at = models.DateTimeField(_("received"))
    received_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    settled_at_once = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, default="")
    department = models.CharField(_("department"), max_length=100, blank=True, default="")
    department_hours = models.PositiveSmallIntegerField(_("the department's hours"), null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    department_result = models.TextField(_("the department's result"), blank=True, default="")
    department_done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmation = models.TextField(_("the customer's confirmation"), blank=True, default="")

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["project", "received_at"], name="bench_complaint_received"),
            # the open ones, on every today page: by index, not by the company's every complaint
            models.Index(fields=["project", "closed_at"], name="bench_complaint_open"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.received_at:%Y-%m-%d}"


class Joining(models.Model):
    """The day a person started on the workbench's duties (W-1): a period they joined during owes its share."""

    staff = models.OneToOneField(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    day = models.DateField(_("joined on"))


class DayOff(models.Model):
    """A person's day off (W-1): their daily duties owe nothing that day."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    day = models.DateField(_("day off"))
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="bench_one_day_off_a_day")]


class CollectionEntry(models.Model):
    """One line of a collection diary (W-6, 篇1 3.23): billed, promised, collected or written off, or a
    collection call, for a customer as finance names them (contract number or name: decision 404)."""

    class Figure(models.TextChoices):
        BILLED = "billed", _("Billed")
        PROMISED = "promised", _("Promised")
        COLLECTED = "collected", _("Collected")
        WRITTEN_OFF = "written_off", _("Written off")
        CALL = "collection_call", _("Collection call")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    customer = models.CharField(_("customer (as finance names them)"), max_length=100)
    figure = models.CharField(_("entry"), max_length=16, choices=Figure.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    day = models.DateField(_("day"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["project", "day"], name="bench_collection_day")]


class CustomerFile(models.Model):
    """The customer archive (客户小档案, W-4): target or not with a reason, and a flag for daily attention."""

    class Target(models.TextChoices):
        UNCLASSED = "", _("Not classed yet")
        TARGET = "target", _("Target customer")
        NON_TARGET = "non_target", _("Not a target customer")

    class Flag(models.TextChoices):
        NONE = "", _("No flag")
        KEY = "key", _("Key (重点单)")
        PROBLEM = "problem", _("Problem (问题单)")
        HARD = "hard", _("Difficult (难点单)")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    customer = models.OneToOneField("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    target = models.CharField(_("class"), max_length=16, choices=Target.choices, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    flag = models.CharField(_("flag"), max_length=16, choices=Flag.choices, blank=True, default="")
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class Channel(models.TextChoices):
    """The channels a customer may agree to be notified by (S-3; engine/notices.py CHANNELS)."""

    SMS = notices.SMS, _("Text message")
    WECHAT = notices.WECHAT, _("WeChat")
    PHONE = notices.PHONE, _("Phone call")


class ConsentChange(models.Model):
    """A customer agreed to a channel or took it back (S-3); never changed, the latest decides."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    agreed = models.BooleanField(_("agreed"))
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["project", "customer", "at"], name="bench_consent_customer")]


class Notice(models.Model):
    """A one-to-many notice to existing customers (S-3), with how many were left out and why."""

    class Topic(models.TextChoices):
        PROGRESS = notices.PROGRESS, _("Project progress")
        CONSTRUCTION = notices.CONSTRUCTION, _("Construction progress")
        HANDOVER = notices.HANDOVER, _("Handover")
        EVENT = notices.EVENT, _("Event")
        REFERRAL = notices.REFERRAL, _("Referral offer")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("about"), max_length=16, choices=Topic.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("text"))
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    left_out = models.JSONField(default=dict)  # {"no_consent": 3, "erased": 0, "no_number": 1}

    class Meta:
        indexes = [models.Index(fields=["project", "at"], name="bench_notice_at")]


class NoticeDelivery(models.Model):
    """One customer a notice went to (S-3: each logged)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="deliveries")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "customer"], name="bench_notice_once")]


class Survey(models.Model):
    """A customer's satisfaction survey of one month or quarter (W-5): asked by whom, and the answer."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by"))
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    period = models.CharField(_("period"), max_length=16)
    sent_at = models.DateTimeField(_("sent"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.CharField(_("what the customer said"), max_length=300, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "cadence", "period"], name="bench_one_survey_a_period")
        ]
        indexes = [models.Index(fields=["project", "cadence", "period"], name="bench_survey_period")]


class Level(models.TextChoices):
    """The three levels of the customer manager's KSA (W-7; engine/competency.py LEVELS)."""

    ASSISTANT = competency.ASSISTANT, _("Assistant customer manager")
    MANAGER = competency.MANAGER, _("Customer manager")
    SENIOR = competency.SENIOR, _("Senior customer manager")


class Appraisal(models.Model):
    """A manager's KSA appraisal of a subordinate for one month, quarter or year (W-7, 篇1 3.28/3.34/3.38)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    period = models.CharField(_("period"), max_length=16)
    post = models.CharField(_("post"), max_length=16, choices=Level.choices)
    knowledge = models.CharField(_("knowledge"), max_length=16, choices=Level.choices)
    skills = models.CharField(_("skills"), max_length=16, choices=Level.choices)
    attributes = models.CharField(_("attributes"), max_length=16, choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "cadence", "period"], name="bench_one_appraisal_a_period")
        ]


class Trader(models.Model):
    """A dealer (经销商) or secondary wholesaler (二批商) a distribution salesperson looks after (篇4):
    named as the office names them, the list each wholesaler duty is owed to (decision 490)."""

    class Kind(models.TextChoices):
        DEALER = "dealer", _("Dealer")
        WHOLESALER = "wholesaler", _("Secondary wholesaler")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("looked after by"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # A trader no longer served drops off the lists; the work logged with them stays.
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "kind", "name"], name="bench_one_trader_a_name")]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class FieldWork(models.Model):
    """One piece of a distribution salesperson's field work (篇4), logged as it is done and never edited:
    a stock check (with the figures or not), a wholesaler called or visited, a retail round, a 旬 market
    analysis, a wholesaler meeting. Counted by engine/duties.py by its logged day (decision 490)."""

    class Kind(models.TextChoices):
        STOCK_CHECK = duties.STOCK_CHECK, _("Dealer stock check")
        WHOLESALER_CALL = duties.WHOLESALER_CALL, _("Wholesaler call")
        WHOLESALER_VISIT = duties.WHOLESALER_VISIT, _("Wholesaler visit")
        RETAIL_ROUND = duties.RETAIL_ROUND, _("Retail round")
        MARKET_ANALYSIS = duties.MARKET_ANALYSIS, _("Market analysis with the dealer")
        WHOLESALER_MEETING = duties.WHOLESALER_MEETING, _("Wholesaler meeting")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    trader = models.ForeignKey(Trader, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    shops = models.PositiveSmallIntegerField(_("shops visited"), null=True, blank=True)
    stock = models.PositiveIntegerField(_("in stock (cases)"), null=True, blank=True)
    sold = models.PositiveIntegerField(_("sold since the last check (cases)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["staff", "at"], name="bench_fieldwork_staff_at")]
