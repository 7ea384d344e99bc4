"""The disclosure log and the policy changes are hash-chained: an edit, a deletion or a rewrite shows."""

from __future__ import annotations

import pytest

from leadledger.ledger import checkpoints, logchain, models, services
from leadledger.ledger.verify import Problem, verify
from lift import lift_refusals, run
from office import Office


def _looks(office: Office, times: int = 3) -> None:
    for number in range(times):
        services.personal_data_show(
            project=office.project, customer=office.zhang, user=office.zhao.user, field="phone", reason=f"回访 {number}"
        )


def _problems(office: Office) -> list[Problem]:
    found: list[Problem] = []
    verify(office.project, found.append)
    return found


def test_each_disclosure_is_numbered_and_chained_to_the_one_before(office: Office) -> None:
    _looks(office)
    rows = list(models.Disclosure.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _p, _h in rows] == [1, 2, 3]
    assert [prev for _s, prev, _h in rows[1:]] == [digest for _s, _p, digest in rows[:-1]]
    assert _problems(office) == []


@pytest.mark.parametrize(
    ("sql", "where", "said"),
    [
        ("UPDATE ledger_disclosure SET reason = '例行检查' WHERE seq = 2", "disclosure 2", "edited"),
        ("UPDATE ledger_disclosure SET user_id = %(alice)s WHERE seq = 2", "disclosure 2", "edited"),
        ("UPDATE ledger_disclosure SET customer_id = %(li)s WHERE seq = 1", "disclosure 1", "edited"),
        ("UPDATE ledger_disclosure SET kind = 'erasure' WHERE seq = 3", "disclosure 3", "edited"),
        ("UPDATE ledger_disclosure SET at = '2020-01-01 00:00:00' WHERE seq = 3", "disclosure 3", "edited"),
        ("DELETE FROM ledger_disclosure WHERE seq = 2", "disclosure 3", "deleted or inserted"),
    ],
)
def test_a_changed_disclosure_is_caught_and_named(office: Office, sql: str, where: str, said: str) -> None:
    _looks(office)
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="138 0000 0002")
    lift_refusals("ledger_disclosure")
    run(sql.replace("%(alice)s", str(office.alice.user.pk)).replace("%(li)s", str(li.pk)))
    problems = _problems(office)
    assert any(p.where == where and said in p.en for p in problems), problems


def test_a_policy_changed_behind_the_log_is_caught(office: Office) -> None:
    services.policy_set(project=office.project, policy={"valid_days": 30}, user=office.zhao.user)
    assert _problems(office) == []
    models.Project.objects.filter(pk=office.project.pk).update(policy={"valid_days": 90})
    assert [p.where for p in _problems(office)] == ["project hz-1"]


def test_an_edited_policy_change_is_caught(office: Office) -> None:
    services.policy_set(project=office.project, policy={"valid_days": 30}, user=office.zhao.user)
    lift_refusals("ledger_policychange")
    run("UPDATE ledger_policychange SET policy = %s WHERE seq = 1", '{"valid_days": 90}')
    assert any(p.where == "policy change 1" and "edited" in p.en for p in _problems(office))


def test_a_checkpoint_signs_the_logs_heads_and_catches_their_truncation(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    _looks(office)
    taken = checkpoints.checkpoint_take(office.project)
    assert taken.logs == tuple(logchain.log_head(chained, office.project) for chained in logchain.LOGS)
    assert taken.logs[:2] == (logchain.log_head(logchain.DISCLOSURES, office.project), (0, "0" * 64))
    assert checkpoints.parse_printed(taken.printed()) == taken
    lift_refusals("ledger_disclosure")
    run("DELETE FROM ledger_disclosure WHERE seq = 3")
    assert _problems(office) == []  # the chain alone cannot tell the end is gone
    found = list(checkpoints.checkpoint_problems(office.project, [taken]))
    assert [p.en for p in found] == [
        "the checkpoint saw 3 rows of the disclosure log and only 2 remain: the last were deleted"
    ]


def test_a_checkpoint_catches_a_disclosure_log_rewritten_and_hashed_again(office: Office) -> None:
    _looks(office)
    taken = checkpoints.checkpoint_take(office.project)
    lift_refusals("ledger_disclosure")
    run("DELETE FROM ledger_disclosure")
    _looks(office)  # the same number of looks, other moments: a chain that verifies on its own
    assert _problems(office) == []
    assert ["rewritten" in p.en for p in checkpoints.checkpoint_problems(office.project, [taken])] == [True]


def test_a_checkpoint_printed_before_the_logs_were_signed_still_verifies(office: Office) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    _looks(office)
    taken = checkpoints.checkpoint_take(office.project)
    # As `leadledger checkpoint` printed it before: LL1, the events' head only, signed as version 1.
    unsigned = checkpoints.Checkpoint(project=taken.project, seq=taken.seq, head=taken.head, at=taken.at, signature="")
    printed = _signed(unsigned).printed()
    assert printed.startswith("LL1.hz-1.1.")
    assert list(checkpoints.checkpoint_problems(office.project, [checkpoints.parse_printed(printed)])) == []
    lift_refusals("ledger_event")
    run("DELETE FROM ledger_event WHERE seq = 1")
    assert len(list(checkpoints.checkpoint_problems(office.project, [checkpoints.parse_printed(printed)]))) == 1


def _signed(checkpoint: checkpoints.Checkpoint) -> checkpoints.Checkpoint:
    from dataclasses import replace

    return replace(checkpoint, signature=checkpoints._sign(checkpoint.signed_text(), checkpoints.signing_key()))


def test_a_checkpoint_signed_before_a_log_was_added_still_reads_and_verifies(office: Office) -> None:
    # logchain.LOGS grows at its end: a checkpoint with fewer heads checks the logs it signed.
    _looks(office)
    taken = checkpoints.checkpoint_take(office.project)
    assert taken.logs is not None
    fewer = _signed(
        checkpoints.Checkpoint(
            project=taken.project, seq=taken.seq, head=taken.head, at=taken.at, signature="", logs=taken.logs[:1]
        )
    )
    read = checkpoints.parse_printed(fewer.printed())
    assert read == fewer
    assert list(checkpoints.checkpoint_problems(office.project, [read])) == []


# Found by the twenty-first session's review of the prepared INSERT (ledger.prepared.PreparedInsert).


@pytest.mark.django_db
def test_a_chained_row_naming_an_unsaved_user_is_refused_as_save_refuses_it(office: Office) -> None:
    """save() refuses a row whose foreign key holds an unsaved object (Model._prepare_related_fields_for_save:
    'prohibited to prevent data loss'); the prepared INSERT stores NULL in its place, and the chain, hashed
    over that NULL, verifies: who looked is lost without a trace."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone as tz

    unsaved = get_user_model()(username="not-yet-saved")
    try:
        row = logchain.chained_append(
            logchain.LOOKUPS,
            project=office.project,
            user=unsaved,
            place="desk",
            asked="张*",
            digest="d" * 64,
            matched=0,
            refused=False,
            answer="",
            at=tz.now(),
        )
    except ValueError as refused:
        assert "unsaved related object" in str(refused)
        return
    stored = models.Lookup.objects.get(pk=row.pk).user_id
    problems = list(logchain.log_problems(logchain.LOOKUPS, office.project))
    pytest.fail(f"not refused: stored user_id={stored!r}, chain problems={problems!r}")
