"""The hash chains: each row's hash covers the previous hash and every column of the row that carries meaning.

Events: version 1 hashed `seq`, `at`, `kind` and `body`; version 2 (docs/decisions.md 98) adds the event's
project, customer, staff and actor columns. A project records from which event on it hashes by
version 2 (`Project.chain_v2_from`), so that a database made before version 2 keeps its history as
hashed then; verify checks the older rows' customer and staff columns against their bodies instead.

Other insert-only logs (the disclosure log; any log that must not be changed quietly) chain their
rows with `row_hash` over the columns a `ChainedLog` names: see ledger/logchain.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(body: dict[str, Any]) -> str:
    """One spelling of a body: sorted keys, no spaces, UTF-8 as is, so that equal bodies hash equal."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def moment(at: datetime) -> str:
    """The moment as the chain spells it: UTC, to the microsecond, `2026-03-01T02:00:00.000000Z`."""
    # Same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at a fraction of its cost (verify hashes millions).
    utc = at if at.tzinfo is UTC else at.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def moment_from_text(text: str) -> str | None:
    """The chain's spelling of a UTC moment stored as text (`2026-03-01 02:00:00[.1[23456]]`), or None.

    Both databases hand verify the moment as such text (see verify/plan.py), which is respelled here
    without building a datetime: SQLite keeps six digits of fraction or none, PostgreSQL's text
    drops trailing zeros. Any other shape returns None and is parsed the long way.
    """
    size = len(text)
    if size == 26 and text[19] == "." and text[10] in " T":
        return text.replace(" ", "T", 1) + "Z"  # one C call: verify respells ten million of these
    if size == 19 and text[10] in " T":
        return f"{text[:10]}T{text[11:]}.000000Z"
    if 21 <= size < 26 and text[10] in " T" and text[19] == ".":
        return f"{text[:10]}T{text[11:]}{'0' * (26 - size)}Z"
    return None


def hash_of(prev_hash: str, seq: int, spelled_moment: str, kind: str, body: str) -> str:
    """Version 1: the events recorded before a project's `chain_v2_from`."""
    material = f"{prev_hash}\x1f{seq}\x1f{spelled_moment}\x1f{kind}\x1f{body}"
    return hashlib.sha256(material.encode()).hexdigest()


def hash_v2(
    prev_hash: str,
    seq: int,
    spelled_moment: str,
    kind: str,
    body: str,
    project: int,
    customer: int | None,
    staff: int | None,
    actor: int | None,
) -> str:
    """Version 2: every column of an event that carries meaning (docs/decisions.md 98).

    The fields are joined by a separator none of them can hold as written (digits, a moment, a
    kind, and canonical JSON, which escapes control characters), so no two rows share a material.
    """
    material = (
        f"2\x1f{prev_hash}\x1f{seq}\x1f{spelled_moment}\x1f{kind}\x1f{body}\x1f{project}"
        f"\x1f{'' if customer is None else customer}\x1f{'' if staff is None else staff}"
        f"\x1f{'' if actor is None else actor}"
    )
    return hashlib.sha256(material.encode()).hexdigest()


def chain_hash(prev_hash: str, seq: int, at: datetime, kind: str, body: str) -> str:
    """Version 1 from a datetime."""
    return hash_of(prev_hash, seq, moment(at), kind, body)


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    kind: str,
    body: str,
    *,
    project: int,
    customer: int | None,
    staff: int | None,
    actor: int | None,
) -> str:
    """Version 2 from a datetime: the hash every event recorded from now on carries."""
    return hash_v2(prev_hash, seq, moment(at), kind, body, project, customer, staff, actor)


def row_hash(prev_hash: str, values: Sequence[str | int | None]) -> str:
    """The hash of one row of a chained log: the previous hash and the row's named columns, in order.

    Spelled as a JSON array, so that free text (a reason) cannot move a boundary between columns.
    """
    material = json.dumps([prev_hash, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()
