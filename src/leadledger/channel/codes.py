"""The escorted-visit code (带看码) an agent shows on arrival: signed, short enough to type, nothing personal.

A code names one registration event by its number in the project's ledger and carries an HMAC of the
project and that number under the site's secret (docs/decisions.md 230): it cannot be made up from a
number, does not open another project's registration, and says nothing of the customer. The QR code
holds the confirmation page's address with the code, so a tablet's camera opens the page ready to
confirm; a specialist without a camera types the code.
"""

from __future__ import annotations

import base64
import re

import segno
from django.utils.crypto import constant_time_compare, salted_hmac

from leadledger.ledger import models

_SALT = "leadledger.channel.escort"
_SIGNATURE = 10  # base32 letters: 50 bits, behind the lookups' rate limit
_SHAPE = re.compile(r"^(\d{1,12})([A-Z2-7]{10})$")


def _signature(project: models.Project, seq: int) -> str:
    digest = salted_hmac(_SALT, f"{project.code}:{seq}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:_SIGNATURE]


def escort_code(project: models.Project, seq: int) -> str:
    """The code for registration event `seq`, grouped to be read aloud: 12-ABCDE-FGHJK."""
    signature = _signature(project, seq)
    return f"{seq}-{signature[:5]}-{signature[5:]}"


def escort_seq(project: models.Project, code: str) -> int | None:
    """The registration number a typed or scanned code names, or None when it is not this project's."""
    clean = re.sub(r"[\s\-–—_·.]", "", code or "").upper()
    match = _SHAPE.match(clean)
    if match is None:
        return None
    seq = int(match.group(1))
    return seq if constant_time_compare(match.group(2), _signature(project, seq)) else None


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text` (segno), drawn by the server: no script, no CDN."""
    return str(segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2))
