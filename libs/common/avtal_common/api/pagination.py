"""One page of a list: every list endpoint, internal or public, answers with this shape."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from litestar.params import Parameter
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_LIMIT = 1000


class Page(BaseModel, Generic[T]):
    """`items` from `offset` on, at most `limit` of them, out of `total` matching."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int = Field(ge=1, le=MAX_LIMIT)
    offset: int = Field(ge=0)

    @property
    def next_offset(self) -> int | None:
        nxt = self.offset + len(self.items)
        return nxt if nxt < self.total else None


# Query parameters of every list route: `limit: Limit = 100, offset: Offset = 0`.
MAX_OFFSET = 1_000_000_000  # beyond any real list; a larger number would overflow the SQL's bigint
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="at most this many items")]
Offset = Annotated[
    int, Parameter(ge=0, le=MAX_OFFSET, description="skip this many items (the next page: offset + limit)")
]
