"""kill -9 of the server in the middle of registrations loses nothing it acknowledged.

Each registration the desk was answered for (the redirect that follows a committed registration) is
counted as acknowledged; the server is killed without warning at random moments while requests are
in flight, started again, and the desk goes on. At the end every acknowledged registration is in the
ledger and the chain verifies.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from office import PASSWORD
from served import free_port, serve_started

STAGE = Path(__file__).parents[1] / "browser" / "stage.py"
KILLS = int(os.environ.get("LEADLEDGER_CRASH_KILLS", "4"))


class _Desk:
    """A receptionist's browser: signed in, searching a phone, then registering it."""

    def __init__(self, base: str, site: int) -> None:
        self.base, self.site = base, site
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def _open(self, path: str, data: dict[str, object] | None = None) -> tuple[int, str]:
        body = None
        headers = {}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers = {"X-CSRFToken": self._csrf(), "Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self) -> None:
        self._open("/login/")
        status, _ = self._open("/login/", {"username": "sun", "password": PASSWORD})
        assert status == 302

    def register(self, phone: str) -> bool:
        """True when the server acknowledged the registration."""
        status, page = self._open(f"/p/hz-1/desk/{self.site}/search/?q={phone}")
        found = re.search(r'name="search" value="(\d+)"', page)
        if status != 200 or not found:
            return False
        status, _ = self._open(
            f"/p/hz-1/desk/{self.site}/register/", {"search": found.group(1), "name": "李娜", "phone": phone}
        )
        return status == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.mark.own_database
def test_kill_9_during_registrations_loses_nothing_acknowledged(race_database: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": race_database,
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_KEY_FILE": str(tmp_path / "keys" / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "keys" / "checkpoints.jsonl"),
        "LEADLEDGER_LANG": "en",
        # One desk registering as fast as it can, far past a person's pace: the lookup limit lifted.
        "LEADLEDGER_LOOKUPS_PER_MINUTE": "1000000",
        "LEADLEDGER_LOOKUPS_PER_HOUR": "1000000",
    }
    staged = subprocess.run([sys.executable, str(STAGE)], env=env, capture_output=True, text=True)
    assert staged.returncode == 0, staged.stderr
    site = json.loads(staged.stdout)["site"]
    rng = random.Random(9)
    acknowledged: list[str] = []
    attempted = 0
    for _ in range(KILLS):
        port = free_port()
        server = serve_started(env, port)
        desk = _Desk(f"http://127.0.0.1:{port}", site)
        desk.sign_in()
        stop = threading.Event()

        def work(desk: _Desk = desk, stop: threading.Event = stop) -> None:
            nonlocal attempted
            while not stop.is_set():
                phone = f"1390002{attempted:04d}"
                attempted += 1
                try:
                    if desk.register(phone):
                        acknowledged.append(phone)
                except (OSError, http.client.HTTPException):  # the server died under this request
                    return

        worker = threading.Thread(target=work)
        before = len(acknowledged)
        worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) == before and time.monotonic() < deadline:  # the desk is registering
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        os.killpg(server.pid, signal.SIGKILL)  # no warning, mid-request
        server.wait(timeout=10)
        stop.set()
        worker.join(timeout=30)
    print(f"{len(acknowledged)} acknowledged of {attempted} attempted over {KILLS} kills")
    assert len(acknowledged) >= KILLS  # every server was killed while the desk was registering

    checked = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from leadledger.ledger import models\n"
            "print(' '.join(p.removeprefix('+86') for p in models.Customer.objects.values_list('phone', flat=True)))",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    stored = set(checked.stdout.split())
    assert not set(acknowledged) - stored, "acknowledged registrations were lost"
    verified = subprocess.run(
        [sys.executable, "-m", "leadledger.cli", "verify"], env=env, capture_output=True, text=True, timeout=300
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
