"""A verdict's status chip: owner · status · until, in the reader's language, coloured by status and
saying it in words; the sentence one tap away for whoever may read it (web/chips.py), on every page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from leadledger.desk.models import RenewalRequest
from leadledger.engine import policy_from
from leadledger.ledger import models, services
from leadledger.web.chips import Chip, bare, chip_of, time_left
from office import PASSWORD, Office, client_in

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE)
NAMES = {"1": "王芳", "2": "刘洋"}
AGENTS = {"7": "链家小马"}


def _stored(status: str, until: datetime | None, owners: dict[str, str] | None = None, **more: Any) -> Any:
    fields = {
        "owners": {"1": "1"} if owners is None else owners,
        "status": status,
        "until": until,
        "channel": None,
        "channel_status": "none",
        "channel_until": None,
        "cites": "IH-1,IH-4",
        "explain_zh": "王芳于 2026-12-01 10:00 首次登记来访，须在 2026-12-08 10:00 前追访，否则归属作废（IH-1, IH-4）",
        "explain_en": "王芳 registered the first visit on 2026-12-01 10:00; a follow-up is due (IH-1, IH-4).",
    }
    return SimpleNamespace(**(fields | more))


def _chip(verdict: Any, lang: str = "zh", readable: bool = True) -> Chip:
    with translation.override("zh-hans" if lang == "zh" else "en"):
        policy = policy_from({})
        return chip_of(verdict, names=NAMES, agents=AGENTS, policy=policy, now=NOW, lang=lang, readable=readable)


def test_a_pending_claim_counts_down_in_natural_chinese_and_english() -> None:
    verdict = _stored("pending", NOW + timedelta(days=2, hours=3, minutes=20))
    chip = _chip(verdict)
    assert (chip.text, chip.tone) == ("王芳 · 待追访 · 还剩 2 天 3 小时", "amber")
    assert _chip(verdict, "en").text == "王芳 · Awaiting follow-up · 2 days 3 hours left"
    assert _chip(_stored("pending", NOW + timedelta(minutes=40))).when == "还剩 40 分钟"
    assert _chip(_stored("pending", NOW + timedelta(days=1)), "en").when == "1 day left"


def test_an_active_claim_says_until_when_as_the_office_writes_a_date() -> None:
    chip = _chip(_stored("active", datetime(2026, 12, 30, 14, 0, tzinfo=ZONE)))
    assert (chip.text, chip.tone) == ("王芳 · 有效至12月30日", "green")
    assert _chip(_stored("active", datetime(2027, 2, 5, 16, 30, tzinfo=ZONE))).label == "有效至2027年2月5日"
    assert _chip(_stored("active", datetime(2027, 2, 5, 16, 30, tzinfo=ZONE)), "en").label == "Valid until 5 Feb 2027"


def test_a_date_is_the_projects_day_not_the_servers() -> None:
    late = datetime(2026, 12, 30, 17, 0, tzinfo=ZoneInfo("UTC"))  # 31 December, 01:00 in Shanghai
    assert _chip(_stored("active", late)).label == "有效至12月31日"


def test_a_claim_about_to_end_says_how_long_is_left() -> None:
    chip = _chip(_stored("active", NOW + timedelta(days=3, hours=1)))  # IH-5: within the warning window
    assert chip.tone == "green" and chip.text == "王芳 · 有效至12月5日 · 还剩 3 天 1 小时"


def test_ended_claims_are_grey_and_say_so_in_words() -> None:
    lapsed = _chip(_stored("lapsed", datetime(2026, 8, 18, 9, 20, tzinfo=ZONE)))
    assert (lapsed.text, lapsed.tone) == ("王芳 · 已过期 · 8月18日到期", "grey")
    assert (_chip(_stored("void", None, owners={})).text, _chip(_stored("void", None, owners={})).tone) == (
        "已失效",
        "grey",
    )
    assert _chip(_stored("pool", None, owners={})).text == "公共客户"
    assert _chip(_stored("free", None, owners={}), "en").text == "Unclaimed"
    assert _chip(None).text == "尚无接触记录"


def test_a_follow_up_overdue_on_a_verdict_not_judged_since_is_red() -> None:
    chip = _chip(_stored("pending", NOW - timedelta(hours=2)))
    assert chip.tone == "red" and chip.when == "追访已于12月2日逾期"


def test_a_split_claim_names_both_owners_and_a_distributor_is_shown_apart() -> None:
    chip = _chip(
        _stored(
            "active",
            NOW + timedelta(days=30),
            owners={"1": "1/2", "2": "1/2"},
            channel={"7": "1"},
            channel_status="protected",
            channel_until=datetime(2026, 12, 20, tzinfo=ZONE),
        )
    )
    assert chip.owner == "王芳、刘洋" and chip.channel == "分销链家小马保护至12月20日"


def test_the_sentence_comes_without_its_rule_ids_and_only_for_a_reader_who_may_read_it() -> None:
    chip = _chip(_stored("pending", NOW + timedelta(days=6)))
    assert chip.sentence.endswith("否则归属作废") and chip.cites == ("IH-1", "IH-4")
    assert _chip(_stored("pending", NOW), "en").sentence.endswith("a follow-up is due.")
    hidden = _chip(_stored("pending", NOW + timedelta(days=6)), readable=False)
    assert hidden.sentence == "" and hidden.cites == () and hidden.text == "王芳 · 待追访 · 还剩 6 天"


@given(st.integers(min_value=1, max_value=400 * 24 * 60))
def test_time_left_never_says_a_zero_part_and_adds_up(minutes: int) -> None:
    with translation.override("zh-hans"):
        said = time_left(timedelta(minutes=minutes))
    assert said.startswith("还剩 ") and " 0 " not in said
    numbers = [int(n) for n in re.findall(r"\d+", said)]
    units = re.findall(r"天|小时|分钟", said)
    total = sum(n * {"天": 1440, "小时": 60, "分钟": 1}[u] for n, u in zip(numbers, units, strict=True))
    assert total == minutes - minutes % 60 if minutes >= 60 else total == minutes


def test_bare_leaves_a_sentence_without_rule_ids_alone() -> None:
    assert bare("王芳于 2026-12-01 首次登记来访（IH-1, D-1）") == "王芳于 2026-12-01 首次登记来访"
    assert bare("Registered (IH-1).") == "Registered."
    assert bare("客户无归属（已作废）") == "客户无归属（已作废）"


def test_the_last_seconds_are_less_than_a_minute_never_zero() -> None:
    with translation.override("zh-hans"):
        assert time_left(timedelta(seconds=30)) == "还剩不到 1 分钟"
    with translation.override("en"):
        assert time_left(timedelta(seconds=30)) == "less than a minute left"


# Every page that shows a verdict shows it as the chip.


def _client(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _chips(page: str) -> list[str]:
    return re.findall(r'<span class="chip chip-(\w+)" data-status="(\w+)">', page)


@pytest.fixture
def followed(office: Office) -> Office:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    services.event_append(
        project=office.project, kind="follow_up", body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    )
    return office


def test_the_customer_page_and_list_show_the_chip_first_and_the_sentence_on_demand(followed: Office) -> None:
    page = _client("zhao").get(f"/p/hz-1/customers/{followed.zhang.pk}/").content.decode()
    assert _chips(page) == [("green", "active")] and "王芳" in page and "有效至" in page
    summary, sentence = page.split('<details class="chip-box">')[1].split("</summary>", 1)
    assert "首次登记来访" not in summary and "首次登记来访" in sentence.split("</details>")[0]
    assert '<span class="cites"' in sentence  # the manager sees the rules, small
    assert _chips(_client("zhao").get("/p/hz-1/").content.decode()) == [("green", "active")]


def test_the_desk_results_show_the_chip(followed: Office) -> None:
    site = models.Site.objects.create(project=followed.project, name="市区展厅")
    page = _client("sun").get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张伟"}).content.decode()
    assert _chips(page) == [("green", "active")] and "有效至" in page


def test_my_customers_show_the_chip(followed: Office) -> None:
    page = _client("alice").get("/p/hz-1/me/", {"tab": "active"}).content.decode()
    assert ("green", "active") in _chips(page)


def test_the_dispute_page_shows_the_verdict_now_and_before_and_after_each_event_as_chips(followed: Office) -> None:
    page = _client("zhao").get(f"/p/hz-1/customers/{followed.zhang.pk}/dispute/").content.decode()
    found = _chips(page)
    assert found[0] == ("green", "active")  # now
    assert ("grey", "free") in found and ("amber", "pending") in found  # before the visit, after it
    assert '<details class="chip-box" open>' in page  # the verdict now is read at once


def test_management_shows_the_chip_of_a_customer_whose_renewal_waits(followed: Office) -> None:
    RenewalRequest.objects.create(
        project=followed.project, customer=followed.zhang, staff=followed.alice, reason="再看"
    )
    page = _client("zhao").get("/p/hz-1/manage/").content.decode()
    assert ("green", "active") in _chips(page)


def test_the_what_if_is_asked_by_labels_and_answered_in_chips(office: Office) -> None:
    from django.utils import timezone

    services.event_append(
        project=office.project,
        kind="visit",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=timezone.now() - timedelta(days=40),
    )
    services.event_append(
        project=office.project,
        kind="follow_up",
        body={"customer": str(office.zhang.pk), "staff": str(office.alice.pk)},
        at=timezone.now() - timedelta(days=39),
    )
    url = f"/p/hz-1/customers/{office.zhang.pk}/dispute/"
    page = _client("zhao").get(url, {"param": "valid_days", "value": "15"}).content.decode()
    assert "归属有效期" in page  # the parameter by its label
    table = page.split('class="rows what-if-changes"')[1].split("</table>")[0]
    assert ("green", "active") in _chips(table) and ("grey", "lapsed") in _chips(table)
    assert "{" not in table and "valid_days" not in table
    page = _client("zhao").get(url, {"param": "valid_days", "value": "0"}).content.decode()
    assert "不能小于 1" in page.split('id="what-if-error">')[1]


def test_a_verdict_judged_for_a_past_moment_is_read_by_its_dates_never_as_overdue() -> None:
    then = datetime(2026, 7, 3, 16, 30, tzinfo=ZONE)
    chip = _chip(_stored("pending", then + timedelta(days=7), at=then))  # a dispute's "after" of July's visit
    assert (chip.text, chip.tone) == ("王芳 · 待追访 · 须于7月10日前追访", "amber")
    assert _chip(_stored("active", NOW + timedelta(days=2), at=NOW - timedelta(days=50))).when == ""


def _chip_html_as_it_was(chip: Chip, *, rules: bool, opened: bool = False) -> str:
    """chip_html as it was built through nested format_html (before issue 14's twentieth session)."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    face = format_html(
        '<span class="chip chip-{}" data-status="{}">{}<span class="chip-label">{}</span>{}</span>{}',
        chip.tone,
        chip.status,
        format_html('<strong class="chip-owner">{}</strong><span class="chip-dot"> · </span>', chip.owner)
        if chip.owner
        else "",
        chip.label,
        format_html('<span class="chip-dot"> · </span><span class="chip-when">{}</span>', chip.when)
        if chip.when
        else "",
        format_html(' <span class="chip chip-channel">{}</span>', chip.channel) if chip.channel else "",
    )
    if not chip.sentence:
        return format_html('<div class="chip-box">{}</div>', face)
    cites = (
        format_html(' <span class="cites" title="{}">{}</span>', _("Rules applied"), " · ".join(chip.cites))
        if rules and chip.cites
        else ""
    )
    return format_html(
        '<details class="chip-box"{}>\n  <summary>{} <span class="chip-why">{}</span></summary>\n'
        '  <p class="chip-sentence">{}{}</p>\n</details>',
        mark_safe(" open") if opened else "",
        face,
        _("Why"),
        chip.sentence,
        cites,
    )


TEXT = st.one_of(st.just(""), st.text(alphabet="王<>&\"' ·ab1", max_size=8))


@given(
    status=st.sampled_from(["pending", "active", "lapsed", "none", 'x"<']),
    owner=TEXT,
    label=TEXT,
    when=TEXT,
    channel=TEXT,
    sentence=TEXT,
    cites=st.lists(st.sampled_from(["IH-1", "IH-4", "<b>"]), max_size=3),
    rules=st.booleans(),
    opened=st.booleans(),
    language=st.sampled_from(["zh-hans", "en"]),
)
def test_the_chip_joined_as_strings_is_the_chip_of_format_html(
    status: str,
    owner: str,
    label: str,
    when: str,
    channel: str,
    sentence: str,
    cites: list[str],
    rules: bool,
    opened: bool,
    language: str,
) -> None:
    from leadledger.web.chips import chip_html

    chip = Chip(status, "amber", owner, label, when, channel, sentence, tuple(cites))
    with translation.override(language):
        assert chip_html(chip, rules=rules, opened=opened) == _chip_html_as_it_was(chip, rules=rules, opened=opened)


def test_a_consultants_list_of_chips_reads_the_departed_staff_once(office: Office) -> None:
    """Whether a consultant may read a verdict's sentence asks whether they have left (IH-13): the access check
    has read that for the page; each chip read it again (a query a chip, twentieth session)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        customer, _ = services.customer_find_or_create(project=office.project, name=f"客户{i}", phone=f"1390000{i:04d}")
        services.visit_register(project=office.project, customer=customer, staff=office.bob)
    client = client_in("zh-hans")
    assert client.login(username="alice", password=PASSWORD)
    with CaptureQueriesContext(connection) as seen:
        page = client.get("/p/hz-1/")
    assert page.status_code == 200 and page.content.decode().count('class="chip-box"') >= 6
    assert sum("staff_left" in q["sql"] for q in seen.captured_queries) == 1


def test_a_sentences_dates_and_rule_ids_stay_whole_and_the_rest_is_escaped() -> None:
    from leadledger.web.chips import unbroken

    said = unbroken("王芳于 2026-12-06 10:00 首次登记来访（IH-1, D-11）<b>&")
    assert said == (
        '王芳于 <span class="nowrap">2026-12-06 10:00</span> 首次登记来访（<span class="nowrap">IH-1</span>, '
        '<span class="nowrap">D-11</span>）&lt;b&gt;&amp;'
    )
    assert unbroken("customer's 2027-01-05") == 'customer&#x27;s <span class="nowrap">2027-01-05</span>'
