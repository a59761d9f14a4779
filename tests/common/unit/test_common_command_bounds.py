"""The shared command models refuse dates and intervals outside their bounds, naming the limit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from avtal_common.api.commands import BillingRunIn, ContractIn, term_limit

LINE = {"sku": "SKU-1", "manufacturer_no": "M", "model": "X", "serial_no": "S-1"}


def _contract(**changes: Any) -> ContractIn:
    body = {"customer_id": str(uuid.uuid4()), "start_date": "2026-01-01", "end_date": "2026-12-31"}
    return ContractIn.model_validate(body | {"lines": [LINE]} | changes)


def _refusal(make: Any, **changes: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        make(**changes)
    return str(refused.value)


def test_a_ten_year_term_is_accepted_and_one_day_more_is_refused_naming_the_limit() -> None:
    # 2026-01-01 + 10 years = 2036-01-01, so the last covered day may be 2035-12-31.
    assert _contract(end_date="2035-12-31").end_date == date(2035, 12, 31)
    message = _refusal(_contract, end_date="2036-01-01")
    assert "a contract term is at most 10 years: end_date must be before 2036-01-01" in message


def test_a_two_hundred_year_contract_is_refused() -> None:
    assert "at most 10 years" in _refusal(_contract, end_date="2225-12-31")


def test_a_term_starting_on_29_february_may_run_to_the_last_day_of_february_ten_years_on() -> None:
    assert term_limit(date(2028, 2, 29)) == date(2038, 3, 1)
    assert _contract(start_date="2028-02-29", end_date="2038-02-28").end_date == date(2038, 2, 28)


def test_an_end_before_the_start_is_refused() -> None:
    message = _refusal(_contract, start_date="2026-05-01", end_date="2026-04-30")
    assert "end_date 2026-04-30 (the last covered day) must not be before start_date 2026-05-01" in message


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_dates_before_2000_are_refused(field: str) -> None:
    changes = {"start_date": "1999-12-31"} if field == "start_date" else {"start_date": "1999-06-01"}
    assert "dates from 2000-01-01 to 2999-12-31 are accepted" in _refusal(_contract, **changes)


def test_a_start_so_late_that_its_term_limit_overflows_is_refused_not_crashed() -> None:
    assert "dates from 2000-01-01" in _refusal(_contract, start_date="9995-01-01", end_date="9995-12-31")


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_the_billing_intervals_are_one_three_six_and_twelve_months(months: int) -> None:
    assert _contract(billing_interval_months=months).billing_interval_months == months


@pytest.mark.parametrize("months", [0, 2, 24, -1])
def test_any_other_billing_interval_is_refused_naming_the_allowed_ones(months: int) -> None:
    assert "1, 3, 6 or 12" in _refusal(_contract, billing_interval_months=months)


def test_a_billing_run_may_look_one_period_ahead_and_no_further() -> None:
    today = datetime.now(UTC).date()
    assert BillingRunIn(as_of=today + timedelta(days=366)).as_of == today + timedelta(days=366)
    message = _refusal(BillingRunIn, as_of=today + timedelta(days=367))
    assert "as_of may be at most one billing period (366 days) after today" in message


def test_a_billing_run_as_of_2999_is_refused_naming_the_limit() -> None:
    assert "at most one billing period (366 days) after today" in _refusal(BillingRunIn, as_of="2999-01-01")


def test_a_billing_run_before_2000_is_refused_and_no_date_means_today() -> None:
    assert "dates from 2000-01-01" in _refusal(BillingRunIn, as_of="1999-12-31")
    assert BillingRunIn().as_of is None
