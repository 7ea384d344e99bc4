"""Reads for the desk: the ask-first search over phones, masks, names, pinyin and initials."""

from __future__ import annotations

import re

from django.db.models import Q

from leadledger.engine import EngineError
from leadledger.engine.identity import normalise_name, parse_mask, phone_key
from leadledger.ledger import models

LIMIT = 20


def _prefix(field: str, text: str) -> Q:
    # A range, not LIKE: SQLite's LIKE is case-insensitive and skips the index; a range uses it everywhere.
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})


def search(project: models.Project, query: str) -> list[models.Customer]:
    """Customers a receptionist's query may mean (IH-18), exact phone first; at most LIMIT.

    Every branch is an index lookup (tests/desk/test_query_plans.py): a phone by (project, phone); a
    mask by (project, phone_tail); a name, pinyin or initials by a prefix range on their index.
    """
    text = query.strip()
    if not text:
        return []
    rows = models.Customer.objects.filter(project=project, erased_at__isnull=True).select_related("verdict")
    mask = parse_mask(text)
    if mask is not None:  # 138****5678: every stored number with those ends, and the same mask (ID-2)
        found = rows.filter(phone_tail=mask.suffix).order_by("pk")
        return [c for c in found if c.phone and (c.phone == str(mask) or mask.matches(c.phone))][:LIMIT]
    if re.fullmatch(r"[\d\s+\-()（）＋０-９]{5,}", text):
        try:
            key = phone_key(text)
        except EngineError:
            return []
        national = key.removeprefix("+86")
        masked = f"{national[:3]}****{national[-4:]}"
        exact = list(rows.filter(phone=key)[:LIMIT])
        return exact + list(rows.filter(phone=masked).order_by("pk")[: LIMIT - len(exact)])  # exact first
    name = normalise_name(text)
    if re.fullmatch(r"[A-Za-z]+", name):  # zhangwei, zw
        latin = name.lower()
        by_initials = list(rows.filter(initials=latin).order_by("pk")[:LIMIT])
        seen = {c.pk for c in by_initials}
        by_pinyin = rows.filter(_prefix("pinyin", latin)).order_by("pinyin", "pk")[:LIMIT]
        return (by_initials + [c for c in by_pinyin if c.pk not in seen])[:LIMIT]
    return list(rows.filter(_prefix("name", name)).order_by("name", "pk")[:LIMIT])


def relations_of(customer: models.Customer) -> list[tuple[models.Relation, models.Customer]]:
    """The customer's relations, verified or pending, each with the other customer."""
    found = models.Relation.objects.filter(Q(a=customer) | Q(b=customer)).select_related("a", "b").order_by("pk")
    return [(r, r.b if r.a_id == customer.pk else r.a) for r in found]
