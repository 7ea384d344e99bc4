"""Reads for the desk: the ask-first search over phones, masks, names, pinyin and initials."""

from __future__ import annotations

import re

from django.db.models import Q

from leadledger.engine import EngineError
from leadledger.engine.identity import normalise_name, parse_mask, phone_key
from leadledger.ledger import models

LIMIT = 20


def search(project: models.Project, query: str) -> list[models.Customer]:
    """Customers a receptionist's query may mean (IH-18), exact phone first; at most LIMIT."""
    text = query.strip()
    if not text:
        return []
    rows = models.Customer.objects.filter(project=project, erased_at__isnull=True).select_related("verdict")
    mask = parse_mask(text)
    if mask is not None:  # 138****5678: every stored number with those ends, and the same mask (ID-2)
        return list(
            rows.filter(
                Q(phone__startswith=f"+86{mask.prefix}", phone__endswith=mask.suffix) | Q(phone=str(mask))
            ).order_by("pk")[:LIMIT]
        )
    if re.fullmatch(r"[\d\s+\-()（）＋０-９]{5,}", text):
        try:
            key = phone_key(text)
        except EngineError:
            return []
        national = key.removeprefix("+86")
        masked = f"{national[:3]}****{national[-4:]}"
        return list(rows.filter(Q(phone=key) | Q(phone=masked)).order_by("-phone")[:LIMIT])  # exact before the mask
    name = normalise_name(text)
    if re.fullmatch(r"[A-Za-z]+", name):  # zhangwei, zw
        latin = name.lower()
        return list(rows.filter(Q(pinyin__startswith=latin) | Q(initials=latin)).order_by("pinyin", "pk")[:LIMIT])
    return list(rows.filter(name__startswith=name).order_by("name", "pk")[:LIMIT])
