"""IH-6: a renewal without a manager's approval, by anyone but the owner, or with no claim is ignored,
and the verdict says so (cites IH-6, names who asked and when) whatever the customer's status."""

from helpers import ALICE, BOB, Story, at


def _renewal_said(story: Story, when_asked: str, who: str, moment: object, *, zh: str, en: str) -> None:
    verdict = story.timeline().verdict("zhang", moment)  # type: ignore[arg-type]
    assert "IH-6" in verdict.cites
    assert f"{who}于 {when_asked} 的重新登记无效（{zh}）" in verdict.explain("zh")
    assert f"'s renewal on {when_asked} is ignored ({en})" in verdict.explain("en")


def test_a_claim_void_for_want_of_a_follow_up_names_the_unapproved_renewal_that_did_not_save_it(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.renewal(at(4), "zhang", ALICE, approved_by=None)
    verdict = story.timeline().verdict("zhang", at(9))
    assert (verdict.consultant, verdict.status) == (None, "void")
    assert {"IH-4", "IH-6"} <= set(verdict.cites)
    _renewal_said(story, "2026-03-04 10:00", "王芳", at(9), zh="未经经理批准", en="no manager's approval")


def test_a_renewal_asked_after_the_claim_became_void_is_named_in_the_void_verdict(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.renewal(at(10), "zhang", ALICE)
    verdict = story.timeline().verdict("zhang", at(11))
    assert verdict.status == "void"
    _renewal_said(story, "2026-03-10 10:00", "王芳", at(11), zh="归属已作废", en="the claim is already void")


def test_a_renewal_of_a_customer_in_the_pool_is_named_in_the_pool_verdict(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    story.ruling(at(3), "zhang", None)
    story.renewal(at(5), "zhang", ALICE)
    verdict = story.timeline().verdict("zhang", at(6))
    assert verdict.status == "pool"
    _renewal_said(
        story,
        "2026-03-05 10:00",
        "王芳",
        at(6),
        zh="客户在公共客户池中，没有可续的归属",
        en="the customer is in the pool: there is no claim to renew",
    )


def test_a_renewal_of_a_customer_nobody_claimed_is_ignored_and_said(story: Story) -> None:
    story.renewal(at(5), "zhang", ALICE)
    verdict = story.timeline().verdict("zhang", at(6))
    assert verdict.status == "free"
    _renewal_said(
        story,
        "2026-03-05 10:00",
        "王芳",
        at(6),
        zh="客户尚无归属，没有可续的归属",
        en="nobody has claimed the customer: there is no claim to renew",
    )


def test_a_renewal_by_someone_not_the_owner_is_ignored_and_said(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    story.renewal(at(5), "zhang", BOB)
    verdict = story.timeline().verdict("zhang", at(6))
    assert verdict.consultant == ALICE
    _renewal_said(story, "2026-03-05 10:00", "刘洋", at(6), zh="不是归属人", en="not the owner")


def test_a_renewal_approved_by_a_consultant_is_unapproved(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    story.renewal(at(5), "zhang", ALICE, approved_by=BOB)
    verdict = story.timeline().verdict("zhang", at(6))
    assert verdict.until == at(7, month=5)  # not extended: 60 days after the window ends on March 8
    _renewal_said(story, "2026-03-05 10:00", "王芳", at(6), zh="未经经理批准", en="no manager's approval")


def test_a_new_claim_after_a_void_one_does_not_carry_its_ignored_renewal(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.renewal(at(4), "zhang", ALICE, approved_by=None)
    story.visit(at(12), "zhang", BOB)
    verdict = story.timeline().verdict("zhang", at(12, 12))
    assert verdict.consultant == BOB
    assert "renewal_ignored" not in [r.code for r in verdict.reasons]


def test_the_pool_verdict_does_not_repeat_a_renewal_ignored_on_the_claim_before_it(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    story.renewal(at(3), "zhang", BOB)
    story.ruling(at(4), "zhang", None)
    verdict = story.timeline().verdict("zhang", at(5))
    assert verdict.status == "pool"
    assert "renewal_ignored" not in [r.code for r in verdict.reasons]


def test_an_approved_renewal_says_its_end_once(story: Story) -> None:
    """A renewal's sentence names the renewal; the claim's end is said once, by IH-5 or IH-7 (issue 14)."""
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    story.renewal(at(3), "zhang", ALICE)
    for moment in (at(4), at(1, month=12)):  # active, then lapsed
        verdict = story.timeline().verdict("zhang", moment)
        zh, en = verdict.explain("zh"), verdict.explain("en")
        until = verdict.describer.to_local(verdict.until).strftime("%Y-%m-%d %H:%M")
        assert "IH-6" in verdict.cites and "批准重新登记" in zh
        assert zh.count(until) == 1 and en.count(until) == 1, zh


def test_a_ruling_says_its_end_once(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.ruling(at(2), "zhang", BOB)
    verdict = story.timeline().verdict("zhang", at(3))
    until = verdict.describer.to_local(verdict.until).strftime("%Y-%m-%d %H:%M")
    assert verdict.explain("zh").count(until) == 1 and verdict.explain("en").count(until) == 1
    assert "裁定归刘洋" in verdict.explain("zh")
