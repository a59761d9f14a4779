"""PostgreSQL and a Kafka-protocol broker for the pipeline bench: the environment's, or our own."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from avtal_common.settings import CommonSettings
from avtal_stack.broker import LocalTansu
from avtal_stack.postgres import LocalPostgres


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def bench_infra(home: Path) -> Iterator[tuple[CommonSettings, str]]:
    """Yield settings pointing at PostgreSQL and Kafka, and a description; servers we started stop after."""
    pg = None if "AVTAL_POSTGRES_URL" in os.environ else LocalPostgres(home, free_port())
    tansu = None if "AVTAL_KAFKA_BOOTSTRAP_SERVERS" in os.environ else LocalTansu(home, free_port())
    try:
        overrides: dict[str, str] = {}
        if pg is not None:
            pg.start()
            overrides["postgres_url"] = pg.url
        if tansu is not None:
            tansu.start()
            overrides |= {"kafka_bootstrap_servers": tansu.bootstrap, "kafka_profile": "local"}
        common = CommonSettings(**overrides)  # type: ignore[arg-type]
        where = (
            f"postgres={'embedded' if pg else 'AVTAL_POSTGRES_URL'}, "
            f"kafka={'tansu (embedded)' if tansu else common.kafka_bootstrap_servers}"
            f" profile={common.kafka_profile}"
        )
        yield common, where
    finally:
        if tansu is not None:
            tansu.stop()
        if pg is not None:
            pg.stop()
