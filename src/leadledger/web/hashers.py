"""The password hash's cost, chosen for a sales office's morning (docs/benchmarks.md, docs/decisions.md)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OfficeArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): about 25 ms of CPU.

    Django's default (100 MiB, 2 passes, 8 lanes) costs about 210 ms of CPU on a 2-core office server:
    130 people signing in within the opening minute would queue 27 s of hashing in front of the desk.
    The algorithm name stays "argon2", so a hash made at another cost still verifies and is re-made at
    this one on the next sign-in (Django's must_update).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
