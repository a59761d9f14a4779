"""Idempotent HTTP commands: the first result under a key is stored in the same transaction and replayed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from avtal_common.errors import Conflict
from avtal_common.uow import Tx

M = TypeVar("M", bound=BaseModel)

_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
_GET = "SELECT request_hash, response FROM idempotency_keys WHERE key = $1"
_PUT = "INSERT INTO idempotency_keys (key, request_hash, response) VALUES ($1, $2, $3)"


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def once(tx: Tx, key: str | None, body: Any, out: type[M], run: Callable[[], Awaitable[M]]) -> M:
    """Run `run` unless `key` was used before; then return the stored result (409 if the body differs)."""
    if not key:
        return await run()
    digest = request_hash(body)
    await tx.conn.execute(_LOCK, key)
    row = await tx.conn.fetchrow(_GET, key)
    if row is not None:
        if row["request_hash"] != digest:
            raise Conflict(f"Idempotency-Key {key!r} was already used with a different request body")
        return out.model_validate(row["response"])
    result = await run()
    await tx.conn.execute(_PUT, key, digest, result.model_dump(mode="json"))
    return result
