"""The dashboard's version stream: an event when something changed, a heartbeat when nothing did, and an
end as soon as the process is asked to stop."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator

import pytest

from avtal_common.api.dashboard import DashboardVersion
from avtal_gateway.adapters.shutdown import Shutdown
from avtal_gateway.handlers.dashboard import version_events


class Script:
    """What reporting answers, one poll after another; the process stops after the last answer."""

    def __init__(self, *answers: DashboardVersion | None) -> None:
        self.answers = list(answers)
        self.polls = 0
        self.now = 0.0

    async def read(self) -> DashboardVersion | None:
        self.polls += 1
        self.now += 1.0  # each poll takes a second of the fake clock
        return self.answers.pop(0)

    def stopping(self) -> bool:
        return not self.answers

    def clock(self) -> float:
        return self.now


def v(version: int, lag: int = 0, rebuilding: bool = False) -> DashboardVersion:
    return DashboardVersion(version=version, lag=lag, rebuilding=rebuilding)


async def encoded(script: Script, heartbeat_s: float = 100.0) -> list[str]:
    events = version_events(
        script.read, script.stopping, poll_s=0, heartbeat_s=heartbeat_s, clock=script.clock
    )
    return [m.encode().decode() async for m in events]


async def test_the_first_answer_is_sent_at_once_then_only_changes() -> None:
    sent = await encoded(Script(v(1), v(1), v(1), v(2), v(2, lag=3), v(2, lag=3)))
    data = [
        json.loads(line.removeprefix("data: "))
        for e in sent
        for line in e.splitlines()
        if line.startswith("data: ")
    ]
    assert [d["version"] for d in data] == [1, 2, 2]
    assert data[-1] == {"version": 2, "lag": 3, "rebuilding": False}
    assert all("event: version" in e for e in sent)


async def test_quiet_time_is_filled_with_heartbeat_comments() -> None:
    sent = await encoded(Script(v(1), v(1), v(1), v(1), v(1)), heartbeat_s=2)
    assert sent.count(": heartbeat\r\n\r\n") == 2
    assert "event: version" in sent[0]


async def test_reporting_out_of_reach_is_said_once_and_the_stream_goes_on() -> None:
    sent = await encoded(Script(v(1), None, None, v(2)))
    kinds = [line for e in sent for line in e.splitlines() if line.startswith("event: ")]
    assert kinds == ["event: version", "event: unavailable", "event: version"]


async def test_a_stop_ends_the_stream_without_another_poll() -> None:
    script = Script(v(1))
    shutdown = Shutdown()
    events = version_events(script.read, shutdown.is_set, poll_s=0)
    assert "event: version" in (await anext(events)).encode().decode()
    shutdown.set()
    assert [m async for m in events] == []
    assert script.polls == 1


async def test_a_stream_ends_after_its_longest_life_so_the_session_is_checked_again() -> None:
    script = Script(*[v(1)] * 10)
    events = version_events(script.read, script.stopping, poll_s=0, max_s=3.5, clock=script.clock)
    sent = [m async for m in events]
    assert script.polls == 4 and len(sent) == 1
    assert "retry: 1000" in sent[0].encode().decode()


@pytest.fixture
def sigterm_handler() -> Iterator[list[int]]:
    """A stand-in for uvicorn's handler; both signals' handlers are restored afterwards."""
    seen: list[int] = []
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    yield seen
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_a_sigterm_marks_the_stop_and_still_reaches_the_handler_before_it(sigterm_handler: list[int]) -> None:
    shutdown = Shutdown()
    shutdown.install()
    os.kill(os.getpid(), signal.SIGTERM)
    assert shutdown.is_set()
    assert sigterm_handler == [signal.SIGTERM]
