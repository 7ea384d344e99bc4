"""KSA appraisals (W-7): the manager appraises their own team, beside what each did in the period."""

from __future__ import annotations

from django.test import Client

from leadledger.bench.models import Appraisal
from leadledger.engine import duties as d
from office import PASSWORD, client_in
from workbench import Workbench, call

FORM = {"post": "manager", "knowledge": "senior", "skills": "manager", "attributes": "assistant", "comment": "抗压不足"}


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_manager_appraises_a_member_beside_her_counted_work(bench: Workbench) -> None:
    office = bench.office
    call(office, office.zhang, office.alice)
    zhao = _signed_in("zhao")
    page = zhao.get("/p/hz-1/bench/team/appraisals/").content.decode()
    assert "王芳" in page and "尚未考核" in page and "回访老客户" in page
    done = zhao.post("/p/hz-1/bench/team/appraisals/", {**FORM, "staff": office.alice.pk}, follow=True).content.decode()
    assert "已保存王芳的" in done and "考核：客户经理助理" in done
    assert "未达岗位要求：素质" in done
    zhao.post("/p/hz-1/bench/team/appraisals/", {**FORM, "staff": office.alice.pk, "attributes": "manager"})
    saved = Appraisal.objects.get()  # the period's appraisal redone, not a second one
    assert (saved.attributes, saved.by, saved.cadence) == ("manager", office.zhao, "monthly")
    today = _signed_in("alice").get("/p/hz-1/bench/").content.decode()
    said = d.period_words(saved.cadence, saved.period)  # the period in words, never its key
    assert (
        said != saved.period and f"{said}能力考核：客户经理" in today and "抗压不足" in today
    )  # W-7, beside her own duties


def test_only_the_managers_own_team_and_every_level_is_required(bench: Workbench) -> None:
    zhao = _signed_in("zhao")
    outsider = zhao.post("/p/hz-1/bench/team/appraisals/", {**FORM, "staff": bench.office.bob.pk})
    assert outsider.status_code == 422 and "只能考核自己团队的成员" in outsider.content.decode()
    missing = zhao.post("/p/hz-1/bench/team/appraisals/", {**FORM, "staff": bench.office.alice.pk, "skills": ""})
    assert missing.status_code == 422 and "请选择层级" in missing.content.decode()
    assert "抗压不足" in missing.content.decode() and not Appraisal.objects.exists()
    assert _signed_in("alice").get("/p/hz-1/bench/team/appraisals/").status_code == 403
