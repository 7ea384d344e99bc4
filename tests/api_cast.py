"""The API's cast: 李明 and 黄磊 (its admin) of 安居分销, 周涛 of 好房分销, 安居's own system, and the office
of tests/office.py (王芳 a consultant, 孙丽 at the desk); a second project 西湖二期 with an agent of its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from leadledger.api import tokens
from leadledger.ledger import models
from office import PASSWORD, Office

REPORT_VISIT = {"protection_scheme": "report_visit"}


@dataclass
class Cast:
    office: Office
    liming: models.Agent
    huanglei: models.Agent  # 安居分销's admin
    zhoutao: models.Agent
    anju: models.Distributor
    keys: dict[str, str]  # raw tokens: liming, huanglei, zhoutao, anju (the integration), other (project B)


def agent_make(
    project: models.Project, username: str, name: str, firm: models.Distributor, *, signs_in: bool = False, **kw: Any
) -> models.Agent:
    """An agent with a sign-in; a password only where a test signs in with it (each hash costs some 50 ms)."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD if signs_in else None, first_name=name
    )
    return models.Agent.objects.create(project=project, name=name, distributor=firm, user=user, **kw)


def cast_make(office: Office) -> Cast:
    office.project.policy = REPORT_VISIT
    office.project.save(update_fields=["policy"])
    anju = models.Distributor.objects.create(project=office.project, name="安居分销")
    haofang = models.Distributor.objects.create(project=office.project, name="好房分销")
    liming = agent_make(office.project, "liming", "李明", anju, signs_in=True)
    huanglei = agent_make(office.project, "huanglei", "黄磊", anju, admin=True)
    zhoutao = agent_make(office.project, "zhoutao", "周涛", haofang, signs_in=True)
    other = models.Project.objects.create(code="xh-2", name="西湖二期", policy=REPORT_VISIT)
    wu = agent_make(other, "wuqiang", "吴强", models.Distributor.objects.create(project=other, name="安居分销"))
    keys = {
        "liming": tokens.token_create(agent=liming)[1],
        "huanglei": tokens.token_create(agent=huanglei)[1],
        "zhoutao": tokens.token_create(agent=zhoutao)[1],
        "anju": tokens.token_create(distributor=anju, label="安居 CRM")[1],
        "other": tokens.token_create(agent=wu)[1],
    }
    return Cast(office, liming, huanglei, zhoutao, anju, keys)


class Api:
    """A caller of /api/v1 with a bearer token (or none), in a language."""

    def __init__(self, key: str | None, lang: str = "") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if key is not None:
            self.headers["Authorization"] = f"Bearer {key}"
        if lang:
            self.headers["Accept-Language"] = lang

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)
