"""schemathesis against the API's own schema (issue 15): no 5xx for any input, every answer as documented.

Small on purpose (the suite's time budget, some 10 s in all): the coverage phase's boundary cases and a few
random examples per operation, on the test database, through the WSGI app. A longer run is
`schemathesis run` against a served demo (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from api_cast import Cast
from leadledger.wsgi import application

# The schema is read without the database (it needs no token), once, when the file is collected.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=SchemathesisConfig.from_dict(
        {
            "phases": {"coverage": {"enabled": True}},  # boundaries: empty, longest, 2**62 + 1…
            # A blank name or another company's agent is valid JSON and rightly refused (400); an unknown
            # query parameter is ignored. The checks that matter here: no 5xx, every answer documented.
            "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
        }
    ),
)


@pytest.fixture(autouse=True)
def _the_tests_connection_kept() -> Iterator[None]:
    """Call the app as Django's test client does: a request's end must not close the test's transaction
    (on PostgreSQL it would, and every later query would fail as a server error)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_answers_every_input_as_its_schema_says(case: Any, cast: Cast) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {cast.keys['anju']}"})
