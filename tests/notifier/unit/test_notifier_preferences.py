"""A customer's notice preferences: defaults, who receives, and what is refused."""

from __future__ import annotations

import uuid

import pytest
from notifier.unit.fakes import FakeNotifierUnitOfWork

from avtal_common.errors import DomainError
from avtal_notifier.domain.notices import CUSTOMER_KINDS, Preference, recipients
from avtal_notifier.handlers.preferences import preferences_of, set_preferences


def test_by_default_a_notice_goes_to_the_customers_email_only() -> None:
    assert recipients("billing@acme.example", Preference("invoice")) == ["billing@acme.example"]


def test_contacts_are_added_once_each_whatever_their_case() -> None:
    pref = Preference("invoice", contacts=("CFO@acme.example", "cfo@acme.example", "billing@ACME.example"))

    assert recipients("billing@acme.example", pref) == ["billing@acme.example", "CFO@acme.example"]


def test_a_switched_off_notice_has_no_recipients() -> None:
    assert (
        recipients("billing@acme.example", Preference("invoice", enabled=False, contacts=("x@y.se",))) == []
    )


async def test_a_customer_sees_every_kind_and_a_change_is_kept() -> None:
    uow, customer = FakeNotifierUnitOfWork(), uuid.uuid4()
    async with uow:
        await set_preferences(uow, customer, [Preference("overdue", contacts=("cfo@acme.example",))], "staff")
        found = await preferences_of(uow, customer)

    assert [p.kind for p in found] == list(CUSTOMER_KINDS)
    assert {p.kind: p.contacts for p in found}["overdue"] == ("cfo@acme.example",)
    assert all(p.enabled for p in found)


@pytest.mark.parametrize(
    ("pref", "message"),
    [
        (Preference("invoice", customer_email=False), "neither to the customer's e-mail nor to a contact"),
        (Preference("newsletter"), "unknown notice kind"),
    ],
)
async def test_a_preference_no_one_could_act_on_is_refused(pref: Preference, message: str) -> None:
    uow = FakeNotifierUnitOfWork()
    with pytest.raises(DomainError, match=message):
        async with uow:
            await set_preferences(uow, uuid.uuid4(), [pref], "staff")
    assert uow.preferences.rows == {}
