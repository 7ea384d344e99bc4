"""`leadledger serve`: gunicorn in front of the app, and the background worker beside it.

gunicorn runs in this process as its master (preloading the app once, forking the workers), so that a
SIGTERM or Ctrl-C to `leadledger serve` stops everything: the master stops its workers, and the
background worker (imports, scheduled checkpoints: `leadledger.background`) is stopped on the way out,
and is told by the kernel to die with us should this process be killed outright (PR_SET_PDEATHSIG).
Nothing outlives the server to hold a pipe open (`leadledger demo | tail` ends when the server does).
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import signal
import socket
import subprocess
import sys
from typing import Any

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def workers_default() -> int:
    """Two workers a core, at most eight: enough to keep a 2-core office server busy while some wait on the database."""
    return min(2 * (os.cpu_count() or 1), 8)


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def workers_from_environment() -> int:
    return _count("LEADLEDGER_WORKERS", workers_default())


def threads_from_environment() -> int:
    """Threads a worker (gthread), default one (decision 536). A kept-alive connection waits in the worker's
    poller between requests, not in a thread. With four threads a worker, a launch day's requests all ran at
    once on two cores, and the one holding the project's writer lock ran slowest: on PostgreSQL with 500
    agents an agent's registration p95 was 240-305 ms, with one thread 122-131 ms (docs/benchmarks.md)."""
    return _count("LEADLEDGER_THREADS", 1)


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens where we would (tried as gunicorn binds: SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's finally still stops it
        pass


def background_start() -> subprocess.Popen[bytes]:
    """The task worker (imports) and the checkpoint schedule, in a process of its own that dies with us."""
    return subprocess.Popen(
        [sys.executable, "-m", "leadledger.background"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]},
        # Its own lines ("Starting worker …") are a log: standard output carries serve's one line, the address.
        stdout=sys.stderr,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def background_stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm() -> int:
    """Load, before the workers fork, what each worker's first requests would otherwise load on their own:
    every view (the URLconf), pypinyin's dictionaries (a new customer's name spellings), both languages'
    catalogues and every template compiled. Without it each worker's first registration took about 0.45 s
    and its first search 0.55 s on a launch day, against 30-45 ms after: with 4 workers that was the p95 of
    a day's 41 registrations (docs/benchmarks.md). The number of templates compiled."""
    from pathlib import Path

    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    from leadledger.engine.identity import name_spellings

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    name_spellings("张伟")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            translation.gettext("Rotation")
    compiled = 0
    for folder in Path(__file__).parent.glob("**/templates"):
        for template in sorted(folder.rglob("*.html")):
            get_template(template.relative_to(folder).as_posix())  # the cached loader keeps it, forked along
            compiled += 1
    return compiled


def preloaded() -> Any:
    """The WSGI app as the workers get it: warmed, then kept out of their garbage collections (Python's
    advice for a fork without exec). Without the freeze each worker's first full collection walked the
    whole loaded app, 0.15-0.4 s with every request of that worker waiting, in all four workers within a
    launch's first second (decision 535)."""
    from leadledger.wsgi import application

    warm()
    gc.collect()
    gc.freeze()
    return application


def serve(host: str, port: int, workers: int, threads: int, *, on_ready: Any) -> None:
    """Run gunicorn here until it is stopped; `on_ready` is called once it listens."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                # Threads keep a browser's kept-alive connection without holding a worker for it.
                "worker_class": "gthread",
                "threads": threads,
                "preload_app": True,  # Django is imported once and the workers forked from it: a fast start
                "proc_name": "leadledger",
                "accesslog": os.environ.get("LEADLEDGER_ACCESS_LOG") or None,
                "errorlog": "-",
                "loglevel": "warning",
                "timeout": 120,  # a what-if or a rebuild page on a large project may take a while
                "graceful_timeout": 10,
                "when_ready": lambda _arbiter: on_ready(),
            }
            # gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): two
            # servers on one machine would fight over it, and nothing here uses it.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return preloaded()

    connections.close_all()  # the workers must not share the connection the migration opened
    Application().run()
