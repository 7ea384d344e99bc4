from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from leadledger.channel.distributors import AGENT_OFF, PAUSED
from leadledger.engine.errors import DomainError
from leadledger.engine.text import REASON_MAX, reason_checked
from leadledger.ledger import models
from leadledger.ledger.selectors import departed_staff
from leadledger.ledger.sign_ins import client_address, sign_in_record, sign_in_wait

from .speech import pick, said


class SignInForm(AuthenticationForm):
    """Sign-in that refuses someone recorded as departed (IH-13) from every project they were staff of,
    records every attempt, and makes a guesser wait (ledger/sign_ins.py) before checking any password."""

    departed = False
    waiting = False
    paused = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_address(self.request) if self.request is not None else None
        wait = sign_in_wait(username=username, address=address)
        if wait:
            sign_in_record(username=username, address=address, outcome=models.SignInAttempt.Outcome.WAITING)
            self.waiting = True
            minutes = -(-int(wait.total_seconds()) // 60)
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong passwords. Try again in %(minutes)d minute.",
                    "Too many wrong passwords. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="waiting",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                sign_in_record(username=username, address=address, outcome=models.SignInAttempt.Outcome.WRONG)
            raise
        return cleaned

    def record_success(self) -> None:
        """Recorded by the view, in the transaction that signs the person in (web/sign_in.py)."""
        address = client_address(self.request) if self.request is not None else None
        username = self.cleaned_data["username"]
        sign_in_record(username=username, address=address, outcome=models.SignInAttempt.Outcome.SIGNED_IN)

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.is_superuser:
            return
        memberships = list(models.Staff.objects.filter(user=user).select_related("project"))
        if memberships and all(str(m.pk) in departed_staff(m.project) for m in memberships):
            self.departed = True  # the page says this instead of "wrong password"
            raise forms.ValidationError(
                _("You are recorded as having left the company and can no longer sign in (IH-13)."),
                code="departed",
            )
        if not memberships:
            rows = list(models.Agent.objects.filter(user=user).values_list("distributor__active", "active"))
            if rows and not any(firm and agent for firm, agent in rows):  # decisions 480, 511: switched off
                self.paused = True
                sentence = AGENT_OFF if any(firm for firm, _agent in rows) else PAUSED
                raise forms.ValidationError(pick(*sentence), code="paused")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, strip=True)

    def clean_reason(self) -> str:
        try:
            return reason_checked(self.cleaned_data["reason"])
        except DomainError as error:  # a control character: said like the services say it
            raise forms.ValidationError(said(error), code="control") from None


class ImportForm(forms.Form):
    register = forms.FileField(label=_("Visit register (.xlsx or .csv)"))

    def clean_register(self) -> object:
        from leadledger.imports.services import import_limits

        upload = self.cleaned_data["register"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size > import_limits().max_bytes:
            raise self.too_large(upload.size)
        return upload

    @staticmethod
    def too_large(size: int) -> forms.ValidationError:
        """The refusal of a file of `size` bytes, with the limit (said by the form, and for web/uploads.py)."""
        return forms.ValidationError(ImportForm.too_large_text(f"{size / 1024 / 1024:.1f}"), code="too_large")

    @staticmethod
    def too_large_text(size: str) -> str:
        """The sentence, with `size` in MB as given (the page's script fills in a file's own)."""
        from leadledger.imports.services import import_limits

        limit = import_limits().max_bytes
        return _(
            "The file is too large (%(size)s MB): at most %(limit)s MB per import; split it into several files."
        ) % {"size": size, "limit": f"{limit / 1024 / 1024:.0f}"}
