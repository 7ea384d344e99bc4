"""Django's model backend, with the read every signed-in page makes prepared; and the sessions it names.

Every page reads its user: Django builds and compiles the queryset afresh each time, some 0.3 ms of Python
where the database answers in a few hundredths (ledger.prepared; issue 14's page budget). The checks are
Django's own: the user is read by id and must be allowed to sign in (`user_can_authenticate`), and
`django.contrib.auth.get_user` still verifies the session's password hash against it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS

from leadledger.engine.text import whole_id
from leadledger.ledger.prepared import STAND_IN_IDS, PreparedRead

BACKEND = "leadledger.web.sessions.Backend"
DJANGOS = "django.contrib.auth.backends.ModelBackend"  # named by the sessions signed in before this backend


class SessionStore(db.SessionStore):
    """Django's database sessions; one signed in through Django's own backend is read as signed in through ours
    (the same users, the same checks), so that nobody is signed out by the change."""

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        if data.get(BACKEND_SESSION_KEY) == DJANGOS:
            data[BACKEND_SESSION_KEY] = BACKEND
        return data


def _user_read() -> tuple[list[str], PreparedRead]:
    User = get_user_model()
    fields = [field.attname for field in User._meta.concrete_fields]
    return fields, PreparedRead(lambda pk: User._default_manager.filter(pk=pk).values_list(*fields), STAND_IN_IDS[0])


_USER_FIELDS, _USER = _user_read()


class Backend(ModelBackend):
    """Django's ModelBackend: signing in unchanged, the signed-in user read prepared on every request."""

    def get_user(self, user_id: Any) -> Any:
        pk = whole_id(user_id)  # Django's login keeps the key; anything else is asked as Django asks it
        if pk is None:
            return super().get_user(user_id)
        found = _USER.rows(pk)
        if not found:
            return None
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, found[0])
        return user if self.user_can_authenticate(user) else None
