"""Evidence files of the channel team's cases (D-10, D-13): checked, kept outside the web root, read back.

A file is accepted only as a PDF, a JPEG or a PNG, judged by its first bytes (a name or a browser's
content type says nothing), and only up to `LEADLEDGER_EVIDENCE_MAX_BYTES`. It is stored under
`LEADLEDGER_EVIDENCE_DIR` (by default beside the checkpoint key, never under static files), named by
its SHA-256: no uploaded name ever becomes a path. Pages serve it to the channel team only
(decision 361).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from leadledger.ledger.services import LedgerError

MAX_BYTES = 10 * 1024 * 1024
KINDS = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class Stored:
    name: str
    content_type: str
    size: int
    sha256: str


def folder() -> Path:
    return Path(getattr(settings, "LEADLEDGER_EVIDENCE_DIR", "") or Path.home() / ".leadledger" / "evidence")


def limit() -> int:
    return int(getattr(settings, "LEADLEDGER_EVIDENCE_MAX_BYTES", 0) or MAX_BYTES)


def store(upload: Any) -> Stored:
    """Check an uploaded file and keep it; LedgerError (field "file") says why one is refused."""
    size = int(upload.size or 0)
    if size == 0:
        raise LedgerError("文件是空的", "the file is empty", field="file")
    if size > limit():
        megabytes = limit() // (1024 * 1024)
        raise LedgerError(f"文件超过{megabytes}MB", f"the file is over {megabytes} MB", field="file")
    head = upload.read(16)
    upload.seek(0)
    content_type = next((kind for magic, kind in KINDS if head.startswith(magic)), None)
    if content_type is None:
        raise LedgerError("只收PDF、JPG或PNG文件", "only PDF, JPEG or PNG files are taken", field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    target = folder() / sha[:2] / sha
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = target.with_suffix(".part")
        upload.seek(0)
        with partial.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        partial.replace(target)  # a file is there whole or not at all
    name = Path(str(upload.name or "file")).name[-100:]
    return Stored(name=name, content_type=content_type, size=size, sha256=sha)


def path_of(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a stored file's name")
    return folder() / sha256[:2] / sha256
