"""Session fixtures: the real local stack (PostgreSQL, broker, SMTP sink, six services), once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from avtal_testing.api import signed_in
from avtal_testing.stack import StackInfo, start_stack, stop_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    info = start_stack()
    try:
        yield info
    finally:
        stop_stack(info.process)


@pytest.fixture(scope="session")
def staff(stack: StackInfo) -> Iterator[httpx.Client]:
    with signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as client:
        yield client
