"""Every project page, tried by URL and by form post: other projects are not found, other roles forbidden."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from office import PASSWORD, Office, client_in, office_create
from pages import page_url, project_urls

MANAGERS_ONLY = {
    "manage",
    "manage_queue",
    "manage_export",
    "manage_renewal",
    "manage_departure",
    "manage_suspension",
    "dispute",
    "dispute_export",
    "dispute_events_export",
    "money_plan",
    "money_figures",
    "money_month_statements_pdf",
    "dispute_ruling",
    "relation_verify",
    "imports",
    "import_template",
    "import_job",
    "import_confirm",
    "import_cancel",
    "import_again",
    "import_report",
    "policy_editor",
    "policy_preview",
    "policy_apply",
    "policy_job",
    "sign_ins",
}
DESK = {"desk_home", "desk", "desk_search", "desk_register", "desk_board", "desk_relation", "desk_move", "desk_correct"}
MINE = {"mine", "mine_referral", "mine_contact", "mine_renewal", "notices", "notice_badge", "mine_status", "mine_more"}
BENCH = {
    "bench_today",
    "bench_log",
    "bench_report",
    "bench_collections",
    "bench_archive",
    "bench_surveys",
    "bench_field",
    "bench_field_traders",
    "bench_report_pdf",
}  # a customer manager's own workbench (issue 17)
LEAD = {"bench_team", "bench_review", "bench_duties", "bench_duty_edit", "bench_complaint_report"}
LEAD |= {
    "bench_complaint_report_xlsx",
    "bench_complaint_report_pdf",
    "bench_calendar",
    "bench_reconcile",
    "bench_appraisals",
    "bench_team_xlsx",
    "bench_service_hours",
    "bench_reports_xlsx",
}  # the manager's side of it
AGENTS_ONLY = {
    "agent_home",
    "agent_register",
    "agent_code",
    "agent_slip",
    "agent_slip_pdf",
    "agent_appeal",
    "agent_statement",
    "agent_statement_export",
    "agent_statement_pdf",
    "agent_colleague",
    "agent_colleague_switch",
}  # a distributor's agents' pages: every staff member is refused
SALES_MANAGERS = {
    "sales_unit_move",
    "sales_deal_decide",
    "sales_deal_payment",
    "sales_units_upload",
    "money_penalty",
    "money_distributor",
    "money_distributor_export",
    "money_distributor_pdf",
}  # a deposit is a consultant's; the rest a manager's
SALES_DEPOSIT = {"sales_unit", "sales_deal"}
ESCORT = {"escort_confirm", "escort_slip", "escort_slip_pdf"}  # the desk and the channel team (confirm_escort)
CHANNEL_TEAM = {  # the channel team's cases (i15): a sales manager rules in-house, not for the channel
    "channel_team",
    "channel_case_open",
    "channel_case",
    "channel_case_note",
    "channel_case_evidence",
    "channel_case_decide",
    "channel_case_file",
    "channel_firms",
    "channel_firm",
    "channel_firm_switch",
    "channel_signal_mark",
    "channel_firms_xlsx",
    "channel_agent",
    "channel_agent_switch",
}
KEYS = {"channel_keys", "channel_key_issue", "channel_key_revoke", "channel_webhook_add", "channel_webhook_stop"}
CASES = ("channel_case", "channel_case_note", "channel_case_evidence", "channel_case_decide", "channel_case_file")
CASES += ("channel_firm", "channel_firm_switch")  # no distributor has Zhang's id (c15)
CASES += ("channel_agent", "channel_agent_switch")  # nor any agent (c15b)
CASES += ("channel_key_revoke", "channel_webhook_stop")  # nor any token or webhook
FORBIDDEN = {
    "alice": MANAGERS_ONLY
    | DESK
    | AGENTS_ONLY
    | LEAD
    | SALES_MANAGERS
    | ESCORT
    | CHANNEL_TEAM
    | KEYS
    | {"customer_erase", "customer_reveal"},
    "sun": MANAGERS_ONLY
    | MINE
    | AGENTS_ONLY
    | BENCH
    | LEAD
    | SALES_MANAGERS
    | SALES_DEPOSIT
    | CHANNEL_TEAM
    | KEYS
    | {"customer_erase", "customer_reveal"},
    "zhao": MINE
    | AGENTS_ONLY
    | ESCORT
    | CHANNEL_TEAM
    | {"customer_erase"},  # a manager (erasure is the administrator's)
}


def _ask(client: Client, url: str) -> int:
    status = client.get(url).status_code
    return client.post(url, {}).status_code if status == 405 else status


URLS = project_urls()
# the customer's id names no unit or deal (a payment or ruling refused re-shows the deal's page: none, 404)
NO_SUCH_UNIT = ("sales_unit", "sales_unit_move", "sales_deal", "sales_deal_payment", "sales_deal_decide")


def test_every_project_page_is_covered() -> None:
    assert len(URLS) >= 25


@pytest.mark.parametrize(("name", "pattern"), URLS, ids=[name for name, _ in URLS])
def test_strangers_and_other_roles_are_kept_out(office: Office, name: str, pattern: str) -> None:
    other = office_create("sh-2", "上海二期")
    assert other  # its staff are strangers to hz-1, and hz-1's to it
    url = page_url(name, pattern, "hz-1", office.zhang.pk)
    anonymous = Client()
    assert _ask(anonymous, url) in (302, 405) and (anonymous.get(url).status_code != 200)
    stranger = Client()
    assert stranger.login(username="sh-2-alice", password=PASSWORD)
    assert _ask(stranger, url) == 404, url
    for username, forbidden in FORBIDDEN.items():
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        status = _ask(client, url)
        if name in forbidden:
            assert status == 403, (username, url, status)
        else:
            assert status != 403, (username, url, status)


@pytest.mark.parametrize(
    ("username", "url", "form"),
    [
        ("sun", "/p/hz-1/desk/{site}/register/", {"search": "x", "customer": "{customer}"}),
        ("sun", "/p/hz-1/desk/{site}/register/", {"search": "1", "customer": "'; DROP TABLE"}),
        ("sun", "/p/hz-1/desk/{site}/relation/", {"customer": "abc", "phone": "1", "kind": "spouse"}),
        ("sun", "/p/hz-1/desk/{site}/board/move/", {"action": "go_away", "staff": "nobody"}),
        ("alice", "/p/hz-1/me/referral/", {"name": "李娜", "phone": "13900000002", "referrer": "1.5"}),
        ("zhao", "/p/hz-1/manage/suspension/", {"staff": "", "days": "1", "reason": "x"}),
        ("zhao", "/p/hz-1/manage/departure/", {"staff": "-1", "reason": "resigned"}),
        ("zhao", "/p/hz-1/customers/{customer}/dispute/ruling/", {"staff": "x", "rule": "IH-1", "reason": "x"}),
    ],
)
def test_a_tampered_form_is_a_bad_request_not_a_server_error(
    office: Office, username: str, url: str, form: dict[str, str]
) -> None:
    from leadledger.ledger import models

    site = models.Site.objects.create(project=office.project, name="展厅")
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    assert client.post(url.format(site=site.pk, customer=office.zhang.pk), form).status_code == 400


# -- the capability sweep: every role, every page, as leadledger.capabilities says -------------------

AGENT = "agent"  # not a staff capability: a distributor's agent of the project
PAGE_NEEDS = {
    "money_plan": "set_policy",
    "money_statement": "see_customers",
    "money_statement_export": "see_customers",
    "money_statement_pdf": "see_customers",
    "money_penalty": "rule",  # penalties and rewards (section 6), i16
    "money_distributor": "channel_money",  # distributors' statements and payouts (C-6), m16
    "money_figures": "approve",  # deals and commission as charts (m16)
    "money_month_statements_pdf": "approve",  # everyone's statements of the month in one PDF (m16b)
    "money_distributor_export": "channel_money",
    "money_distributor_pdf": "channel_money",
    "agent_statement": AGENT,  # the distributor admin's own statement (m16)
    "agent_statement_export": AGENT,
    "agent_statement_pdf": AGENT,
    "project": "see_customers",
    "customer": "see_customers",
    "customer_reveal": "reveal",  # or the customer's own consultant; Zhang has none here
    "customer_erase": "erase",
    "imports": "import",
    "import_template": "import",
    "import_job": "import",
    "import_confirm": "import",
    "import_cancel": "import",
    "import_again": "import",
    "import_report": "import",
    "sign_ins": "approve",  # failed sign-ins of the project's people (h13-serve)
    "desk_home": "work_desk",
    "desk": "work_desk",
    "desk_search": "work_desk",
    "desk_register": "work_desk",
    "desk_board": "work_desk",
    "desk_relation": "work_desk",
    "desk_move": "work_desk",
    "desk_correct": "work_desk",
    "mine": "own_customers",
    "mine_referral": "own_customers",
    "mine_contact": "own_customers",
    "mine_renewal": "own_customers",
    "notices": "own_customers",  # the owner's notices (h-desk)
    "notice_badge": "own_customers",
    "mine_status": "own_customers",
    "mine_more": "own_customers",
    "manage": "approve",
    "manage_queue": "approve",
    "manage_export": "approve",
    "dispute_raise": "see_customers",  # anyone in the office may contest; the manager rules (h-dash)
    "manage_renewal": "approve",
    "manage_suspension": "approve",
    "policy_editor": "set_policy",
    "policy_preview": "set_policy",
    "policy_apply": "set_policy",
    "policy_job": "set_policy",
    "manage_departure": "rule",
    "dispute": "rule",
    "dispute_export": "rule",
    "dispute_events_export": "rule",
    "dispute_ruling": "rule",
    "relation_verify": "rule",
    "bench_today": "workbench",
    "bench_log": "workbench",
    "bench_report": "workbench",
    "bench_team": "lead_team",
    "bench_review": "lead_team",
    "bench_duties": "lead_team",
    "bench_duty_edit": "lead_team",
    "bench_complaints": "serve_complaints",
    "bench_complaint": "serve_complaints",
    "bench_complaint_report": "lead_team",
    "bench_calendar": "lead_team",
    "bench_collections": "workbench",
    "bench_archive": "workbench",
    "bench_reconcile": "lead_team",
    "bench_complaint_report_xlsx": "lead_team",
    "bench_complaint_report_pdf": "lead_team",
    "bench_surveys": "workbench",  # W-5 (r17, decision 462)
    "bench_appraisals": "lead_team",  # W-7 (r17, decision 463)
    "bench_team_xlsx": "lead_team",  # the team dashboard as Excel (r17)
    "bench_service_hours": "lead_team",  # S-1's business hours (r17, decision 464)
    "bench_reports_xlsx": "lead_team",  # the team's reports of a period as Excel (r17)
    "bench_notices": "serve_complaints",  # S-3, those who serve customers (r17, decision 461)
    "bench_notice": "serve_complaints",
    "bench_field": "workbench",  # 篇4's field log (w17, decision 490)
    "bench_field_traders": "workbench",
    "bench_report_pdf": "workbench",  # a work report as PDF (w17): the author's or their manager's
    "sales_board": "see_customers",
    "sales_board_refresh": "see_customers",
    "sales_unit": "take_deposit",
    "sales_unit_move": "record_deal",
    "sales_deal": "take_deposit",
    "sales_deal_decide": "rule",
    "sales_deal_payment": "record_deal",  # payments received for a deal (i16)
    "sales_units_upload": "record_deal",  # units put on sale from Excel (i16)
    # An agent's own pages (issue 15): no staff capability opens them (tests/web/test_agents.py).
    "agent_home": AGENT,
    "agent_register": AGENT,
    "agent_code": AGENT,
    "agent_slip": AGENT,
    "agent_slip_pdf": AGENT,
    # The escorted visit confirmed at the door and its slip (h-channel, decision 230).
    "escort_confirm": "confirm_escort",
    "escort_slip": "confirm_escort",
    "escort_slip_pdf": "confirm_escort",
    # The channel team's cases, appeals and risk signals (i15, decisions 360-362).
    "agent_appeal": AGENT,
    "agent_colleague": AGENT,  # the company's admin switches its agents (c15b, decision 511)
    "agent_colleague_switch": AGENT,
    "channel_team": "manage_channel",
    "channel_case_open": "manage_channel",
    "channel_case": "manage_channel",
    "channel_case_note": "manage_channel",
    "channel_case_evidence": "manage_channel",
    "channel_case_decide": "manage_channel",
    "channel_case_file": "manage_channel",
    # The channel team's distributors: paused and switched back on (c15, decision 480).
    "channel_firms": "manage_channel",
    "channel_firm": "manage_channel",
    "channel_firm_switch": "manage_channel",
    "channel_agent": "manage_channel",
    "channel_agent_switch": "manage_channel",
    "channel_signal_mark": "manage_channel",
    "channel_firms_xlsx": "manage_channel",
    # API tokens and webhooks (c15, decision 481): the channel manager, a sales manager, the administrator.
    "channel_keys": "issue_tokens",
    "channel_key_issue": "issue_tokens",
    "channel_key_revoke": "issue_tokens",
    "channel_webhook_add": "issue_tokens",
    "channel_webhook_stop": "issue_tokens",
}


def test_every_project_page_says_which_capability_it_needs() -> None:
    from leadledger import capabilities

    assert {name for name, _ in URLS} == set(PAGE_NEEDS), "add the new page to PAGE_NEEDS"
    assert set(PAGE_NEEDS.values()) <= capabilities.CAPABILITIES | {AGENT}
    assert AGENT not in capabilities.CAPABILITIES


def test_no_staff_page_admits_agents() -> None:
    names = set(PAGE_NEEDS)
    for pattern in _patterns(get_resolver().url_patterns):
        if pattern.name in names:
            for_agents = PAGE_NEEDS[pattern.name] == AGENT
            assert getattr(pattern.callback, "for_agents", None) is for_agents, pattern.name


def _patterns(patterns: list[URLPattern | URLResolver]) -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        found += _patterns(pattern.url_patterns) if isinstance(pattern, URLResolver) else [pattern]
    return found


@pytest.mark.parametrize(("name", "pattern"), URLS, ids=[name for name, _ in URLS])
def test_each_role_reaches_exactly_the_pages_its_capabilities_open(office: Office, name: str, pattern: str) -> None:
    from leadledger import capabilities
    from leadledger.ledger import models
    from office import _staff

    Role = models.Staff.Role
    people = {
        Role.CONSULTANT: "alice",
        Role.RECEPTIONIST: "sun",
        Role.MANAGER: "zhao",
        Role.ADMIN: "root",
        Role.CHANNEL_SPECIALIST: _staff(office.project, "qian", "钱多", Role.CHANNEL_SPECIALIST).user.username,
        Role.CHANNEL_MANAGER: _staff(office.project, "zhou", "周全", Role.CHANNEL_MANAGER).user.username,
        Role.FINANCE: _staff(office.project, "wu", "吴算", Role.FINANCE).user.username,
    }
    assert set(people) == set(capabilities.ROLE_CAPABILITIES)
    site = models.Site.objects.create(project=office.project, name="展厅")
    url = page_url(name, pattern, "hz-1", office.zhang.pk)
    if "<int:site>" in pattern:
        numbered = {"seq": 1} if "<int:seq>" in pattern else {}  # a visit's number: none here (404)
        url = reverse(name, kwargs={"project": "hz-1", "site": site.pk, **numbered})
    for role, username in people.items():
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        status = _ask(client, url)
        allowed = PAGE_NEEDS[name] in capabilities.ROLE_CAPABILITIES[role]
        assert (status != 403) == allowed, (role, url, status)
        assert status != 500, (role, url)
        no_such_row = ("import_job", "import_confirm", "import_cancel", "import_again", "import_report", "escort_slip")
        no_such_row += ("escort_slip_pdf",)  # no escorted visit has Zhang's id for its number
        no_such_row += ("bench_review", "bench_duty_edit", "bench_complaint", "bench_archive")  # no such row here
        no_such_row += ("bench_notice", "bench_report_pdf")  # no notice or report has Zhang's id
        no_such_row += ("desk_correct",)  # no visit of this site has that number
        no_such_row += CASES  # no case with Zhang's id
        no_such_row += ("money_distributor_export", "money_distributor_pdf")  # no distributor in this office
        assert status != 404 or name in (*no_such_row, *NO_SUCH_UNIT, "relation_verify", "policy_job", "mine_more"), (
            role,
            url,
        )


def test_staff_of_one_project_find_nothing_of_another_whatever_their_role(office: Office) -> None:
    assert office_create("sh-2", "上海二期")
    for username in ("sh-2-zhao", "sh-2-root", "sh-2-sun", "sh-2-alice"):
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        for name, pattern in URLS:
            assert _ask(client, page_url(name, pattern, "hz-1", office.zhang.pk)) == 404, (username, name)


def test_a_consultant_who_left_is_refused_everywhere_and_cannot_sign_in(office: Office) -> None:
    from leadledger.desk import services

    client = client_in("en")
    assert client.login(username="alice", password=PASSWORD)
    services.departure_record(by=office.zhao, leaver=office.alice, reason="resigned", user=None)
    for name, pattern in URLS:
        response = client.get(page_url(name, pattern, "hz-1", office.zhang.pk))
        assert response.status_code in (403, 405), name
    page = client.get("/p/hz-1/").content.decode()
    assert "is recorded as having left" in page
    signing_in = client_in("en")
    page = signing_in.post("/login/", {"username": "alice", "password": PASSWORD}).content.decode()
    assert "can no longer sign in (IH-13)" in page and "_auth_user_id" not in signing_in.session
    assert Client().login(username="bob", password=PASSWORD)  # the others still sign in
