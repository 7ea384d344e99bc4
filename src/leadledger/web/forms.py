from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from leadledger.ledger import models
from leadledger.ledger.selectors import departed_staff


class SignInForm(AuthenticationForm):
    """Sign-in that refuses someone recorded as departed (IH-13) from every project they were staff of."""

    departed = False

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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, strip=True)


class ImportForm(forms.Form):
    register = forms.FileField(label=_("Visit register (.xlsx or .csv)"))

    def clean_register(self) -> object:
        upload = self.cleaned_data["register"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        return upload
