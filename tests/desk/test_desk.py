"""The reception desk: ask first (IH-18), hand each walk-in to whom the rotation names (Q-1..Q-10)."""

from __future__ import annotations

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch, DeskVisit
from leadledger.engine.errors import DomainError
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in, office_create


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str) -> Client:
    client = client_in("en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _search(client: Client, site: models.Site, query: str) -> tuple[str, DeskSearch]:
    page = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query}).content.decode()
    page = page.replace("<mark>", "").replace("</mark>", "")  # the highlight is tested on its own
    return page, DeskSearch.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize(
    "query", ["13800000001", "138 0000 0001", "138****0001", "张伟", "张", "zhangwei", "zw", "zhang"]
)
def test_ask_first_finds_the_customer_every_way_a_receptionist_types(
    office: Office, site: models.Site, query: str
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    page, search = _search(_client("sun"), site, query)
    assert "张伟" in page and "138****0001" in page and "13800000001" not in page
    assert "王芳" in page  # the owner, and whether they are here
    assert search.found == [office.zhang.pk] and search.user.username == "sun" and search.query == query.strip()


def test_a_new_walk_in_goes_to_whom_the_rotation_names(office: Office, site: models.Site) -> None:
    client = _client("sun")
    page, search = _search(client, site, "13900000002")
    assert "Nobody matches" in page and "Now: 王芳." in page and 'name="expected"' not in page
    response = client.post(
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": search.pk, "name": "李娜", "phone": "13900000002"},
        follow=True,
    )
    assert "李娜 registered; 王芳 receives (Q-1, Q-2)" in response.content.decode()
    customer = models.Customer.objects.get(phone="+8613900000002")
    assert models.Verdict.objects.get(customer=customer).owners == {str(office.alice.pk): "1"}
    visit = DeskVisit.objects.get()
    assert visit.search == search and visit.staff == str(office.alice.pk)
    board = client.get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    assert "Next new walk-in goes to <strong>刘洋</strong>" in board


def test_a_returning_customer_whose_owner_is_busy_is_assisted_and_stays_theirs(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    client = _client("sun")
    _, first = _search(client, site, "13900000002")
    client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": first.pk, "name": "李娜", "phone": "13900000002"})
    page, search = _search(client, site, "138****0001")  # Alice is now busy with 李娜
    assert "王芳:\n      busy" in page or "busy" in page
    response = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "customer": office.zhang.pk}, follow=True
    )
    assert (
        "张伟 registered: 刘洋 assists; the customer stays with 王芳 (Q-4, IH-11). 王芳 has been told."
        in response.content.decode()
    )
    assert models.Verdict.objects.get(customer=office.zhang).owners == {str(office.alice.pk): "1"}


def test_no_registration_without_a_search_that_found_the_customer(office: Office, site: models.Site) -> None:
    client = _client("sun")
    _, search = _search(client, site, "李")  # finds nobody
    response = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "customer": office.zhang.pk}, follow=True
    )
    assert "search for the customer before registering them (IH-18)" in response.content.decode()
    response = client.post(
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": search.pk, "name": "张先生", "phone": "13800000001"},
        follow=True,
    )
    assert "search for the phone first (IH-18)" in response.content.decode()
    assert models.Event.objects.count() == 0


def test_a_board_moved_since_the_search_registers_to_whoever_is_next_now(office: Office, site: models.Site) -> None:
    client, other = _client("sun"), _client("zhao")
    page, mine = _search(client, site, "13900000002")
    assert "Now: 王芳." in page
    _, theirs = _search(other, site, "13900000003")
    other.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": theirs.pk, "name": "钱七", "phone": "13900000003"})
    response = client.post(  # the form still says 王芳 was next; the board has moved to 刘洋
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": mine.pk, "name": "李娜", "phone": "13900000002", "expected": str(office.alice.pk)},
        follow=True,
    ).content.decode()
    assert "李娜 registered; 刘洋 receives (Q-1, Q-2)" in response and "rotation has just moved" not in response
    li = models.Customer.objects.get(name="李娜")
    assert models.Verdict.objects.get(customer=li).owners == {str(office.bob.pk): "1"}
    assert sorted(DeskVisit.objects.values_list("turn", flat=True)) == [0, 1]


def test_the_new_customer_forms_next_name_follows_the_live_board(office: Office, site: models.Site) -> None:
    # Issue 12: the form kept naming whoever was next at the search while the board beside it named another.
    client, other = _client("sun"), _client("zhao")
    page, _ = _search(client, site, "13900000002")
    assert '<span id="form-next">Now: 王芳.</span>' in page
    version = client.get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    shown = version.split('id="board-version" name="v" value="')[1].split('"')[0]
    _, theirs = _search(other, site, "13900000003")
    other.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": theirs.pk, "name": "钱七", "phone": "13900000003"})
    board = client.get(f"/p/hz-1/desk/{site.pk}/board/", {"v": shown}).content.decode()
    assert '<span id="form-next" hx-swap-oob="true">Now: 刘洋.</span>' in board  # the form's line, swapped in place
    client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_away", "staff": office.bob.pk})
    moved = client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_away", "staff": office.alice.pk})
    assert 'id="form-next" hx-swap-oob="true">' in moved.content.decode()
    first = client.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    assert 'id="form-next"' not in first  # the page's own board has no form to update


def test_a_refusal_keeps_what_was_typed_and_says_why_next_to_the_field(office: Office, site: models.Site) -> None:
    client = _client("sun")
    _, search = _search(client, site, "李娜")
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "12345"}
    ).content.decode()
    assert 'value="李娜"' in page and 'value="12345"' in page
    phone_field = page.index('id="new-phone"')
    error = page.index('<p class="error" role="alert">')
    assert "12345" in page[error : page.index("</p>", error)]
    assert phone_field < error < page.index("Register and hand over")  # under the phone, in the form
    assert models.Event.objects.count() == 0


def test_bad_input_at_the_desk_is_said_plainly(office: Office, site: models.Site) -> None:
    client = _client("sun")
    _, search = _search(client, site, "13900000002")
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "12"}, follow=True
    ).content.decode()
    assert "“12” is not a valid mainland China mobile phone number" in page
    assert "&#x27;12&#x27;" not in page  # the user's text, never Python's repr of it
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": " ", "phone": "13900000002"}, follow=True
    ).content.decode()
    assert "the customer&#x27;s name is required" in page
    assert models.Event.objects.count() == 0


def test_the_board_moves_and_only_a_manager_frees_the_reception(office: Office, site: models.Site) -> None:
    sun, zhao = _client("sun"), _client("zhao")
    url = f"/p/hz-1/desk/{site.pk}/board/move/"
    page = sun.post(url, {"action": "go_away", "staff": office.alice.pk}).content.decode()
    assert "Next new walk-in goes to <strong>刘洋</strong>" in page
    assert "only a sales manager may do this" in sun.post(url, {"action": "free_start"}).content.decode()
    assert "unknown action" in sun.post(url, {"action": "suspend", "staff": office.bob.pk}).content.decode()
    assert "Free reception" in zhao.post(url, {"action": "free_start"}).content.decode()


def test_a_suspension_lasts_its_days_at_every_site(office: Office, site: models.Site) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from leadledger.desk.models import Suspension

    zhao = _client("zhao")
    page = zhao.post(
        "/p/hz-1/manage/suspension/", {"staff": office.alice.pk, "days": "3", "reason": "违规"}, follow=True
    )
    assert "王芳" in page.content.decode() and "违规" in page.content.decode()
    other = models.Site.objects.create(project=office.project, name="工地售楼处")
    for desk_site in (site, other):
        board = _client("sun").get(f"/p/hz-1/desk/{desk_site.pk}/board/").content.decode()
        assert "Next new walk-in goes to <strong>刘洋</strong>" in board and "suspended" in board
    Suspension.objects.update(until=timezone.now() - timedelta(seconds=1))  # three days later
    assert (
        "Next new walk-in goes to <strong>王芳</strong>"
        in _client("sun").get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    )
    assert _client("sun").post("/p/hz-1/manage/suspension/", {"staff": office.bob.pk, "days": "1"}).status_code == 403
    assert (
        "give the reason"
        in zhao.post("/p/hz-1/manage/suspension/", {"staff": office.bob.pk, "days": "1"}, follow=True).content.decode()
    )


def test_free_reception_lets_the_desk_choose(office: Office, site: models.Site) -> None:
    zhao = _client("zhao")
    zhao.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    page, search = _search(zhao, site, "13900000002")
    assert "Free reception: who receives?" in page
    response = zhao.post(
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": search.pk, "name": "李娜", "phone": "13900000002", "chosen": office.bob.pk},
        follow=True,
    )
    assert "刘洋 receives (Q-10)" in response.content.decode()


def test_a_customer_registered_at_one_site_is_found_at_the_other(office: Office, site: models.Site) -> None:
    other_site = models.Site.objects.create(project=office.project, name="工地售楼处")
    client = _client("sun")
    _, search = _search(client, site, "13900000002")
    client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "13900000002"})
    page = client.get(f"/p/hz-1/desk/{other_site.pk}/search/", {"q": "139****0002"}).content.decode()
    assert "李娜" in page and "王芳" in page


def test_consultants_and_other_projects_do_not_reach_the_desk(office: Office, site: models.Site) -> None:
    assert _client("alice").get(f"/p/hz-1/desk/{site.pk}/").status_code == 403
    other = office_create("sh-2", "上海二期")
    other_site = models.Site.objects.create(project=other.project, name="展厅")
    assert _client("sun").get(f"/p/sh-2/desk/{other_site.pk}/").status_code == 404
    assert _client("sun").get(f"/p/hz-1/desk/{other_site.pk}/").status_code == 404
    page = _client("sun").get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    assert "Ask first" in page and "Rotation" in page and 'hx-trigger="every 2s"' in page


def test_a_relation_told_at_the_desk_is_pending_until_a_manager_verifies_it(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    li, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    services.visit_register(project=office.project, customer=li, staff=office.bob)
    sun = _client("sun")
    page = sun.post(
        f"/p/hz-1/desk/{site.pk}/relation/",
        {"customer": office.zhang.pk, "kind": "spouse", "phone": "139 0000 0002"},
        follow=True,
    ).content.decode()
    assert "it counts once a manager verifies it (ID-4)" in page
    page, _ = _search(sun, site, "李娜")
    assert 'spouse: 张伟<span class="pending">pending verification: changes no ownership (ID-4)</span>' in page
    assert models.Verdict.objects.get(customer=li).owners == {str(office.bob.pk): "1"}  # unchanged while pending
    relation = models.Relation.objects.get()
    assert sun.post(f"/p/hz-1/relations/{relation.pk}/verify/").status_code == 403
    _client("zhao").post(f"/p/hz-1/relations/{relation.pk}/verify/")
    assert models.Verdict.objects.get(customer=li).owners == {str(office.alice.pk): "1"}  # one household (IH-10)
    from leadledger.ledger.verify import verify

    assert verify(office.project, lambda problem: None) == 0
    page = sun.post(
        f"/p/hz-1/desk/{site.pk}/relation/",
        {"customer": office.zhang.pk, "kind": "spouse", "phone": "13700000000"},
        follow=True,
    ).content.decode()
    assert "no customer has this phone: register them first" in page


def test_a_double_submit_registers_one_visit(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    client = _client("sun")
    _, search = _search(client, site, "张伟")
    form = {"search": search.pk, "customer": office.zhang.pk}
    first = client.post(f"/p/hz-1/desk/{site.pk}/register/", form, follow=True).content.decode()
    page = client.post(f"/p/hz-1/desk/{site.pk}/register/", form, follow=True).content.decode()
    assert "张伟 registered; 王芳 receives (Q-4)" in first and "张伟 registered; 王芳 receives (Q-4)" in page
    assert models.Event.objects.count() == 2


def test_a_new_customer_sent_twice_is_told_the_first_answer_not_a_refusal(office: Office, site: models.Site) -> None:
    client = _client("sun")
    _, search = _search(client, site, "13900000002")
    form = {"search": search.pk, "name": "李娜", "phone": "13900000002"}
    first = client.post(f"/p/hz-1/desk/{site.pk}/register/", form, follow=True).content.decode()
    again = client.post(f"/p/hz-1/desk/{site.pk}/register/", form, follow=True).content.decode()
    assert "李娜 registered; 王芳 receives (Q-1, Q-2)" in first and "李娜 registered; 王芳 receives (Q-1, Q-2)" in again
    # The page always carries the hidden box for failed htmx requests; no refusal is said.
    assert "already registered" not in again and 'class="message error" role="status"' not in again
    assert DeskVisit.objects.count() == 1 and models.Customer.objects.filter(name="李娜").count() == 1
    other = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "钱七", "phone": "13900000003"}
    ).content.decode()
    assert "this search has already registered a visit; search again" in other  # another visitor: a new search


def test_lunch_duty_receives_everyone_until_lunch_is_over(office: Office, site: models.Site) -> None:
    client = _client("sun")
    url = f"/p/hz-1/desk/{site.pk}/board/move/"
    board = client.post(url, {"action": "lunch_start", "staff": office.bob.pk}).content.decode()
    assert "Lunch break: <strong>刘洋</strong> is on lunch duty and receives every visitor" in board
    assert "Next new walk-in" not in board and "up next" not in board  # one truth at a time
    _, search = _search(client, site, "13900000002")
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "13900000002"}, follow=True
    ).content.decode()
    assert "刘洋 receives (Q-6)" in page
    board = client.post(url, {"action": "lunch_end"}).content.decode()
    assert "Lunch break" not in board and "Next new walk-in goes to <strong>王芳</strong>" in board


@pytest.mark.parametrize("query", ["3998", "0001", "138 0000", "1380000000"])
def test_part_of_a_number_asks_for_the_rest_and_looks_nobody_up(office: Office, site: models.Site, query: str) -> None:
    page, _ = _search(_client("sun"), site, query)
    assert "Keep typing: a full 11-digit mobile number" in page and 'id="new-phone"' not in page
    # Digits that are not a phone match nobody: nothing disclosed, so nothing logged or counted (per keystroke).
    assert not DeskSearch.objects.exists() and not models.Lookup.objects.exists()


@pytest.mark.parametrize("query", ["138****3998"])
def test_a_query_that_is_not_a_full_phone_never_fills_the_new_customers_phone(
    office: Office, site: models.Site, query: str
) -> None:
    page, _ = _search(_client("sun"), site, query)
    form = page[page.index('id="new-phone"') :]
    assert 'value=""' in form[: form.index(">")]
    assert "is not a full mobile number: ask the visitor for the whole number" in page


def test_a_full_phone_nobody_has_fills_the_new_customers_phone(office: Office, site: models.Site) -> None:
    page, _ = _search(_client("sun"), site, "+86 139-0000-0002")
    form = page[page.index('id="new-phone"') :]
    assert 'value="13900000002"' in form[: form.index(">")]


def test_a_new_customer_needs_the_full_number_not_a_mask(office: Office, site: models.Site) -> None:
    client = _client("sun")
    _, search = _search(client, site, "139****0002")
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "139****0002"}, follow=True
    ).content.decode()
    assert "is a masked number: give the full mobile phone number" in page
    assert not models.Customer.objects.filter(name="李娜").exists()


def test_a_customer_split_between_two_sites_is_found_and_goes_to_the_owner_who_is_here(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    owners = {str(office.alice.pk): "1/2", str(office.bob.pk): "1/2"}  # IH-17, as the ledger stores it
    models.Verdict.objects.filter(customer=office.zhang).update(owners=owners, status="active")
    client = _client("sun")
    client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_away", "staff": office.alice.pk})
    page, search = _search(client, site, "张伟")
    assert "张伟" in page and "刘洋: on site" in page
    response = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "customer": office.zhang.pk}, follow=True
    ).content.decode()
    assert "张伟 registered; 刘洋 receives (Q-4)" in response  # an owner of the split claim receives: no assist


def test_a_consultant_who_left_leaves_the_board_and_receives_nobody(office: Office, site: models.Site) -> None:
    from leadledger.desk import services as desk

    client = _client("sun")
    assert (
        "Next new walk-in goes to <strong>王芳</strong>"
        in client.get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    )
    desk.departure_record(by=office.zhao, leaver=office.alice, reason="resigned", user=None)
    board = client.get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    assert "王芳" not in board and "Next new walk-in goes to <strong>刘洋</strong>" in board
    page, search = _search(client, site, "13900000002")
    assert "王芳" not in page
    done = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "13900000002"}, follow=True
    ).content.decode()
    assert "李娜 registered; 刘洋 receives" in done
    url = f"/p/hz-1/desk/{site.pk}/board/move/"
    refused = client.post(url, {"action": "lunch_start", "staff": office.alice.pk}).content.decode()
    assert "王芳 is not a consultant on the roster" in refused
    with pytest.raises(DomainError) as twice:
        desk.departure_record(by=office.zhao, leaver=office.alice, reason="resigned", user=None)
    assert "already recorded" in twice.value.en and twice.value.zh
    with pytest.raises(DomainError) as referral:
        desk.referral_log(staff=office.alice, user=None, name="钱七", phone="13900000003", referrer=None)
    assert "recorded as having left" in referral.value.en


def test_only_a_consultant_on_the_roster_can_be_given_a_customer_whatever_the_form_says(
    office: Office, site: models.Site
) -> None:
    from leadledger.desk import services as desk

    zhao = _client("zhao")
    zhao.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    _, search = _search(zhao, site, "13900000002")
    for someone in (office.sun, office.zhao):  # a receptionist, a manager: not consultants
        page = zhao.post(
            f"/p/hz-1/desk/{site.pk}/register/",
            {"search": search.pk, "name": "李娜", "phone": "13900000002", "chosen": someone.pk},
        ).content.decode()
        assert f"{someone.name} is not a consultant on the roster" in page and 'value="李娜"' in page
    url = f"/p/hz-1/desk/{site.pk}/board/move/"
    assert "is not a consultant" in zhao.post(url, {"action": "lunch_start", "staff": office.sun.pk}).content.decode()
    with pytest.raises(DomainError):
        desk.ruling_make(
            manager=office.zhao, customer=office.zhang, staff=office.sun, rule="IH-12", reason="x", user=None
        )
    with pytest.raises(DomainError):  # a receptionist does not rule
        desk.ruling_make(
            manager=office.sun, customer=office.zhang, staff=office.alice, rule="IH-12", reason="x", user=None
        )
    assert models.Event.objects.count() == 0


def test_a_visitor_who_asks_for_a_consultant_by_name_is_theirs_and_the_turn_is_owed(
    office: Office, site: models.Site
) -> None:
    client = _client("sun")
    page, search = _search(client, site, "13900000002")
    assert 'name="asks_for"' in page and "The visitor asks for" in page
    done = client.post(
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": search.pk, "name": "李娜", "phone": "13900000002", "asks_for": office.bob.pk},
        follow=True,
    ).content.decode()
    assert "李娜 registered; 刘洋 receives (Q-5)" in done
    client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "finish", "staff": office.bob.pk})
    board = client.get(f"/p/hz-1/desk/{site.pk}/board/").content.decode()
    assert "Next new walk-in goes to <strong>王芳</strong>" in board  # 刘洋 took his turn early
    _, other = _search(client, site, "13900000003")
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/",
        {"search": other.pk, "name": "钱七", "phone": "13900000003", "asks_for": office.sun.pk},
    ).content.decode()
    assert "孙丽 is not a consultant on the roster" in page  # next to the field, nothing registered
    assert DeskVisit.objects.count() == 1


def test_a_registration_reads_the_rotation_once_and_never_the_project_again(office: Office, site: models.Site) -> None:
    """The desk's busiest write (53 queries a registration on a launch day): the rotation row was read twice
    and the roster three times (get_or_create's defaults), the project once for each staff member found."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leadledger.desk import services as desk_services

    phone = "13912345678"
    desk_services.visit_at_desk(  # the site's first registration creates its rotation row
        site=site,
        user=office.sun.user,
        search=desk_services.search_log(site=site, user=office.sun.user, query="13912345670")[0],
        name="王先生",
        phone="13912345670",
    )
    search, _ = desk_services.search_log(site=site, user=office.sun.user, query=phone)
    with CaptureQueriesContext(connection) as said:
        done = desk_services.visit_at_desk(site=site, user=office.sun.user, search=search, name="李女士", phone=phone)
    assert done.visit.staff
    reads = [q["sql"] for q in said.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "desk_rotation"' in sql for sql in reads) == 1
    assert not [sql for sql in reads if 'FROM "ledger_project"' in sql]
