"""Who may do what is decided in `leadledger.capabilities` alone (issue 12): nobody else reads a role to decide.

A module that filtered staff by `Role.CONSULTANT` (or compared `staff.role`) would be a second answer to
"who may be given a customer": a leaver, whose role never changes, would pass it (the import template
named one). Roles are read only where they are data: the models, the demo's cast, and the page each
role lands on after signing in (a place, not a permission: every page still asks for its capability).
"""

from __future__ import annotations

import re
from pathlib import Path

import leadledger

SOURCE = Path(leadledger.__file__).parent
ALLOWED = {"capabilities.py", "ledger/models.py", "bench/models.py", "demo.py", "web/views.py"}
ROLE_READ = re.compile(r"Role\.(CONSULTANT|RECEPTIONIST|MANAGER|ADMIN)\b|\.role\s*(==|!=|in\b|not in\b)|role__in=")
LANDING = re.compile(r"^\s*models\.Staff\.Role\.\w+: \"\w+\",$")  # web/views.py's LANDING table


def _offences(path: Path, text: str) -> list[str]:
    where = path.relative_to(SOURCE).as_posix()
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if ROLE_READ.search(line) and not (where == "web/views.py" and LANDING.match(line)):
            found.append(f"{where}:{number}: {line.strip()}")
    return found


def test_no_module_but_capabilities_decides_by_a_staff_role() -> None:
    offences = [
        offence
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        and "engine" not in path.relative_to(SOURCE).parts[:1]  # the engine's own scenario roles (IH-16 authority)
        and (path.relative_to(SOURCE).as_posix() not in ALLOWED or path.name == "views.py")
        for offence in _offences(path, path.read_text(encoding="utf-8"))
    ]
    assert offences == []


def test_the_scan_would_see_a_role_filter() -> None:
    where = SOURCE / "web" / "views.py"
    assert _offences(where, "    models.Staff.objects.filter(role=models.Staff.Role.CONSULTANT)")
    assert _offences(where, "    if staff.role == 'consultant':")
    assert not _offences(where, '    models.Staff.Role.CONSULTANT: "mine",')
