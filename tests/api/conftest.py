import pytest

from api_cast import Cast, cast_make
from office import Office


@pytest.fixture
def cast(office: Office) -> Cast:
    return cast_make(office)
