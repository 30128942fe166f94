"""Each end-to-end conversation gets its own sender id."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"
