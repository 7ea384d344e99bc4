"""Outside the engine, no module names an event body's fields or an event kind: they read the declarations.

Each event type declares its kind, the customers, staff and agents it names, its links and who it is
by (engine/model.py). A module that spelled a kind or read a body's field by name would go wrong the
day a type changes; this scans every module's string literals and subscripts to keep it so.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from leadledger.engine.model import EVENT_TYPES

SOURCE = Path(__file__).resolve().parents[1] / "src" / "leadledger"
# The fields naming customers, but "customer" (a word every model and query uses): never spelled.
LINK_NAMES = {name for cls in EVENT_TYPES.values() for name in cls.customer_fields} - {"customer"}
# Reading a stored body's field by name: body["x"], body.get("x"), fields["x"] … on anything named *body*.
# A posted form's input name is the page's vocabulary, not a body's field (desk/mine.py's referrer),
# and so is the form field a refusal is shown next to (`field="referrer"`).
FORM_INPUT = re.compile(r"""posted_id\(\s*request\s*,\s*["']\w+["']|\bfield=["']\w+["']""")
BODY_READ = re.compile(r"""\b\w*body\w*\s*(\[\s*f?["']|\.get\(\s*f?["'])""")


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "engine" not in path.relative_to(SOURCE).parts[:1] and "migrations" not in path.parts
    ]


def _strings(text: str) -> list[tuple[int, str]]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except ValueError:  # an f-string: its literal parts are checked by the body pattern
                continue
            if isinstance(value, str):
                found.append((token.start[0], value))
    return found


def _offences(path: Path, root: Path = SOURCE) -> list[str]:
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(root)
    lines = text.splitlines()
    found = [
        f"{where}:{line}: {value!r}"
        for line, value in _strings(text)
        if (value in EVENT_TYPES or value in LINK_NAMES) and not FORM_INPUT.search(lines[line - 1])
    ]
    for number, line in enumerate(text.splitlines(), 1):
        if BODY_READ.search(line):
            found.append(f"{where}:{number}: reads a body's field by name: {line.strip()}")
    return found


def test_the_scan_sees_every_module_outside_the_engine() -> None:
    names = {str(path.relative_to(SOURCE)) for path in _modules()}
    assert {"ledger/services.py", "ledger/selectors.py", "ledger/convert.py", "demo.py"} <= names
    assert "ledger/verify/scan.py" in names
    assert not any(name.startswith("engine/") for name in names)


def test_no_module_outside_the_engine_names_a_kind_or_reads_a_body_field_by_name() -> None:
    offences = [offence for path in _modules() for offence in _offences(path)]
    assert offences == []


def test_the_scan_would_catch_a_kind_a_link_field_and_a_body_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'if kind == "staff_left":\n    pass\nx = body["customer"]\ny = data_body.get("site")\nz = {"referrer": 1}\n'
        'w = posted_id(request, "referrer")\n',
        encoding="utf-8",
    )
    caught = _offences(sample, tmp_path)
    assert len(caught) == 4, caught  # the form's input name alone is not one


def test_the_fields_never_spelled_include_the_links() -> None:
    assert {"referrer", "introduced_by", "buyer"} <= LINK_NAMES
