"""The money pages show the engine's and the services' domain errors next to the field, in the user's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from leadledger.money import models
from office import PASSWORD, Office, client_in

PLAN = "/p/hz-1/manage/commission/"
PENALTY = "/p/hz-1/manage/penalty/"


def _manager(language: str) -> Client:
    client = client_in(language)
    assert client.login(username="zhao", password=PASSWORD)
    return client


def _after(page: str, opening: str) -> str:
    """The error paragraph right after `opening` (an input, a table's end), or '' when there is none."""
    # the rest of that tag (and a textarea's text), then at once the error paragraph
    rest = r"(?:[^>]*>)?(?:[^<]*</textarea>)?\s*<p class=\"error\"[^>]*>([^<]*)</p>"
    found = re.search(re.escape(opening) + rest, page)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-hans", "第1档：费率最高为房价的10%（100‰）"),
        ("en", "band 1: a rate is at most 10% of the price (100 per mille)"),
    ],
)
def test_a_plan_the_engine_refuses_is_said_under_the_price_bands(office: Office, language: str, said: str) -> None:
    response = _manager(language).post(PLAN, {"how_0": "rate", "value_0": "200", "stage_signing": "100"})
    page = response.content.decode()
    assert response.status_code == 200  # the form again, as the page always answered a refused plan
    assert _after(page, "</tbody></table>") == said  # the bands' table is the first on the page
    assert 'value="200"' in page  # what was typed is kept
    assert not models.CommissionPlan.objects.exists()


def test_a_schedule_that_does_not_add_up_is_said_under_the_schedule_in_chinese(office: Office) -> None:
    response = _manager("zh-hans").post(
        PLAN, {"how_0": "fixed", "value_0": "3000", "stage_signing": "50", "stage_handover": "20"}
    )
    page = response.content.decode()
    assert re.search(r'&nbsp;%</td></tr></tbody></table>\s*<p class="error" role="alert" id="schedule-error">', page)
    assert "各结佣节点的比例合计须为100%" in page and 'id="bands-error"' not in page


@pytest.mark.parametrize(
    ("language", "fine", "evidence"),
    [
        ("zh-hans", "罚款金额为50至300元。", "请写明事实证据。"),
        ("en", "A fine is 50 to 300 yuan.", "Say what happened: the evidence."),
    ],
)
def test_a_refused_penalty_is_said_next_to_each_field(office: Office, language: str, fine: str, evidence: str) -> None:
    form = {"staff": str(office.bob.pk), "rule": "C-5", "fine": "20", "points": "", "days": "", "evidence": " "}
    response = _manager(language).post(PENALTY, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert _after(page, 'id="p-fine"') == fine
    assert _after(page, 'id="p-evidence"').startswith(evidence)
    assert not models.Penalty.objects.exists()


def test_a_penalty_typed_wrong_and_out_of_range_says_both_in_english(office: Office) -> None:
    form = {"staff": str(office.bob.pk), "rule": "", "fine": "一百", "points": "-50", "days": "", "evidence": "x"}
    page = _manager("en").post(PENALTY, form).content.decode()
    assert _after(page, 'id="p-fine"') == "Enter a number."
    assert _after(page, 'id="p-points"') == "Points go from -20 to +5."
    assert _after(page, 'id="p-rule"') == "Name the rule broken or the deed commended."
