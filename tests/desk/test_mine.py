"""My customers: tabs read from the stored verdicts, today's follow-ups, notes and next contacts, my own status."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadledger.desk.models import FollowUpPlan, Holding, Rotation
from leadledger.engine.rotation import Desk
from leadledger.ledger import models, services
from leadledger.ledger.verify import chain_problems
from office import PASSWORD, Office, client_in
from plans import plan_of, scans


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, customer: models.Customer, staff: models.Staff, days_ago: float = 0) -> None:
    at = timezone.now() - timedelta(days=days_ago) if days_ago else None
    services.event_append(
        project=office.project, kind="visit", body={"customer": str(customer.pk), "staff": str(staff.pk)}, at=at
    )


def _customer(office: Office, name: str, number: int) -> models.Customer:
    customer, _ = services.customer_find_or_create(project=office.project, name=name, phone=f"1390000{number:04d}")
    return customer


def _today(office: Office) -> str:
    return timezone.now().astimezone(ZoneInfo(office.project.time_zone)).date().isoformat()


def _list(page: str) -> str:
    return page.split('<div id="mine-list">')[1].split('<details class="card">')[0]


def _tab(page: str, name: str) -> str:
    return page.split(f'href="?tab={name}"')[1].split("</a>")[0]


def _held(office: Office, staff: models.Staff) -> set[int]:
    return set(
        Holding.objects.filter(project=office.project, staff=str(staff.pk)).values_list("customer_id", flat=True)
    )


def test_holdings_follow_the_verdicts_owners_whoever_writes_them(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    assert _held(office, office.alice) == {office.zhang.pk} and _held(office, office.bob) == set()
    ruling = {"customer": str(office.zhang.pk), "staff": str(office.bob.pk), "by": str(office.zhao.pk), "reason": "x"}
    services.event_append(project=office.project, kind="ruling", body=ruling)
    assert _held(office, office.alice) == set() and _held(office, office.bob) == {office.zhang.pk}
    services.event_append(project=office.project, kind="ruling", body={**ruling, "staff": None})  # to the pool
    assert not Holding.objects.exists()
    models.Verdict.objects.all().delete()
    services.verdicts_rebuild(project=office.project, now=timezone.now())
    assert not Holding.objects.exists() and models.Verdict.objects.get().owners is None


def test_the_page_opens_on_todays_follow_ups_with_every_tabs_count(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=6.5)  # the follow-up window closes in about 12 hours
    li = _customer(office, "李娜", 2)
    _visit(office, li, office.alice)  # closes in seven days
    _visit(office, _customer(office, "陈晨", 3), office.bob)  # Bob's
    page = _client("alice").get("/p/hz-1/me/").content.decode()
    today = _list(page)
    assert 'href="?tab=today" hx-get="?tab=today" hx-target="#mine-list" hx-push-url="true" aria-current="page"' in page
    assert "张伟" in today and "李娜" not in today and "陈晨" not in page
    assert '<span class="count">1</span>' in _tab(page, "today")
    assert '<span class="count">2</span>' in _tab(page, "pending")
    assert "11 h left" in today or "12 h left" in today
    pending = _list(_client("alice").get("/p/hz-1/me/?tab=pending").content.decode())
    assert pending.index("张伟") < pending.index("李娜")  # the next deadline first


def test_a_follow_up_with_a_note_and_next_contact_today_is_on_todays_list(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    form = {"kind": "follow_up", "note": "想要三房，周末带太太来", "next_contact": _today(office)}
    page = _client("alice", "zh-hans").post(f"/p/hz-1/me/{office.zhang.pk}/contact/", form, follow=True)
    text = page.content.decode()
    assert "已登记张伟的追访，下次联系：" in text
    today = _list(text)
    assert "张伟" in today and "今天联系" in today and "想要三房，周末带太太来" in today
    event = models.Event.objects.get(kind="follow_up")
    assert json.loads(event.body) == {
        "customer": str(office.zhang.pk),
        "staff": str(office.alice.pk),
        "note": "想要三房，周末带太太来",
        "next_contact": _today(office),
    }
    assert list(chain_problems(office.project)) == []  # the note is under the chain like the rest of the body
    plan = FollowUpPlan.objects.get()
    assert (plan.seq, plan.note, plan.next_contact.isoformat()) == (event.seq, form["note"], form["next_contact"])


def test_a_later_follow_up_replaces_the_plan_and_an_overdue_one_stays_on_todays_list(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    alice = _client("alice")
    tomorrow = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    alice.post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up", "next_contact": tomorrow})
    assert "张伟" not in _list(alice.get("/p/hz-1/me/").content.decode())
    FollowUpPlan.objects.update(next_contact=timezone.now().date() - timedelta(days=3))  # as if days went by
    today = _list(alice.get("/p/hz-1/me/").content.decode())
    assert "张伟" in today and "Overdue: contact planned" in today
    alice.post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up", "note": "done"})
    assert FollowUpPlan.objects.get().next_contact is None
    assert "张伟" not in _list(alice.get("/p/hz-1/me/").content.decode())


@pytest.mark.parametrize(
    ("form", "field", "said"),
    [
        ({"note": "长" * 201}, "note", "the note is too long: at most 200 characters, 201 given"),
        ({"note": "ok\x07"}, "note", "the note holds an invisible control character"),
        ({"next_contact": "2020-01-01"}, "next_contact", "the next-contact date cannot be before today"),
        ({"next_contact": "next week"}, "next_contact", "the next-contact date is not a date"),
        ({"next_contact": "2999-01-01"}, "next_contact", "cannot be more than a year ahead"),
    ],
)
def test_a_refused_note_or_date_is_said_beside_its_field_and_what_was_typed_is_kept(
    office: Office, form: dict[str, str], field: str, said: str
) -> None:
    _visit(office, office.zhang, office.alice)
    response = _client("alice").post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "follow_up", **form})
    assert response.status_code == 422
    text = response.content.decode()
    failed = text.split('id="failed"')[1].split("</section>")[0]
    assert said in failed and f'name="{field}"' in failed and 'aria-invalid="true"' in failed
    typed = form.get("note") or form.get("next_contact", "")
    if "\x07" not in typed:
        assert f'value="{typed}"' in failed
    assert not models.Event.objects.filter(kind="follow_up").exists() and not FollowUpPlan.objects.exists()


def test_a_call_takes_no_note(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    response = _client("alice").post(f"/p/hz-1/me/{office.zhang.pk}/contact/", {"kind": "call", "note": "x"})
    assert (
        response.status_code == 422
        and "a note and a next-contact date go with a follow-up" in response.content.decode()
    )
    assert not models.Event.objects.filter(kind="call").exists()


def test_time_alone_moves_a_claim_off_the_page_and_the_stored_verdict_is_judged_again(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=8)  # judged then: pending, its window closed a day ago
    stored = models.Verdict.objects.get()
    assert stored.status == "pending" and stored.until < timezone.now()  # type: ignore[operator]
    assert _held(office, office.alice) == {office.zhang.pk}
    page = _client("alice").get("/p/hz-1/me/?tab=pending").content.decode()
    assert "张伟" not in page and '<span class="count">0</span>' in _tab(page, "pending")
    verdict = models.Verdict.objects.get()
    assert verdict.status == "void" and verdict.judged_at > stored.judged_at  # IH-4: void at its deadline
    assert _held(office, office.alice) == set()


def test_an_active_claim_that_ended_moves_to_lapsed(office: Office) -> None:
    _visit(office, office.zhang, office.alice, days_ago=70)
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    services.event_append(project=office.project, kind="follow_up", body=body, at=timezone.now() - timedelta(days=69))
    assert models.Verdict.objects.get().status == "active"  # judged 69 days ago: valid to 3 days ago (IH-5)
    page = _client("alice").get("/p/hz-1/me/?tab=lapsed").content.decode()
    assert "张伟" in _list(page) and models.Verdict.objects.get().status == "lapsed"


def test_a_page_at_a_time_and_the_tabs_fragment_for_htmx(office: Office) -> None:
    for number in range(30):
        _visit(office, _customer(office, f"客户{number:02d}", number + 10), office.alice)
    alice = _client("alice")
    first = _list(alice.get("/p/hz-1/me/?tab=pending").content.decode())
    assert first.count('class="mine-row"') == 25 and "Page 1 of 2" in first
    second = alice.get("/p/hz-1/me/?tab=pending&page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="mine-list")
    fragment = second.content.decode()
    assert "<html" not in fragment and fragment.count('class="mine-row"') == 5 and "Page 2 of 2" in fragment
    assert alice.get("/p/hz-1/me/?tab=pending&page=99").content.decode().count('class="mine-row"') == 5
    assert alice.get("/p/hz-1/me/?tab=nonsense&page=x").status_code == 200


def test_the_pages_queries_do_not_grow_with_the_customers(office: Office) -> None:
    def queries() -> int:
        alice = _client("alice")
        alice.get("/p/hz-1/me/?tab=pending")
        with CaptureQueriesContext(connection) as captured:
            alice.get("/p/hz-1/me/?tab=pending")
        return len(captured)

    for number in range(3):
        _visit(office, _customer(office, f"客户{number}", number + 10), office.alice)
    few = queries()
    for number in range(3, 60):
        _visit(office, _customer(office, f"客户{number}", number + 10), office.alice)
    assert queries() == few


def _site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="展厅")


def _state(site: models.Site) -> Desk:
    return Desk.from_json(Rotation.objects.get(site=site).state)


def test_a_consultant_marks_themself_busy_away_and_on_site_again(office: Office) -> None:
    site = _site(office)
    alice = _client("alice")
    page = alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": "go_busy"}, follow=True).content.decode()
    assert "marked busy: the rotation passes you over (Q-2)" in page and 'presence busy">Busy' in page
    me = str(office.alice.pk)
    assert me in _state(site).busy
    alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": "finish"})
    assert me not in _state(site).busy
    alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": "go_away"})
    assert me in _state(site).away and "I'm on site" in alice.get("/p/hz-1/me/").content.decode()
    page = alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": "come_back"}, follow=True).content.decode()
    assert me not in _state(site).away and "marked on site and free to receive" in page


def test_a_consultant_moves_nobody_else(office: Office) -> None:
    site = _site(office)
    alice = _client("alice")
    alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": "go_away", "staff": str(office.bob.pk)})
    state = _state(site)
    assert state.away == {str(office.alice.pk)}  # the staff field is not read: only herself
    for action in ("lunch_start", "free_start", "free_end", "lunch_end", ""):
        page = alice.post("/p/hz-1/me/status/", {"site": site.pk, "action": action}, follow=True).content.decode()
        assert "unknown action" in page
    assert _state(site) == state
    assert _client("sun").post("/p/hz-1/me/status/", {"site": site.pk, "action": "go_busy"}).status_code == 403


def test_the_board_sees_what_the_consultant_marked(office: Office) -> None:
    site = _site(office)
    _client("alice").post("/p/hz-1/me/status/", {"site": site.pk, "action": "go_busy"})
    board = _client("sun").get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    row = board.split("王芳")[1].split("</li>")[0]
    assert '"action": "finish"' in row  # the receptionist's board offers "Done" for her: she is busy there


def test_a_lines_more_is_loaded_on_demand_for_my_own_customer_only(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    page = _client("alice").get("/p/hz-1/me/?tab=pending").content.decode()
    assert "Log a call" not in page and f'hx-get="/p/hz-1/me/{office.zhang.pk}/more/"' in page
    more = _client("alice").get(f"/p/hz-1/me/{office.zhang.pk}/more/").content.decode()
    verdict = models.Verdict.objects.get()
    said = re.sub(r"<[^>]+>", "", more)  # the sentence's dates are kept whole in spans (web.chips.unbroken)
    assert "Log a call" in more and verdict.explain_en.split(";")[0] in said and "<html" not in more
    assert _client("bob").get(f"/p/hz-1/me/{office.zhang.pk}/more/").status_code == 404


def _claim(office: Office, name: str, number: int, *, visited: float, followed: float | None = None) -> None:
    """Alice's customer: visited `visited` days ago and, if `followed`, followed up that many days ago."""
    customer = _customer(office, name, number)
    _visit(office, customer, office.alice, days_ago=visited)
    if followed is not None:
        body = {"customer": str(customer.pk), "staff": str(office.alice.pk)}
        at = timezone.now() - timedelta(days=followed)
        services.event_append(project=office.project, kind="follow_up", body=body, at=at)


def _names_in(client: Client, tab: str) -> list[str]:
    """Every name a tab lists, page after page."""
    names: list[str] = []
    for page in range(1, 10):
        listed = _list(client.get(f"/p/hz-1/me/?tab={tab}&page={page}").content.decode())
        names += re.findall(r'<a class="name" href="[^"]+">([^<]+)</a>', listed)
        if f"Page {page} of {page}" in listed or "Page " not in listed:
            return names
    raise AssertionError("more pages than a test makes")


def test_each_tab_counts_what_it_lists_and_the_tabs_share_out_every_customer(office: Office) -> None:
    for number in range(27):  # two pages of pending claims
        _claim(office, f"待{number:02d}", number + 100, visited=number / 10)
    # Valid 60 days from the end of the 7-day follow-up window (IH-5): five days left, within the 7-day warning.
    _claim(office, "快到期", 200, visited=62, followed=61)
    _claim(office, "有效", 201, visited=1, followed=1)
    _claim(office, "过期", 202, visited=80, followed=79)  # ended 13 days ago: lapsed once the page looks
    _visit(office, _customer(office, "陈晨", 203), office.bob)
    alice = _client("alice")
    page = alice.get("/p/hz-1/me/").content.decode()
    listed = {tab: _names_in(alice, tab) for tab in ("pending", "expiring", "active", "lapsed")}
    for tab, names in listed.items():
        assert f'<span class="count">{len(names)}</span>' in _tab(page, tab), tab
    assert (len(listed["pending"]), listed["expiring"], listed["active"], listed["lapsed"]) == (
        27,
        ["快到期"],
        ["有效"],
        ["过期"],
    )
    assert listed["pending"] == sorted(listed["pending"], reverse=True)  # the next deadline first
    # The warning window is the policy's (shown only: nothing is judged again), and the database counts by it.
    services.policy_set(project=office.project, policy={"expiry_warning_days": 3}, user=office.zhao.user)
    assert _names_in(alice, "expiring") == [] and set(_names_in(alice, "active")) == {"快到期", "有效"}


def test_the_page_reads_the_tabs_from_the_holdings_index_alone(office: Office) -> None:
    for number in range(5):
        _claim(office, f"客户{number}", number + 10, visited=1, followed=1)
    alice = _client("alice")
    for tab in ("today", "pending", "active", "lapsed"):
        read, found = scans(alice, f"/p/hz-1/me/?tab={tab}")
        assert read >= 3 and not found, "\n\n".join(found)
    with CaptureQueriesContext(connection) as captured:
        alice.get("/p/hz-1/me/?tab=active")
    counted = [q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"] and "desk_holding" in q["sql"]]
    assert len(counted) == 1 and "ledger_verdict" not in counted[0]  # one pass over the index, no verdict row
    if connection.vendor == "sqlite":
        assert "COVERING INDEX holding_tabs" in plan_of(counted[0])


def test_a_name_or_note_is_drawn_as_text_never_as_markup(office: Office) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    customer = _customer(office, "张<b>伟</b>", 77)
    _visit(office, customer, office.alice)
    form = {"kind": "follow_up", "note": hostile, "next_contact": _today(office)}
    alice = _client("alice")
    alice.post(f"/p/hz-1/me/{customer.pk}/contact/", form)
    today = _list(alice.get("/p/hz-1/me/").content.decode())
    assert "<img" not in today and "<b>" not in today
    assert "张&lt;b&gt;伟&lt;/b&gt;" in today and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in today


def test_todays_ties_are_listed_by_customer_as_the_other_tabs_are(office: Office) -> None:
    customers = [_customer(office, f"客户{number}", number + 10) for number in range(4)]
    for customer in reversed(customers):  # the last customer's claim ends first: the index holds them reversed
        _visit(office, customer, office.alice)
    alice = _client("alice")
    for customer in customers:  # all planned for today
        alice.post(f"/p/hz-1/me/{customer.pk}/contact/", {"kind": "follow_up", "next_contact": _today(office)})
    assert _names_in(alice, "today") == [customer.name for customer in customers]
