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
        {"id": "00000000-0000-0000-0000-000000000001", "start": "2025-01-01", "price": "1.50"}
    )


keys = st.text(alphabet="abcdefghij_", max_size=5)
scalars = st.none() | st.booleans() | st.integers() | st.text(alphabet="xyzåä 0", max_size=6)
json_values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(keys, scalars, max_size=3)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=6), st.data())
def test_the_request_hash_is_stable_under_any_key_order(body: dict, data: st.DataObject) -> None:
    shuffled = dict(data.draw(st.permutations(list(body.items())), label="order"))

    assert request_hash(shuffled) == request_hash(body)
