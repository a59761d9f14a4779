"""Knowing early that the process is stopping, so open event streams end at once.

uvicorn, on SIGINT or SIGTERM, waits for open responses to finish (up to its graceful timeout, 20 s)
before it runs the app's shutdown: a dashboard's endless event stream would hold every stop up that
long. The lifespan hears of the stop too late, so we listen to the signal itself, beside uvicorn."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Shutdown:
    def __init__(self) -> None:
        self._stopping = threading.Event()  # set from a signal handler: no asyncio call is safe there

    def is_set(self) -> bool:
        return self._stopping.is_set()

    def set(self) -> None:
        self._stopping.set()

    def install(self) -> None:
        """Chain a handler in front of the current one (uvicorn's); only the main thread has signals."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in SIGNALS:
            signal.signal(sig, self._chained(signal.getsignal(sig)))

    def _chained(self, previous: Any) -> Any:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.set()
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:  # nobody else listens: stop the way the signal would
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        return handler
