"""The sign-in page: Django's, with SignInForm, and what a successful sign-in writes written at once.

A sign-in writes its record (ledger/sign_ins.py), the new session and the person's last_login: one
transaction, begun after the password has been checked, so that on SQLite it takes one writers' turn
instead of three and the slow part (Argon2) never holds the turn. On a launch day three turns each waiting
behind a registration made the sign-in the slowest request (docs/benchmarks.md, seventeenth session).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        with transaction.atomic():
            form.record_success()
            return super().form_valid(form)
