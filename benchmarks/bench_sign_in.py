"""The password hash's cost, and what a morning's sign-ins cost the server (issue 13).

    .venv/bin/python benchmarks/bench_sign_in.py [--sign-ins 130] [--processes 2]

Measures the CPU time of one hash (median of 30) for the hasher in settings (Argon2id, 19 MiB, t=2,
p=1), Django's default Argon2 and PBKDF2 (1,000,000 iterations); then hashes `--sign-ins` passwords
spread over `--processes` processes all at once, as if everyone clicked "sign in" in the same second:
the wall time is the longest a desk's page could wait behind the sign-ins.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")


def _hashers() -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    from leadledger.web.hashers import OfficeArgon2PasswordHasher

    return {
        "ours: argon2id m=19MiB t=2 p=1": OfficeArgon2PasswordHasher(),
        "Django's argon2id m=100MiB t=2 p=8": Argon2PasswordHasher(),
        "Django's PBKDF2 1,000,000": PBKDF2PasswordHasher(),
    }


def _cpu_ms(hasher: object, rounds: int = 30) -> float:
    times = []
    for _ in range(rounds):
        started = time.process_time()
        hasher.encode("correct horse battery staple", hasher.salt())  # type: ignore[attr-defined]
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def _verify(count: int) -> tuple[int, float]:
    """Sign-ins checked, and the CPU seconds they took."""
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("correct horse battery staple")
    started = time.process_time()
    done = sum(check_password("correct horse battery staple", encoded) for _ in range(count))
    return done, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sign-ins", type=int, default=130)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    for name, hasher in _hashers().items():
        print(f"{name}: {_cpu_ms(hasher):.1f} ms CPU a hash")
    shares = [args.sign_ins // args.processes + (i < args.sign_ins % args.processes) for i in range(args.processes)]
    with ProcessPoolExecutor(args.processes) as pool:
        list(pool.map(_verify, [0] * args.processes))  # start the processes and import Django first
        started = time.perf_counter()
        results = list(pool.map(_verify, shares))
        wall = time.perf_counter() - started
    done, cpu = sum(r[0] for r in results), sum(r[1] for r in results)
    print(
        f"{done} sign-ins at once on {args.processes} processes (the settings' hasher): {cpu:.2f} s CPU in all, "
        f"{wall:.2f} s wall (the wall time includes whatever else the machine runs: see `uptime`)"
    )


if __name__ == "__main__":
    main()
