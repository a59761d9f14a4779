"""Fixtures for plumbing tests: a scratch database and topic per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from avtal_testing.plumbing import Scratch, scratch
from avtal_testing.stack import StackInfo


@pytest.fixture
async def world(stack: StackInfo) -> AsyncIterator[Scratch]:
    w = await scratch(stack.postgres_url, stack.kafka_bootstrap_servers, stack.kafka_profile, stack.env)
    yield w
    await w.pool.close()
