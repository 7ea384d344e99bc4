"""Fuzzing the replay reader (Hypothesis): any file gives an exit code and a sentence, never a traceback.

Inputs are the shipped scenario files with one value replaced, one key removed or the text cut,
and arbitrary JSON and bytes. LEADLEDGER_FUZZ_INPUTS (default 1,000) files are read.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadledger.replay import EXIT_DISAGREE, EXIT_OK, EXIT_UNREADABLE, example_files, run

pytestmark = pytest.mark.long  # not on the Python 3.13 run (pyproject.toml, docs/operations.md)

INPUTS = int(os.environ.get("LEADLEDGER_FUZZ_INPUTS", "1000"))
EXAMPLES = [json.loads(path.read_text(encoding="utf-8")) for path in example_files()]

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    data = json.loads(json.dumps(draw(st.sampled_from(EXAMPLES))))
    how = draw(st.sampled_from(["replace", "remove", "cut", "whole"]))
    if how == "whole":
        return json.dumps(draw(_json))
    text = json.dumps(data, ensure_ascii=False)
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    path = draw(st.sampled_from(_paths(data)[1:]))
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "remove":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(_json)
    return json.dumps(data, ensure_ascii=False)


@settings(max_examples=INPUTS, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(text=_mutated() | st.text(max_size=200), raw=st.none() | st.binary(max_size=200))
def test_fuzz_the_replay_reader_answers_every_file_with_an_exit_code(text: str, raw: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.json"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = run([str(path)], lang="en", out=out, err=err)
    assert code in (EXIT_OK, EXIT_DISAGREE, EXIT_UNREADABLE)
    assert "Traceback" not in err.getvalue()
    if code == EXIT_UNREADABLE:
        assert err.getvalue().startswith("error: "), err.getvalue()
