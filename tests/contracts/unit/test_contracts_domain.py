"""Opening contracts and registering covered items: pure rules of avtal_contracts.domain."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from avtal_common.errors import DomainError
from avtal_contracts.domain.contracts import BILLING_INTERVALS, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo, supersedes

START, END = date(2025, 1, 1), date(2026, 1, 1)
CUSTOMER = Customer(uuid.uuid4(), "Acme AB", "billing@acme.example", "sv")
PRINTER_CARE = ProductInfo(uuid.uuid4(), "PRN-CARE", "Printer care", Decimal("1200.00"), "SEK", True, 1)
ITEM = new_item(CUSTOMER.customer_id, "HP-123", "LaserJet 4000", "SN-0001")


def _open(
    requests: list[LineRequest] | None = None,
    *,
    currency: str = "SEK",
    start: date = START,
    end: date = END,
    interval: int = 3,
):
    if requests is None:
        requests = [LineRequest(PRINTER_CARE, ITEM)]
    return open_contract("C-2025-0001", CUSTOMER, currency, start, end, Terms(interval), requests)


def test_an_opened_contract_is_active_at_version_one_with_its_terms() -> None:
    contract = _open()

    assert contract.status == "active"
    assert contract.version == 1
    assert contract.contract_no == "C-2025-0001"
    assert contract.customer == CUSTOMER
    assert (contract.start_date, contract.end_date) == (START, END)
    assert contract.billing_interval_months == 3
    assert contract.currency == "SEK"
    assert [ln.item for ln in contract.lines] == [ITEM]
    assert [ln.product for ln in contract.lines] == [PRINTER_CARE]


def test_every_contract_and_line_gets_its_own_id() -> None:
    second_item = new_item(CUSTOMER.customer_id, "HP-123", "LaserJet 4000", "SN-0002")
    a = _open([LineRequest(PRINTER_CARE, ITEM), LineRequest(PRINTER_CARE, second_item)])
    b = _open()

    assert a.contract_id != b.contract_id
    ids = [ln.line_id for ln in a.lines] + [ln.line_id for ln in b.lines]
    assert len(set(ids)) == len(ids)


def test_lines_keep_the_order_of_the_requests() -> None:
    items = [new_item(CUSTOMER.customer_id, "M", "Model", f"SN-{i}") for i in range(5)]

    contract = _open([LineRequest(PRINTER_CARE, it) for it in items])

    assert [ln.item.serial_no for ln in contract.lines] == [f"SN-{i}" for i in range(5)]


@pytest.mark.parametrize("end", [date(2024, 12, 31), date(2024, 1, 1)])
def test_a_contract_refuses_an_end_date_before_its_start(end: date) -> None:
    with pytest.raises(DomainError, match="end_date"):
        _open(end=end)


def test_the_end_date_is_the_last_covered_day_so_a_one_day_contract_ends_on_its_start() -> None:
    assert _open(end=START).end_date == START


@pytest.mark.parametrize("interval", [0, 2, 4, 5, 24, -1])
def test_a_contract_refuses_an_unknown_billing_interval(interval: int) -> None:
    with pytest.raises(DomainError, match="billing_interval_months"):
        _open(interval=interval)


@pytest.mark.parametrize("interval", BILLING_INTERVALS)
def test_a_contract_accepts_monthly_quarterly_half_yearly_and_yearly_billing(interval: int) -> None:
    assert _open(interval=interval).billing_interval_months == interval


def test_the_supported_billing_intervals_are_1_3_6_and_12_months() -> None:
    assert tuple(BILLING_INTERVALS) == (1, 3, 6, 12)


def test_a_contract_refuses_to_open_without_lines() -> None:
    with pytest.raises(DomainError, match="at least one"):
        _open([])


def test_a_contract_refuses_an_inactive_product() -> None:
    retired = replace(PRINTER_CARE, active=False)

    with pytest.raises(DomainError, match="retired"):
        _open([LineRequest(PRINTER_CARE, ITEM), LineRequest(retired, ITEM)])


def test_a_contract_refuses_a_product_priced_in_another_currency() -> None:
    in_euro = replace(PRINTER_CARE, currency="EUR")

    with pytest.raises(DomainError, match="EUR"):
        _open([LineRequest(in_euro, ITEM)], currency="SEK")


@pytest.mark.parametrize("price", ["100.005", "0.001", "1200.999"])
def test_a_contract_refuses_an_explicit_price_with_three_decimals(price: str) -> None:
    with pytest.raises(DomainError, match="two decimals"):
        _open([LineRequest(PRINTER_CARE, ITEM, Decimal(price))])


def test_a_contract_refuses_a_list_price_with_three_decimals() -> None:
    odd = replace(PRINTER_CARE, annual_price=Decimal("99.995"))

    with pytest.raises(DomainError, match="two decimals"):
        _open([LineRequest(odd, ITEM)])


def test_a_contract_refuses_an_item_of_another_customer() -> None:
    theirs = new_item(uuid.uuid4(), "HP-123", "LaserJet 4000", "SN-0009")

    with pytest.raises(DomainError, match="belongs to another customer"):
        _open([LineRequest(PRINTER_CARE, ITEM), LineRequest(PRINTER_CARE, theirs)])


def test_a_contract_refuses_a_negative_price() -> None:
    with pytest.raises(DomainError):
        _open([LineRequest(PRINTER_CARE, ITEM, Decimal("-1.00"))])


@pytest.mark.parametrize("price", ["100", "100.5", "100.50", "100.500"])
def test_a_price_with_at_most_two_significant_decimals_is_accepted(price: str) -> None:
    line = _open([LineRequest(PRINTER_CARE, ITEM, Decimal(price))]).lines[0]

    assert line.annual_price == Decimal(price)


def test_without_an_explicit_price_a_line_takes_the_list_price() -> None:
    line = _open([LineRequest(PRINTER_CARE, ITEM)]).lines[0]

    assert line.annual_price == Decimal("1200.00")


def test_an_explicit_price_overrides_the_list_price() -> None:
    line = _open([LineRequest(PRINTER_CARE, ITEM, Decimal("999.50"))]).lines[0]

    assert line.annual_price == Decimal("999.50")
    assert line.product.annual_price == Decimal("1200.00")


def test_an_explicit_zero_price_is_kept_and_not_replaced_by_the_list_price() -> None:
    line = _open([LineRequest(PRINTER_CARE, ITEM, Decimal("0"))]).lines[0]

    assert line.annual_price == Decimal("0")


# --- covered items ---------------------------------------------------------------------------


def test_a_covered_item_keeps_its_manufacturer_number_model_and_serial() -> None:
    item = new_item(CUSTOMER.customer_id, "HP-123", "LaserJet 4000", "SN-0001")

    assert (item.manufacturer_no, item.model, item.serial_no) == ("HP-123", "LaserJet 4000", "SN-0001")
    assert isinstance(item.item_id, uuid.UUID)


def test_a_covered_item_is_stored_without_surrounding_whitespace() -> None:
    item = new_item(CUSTOMER.customer_id, "  HP-123 ", "\tLaserJet 4000\n", " SN-0001 ")

    assert (item.manufacturer_no, item.model, item.serial_no) == ("HP-123", "LaserJet 4000", "SN-0001")


@pytest.mark.parametrize(
    ("manufacturer_no", "model", "serial_no"),
    [
        ("", "LaserJet 4000", "SN-1"),
        ("HP-123", "", "SN-1"),
        ("HP-123", "LaserJet 4000", ""),
        ("   ", "LaserJet 4000", "SN-1"),
        ("HP-123", " \t ", "SN-1"),
        ("HP-123", "LaserJet 4000", "  "),
    ],
)
def test_a_covered_item_needs_a_manufacturer_number_a_model_and_a_serial(
    manufacturer_no: str, model: str, serial_no: str
) -> None:
    with pytest.raises(DomainError, match="serial number"):
        new_item(CUSTOMER.customer_id, manufacturer_no, model, serial_no)


def test_each_covered_item_gets_its_own_id() -> None:
    assert (
        new_item(CUSTOMER.customer_id, "A", "B", "C").item_id
        != new_item(CUSTOMER.customer_id, "A", "B", "C").item_id
    )


def test_a_covered_item_belongs_to_the_customer_it_was_registered_for() -> None:
    assert new_item(CUSTOMER.customer_id, "A", "B", "C").customer_id == CUSTOMER.customer_id


# --- products as the catalog last described them ---------------------------------------------


def test_a_product_not_known_yet_is_news() -> None:
    assert supersedes(PRINTER_CARE, None)


@pytest.mark.parametrize(("known", "news"), [(1, True), (2, False), (3, False)])
def test_only_a_newer_product_version_supersedes_the_known_one(known: int, news: bool) -> None:
    incoming = replace(PRINTER_CARE, version=2, name="Printer care plus")

    assert supersedes(incoming, replace(PRINTER_CARE, version=known)) is news
