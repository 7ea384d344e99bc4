"""The channel team's work (D-10, D-13): cases with their evidence and notes, until the channel manager decides.

A case is work, not a fact: what decides is the event its decision writes (a `channel_ruling`, or a
relation verified through ledger/relations.py), and the engine judges from those alone. A case keeps
what the decision rests on: the distributor's statement, the files and the team's verification notes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leadledger.ledger import models as ledger


class Case(models.Model):
    """A distributor's appeal (申诉, D-13) or a special case with its situation form (客户情况说明表, D-10)."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("Appeal")
        SITUATION = "situation", _("Special case")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Not upheld")

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    customer = models.ForeignKey(ledger.Customer, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(ledger.Agent, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    registration_seq = models.PositiveIntegerField(null=True, blank=True)  # the registration appealed against
    relation = models.ForeignKey(ledger.Relation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"), max_length=1000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(ledger.Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    ruling_seq = models.PositiveIntegerField(null=True, blank=True)  # the channel_ruling event it wrote

    class Meta:
        verbose_name = _("channel case")
        verbose_name_plural = _("channel cases")
        indexes = [
            # The channel manager's list: the project's open cases, oldest first.
            models.Index(fields=["project", "filed_at"], name="channel_case_open", condition=models.Q(decision=""))
        ]


class Evidence(models.Model):
    """A file behind a case (marriage certificate, household register, call log), kept outside the web root."""

    class Kind(models.TextChoices):
        MARRIAGE = "marriage", _("Marriage certificate")
        HOUSEHOLD = "household", _("Household register")
        CALLS = "calls", _("Call log")
        OTHER = "other", _("Other document")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=100)  # as uploaded, for the reader only
    content_type = models.CharField(max_length=40)  # from the file's first bytes, never from its name
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # also the stored file's name (channel/evidence.py)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class Note(models.Model):
    """The channel team's verification (D-10): an interview or a phone callback, and what it found."""

    class Method(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        CALLBACK = "callback", _("Phone callback")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    by = models.ForeignKey(ledger.Staff, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    text = models.CharField(_("note"), max_length=500)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification note")
        verbose_name_plural = _("verification notes")


class Switch(models.Model):
    """A distributor company, or one of its agents, switched off or back on, with why (decisions 480, 511).

    The rows are the record; `Distributor.active` and `Agent.active` are the latest of them, kept beside
    the company and the agent so every door (sign-in, pages, API) asks one column. A row naming an agent
    is that agent's; one naming none is the company's. The channel team switches (`by`), or, for its own
    agents, the company's admin (`by_agent`).
    """

    distributor = models.ForeignKey(ledger.Distributor, on_delete=models.PROTECT, related_name="switches")
    agent = models.ForeignKey(ledger.Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="switches")
    active = models.BooleanField(_("active"))
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(ledger.Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_agent = models.ForeignKey(ledger.Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("distributor switched on or off")
        verbose_name_plural = _("distributors switched on or off")
        constraints = [
            models.CheckConstraint(
                condition=Q(by__isnull=False, by_agent__isnull=True)
                | Q(by__isnull=True, by_agent__isnull=False, agent__isnull=False),
                name="switch_by_the_team_or_the_companys_admin",
            )
        ]

    @property
    def who(self) -> str:
        """The person who switched, as the history names them."""
        return self.by.name if self.by is not None else self.by_agent.name if self.by_agent is not None else ""


class SignalMark(models.Model):
    """The channel team's mark on a risk signal (D-14): looked at, or dealt with, and what they found.

    A signal is derived (the engine finds it again on every reading), so it is named by what the engine
    names it by: its code and the events behind it.
    """

    class State(models.TextChoices):
        LOOKED = "looked", _("Looked at")
        DEALT = "dealt", _("Dealt with")

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    events = models.CharField(max_length=200)  # the event numbers, comma-separated, in the engine's order
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    note = models.CharField(_("note"), max_length=500)
    by = models.ForeignKey(ledger.Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk signal mark")
        verbose_name_plural = _("risk signal marks")
        indexes = [models.Index(fields=["project", "code", "events"], name="channel_signal_mark")]


class AgentNotice(models.Model):
    """An agent told, inside the app, that a registration's protection ends soon (D-11, decision 512).

    The agents' kin of the desk's notices (desk.Notice): a row per thing told, shown on their page and
    marked read then. One per registration (the unique constraint), however often the sweep runs and
    however many processes run it. Names are read when the notice is shown, never stored here.
    """

    project = models.ForeignKey(ledger.Project, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(ledger.Agent, on_delete=models.PROTECT, related_name="notices")  # who is told
    registration_seq = models.PositiveBigIntegerField()  # the registration event's number
    until = models.DateTimeField()  # the protection's end, as it stood when told
    at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent's reminder")
        verbose_name_plural = _("agents' reminders")
        constraints = [
            models.UniqueConstraint(fields=["project", "registration_seq"], name="agent_notice_once_per_registration")
        ]
        indexes = [models.Index(fields=["agent", "at"], name="agent_notice_agent_at")]
