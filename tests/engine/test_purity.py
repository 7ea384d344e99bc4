"""The engine stays pure: no Django, no I/O, importable on its own."""

import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "src" / "leadledger" / "engine"


def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None\n"  # any 'import django' now fails
        "import leadledger.engine as e; print(len(e.__all__))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "django" not in [m.split(".")[0] for m in sys.modules if m.startswith("leadledger.engine")]


def test_no_engine_module_mentions_django_or_file_io() -> None:
    for path in ENGINE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
        assert "open(" not in text, f"{path.name} does I/O"
