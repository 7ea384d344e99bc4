"""desk.selectors: the desk's reads give what the ORM code they replaced gives (review of issue 14's change)."""

from __future__ import annotations

import pytest

from leadledger.desk import selectors as desk_selectors
from leadledger.ledger import models, relations, services
from office import Office

pytestmark = pytest.mark.django_db


def _orm_relations(customers: list[models.Customer]) -> dict[int, list[tuple[int, int]]]:
    """The read replaced (61286b2): one query for all customers, (relation pk, other customer pk) each."""
    from django.db.models import Q

    ids = [c.pk for c in customers]
    found: dict[int, list[tuple[int, int]]] = {pk: [] for pk in ids}
    rows = models.Relation.objects.filter(Q(a_id__in=ids) | Q(b_id__in=ids)).select_related("a", "b").order_by("pk")
    for relation in rows:
        if relation.a_id in found:
            found[relation.a_id].append((relation.pk, relation.b_id))
        if relation.b_id in found:
            found[relation.b_id].append((relation.pk, relation.a_id))
    return found


def test_a_relation_between_customers_of_two_chunks_is_listed_once(office: Office) -> None:
    """More customers than one read takes (LIMIT): relations_by_customer reads them chunk by chunk, and a
    relation joining a customer of the first chunk to one of the second must still be listed once each."""
    people = [
        services.customer_find_or_create(project=office.project, name=f"客户{i}", phone=f"139{i:08d}")[0]
        for i in range(desk_selectors.LIMIT + 1)
    ]
    relations.relation_create(project=office.project, a=people[0], b=people[-1], kind="spouse")
    found = desk_selectors.relations_by_customer(people)
    got = {pk: [(r.pk, other.pk) for r, other in pairs] for pk, pairs in found.items()}
    assert got == _orm_relations(people)
