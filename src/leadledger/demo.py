"""Realistic demo data: a sales office with months of history, made with Faker zh_CN and the engine."""

from __future__ import annotations

import os
import random
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .engine import mainland_mobile
from .engine.model import CALL, DEAL, ESCORTED_VISIT, FOLLOW_UP, REGISTRATION, RENEWAL, VISIT, body_for
from .ledger import models, relations, services

CODE = "demo"
PASSWORD = "leadledger-demo"
# (username, name, role)
PEOPLE = [
    ("admin", "系统管理员", models.Staff.Role.ADMIN),
    ("manager", "赵强", models.Staff.Role.MANAGER),
    ("reception", "孙丽", models.Staff.Role.RECEPTIONIST),
    ("wangfang", "王芳", models.Staff.Role.CONSULTANT),
    ("liuyang", "刘洋", models.Staff.Role.CONSULTANT),
    ("chenjing", "陈静", models.Staff.Role.CONSULTANT),
    ("lina", "李娜", models.Staff.Role.CONSULTANT),
    ("zhangmin", "张敏", models.Staff.Role.CONSULTANT),
    ("zhoujie", "周杰", models.Staff.Role.CONSULTANT),
    ("channel", "吴刚", models.Staff.Role.CHANNEL_SPECIALIST),
]
AGENTS = [("李明", "安居分销"), ("黄磊", "安居分销"), ("周涛", "好房分销"), ("郑浩", "好房分销")]
# Agents who sign in (issue 15): (username, name, the distributor's admin); 郑浩 has no login.
AGENT_LOGINS = [("liming", "李明", False), ("huanglei", "黄磊", True), ("zhoutao", "周涛", False)]


def logins() -> list[tuple[str, str, str]]:
    """(username, password, role label) of the demo's people, agents last with their distributor."""
    firms = dict(AGENTS)
    people = [(username, PASSWORD, str(role.label)) for username, _, role in PEOPLE]
    for username, name, admin in AGENT_LOGINS:
        role = gettext("Distributor's admin") if admin else gettext("Agent")
        people.append((username, PASSWORD, f"{role} · {firms[name]}"))
    return people


def secret_key_ensure() -> Path | None:
    """Give this installation a random secret key of its own, once; return the file when one was written.

    Without LEADLEDGER_SECRET_KEY, settings read the key from LEADLEDGER_SECRET_KEY_FILE (beside a SQLite
    database). The first demo or serve writes it there, readable by its owner only, and uses it at once.
    """
    if os.environ.get("LEADLEDGER_SECRET_KEY"):
        return None
    path = Path(settings.LEADLEDGER_SECRET_KEY_FILE)
    try:
        if path.read_text("utf-8").strip():
            return None
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    os.chmod(path, 0o600)  # an existing empty file keeps its mode through O_CREAT
    settings.SECRET_KEY = key
    return path


def demo_phone(fake: Any) -> str | None:
    """A Faker number in E.164 if it is a mainland mobile, else None.

    Faker knows prefixes (149…) that phonenumbers' data does not: the demo keeps only the numbers the
    engine, the desk and the import accept as mainland mobiles (ID-1).
    """
    return mainland_mobile(fake.phone_number())


def _office_hours(rng: random.Random, day: datetime) -> datetime:
    return day.replace(hour=rng.randint(9, 17), minute=rng.choice((0, 10, 20, 30, 40, 50)), second=0, microsecond=0)


def demo_create(*, customers: int = 3000, seed: int = 2026, now: datetime | None = None) -> tuple[models.Project, bool]:
    """Create the demo project once; return it and whether it was created now."""
    existing = models.Project.objects.filter(code=CODE).first()
    if existing is not None:
        return existing, False
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    zone = ZoneInfo("Asia/Shanghai")
    now = (now or timezone.now()).astimezone(zone)
    with transaction.atomic():
        project = models.Project.objects.create(code=CODE, name="滨江壹号（演示项目）", policy={})
        sites = ["市区展厅", "工地售楼处"]
        for site in sites:
            models.Site.objects.create(project=project, name=site)
        users = get_user_model()
        staff: dict[str, models.Staff] = {}
        for username, name, role in PEOPLE:
            is_admin = role == models.Staff.Role.ADMIN  # the admin pages are for set-up, by admins only
            # The demo's password passes the same validators as anyone's (AUTH_PASSWORD_VALIDATORS).
            validate_password(PASSWORD, users(username=username, first_name=name))
            user = users.objects.create_user(
                username=username, password=PASSWORD, first_name=name, is_staff=is_admin, is_superuser=is_admin
            )
            staff[username] = models.Staff.objects.create(project=project, user=user, name=name, role=role)
        distributors = {
            name: models.Distributor.objects.create(project=project, name=name)
            for name in dict.fromkeys(d for _n, d in AGENTS)
        }
        signing_in = {name: (username, admin) for username, name, admin in AGENT_LOGINS}
        agents = []
        for name, firm in AGENTS:
            user, admin = None, False
            if name in signing_in:
                username, admin = signing_in[name]
                user = users.objects.create_user(username=username, password=PASSWORD, first_name=name)
            agents.append(
                models.Agent.objects.create(
                    project=project, name=name, distributor=distributors[firm], user=user, admin=admin
                )
            )
        phones: set[str] = set()
        people = []
        while len(people) < customers:
            phone = demo_phone(fake)
            if phone is None or phone in phones:
                continue
            phones.add(phone)
            people.append(models.Customer(project=project, name=fake.name(), phone=phone).spell())
        people = models.Customer.objects.bulk_create(people)
        for i in range(0, len(people) - 1, 12):  # about one in twelve comes with a verified spouse or child
            relations.relation_create(
                project=project,
                a=people[i],
                b=people[i + 1],
                verified=True,
                kind=rng.choice(["spouse", "parent_child"]),
            )
    consultants = [s for s in staff.values() if s.role == models.Staff.Role.CONSULTANT]
    manager = staff["manager"]
    records: list[tuple[str, dict[str, Any], datetime]] = []
    for person in people:
        cid = str(person.pk)
        start = _office_hours(rng, now - timedelta(days=rng.randint(1, 180)))
        owner = rng.choice(consultants)
        site = rng.choice(sites)
        if rng.random() < 0.15:  # a distributor's customer, escorted in
            agent = str(rng.choice(agents).pk)
            if start > now - timedelta(days=60):  # lately, most were registered (报备) the day before
                records.append(
                    (REGISTRATION, body_for(REGISTRATION, customer=cid, agent=agent), start - timedelta(days=1))
                )
            records.append((ESCORTED_VISIT, {"customer": cid, "agent": agent}, start - timedelta(minutes=5)))
        elif rng.random() < 0.1:
            records.append(
                (CALL, {"customer": cid, "staff": str(rng.choice(consultants).pk)}, start - timedelta(days=2))
            )
        records.append(
            (VISIT, {"customer": cid, "staff": str(owner.pk), "site": site, "registered": rng.random() < 0.96}, start)
        )
        moment = start
        for _ in range(rng.randint(0, 6)):
            moment = _office_hours(rng, moment + timedelta(days=rng.randint(1, 20)))
            if moment >= now:
                break
            roll = rng.random()
            if roll < 0.6:
                records.append((FOLLOW_UP, {"customer": cid, "staff": str(owner.pk)}, moment))
            elif roll < 0.8:
                records.append((CALL, {"customer": cid, "staff": str(owner.pk)}, moment))
            elif roll < 0.9:
                records.append((VISIT, {"customer": cid, "staff": str(rng.choice(consultants).pk)}, moment))
            else:
                records.append(
                    (RENEWAL, {"customer": cid, "staff": str(owner.pk), "approved_by": str(manager.pk)}, moment)
                )
        if rng.random() < 0.08 and moment + timedelta(days=1) < now:
            helped = rng.random() < 0.2
            deal = body_for(
                DEAL,
                customer=cid,
                buyer=cid,
                staff=str(owner.pk),
                helper=str(rng.choice(consultants).pk) if helped else None,
                help="decisive" if helped else None,
            )
            records.append((DEAL, deal, _office_hours(rng, moment + timedelta(days=1))))
    services.events_import(project=project, records=records)
    from .demo_work import work_create  # the apps beyond the ledger, loaded once Django is set up

    work_create(project, staff, consultants, rng)
    return project, True
