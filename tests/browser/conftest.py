"""Playwright driving Debian's chromium against a live server; skipped, with the reason, without it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an event loop running while it is open,
    # and Django refuses database work from a thread with a running loop. With the suite spread over
    # workers, a database test can follow a browser test on one worker: the browser is closed first.
    if not CHROMIUM.exists():
        pytest.skip("browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=SIZES[request.param], locale="zh-CN")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.size_name = request.param
    yield opened
    context.close()


@dataclass(frozen=True)
class Server:
    url: str
    staged: dict[str, Any]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`leadledger serve` on a fresh SQLite file, as a sales office runs it (the ledger's triggers and all)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
    }
    staged = subprocess.run(
        [sys.executable, str(HERE / "stage.py")], capture_output=True, text=True, env=env, check=False
    )
    assert staged.returncode == 0, staged.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "leadledger.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError(f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}")
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=10)


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot when LEADLEDGER_SCREENSHOTS names a folder (docs/screenshots is made this way)."""
    folder = os.environ.get("LEADLEDGER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{page.size_name}.png"), full_page=True)
