"""Django 6 has the tasks framework built in; the django_tasks backport exists only beside Django 5.2."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).parents[1] / "src" / "leadledger"


def test_the_tasks_backport_is_only_ever_the_fallback_of_django_tasks() -> None:
    # A plain `from django_tasks import task` passed on Python 3.11 and broke every policy change on 3.13.
    wrong = []
    for path in SOURCE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            fallback = number > 0 and lines[number - 1].strip() == "except ImportError:  # Django 5.2: the backport"
            if line.strip().startswith(("from django_tasks import", "import django_tasks")) and not fallback:
                wrong.append(f"{path.relative_to(SOURCE)}:{number + 1}")
    assert not wrong, wrong
