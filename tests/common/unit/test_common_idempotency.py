"""Idempotency keys: the request hash that decides 'same request' versus 'key reused'."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from avtal_common.idempotency import request_hash


def test_the_request_hash_ignores_key_order() -> None:
    assert request_hash({"sku": "A", "price": "1.00"}) == request_hash({"price": "1.00", "sku": "A"})


def test_the_request_hash_ignores_key_order_in_nested_objects() -> None:
    a = {"customer": {"name": "Acme", "email": "a@acme.example"}, "lines": [{"sku": "A", "qty": 1}]}
    b = {"lines": [{"qty": 1, "sku": "A"}], "customer": {"email": "a@acme.example", "name": "Acme"}}

    assert request_hash(a) == request_hash(b)


def test_a_different_value_gives_a_different_hash() -> None:
    assert request_hash({"sku": "A", "price": "1.00"}) != request_hash({"sku": "A", "price": "1.01"})


def test_the_order_of_list_items_matters() -> None:
    assert request_hash({"lines": ["a", "b"]}) != request_hash({"lines": ["b", "a"]})


def test_the_request_hash_is_a_sha256_hex_digest() -> None:
    digest = request_hash({"a": 1})

    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_the_request_hash_accepts_uuids_dates_and_decimals() -> None:
    body = {"id": uuid.UUID(int=1), "start": date(2025, 1, 1), "price": Decimal("1.50")}

    assert request_hash(body) == request_hash(dict(reversed(list(body.items()))))
    assert request_hash(body) == request_hash(
        {"id": "00000000-0000-0000-0000-000000000001", "start": "2025-01-01", "price": "1.50"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6), st.randoms(use_true_random=False))
def test_the_request_hash_is_stable_under_any_key_order(body: dict, rnd) -> None:
    items = list(body.items())
    rnd.shuffle(items)

    assert request_hash(dict(items)) == request_hash(body)
