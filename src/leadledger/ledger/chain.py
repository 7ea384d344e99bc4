"""The hash chain: each event's hash covers the previous hash and a canonical encoding of the event."""

from __future__ import annotations

import hashlib
import json
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
    material = f"{prev_hash}\x1f{seq}\x1f{spelled_moment}\x1f{kind}\x1f{body}"
    return hashlib.sha256(material.encode()).hexdigest()


def chain_hash(prev_hash: str, seq: int, at: datetime, kind: str, body: str) -> str:
    return hash_of(prev_hash, seq, moment(at), kind, body)
