"""Fixtures shared by the whole suite."""

import pytest

from helpers import Story


@pytest.fixture
def story() -> Story:
    return Story()
