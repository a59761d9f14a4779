"""The event envelope: round trips, money as strings, and refusing malformed messages."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from avtal_common.consumer_dead_letters import summary
from avtal_common.events import Envelope, envelope_headers, parse_envelope
from avtal_common.money import Money, round_money
from avtal_common.payloads.billing import InvoiceGenerated, InvoiceLineData
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.topics import ALL, CATALOG_PRODUCT_UPSERTED, INVOICE_GENERATED, dlq

PRODUCT_ID = uuid.UUID("6f1c1f9e-3c55-4a8e-9d4a-5f0e0c7b2a11")


def _product(**changes: object) -> ProductUpserted:
    fields: dict[str, object] = dict(
        product_id=PRODUCT_ID,
        sku="PRN-CARE",
        name="Printer care",
        annual_price=Decimal("1200.10"),
        currency="SEK",
    )
    fields.update(changes)
    return ProductUpserted(**fields)


def _envelope(data: BaseModel | None = None, **changes: object) -> Envelope[ProductUpserted]:
    data = data or _product()
    return Envelope[type(data)](
        event_type=CATALOG_PRODUCT_UPSERTED,
        producer="catalog",  # type: ignore[misc]
        aggregate_id=str(PRODUCT_ID),
        data=data,
        **changes,
    )


def _invoice() -> InvoiceGenerated:
    return InvoiceGenerated(
        invoice_id=uuid.uuid4(),
        invoice_no="INV-2025-000001",
        contract_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        customer_name="Acme",
        customer_email="a@acme.example",
        currency="SEK",
        issue_date=date(2025, 1, 1),
        due_date=date(2025, 1, 31),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 4, 1),
        total=Decimal("300.00"),
        lines=[
            InvoiceLineData(
                description="Care",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 4, 1),
                amount=Decimal("300.00"),
            )
        ],
        pdf_path="invoices/x.pdf",
        pdf_sha256="ab" * 32,
    )


# --- round trip ------------------------------------------------------------------------------


def test_an_envelope_survives_a_json_round_trip_unchanged() -> None:
    env = _envelope(correlation_id="corr-1", causation_id=uuid.uuid4(), version=3)

    back = parse_envelope(env.model_dump_json(), ProductUpserted)

    assert back == env
    assert back.event_id == env.event_id
    assert back.occurred_at == env.occurred_at
    assert back.data.annual_price == Decimal("1200.10")
    assert isinstance(back.data, ProductUpserted)


def test_parse_envelope_accepts_bytes_as_well_as_text() -> None:
    env = _envelope()

    assert parse_envelope(env.model_dump_json().encode(), ProductUpserted) == env


def test_every_envelope_gets_its_own_event_id_and_an_aware_utc_time() -> None:
    a, b = _envelope(), _envelope()

    assert a.event_id != b.event_id
    assert a.occurred_at.tzinfo is not None
    assert a.occurred_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert a.schema_version == 1


def test_decimal_amounts_travel_as_json_strings_never_floats() -> None:
    env = _envelope()

    raw = json.loads(env.model_dump_json())

    assert raw["data"]["annual_price"] == "1200.10"
    assert isinstance(raw["data"]["annual_price"], str)


def test_nested_invoice_amounts_travel_as_json_strings() -> None:
    inv = _invoice()
    env = Envelope[InvoiceGenerated](
        event_type=INVOICE_GENERATED, producer="billing", aggregate_id=str(inv.invoice_id), data=inv
    )

    raw = json.loads(env.model_dump_json(), parse_float=lambda s: pytest.fail(f"float in JSON: {s}"))

    assert raw["data"]["total"] == "300.00"
    assert raw["data"]["lines"][0]["amount"] == "300.00"
    assert parse_envelope(env.model_dump_json(), InvoiceGenerated) == env


def test_trailing_zeros_of_an_amount_are_kept_on_the_wire() -> None:
    raw = json.loads(_envelope(_product(annual_price=Decimal("1200.00"))).model_dump_json())

    assert raw["data"]["annual_price"] == "1200.00"


def test_a_large_amount_keeps_every_digit() -> None:
    env = _envelope(_product(annual_price=Decimal("12345678901234567.89")))

    back = parse_envelope(env.model_dump_json(), ProductUpserted)

    assert back.data.annual_price == Decimal("12345678901234567.89")


def test_money_serialises_its_amount_as_a_string() -> None:
    assert json.loads(Money(amount=Decimal("9.90"), currency="EUR").model_dump_json()) == {
        "amount": "9.90",
        "currency": "EUR",
    }


@pytest.mark.parametrize("currency", ["sek", "SE", "SEKK", "", "12A"])
def test_money_refuses_a_currency_that_is_not_three_capital_letters(currency: str) -> None:
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1.00"), currency=currency)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("7", "7.00")],
)
def test_round_money_rounds_half_up_to_the_cent(value: str, expected: str) -> None:
    rounded = round_money(Decimal(value))

    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -2


def test_a_payload_is_frozen() -> None:
    with pytest.raises(ValidationError):
        _product().sku = "other"  # type: ignore[misc]


# --- malformed messages ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b"[]", b"null", b'{"event_type": "x"'])
def test_parse_envelope_refuses_malformed_json(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_envelope(raw, ProductUpserted)


@pytest.mark.parametrize("missing", ["event_type", "producer", "aggregate_id", "data"])
def test_parse_envelope_refuses_an_envelope_missing_a_required_field(missing: str) -> None:
    raw = json.loads(_envelope().model_dump_json())
    del raw[missing]

    with pytest.raises(ValidationError) as caught:
        parse_envelope(json.dumps(raw), ProductUpserted)

    assert any(err["loc"] == (missing,) for err in caught.value.errors())


@pytest.mark.parametrize("missing", ["product_id", "sku", "annual_price", "currency"])
def test_parse_envelope_refuses_a_payload_missing_a_required_field(missing: str) -> None:
    raw = json.loads(_envelope().model_dump_json())
    del raw["data"][missing]

    with pytest.raises(ValidationError) as caught:
        parse_envelope(json.dumps(raw), ProductUpserted)

    assert any(err["loc"] == ("data", missing) for err in caught.value.errors())


@pytest.mark.parametrize(
    ("field", "value"), [("annual_price", "lots"), ("currency", "kronor"), ("product_id", "not-a-uuid")]
)
def test_parse_envelope_refuses_a_payload_field_of_the_wrong_shape(field: str, value: str) -> None:
    raw = json.loads(_envelope().model_dump_json())
    raw["data"][field] = value

    with pytest.raises(ValidationError):
        parse_envelope(json.dumps(raw), ProductUpserted)


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    raw = json.loads(_envelope().model_dump_json())
    raw["trace_flags"] = 1
    raw["data"]["warranty_months"] = 36

    env = parse_envelope(json.dumps(raw), ProductUpserted)

    assert env.data.sku == "PRN-CARE"
    assert "warranty_months" not in env.data.model_dump()


def test_optional_envelope_fields_get_their_defaults_when_absent() -> None:
    raw = {
        "event_type": CATALOG_PRODUCT_UPSERTED,
        "producer": "catalog",
        "aggregate_id": "p-1",
        "data": json.loads(_product().model_dump_json()),
    }

    env = parse_envelope(json.dumps(raw), ProductUpserted)

    assert isinstance(env.event_id, uuid.UUID)
    assert (env.schema_version, env.version, env.correlation_id, env.causation_id) == (1, 1, None, None)
    assert env.occurred_at <= datetime.now(UTC)


# --- headers and error summaries ---------------------------------------------------------------


def test_headers_carry_the_event_id_type_and_correlation_id() -> None:
    env = _envelope(correlation_id="corr-42")

    assert envelope_headers(env) == {
        "event_id": str(env.event_id),
        "event_type": CATALOG_PRODUCT_UPSERTED,
        "x-correlation-id": "corr-42",
    }


def test_headers_leave_out_a_missing_correlation_id() -> None:
    assert "x-correlation-id" not in envelope_headers(_envelope())


def test_a_schema_error_summary_names_the_path_of_each_bad_field() -> None:
    raw = json.loads(_envelope().model_dump_json())
    del raw["data"]["sku"]

    with pytest.raises(ValidationError) as caught:
        parse_envelope(json.dumps(raw), ProductUpserted)

    assert summary(caught.value) == "data.sku: Field required"


def test_a_schema_error_summary_of_invalid_json_points_at_the_root() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_envelope(b"not json", ProductUpserted)

    assert summary(caught.value).startswith("<root>: ")


def test_a_schema_error_summary_lists_at_most_five_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_envelope(b'{"data": {}}', ProductUpserted)

    assert len(caught.value.errors()) > 5
    assert summary(caught.value).count("; ") == 4


# --- topics -----------------------------------------------------------------------------------


def test_topic_names_are_unique_and_dead_letter_topics_add_a_dlq_suffix() -> None:
    assert len(set(ALL)) == len(ALL)
    assert dlq(INVOICE_GENERATED) == "invoice.generated.dlq"
    assert not any(t.endswith(".dlq") for t in ALL)
