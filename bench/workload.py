"""The bench's events: service-style envelopes as outbox rows, shared by the pipeline and the raw limit."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from avtal_common.events import Payload, envelope_headers
from avtal_common.logging import bind_correlation_id
from avtal_common.outbox import new_envelope

AGGREGATES = 1000


class BenchPayload(Payload):
    contract_id: str
    amount_cents: int
    currency: str
    note: str


@dataclass(frozen=True)
class Row:
    """One outbox row: the columns `outbox.add_event` writes."""

    event_id: uuid.UUID
    key: str
    payload: bytes
    headers: dict[str, str]


def make_rows(topic: str, n: int) -> list[Row]:
    """Events as a service writes them: each carries the correlation id of the request that caused it."""
    aggregates = [str(uuid.uuid4()) for _ in range(AGGREGATES)]
    rows = []
    for i in range(n):
        agg = aggregates[i % AGGREGATES]
        data = BenchPayload(contract_id=agg, amount_cents=1000 + i, currency="SEK", note=f"bench event {i}")
        bind_correlation_id(None)
        env = new_envelope(topic, "bench", agg, data, version=i // AGGREGATES + 1)
        rows.append(
            Row(env.event_id, env.aggregate_id, env.model_dump_json().encode(), envelope_headers(env))
        )
    return rows


def outbox_records(topic: str, rows: list[Row]) -> list[tuple[uuid.UUID, str, str, bytes, str]]:
    """Records for COPY into outbox (event_id, topic, key, payload, headers as jsonb text)."""
    return [(r.event_id, topic, r.key, r.payload, json.dumps(r.headers)) for r in rows]
