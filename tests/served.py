"""`leadledger serve` started for a test in its own process group, on a free port, as an office runs it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_started(env: dict[str, str], port: int, *, wait: float = 60) -> subprocess.Popen[bytes]:
    """The server, once it accepts connections on `port`; killed, with its words, if it never does."""
    process = subprocess.Popen(
        [sys.executable, "-m", "leadledger.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):  # it may have ended already: its words are what matters
        os.killpg(process.pid, signal.SIGKILL)
    said = process.stderr.read().decode() if process.stderr else ""
    raise AssertionError(f"the server did not start: {said}")
