"""Relations and the lookup log under the tamper-evidence of the disclosures (issue 13; decisions 160–162)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from leadledger.desk import services as desk_services
from leadledger.ledger import checkpoints, logchain, lookups, models, relations, services
from leadledger.ledger.verify import verify
from lift import lift_refusals, run
from office import Office


def _problems(office: Office) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    verify(models.Project.objects.get(pk=office.project.pk), lambda p: found.append((p.where, p.en)))
    return found


def _wife(office: Office) -> models.Customer:
    wife, _ = services.customer_find_or_create(project=office.project, name="林静", phone="138 0000 0002")
    return wife


def test_a_relation_told_at_the_desk_and_verified_is_logged_twice_and_verifies(office: Office) -> None:
    wife = _wife(office)
    relation = desk_services.relation_add(
        project=office.project, customer=office.zhang, phone="13800000002", kind="spouse", user=office.sun.user
    )
    desk_services.relation_verify(manager=office.zhao, relation=relation)
    changes = list(models.RelationChange.objects.order_by("seq").values_list("relation", "b_id", "verified", "user_id"))
    assert changes == [
        (relation.pk, wife.pk, False, office.sun.user.pk),
        (relation.pk, wife.pk, True, office.zhao.user.pk),
    ]
    assert _problems(office) == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            "UPDATE ledger_relation SET verified = %s WHERE id = %s",
            "differs from its last recorded change (verified): changed without one",
        ),
        (
            "UPDATE ledger_relation SET kind = %s WHERE id = %s",
            "differs from its last recorded change (kind): changed without one",
        ),
        ("DELETE FROM ledger_relation WHERE id <> %s AND id = %s", "is recorded but missing: deleted"),
    ],
)
def test_a_relation_row_changed_behind_the_app_is_named_even_when_no_verdict_moves(
    office: Office, change: str, said: str
) -> None:
    # No events at all: no verdict can show the change, the relation's own record does.
    relation = relations.relation_create(
        project=office.project, a=office.zhang, b=_wife(office), kind="spouse", verified=True
    )
    value: object = {"verified": False, "kind": "friend"}.get(change.split()[3], -1)
    run(change, value, relation.pk)
    assert _problems(office) == [(f"relation {relation.pk}", said)]


def test_a_relation_added_behind_the_app_is_named(office: Office) -> None:
    relation = models.Relation.objects.create(
        project=office.project, a=office.zhang, b=_wife(office), kind="spouse", verified=True
    )
    assert _problems(office) == [(f"relation {relation.pk}", "has no recorded change: added without the app")]


def _look(office: Office, query: str = "180 1234 0932") -> None:
    lookups.lookup(project=office.project, user=office.alice.user, place=lookups.Place.DESK, query=query, find=list)


def test_lookups_are_chained_and_a_deleted_one_is_caught(office: Office) -> None:
    for number in range(3):
        _look(office, f"180 1234 {number:04d}")
    assert list(models.Lookup.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert _problems(office) == []
    taken = checkpoints.checkpoint_take(office.project)
    lift_refusals("ledger_lookup")
    run("DELETE FROM ledger_lookup WHERE seq = 2")
    assert _problems(office) == [
        ("lookup 3", "expected lookup 2 here: rows deleted or inserted"),
        ("lookup 3", "does not follow the previous row's hash: deleted, inserted or reordered"),
    ]
    run("DELETE FROM ledger_lookup WHERE seq = 3")  # and the last: only the checkpoint can tell
    assert any("lookup log and only 1 remain" in p.en for p in checkpoints.checkpoint_problems(office.project, [taken]))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_lookup SET matched = 5",
        "DELETE FROM ledger_lookup",
        "UPDATE ledger_relationchange SET verified = NOT verified",
        "DELETE FROM ledger_relationchange",
        "DELETE FROM ledger_lookupsignal",
        "UPDATE ledger_lookupsignal SET kind = 'limit'",
    ],
)
def test_the_logs_refuse_changes_in_the_database_itself(office: Office, statement: str) -> None:
    _look(office)
    relations.relation_create(project=office.project, a=office.zhang, b=_wife(office), kind="spouse")
    now = timezone.now()
    lookups._signal(office.project, office.alice.user, models.LookupSignal.Kind.MISSES, now, timedelta(minutes=10), 5)
    with pytest.raises(DatabaseError), transaction.atomic():
        run(statement)


def test_a_signal_still_grows_with_its_burst_and_verifies(office: Office) -> None:
    now = timezone.now()
    kind, window = models.LookupSignal.Kind.MISSES, timedelta(minutes=10)
    lookups._signal(office.project, office.alice.user, kind, now, window, 5)
    lookups._signal(office.project, office.alice.user, kind, now + timedelta(minutes=1), window, 6)
    signal = models.LookupSignal.objects.get()
    assert (signal.seq, signal.count, signal.last_at) == (1, 6, now + timedelta(minutes=1))
    assert _problems(office) == []


def test_a_checkpoint_signed_before_these_logs_still_verifies(office: Office) -> None:
    from dataclasses import replace

    _look(office)
    taken = checkpoints.checkpoint_take(office.project)
    assert taken.logs is not None and len(taken.logs) == len(logchain.LOGS) == 7  # sales, then money lines last
    # As an LL2 line printed with two logs (disclosures, policy changes) was signed.
    older = replace(taken, logs=taken.logs[:2], signature="")
    older = replace(older, signature=checkpoints._sign(older.signed_text(), checkpoints.signing_key()))
    parsed = checkpoints.parse_printed(older.printed())
    assert parsed.logs == taken.logs[:2]
    assert list(checkpoints.checkpoint_problems(office.project, [parsed])) == []
