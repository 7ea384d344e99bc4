"""Relations between customers (ID-3, ID-4): the only writer of `Relation`, each change logged on a chain.

A relation decides verdicts (a verified spouse's visit is the household's), yet a manager's
verification changes its row, so the row cannot be insert-only. Every change is therefore also
appended to the project's chain of relation changes (`logchain.RELATION_CHANGES`), in the same
transaction; verify checks that each row is what its last change says (`relation_problems`), so a
row edited, added or deleted behind the app's back is named, not only noticed through a verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction

from . import logchain, models
from .verify.report import Problem


def _record(relation: models.Relation, user: Any) -> None:
    logchain.chained_append(
        logchain.RELATION_CHANGES,
        project=relation.project,
        relation=relation.pk,
        a_id=relation.a_id,
        b_id=relation.b_id,
        kind=relation.kind,
        verified=relation.verified,
        user=user,
    )


def relation_create(
    *,
    project: models.Project,
    a: models.Customer,
    b: models.Customer,
    kind: str,
    verified: bool = False,
    user: Any = None,
) -> models.Relation:
    """Join two customers, and log it on the project's chain of relation changes."""
    with transaction.atomic():
        relation = models.Relation.objects.create(project=project, a=a, b=b, kind=kind, verified=verified)
        _record(relation, user)
    return relation


def relation_verified(*, relation: models.Relation, user: Any) -> models.Relation:
    """Mark a relation verified (ID-4), and log the change."""
    with transaction.atomic():
        models.Relation.objects.filter(pk=relation.pk).update(verified=True)
        relation.verified = True
        _record(relation, user)
    return relation


_COLUMNS = ("a_id", "b_id", "kind", "verified")


def relation_problems(project: models.Project) -> Iterator[Problem]:
    """Each relation row that is not what its last recorded change says: edited, added or deleted directly."""
    recorded: dict[int, tuple[Any, ...]] = {}
    changes = models.RelationChange.objects.filter(project=project).order_by("seq")
    for row in changes.values_list("relation", *_COLUMNS).iterator(chunk_size=2000):
        recorded[row[0]] = row[1:]
    stored = {
        row[0]: row[1:]
        for row in models.Relation.objects.filter(project=project)
        .values_list("pk", *_COLUMNS)
        .iterator(chunk_size=2000)
    }
    for pk in sorted(recorded.keys() | stored.keys()):
        where = f"relation {pk}"
        if pk not in recorded:
            yield Problem(
                where,
                "has no recorded change: added without the app",
                "客户关系没有登记记录：未经系统直接添加",
            )
        elif pk not in stored:
            yield Problem(where, "is recorded but missing: deleted", "客户关系有登记记录但已不存在：被删除")
        elif recorded[pk] != stored[pk]:
            changed = ", ".join(c for c, was, now in zip(_COLUMNS, recorded[pk], stored[pk], strict=True) if was != now)
            yield Problem(
                where,
                f"differs from its last recorded change ({changed}): changed without one",
                "客户关系与最后一次登记的变更不符：被直接改动",
            )
