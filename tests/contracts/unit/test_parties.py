"""Customers, CRM upserts and import rows: the pure rules and the handlers with in-memory fakes."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from contracts.unit.fakes import FakeContractsUnitOfWork
from pydantic import ValidationError

from avtal_common.errors import Conflict, DomainError
from avtal_common.events import Envelope
from avtal_common.payloads.customers import CustomerUpserted
from avtal_contracts.domain.commands import UpdateCustomer
from avtal_contracts.domain.customers import applies, changed, new_customer
from avtal_contracts.domain.imports import ContractLineRow, CustomerRow
from avtal_contracts.handlers.contract_import import command
from avtal_contracts.handlers.customers import on_customer_upserted, update_customer

NOV_1, NOV_2 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)


def test_a_change_raises_the_version_by_one_and_the_same_values_again_are_no_new_version() -> None:
    c = new_customer("Kund AB", "f@kund.example")

    moved = changed(c, {"city": "Lund"})

    assert (moved.city, moved.version) == ("Lund", 2)
    assert changed(moved, {"city": "Lund"}) is moved


def test_reverse_charge_needs_a_vat_number_and_country_and_currency_their_iso_codes() -> None:
    c = new_customer("Kund GmbH", "r@kunde.example", country="DE")
    with pytest.raises(DomainError, match="VAT number"):
        changed(c, {"reverse_charge": True})
    with pytest.raises(DomainError, match="two capital letters"):
        changed(c, {"country": "Germany"})
    assert changed(c, {"reverse_charge": True, "tax_id": "DE1"}).reverse_charge


def test_a_crm_event_applies_only_when_newer_than_the_last_crm_change() -> None:
    fresh = new_customer("Kund AB", "f@kund.example")
    synced = replace(fresh, crm_updated_at=NOV_1)

    assert applies(None, NOV_1) and applies(fresh, NOV_1)
    assert applies(synced, NOV_2)
    assert not applies(synced, NOV_1)  # the same change again
    assert not applies(synced, datetime(2026, 10, 31, tzinfo=UTC))


def _upserted(ref: str, at: datetime, **data: object) -> Envelope[CustomerUpserted]:
    payload = CustomerUpserted.model_validate(
        {"external_ref": ref, "name": "Kund AB", "email": "f@k.example"} | data
    )
    return Envelope[CustomerUpserted](event_type="customer.upserted", producer="crm", aggregate_id=ref,
                                      occurred_at=at, data=payload)  # fmt: skip


async def test_crm_events_create_then_update_by_reference_and_an_older_one_changes_nothing() -> None:
    uow = FakeContractsUnitOfWork()

    await on_customer_upserted(uow, _upserted("CRM-1", NOV_1, city="Bonn", country="DE"))
    await on_customer_upserted(uow, _upserted("CRM-1", NOV_2, city="Köln"))
    await on_customer_upserted(uow, _upserted("CRM-1", NOV_1, city="Aachen"))

    (stored,) = uow.customers.rows.values()
    assert (stored.city, stored.country, stored.version, stored.crm_updated_at) == ("Köln", "DE", 2, NOV_2)
    states = [(e.version, e.data.customer.city) for e in uow.outbox.events if e.topic == "customer.state"]
    assert states == [(1, "Bonn"), (2, "Köln")], "each applied change tells billing, the stale one does not"


async def test_an_update_with_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    uow = FakeContractsUnitOfWork()
    c = new_customer("Kund AB", "f@kund.example")
    await uow.customers.add(c)

    await update_customer(uow, UpdateCustomer(c.customer_id, {"city": "Lund"}, expected_version=1))
    with pytest.raises(Conflict, match="version 2, not 1"):
        await update_customer(uow, UpdateCustomer(c.customer_id, {"city": "Ystad"}, expected_version=1))

    assert (uow.customers.rows[c.customer_id].city, uow.customers.rows[c.customer_id].version) == ("Lund", 2)
    assert [(e.topic, e.version) for e in uow.outbox.events] == [("customer.state", 2)]


def test_a_customer_row_reads_yes_no_words_and_external_ids() -> None:
    row = CustomerRow.model_validate(
        {"external_ref": "K1", "name": "Kund", "email": "a@b.se", "reverse_charge": "ja", "tax_id": "SE1",
         "external_ids": "erp=4711 | crm = C-9", "country": "se", "vat_rate": "0"}
    )  # fmt: skip

    assert (row.reverse_charge, row.country, row.vat_rate) == (True, "SE", Decimal("0"))
    assert json.loads(row.external_ids or "") == {"erp": "4711", "crm": "C-9"}
    with pytest.raises(ValidationError, match="VAT number"):
        CustomerRow.model_validate(
            {"external_ref": "K1", "name": "K", "email": "a@b.se", "reverse_charge": "yes"}
        )
    with pytest.raises(ValidationError, match="yes or no"):
        CustomerRow.model_validate(
            {"external_ref": "K1", "name": "K", "email": "a@b.se", "reverse_charge": "maybe"}
        )


LINE = {"contract_ref": "K", "customer_ref": "C", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "sku": "S", "manufacturer_no": "M", "model": "X", "serial_no": "1"}  # fmt: skip


def test_a_contract_row_keeps_its_line_within_the_term_and_a_billing_interval_of_1_3_6_or_12() -> None:
    assert (
        ContractLineRow.model_validate(LINE | {"billing_interval_months": "3"}).billing_interval_months == 3
    )
    with pytest.raises(ValidationError, match="1, 3, 6 or 12"):
        ContractLineRow.model_validate(LINE | {"billing_interval_months": "2"})
    with pytest.raises(ValidationError, match="must lie within"):
        ContractLineRow.model_validate(LINE | {"line_end": "2027-01-31"})


def test_a_contract_of_the_file_becomes_the_apis_create_command_with_its_defaults() -> None:
    customer_id = uuid.uuid4()
    group = {
        "contract_ref": "K-1", "customer_id": customer_id, "currency": "SEK", "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31), "billing_interval_months": None, "billing_timing": None,
        "price_policy": "uplift_pct", "uplift_pct": Decimal("3"), "auto_renew": True, "notice_days": None,
        "status": None, "skus": ["S1", "S2"], "makers": ["M", "M"], "models": ["X", "Y"],
        "serials": ["1", "2"],
        "prices": [None, Decimal("900.00")], "quantities": [None, 2], "starts": [None, date(2026, 7, 1)],
        "ends": [None, None],
    }  # fmt: skip

    cmd = command(group)

    assert (cmd.customer_id, cmd.external_ref, cmd.status) == (customer_id, "K-1", "active")
    assert (cmd.terms.billing_interval_months, cmd.terms.price_policy, cmd.terms.auto_renew) == (
        12,
        "uplift_pct",
        True,
    )
    assert [(ln.sku, ln.annual_price, ln.quantity, ln.start_date) for ln in cmd.lines] == [
        ("S1", None, 1, None),
        ("S2", Decimal("900.00"), 2, date(2026, 7, 1)),
    ]
