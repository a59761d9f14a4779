"""Portal users and visibility: pure rules of avtal_gateway.domain.users."""

from __future__ import annotations

import uuid

import pytest

from avtal_common.errors import DomainError, NotFound
from avtal_gateway.domain.users import ROLES, User, check_password_strength, new_user

ACME, GLOBEX = uuid.uuid4(), uuid.uuid4()


def test_a_customer_user_may_see_its_own_customer() -> None:
    user = new_user("ann@acme.example", "customer", ACME)

    assert user.may_see(ACME)
    assert user.may_see(str(ACME))


def test_a_customer_user_may_not_see_another_customer() -> None:
    user = new_user("ann@acme.example", "customer", ACME)

    assert not user.may_see(GLOBEX)
    assert not user.may_see(str(GLOBEX))


def test_require_visible_passes_silently_for_the_users_own_customer() -> None:
    new_user("ann@acme.example", "customer", ACME).require_visible(ACME, "contract")


def test_another_customers_data_is_reported_as_not_found_not_forbidden() -> None:
    user = new_user("ann@acme.example", "customer", ACME)

    with pytest.raises(NotFound) as caught:
        user.require_visible(GLOBEX, "invoice")

    assert "invoice" in str(caught.value)
    assert str(GLOBEX) not in str(caught.value)
    assert "forbidden" not in str(caught.value).lower()


def test_not_found_is_a_domain_error() -> None:
    assert issubclass(NotFound, DomainError)


def test_staff_may_see_every_customer() -> None:
    staff = new_user("ops@avtal.example", "staff", None)

    assert staff.is_staff
    for customer in (ACME, GLOBEX, str(uuid.uuid4())):
        assert staff.may_see(customer)
        staff.require_visible(customer, "contract")


def test_a_customer_user_is_not_staff() -> None:
    assert not new_user("ann@acme.example", "customer", ACME).is_staff


@pytest.mark.parametrize("role", ["admin", "", "Staff", "CUSTOMER"])
def test_new_user_refuses_an_unknown_role(role: str) -> None:
    with pytest.raises(DomainError, match="role"):
        new_user("x@example.com", role, None)


def test_the_roles_are_staff_and_customer() -> None:
    assert set(ROLES) == {"staff", "customer"}


def test_a_customer_user_needs_a_customer_id() -> None:
    with pytest.raises(DomainError, match="customer_id"):
        new_user("ann@acme.example", "customer", None)


def test_a_staff_user_must_not_have_a_customer_id() -> None:
    with pytest.raises(DomainError, match="customer_id"):
        new_user("ops@avtal.example", "staff", ACME)


def test_new_user_normalises_the_email_to_trimmed_lower_case() -> None:
    user = new_user("  Ann.Svensson@ACME.Example ", "customer", ACME)

    assert user.email == "ann.svensson@acme.example"


def test_new_users_get_distinct_ids_and_keep_role_and_customer() -> None:
    a = new_user("a@acme.example", "customer", ACME)
    b = new_user("b@acme.example", "customer", ACME)

    assert a.user_id != b.user_id
    assert (a.role, a.customer_id) == ("customer", ACME)


def test_a_user_is_immutable() -> None:
    user = new_user("a@acme.example", "customer", ACME)

    with pytest.raises(AttributeError):
        user.customer_id = GLOBEX  # type: ignore[misc]


@pytest.mark.parametrize("password", ["", "short", "123456789", "abcdefghi"])
def test_a_password_shorter_than_ten_characters_is_refused(password: str) -> None:
    with pytest.raises(DomainError, match="10 characters"):
        check_password_strength(password)


@pytest.mark.parametrize("password", ["1234567890", "correct horse battery staple", "å" * 10])
def test_a_password_of_ten_or_more_characters_is_accepted(password: str) -> None:
    check_password_strength(password)


def test_a_user_built_directly_compares_customer_ids_by_value() -> None:
    user = User(uuid.uuid4(), "a@acme.example", "customer", ACME)

    assert user.may_see(uuid.UUID(str(ACME)))
