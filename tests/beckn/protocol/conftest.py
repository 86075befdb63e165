from typing import Any

import pytest

from tests.beckn.protocol.examples import EXAMPLES, adapt, load


@pytest.fixture
def example_select() -> dict[str, Any]:
    return adapt(load(EXAMPLES / "select" / "select-request.json"))
