"""The API at /api/v1: its schema at /api/v1/openapi.json, its docs page at /api/v1/docs (served by the app)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import errors, office, registrations
from .auth import TokenAuth


class ReadableJSON(JSONRenderer):
    """Chinese as UTF-8, not \\u escapes: the words a distributor's developer reads in a log are the agent's."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSON(),
    title="LeadLedger API",
    version="1",
    description="Registrations (报备) and their status for distributors' systems; docs/api.md: tokens, webhooks.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/", registrations.router)
api.add_router("/", office.router)
