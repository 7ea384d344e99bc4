"""`leadledger serve` as an office runs it: gunicorn with the background worker, stopped as one, and a
taken port said plainly (issue 13: SIGTERM left db_worker running and `leadledger demo | tail` hung)."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadledger.server import threads_from_environment, workers_default, workers_from_environment

pytestmark = pytest.mark.long  # not on the Python 3.13 run (pyproject.toml, docs/operations.md)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'office.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadledger.settings",
        "LEADLEDGER_WORKERS": "2",
        "LEADLEDGER_LOG_FILE": str(tmp_path / "leadledger.log"),
        "LEADLEDGER_KEY_FILE": str(tmp_path / "checkpoint.key"),
        "LEADLEDGER_CHECKPOINT_LOG": str(tmp_path / "checkpoints.jsonl"),
        **extra,
    }


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "leadledger.cli", "serve", *args],
        env=_env(tmp_path, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own, so the test can clean up whatever is left
    )


def _line(stream: object, deadline: float) -> bytes:
    """The next line on the stream, or b"" if none comes before the deadline."""
    chosen = selectors.DefaultSelector()
    chosen.register(stream, selectors.EVENT_READ)  # type: ignore[arg-type]
    try:
        if chosen.select(max(deadline - time.monotonic(), 0)):
            return stream.readline()  # type: ignore[attr-defined, no-any-return]
        return b""
    finally:
        chosen.close()


def _alive(pid: int, started: str) -> bool:
    """Whether this very process (pid and start time) still runs: a zombie or a re-used pid does not count."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] != "Z" and fields[19] == started


def _descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its start time."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        started[int(entry.name)] = fields[19]
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = started[child]
        todo.extend(children.get(child, []))
    return found


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    said: bytes


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    process = _serve(tmp_path, "--port", str(port))
    try:
        said = _line(process.stdout, time.monotonic() + 60)
        assert f"http://127.0.0.1:{port}/".encode() in said, process.stderr.read1().decode()  # type: ignore[union-attr]
        yield Served(process, f"http://127.0.0.1:{port}", said)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            stream.close()  # type: ignore[union-attr]


def _children_up(pid: int, count: int) -> dict[int, str]:
    """The server's processes once `count` are up (the address is printed once listening, before the
    workers are forked: connections wait in the listen queue meanwhile)."""
    deadline = time.monotonic() + 30
    while len(found := _descendants(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _wait_gone(processes: dict[int, str], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid, started in processes.items() if _alive(pid, started)]
        if not left:
            return []
        time.sleep(0.1)
    return left


def test_serve_answers_with_gunicorn_workers_and_the_background_worker_beside_them(served: Served) -> None:
    with urllib.request.urlopen(f"{served.url}/login/") as page:
        assert page.status == 200 and "gunicorn" in page.headers.get("Server", "")
    with urllib.request.urlopen(f"{served.url}/static/web/app.css") as css:  # WhiteNoise, no collectstatic
        assert css.status == 200 and css.read()
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _children_up(served.process.pid, 3)]
    assert any(b"leadledger.background" in command for command in commands)
    assert len(commands) == 3 and b"2 " in served.said  # the two workers LEADLEDGER_WORKERS asked for


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_serve_stops_every_child_and_releases_its_output(served: Served, stop: signal.Signals) -> None:
    children = _children_up(served.process.pid, 3)
    assert len(children) >= 3  # two workers and the background worker
    os.kill(served.process.pid, stop)  # the server alone, as systemd or Ctrl-C in a pipeline does
    assert served.process.wait(timeout=30) == 0
    assert _wait_gone(children, 10) == []
    # Nothing holds standard output open: `leadledger demo | tail` ends.
    deadline = time.monotonic() + 10
    while _line(served.process.stdout, deadline):
        pass
    assert time.monotonic() < deadline


def test_a_server_killed_outright_takes_its_children_with_it(served: Served) -> None:
    children = _children_up(served.process.pid, 3)
    assert len(children) >= 3
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait(timeout=10)
    assert _wait_gone(children, 20) == []


@pytest.mark.parametrize(
    ("lang", "said"), [("zh", "该端口已被占用。请用 --port 换一个端口"), ("en", "the port is already in use")]
)
def test_a_taken_port_is_said_with_the_port_hint_and_no_address_is_printed(
    tmp_path: Path, lang: str, said: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(tmp_path, "--port", str(port), "--lang", lang)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert said in err.decode() and f"--port {port + 1}" in err.decode()
    assert b"http://" not in out
    assert not (tmp_path / "office.sqlite3").exists()  # refused before anything was made


def test_serving_beyond_this_machine_is_refused_while_the_deployment_checks_fail(tmp_path: Path) -> None:
    process = _serve(tmp_path, "--host", "0.0.0.0", "--port", str(_free_port()), "--lang", "en")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "refusing to serve beyond this machine" in err.decode()
    assert "security.W012" in err.decode() and "LEADLEDGER_HTTPS=true" in err.decode()
    assert b"http://" not in out


def test_serving_beyond_this_machine_starts_once_the_checks_pass(tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(
        tmp_path,
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        LEADLEDGER_HTTPS="true",
        LEADLEDGER_ALLOWED_HOSTS="leadledger.example.com",
    )
    try:
        said = _line(process.stdout, time.monotonic() + 90)
        assert f"http://0.0.0.0:{port}/".encode() in said, process.stderr.read1().decode()  # type: ignore[union-attr]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"Host": "leadledger.example.com"})
        with pytest.raises(urllib.error.HTTPError) as redirected:  # HTTPS only: http is sent to https
            urllib.request.build_opener(_NoRedirect).open(request)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://leadledger.example.com/")
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_a_server_error_is_logged_with_its_traceback_to_the_log_file(tmp_path: Path) -> None:
    code = (
        "import django, logging; django.setup();\n"
        "try:\n    raise RuntimeError('the disk is on fire')\n"
        "except RuntimeError:\n    logging.getLogger('django.request').exception('Internal Server Error: /p/x/')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, check=True)
    logged = (tmp_path / "leadledger.log").read_text()
    assert "Internal Server Error: /p/x/" in logged and "Traceback" in logged and "the disk is on fire" in logged
    assert "the disk is on fire" in done.stderr  # and on standard error


def test_the_worker_count_comes_from_the_environment_with_a_default_of_two_a_core_up_to_eight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADLEDGER_WORKERS", "3")
    assert workers_from_environment() == 3
    monkeypatch.delenv("LEADLEDGER_WORKERS")
    assert workers_from_environment() == workers_default() == min(2 * (os.cpu_count() or 1), 8)
    for wrong in ("0", "two", "²"):
        monkeypatch.setenv("LEADLEDGER_WORKERS", wrong)
        with pytest.raises(ValueError, match="LEADLEDGER_WORKERS"):
            workers_from_environment()


def test_a_thread_count_that_is_not_a_number_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADLEDGER_THREADS", raising=False)
    assert threads_from_environment() == 1  # decision 536: one request at a time a worker
    monkeypatch.setenv("LEADLEDGER_THREADS", "many")
    with pytest.raises(ValueError, match="LEADLEDGER_THREADS"):
        threads_from_environment()
    monkeypatch.setenv("LEADLEDGER_THREADS", "8")
    assert threads_from_environment() == 8


WARMED = """
import sys, django
django.setup()
from django.template import engines
from leadledger.server import warm
compiled = warm()
loader = engines["django"].engine.template_loaders[0]
print(compiled, len(loader.get_template_cache), "pypinyin" in sys.modules, "leadledger.desk.views" in sys.modules)
"""


def test_the_workers_are_forked_with_the_views_the_spellings_and_the_templates_loaded(tmp_path: Path) -> None:
    """Each worker's first registration took 0.45 s and its first search 0.55 s (loading the views, pypinyin
    and the templates on its own): with 4 workers that was a launch day's registration p95 (issue 13)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'warm.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", WARMED], env=env, capture_output=True, text=True, check=True)
    compiled, cached, pinyin, views = out.stdout.split()
    assert int(compiled) >= 90 and int(cached) >= int(compiled)  # every template of ours, kept by the cached loader
    assert (pinyin, views) == ("True", "True")


FROZEN = """
import gc, django
from leadledger.server import preloaded
preloaded()
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_workers_are_forked_with_the_loaded_app_kept_out_of_their_collections(tmp_path: Path) -> None:
    """Each worker's first full collection walked the whole preloaded app (0.15-0.4 s, every request of that
    worker waiting, in all four workers within a launch's first second): decision 535."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'frozen.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", FROZEN], env=env, capture_output=True, text=True, check=True)
    frozen, tracked = map(int, out.stdout.split())
    assert frozen > 100_000 and tracked < frozen // 10  # what a collection still walks is a small remainder


def test_a_server_that_ends_before_it_listens_is_said_with_its_own_words(tmp_path: Path) -> None:
    """tests/served.py killed the server's process group even when it had already ended, and the
    ProcessLookupError hid why it had not started (seen in the browser tests, twentieth session)."""
    from served import free_port, serve_started

    env = {**os.environ, "DATABASE_URL": "mysql://nowhere/leadledger", "DJANGO_SETTINGS_MODULE": "leadledger.settings"}
    with pytest.raises(AssertionError, match=r"(?s)the server did not start:.*DATABASE_URL must start"):
        serve_started(env, free_port(), wait=30)
