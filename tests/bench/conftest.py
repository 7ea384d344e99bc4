import pytest

from office import Office
from workbench import Workbench, workbench_create


@pytest.fixture
def bench(office: Office) -> Workbench:
    return workbench_create(office)
