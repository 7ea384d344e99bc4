"""Fixtures shared by the whole suite."""

import pytest

from helpers import Story
from office import Office, office_create


@pytest.fixture
def story() -> Story:
    return Story()


@pytest.fixture
def office(db: None) -> Office:
    return office_create()
