from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, strip=True)


class ImportForm(forms.Form):
    register = forms.FileField(label=_("Visit register (.xlsx or .csv)"))

    def clean_register(self) -> object:
        upload = self.cleaned_data["register"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        return upload
