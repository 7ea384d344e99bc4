"""Data migrations fill what they add for the customers already there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_existing_customers_get_their_spellings_and_phone_tails() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("ledger", "0005_event_kind_index")])
    apps = executor.loader.project_state([("ledger", "0005_event_kind_index")]).apps
    project = apps.get_model("ledger", "Project").objects.create(code="old", name="老项目")
    apps.get_model("ledger", "Customer").objects.create(project=project, name="张伟", phone="+8613800005678")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from leadledger.ledger.models import Customer

    customer = Customer.objects.get(project__code="old")
    assert (customer.pinyin, customer.initials, customer.phone_tail) == ("zhangwei", "zw", "5678")
