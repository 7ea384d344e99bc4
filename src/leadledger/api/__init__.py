"""The HTTP API for distributors' systems (issue 15): /api/v1, django-ninja, token authentication."""
