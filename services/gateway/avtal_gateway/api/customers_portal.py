"""Portal screens of customers: the staff list and edit form; the customer page (details, sites, covered
items with their covering contract, contracts), which a customer user sees for its own customer only."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from avtal_common.api.commands import CustomerIn, CustomerUpdateIn, ItemIn, SiteIn
from avtal_common.api.text import OneLine, QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import customers as handlers
from avtal_gateway.handlers import views

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE = 25
AnyUser = Request[User, Any, Any]


def _blank(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


Opt = Annotated[OneLine | None, BeforeValidator(_blank), Field(default=None, max_length=200)]


class CustomerForm(BaseModel):
    """The edit form: every field is sent; blank optional fields clear them. `version` guards against
    overwriting someone else's change made meanwhile."""

    name: OneLine = Field(min_length=1, max_length=200)
    email: OneLine = Field(min_length=3, max_length=254)
    locale: Literal["en", "sv"] = "en"
    external_ref: Opt = None
    contact_name: Opt = None
    phone: Opt = None
    address_line: Opt = None
    postal_code: Opt = None
    city: Opt = None
    country: str = Field(default="SE", max_length=2)
    currency: str = Field(default="SEK", max_length=3)
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    tax_id: Opt = None
    vat_rate: Decimal = Decimal("25.00")
    reverse_charge: str | None = None  # a checkbox: present when ticked
    version: int | None = None

    def fields(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"version"})
        values["country"], values["currency"] = self.country.upper(), self.currency.upper()
        values["reverse_charge"] = self.reverse_charge is not None
        return values


class SiteForm(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200)
    address_line: Opt = None
    postal_code: Opt = None
    city: Opt = None
    country: str = Field(default="SE", max_length=2)


class ItemForm(BaseModel):
    manufacturer_no: OneLine = Field(min_length=1, max_length=100)
    model: OneLine = Field(min_length=1, max_length=100)
    serial_no: OneLine = Field(min_length=1, max_length=100)
    sku: Opt = None
    site_id: Annotated[uuid.UUID | None, BeforeValidator(_blank)] = None
    install_date: Annotated[str | None, BeforeValidator(_blank)] = None


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], values: dict[str, Any]) -> M:
    """A form's values as the API's command; what does not fit is a 400 naming the fields."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ProblemDetailsException(status_code=400, title="Check the form", detail=wrong) from None


def _see(customer_id: uuid.UUID | str, part: str = "") -> Redirect:
    return Redirect(f"/customers/{customer_id}{part}", status_code=303)


class CustomerPortalController(Controller):
    path = "/customers"
    include_in_schema = False

    @get("/", guards=[staff_only])
    async def customers(
        self,
        services: Services,
        request: AnyUser,
        q: QueryText = None,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        found = await handlers.customers(services, (q or "").strip()[:200] or None, PAGE, offset)
        context = {"user": request.user, "customers": found, "q": q or ""}
        return Template("customers.html", context=context)

    @post("/", guards=[staff_only])
    async def create(self, services: Services, data: Annotated[CustomerForm, Form]) -> Redirect:
        body = _valid(CustomerIn, data.fields())
        raw = await services.json("contracts", "POST", "/customers/", json=body.model_dump(mode="json"))
        return _see(raw["customer_id"])

    @get("/{customer_id:uuid}")
    async def customer(
        self,
        services: Services,
        request: AnyUser,
        customer_id: uuid.UUID,
        items_offset: int = Parameter(ge=0, default=0),
        contracts_offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """A customer user may open its own customer only (any other is a 404)."""
        user = request.user
        context = {
            "user": user,
            "c": await handlers.customer(services, user, customer_id),
            "sites": await handlers.sites(services, user, customer_id),
            "items": await handlers.items(services, user, customer_id, PAGE, items_offset),
            "contracts": await views.contracts(services, user, customer_id, PAGE, contracts_offset),
        }
        return Template("customer.html", context=context)

    @get("/{customer_id:uuid}/edit", guards=[staff_only])
    async def edit(self, services: Services, request: AnyUser, customer_id: uuid.UUID) -> Template:
        c = await handlers.customer(services, request.user, customer_id)
        return Template("customer_edit.html", context={"user": request.user, "c": c})

    @post("/{customer_id:uuid}/edit", guards=[staff_only])
    async def save(
        self, services: Services, customer_id: uuid.UUID, data: Annotated[CustomerForm, Form]
    ) -> Redirect:
        change = _valid(CustomerUpdateIn, {**data.fields(), "version": data.version})
        await handlers.update(services, customer_id, change)
        return _see(customer_id)

    @post("/{customer_id:uuid}/sites", guards=[staff_only])
    async def add_site(
        self, services: Services, customer_id: uuid.UUID, data: Annotated[SiteForm, Form]
    ) -> Redirect:
        await handlers.add_site(services, customer_id, _valid(SiteIn, data.model_dump()))
        return _see(customer_id, "#sites")

    @post("/{customer_id:uuid}/items", guards=[staff_only])
    async def register_item(
        self, services: Services, customer_id: uuid.UUID, data: Annotated[ItemForm, Form]
    ) -> Redirect:
        item = _valid(ItemIn, {**data.model_dump(), "customer_id": customer_id})
        await handlers.register_item(services, item)
        return _see(customer_id, "#items")
