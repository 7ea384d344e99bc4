"""Playwright driving Debian's chromium against a live server; skipped, with the reason, without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from served import free_port, serve_started

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
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits as long as an action may (5 s by default): a busy CI machine takes longer to
    # answer an htmx request than a quiet one, and a confirmation late by a second is not a defect.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def opened(browser: Any, size: str) -> Iterator[Any]:
    """A page of its own browser context at one of SIZES, for a `page` fixture."""
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.size_name = size
    yield page
    context.close()


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A flow at both sizes; a module whose flow belongs to one device overrides this with that size
    (CI's time budget, decision 445): whether every page fits each width is test_walks.py's to check."""
    yield from opened(browser, request.param)


@dataclass(frozen=True)
class Server:
    url: str
    staged: dict[str, Any]


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
    process = serve_started(env, port := free_port(), wait=30)
    yield Server(f"http://127.0.0.1:{port}", json.loads(staged.stdout))
    os.killpg(process.pid, 15)
    process.wait(timeout=60)  # gunicorn stops its workers first; slow on a busy machine


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot when LEADLEDGER_SCREENSHOTS names a folder (docs/screenshots is made this way)."""
    folder = os.environ.get("LEADLEDGER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{page.size_name}.png"), full_page=True)
