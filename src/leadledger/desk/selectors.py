"""Reads for the desk: the ask-first search over phones, masks, names, pinyin and initials."""

from __future__ import annotations

from django.db.models import Q

from leadledger.ledger import models
from leadledger.ledger.selectors import SEARCH_LIMIT, customer_search

LIMIT = SEARCH_LIMIT


def search(project: models.Project, query: str) -> list[models.Customer]:
    """Customers a receptionist's query may mean (IH-18), exact phone first; at most LIMIT.

    The project's one customer search (`ledger.selectors.customer_search`); the desk shows all of it.
    """
    return customer_search(project, query, limit=LIMIT)


def relations_of(customer: models.Customer) -> list[tuple[models.Relation, models.Customer]]:
    """The customer's relations, verified or pending, each with the other customer."""
    found = models.Relation.objects.filter(Q(a=customer) | Q(b=customer)).select_related("a", "b").order_by("pk")
    return [(r, r.b if r.a_id == customer.pk else r.a) for r in found]
