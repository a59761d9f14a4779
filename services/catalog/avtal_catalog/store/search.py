"""Product search: full text (prefix terms) or trigram word similarity, with filters, paginated."""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from avtal_catalog.domain.products import Product
from avtal_catalog.store.products import product_of

# Full text matches every typed word as a prefix ("r47" finds "r740"); trigram word similarity catches
# typos ("powredge"). Ranked by similarity, then SKU, so pages are stable.
_WHERE = """
WHERE ($1::text IS NULL OR search @@ to_tsquery('simple', $2) OR $1 <% search_text)
  AND ($3::text IS NULL OR lower(manufacturer) = lower($3))
  AND ($4::text IS NULL OR models @> ARRAY[$4]::text[])
  AND ($5::text IS NULL OR category = $5)
  AND (NOT $6::boolean OR active)
"""
_SEARCH = f"""
SELECT *, count(*) OVER () AS total FROM products {_WHERE}
ORDER BY CASE WHEN $1::text IS NULL THEN 0 ELSE word_similarity($1, search_text) END DESC, sku
LIMIT $7 OFFSET $8
"""
_COUNT_ONLY = f"SELECT count(*) FROM products {_WHERE}"
# The default 0.6 misses a dropped letter in a short word ("powredge" ~ "poweredge" is 0.58).
_TOLERANCE = "SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)"


@dataclass(frozen=True)
class ProductQuery:
    text: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    category: str | None = None
    active_only: bool = False
    limit: int = 20
    offset: int = 0


def prefix_query(text: str) -> str | None:
    """'PowerEdge R47' → 'poweredge:* & r47:*'; 'DELL-R740' → 'dell:* & r740:*' (only letters and digits
    reach to_tsquery, so no input can be a tsquery syntax error)."""
    terms = [f"{w}:*" for w in re.findall(r"[^\W_]+", text.lower())]
    return " & ".join(terms) or None


async def search_products(conn: asyncpg.Connection, q: ProductQuery) -> tuple[list[Product], int]:
    text = q.text.strip().lower() if q.text and q.text.strip() else None
    tsq = prefix_query(text) if text else None
    args = (text, tsq or "", q.manufacturer, q.model, q.category, q.active_only)
    await conn.execute(_TOLERANCE)  # local to the caller's transaction
    rows = await conn.fetch(_SEARCH, *args, q.limit, q.offset)
    if rows:
        return [product_of(r) for r in rows], int(rows[0]["total"])
    total = int(await conn.fetchval(_COUNT_ONLY, *args)) if q.offset else 0
    return [], total
