"""The contract workspace (portal): tabs overview · covered items · pricing · billing · history, and each
workflow operation as form → confirmation page with the preview's effect → apply (staff). A customer user
sees its own contract read-only."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from pydantic import BaseModel, BeforeValidator, Field

from avtal_common.api.text import OneLine
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.contract_ops import ContractOpsController
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import contract_ops, renewals, views

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
AnyUser = Request[User, Any, Any]
PAGE = 25
Operation = Literal["add_items", "remove_items", "change_prices", "terminate", "bill_now"]


def _blank(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


# Optional form fields: a blank input means none.
Blank = BeforeValidator(_blank)
OptDate = Annotated[date | None, Blank]
OptText = Annotated[OneLine | None, Blank]
OptDecimal = Annotated[Decimal | None, Blank]
OptId = Annotated[uuid.UUID | None, Blank]


class OperationForm(BaseModel):
    """Every operation's form (the fields it does not use stay blank); the confirmation page carries the
    same fields on to apply."""

    operation: Operation
    version: int = Field(ge=1)
    effective_date: OptDate = None
    sku: OptText = Field(default=None, max_length=64)
    manufacturer_no: OptText = Field(default=None, max_length=100)
    model: OptText = Field(default=None, max_length=100)
    serial_no: OptText = Field(default=None, max_length=100)
    annual_price: OptDecimal = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    quantity: int = Field(default=1, ge=1, le=100_000)
    item_id: OptId = None
    line_id: OptId = None
    unit_price: OptDecimal = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    percent: OptDecimal = Field(default=None, ge=-90, le=1000, max_digits=7, decimal_places=3)
    reason: OptText = Field(default=None, max_length=500)

    def body(self) -> dict[str, Any]:
        """The operation's command as the contracts service takes it (it checks what is missing)."""
        base: dict[str, Any] = {"version": self.version, "effective_date": _iso(self.effective_date)}
        if self.operation == "add_items":
            item = {
                "sku": self.sku,
                "manufacturer_no": self.manufacturer_no,
                "model": self.model or "",
                "serial_no": self.serial_no,
                "annual_price": _str(self.annual_price),
                "quantity": self.quantity,
            }
            return {**base, "items": [item]}
        if self.operation == "remove_items":
            return {**base, "item_ids": [str(self.item_id)] if self.item_id else []}
        if self.operation == "change_prices":
            if self.unit_price is not None and self.line_id is not None:
                return {**base, "lines": [{"line_id": str(self.line_id), "unit_price": str(self.unit_price)}]}
            return {
                **base,
                "percent": _str(self.percent),
                "line_ids": [str(self.line_id)] if self.line_id else [],
            }
        if self.operation == "terminate":
            return {**base, "reason": self.reason or ""}
        return {"version": self.version, "as_of": _iso(self.effective_date)}

    def hidden(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _str(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


class ContractWorkspaceController(Controller):
    path = "/contracts/{contract_id:uuid}"
    include_in_schema = False

    @get("/")
    async def workspace(
        self,
        services: Services,
        request: AnyUser,
        contract_id: uuid.UUID,
        invoices_offset: int = Parameter(ge=0, default=0),
        done: str | None = None,
    ) -> Template:
        """One page, its tabs as sections with anchor links (no script needed)."""
        user = request.user
        c = await views.contract(services, user, contract_id)  # 404 for another customer's
        context = {
            "user": user,
            "c": c,
            "invoices": await views.invoices(services, user, contract_id=contract_id, limit=PAGE,
                                             offset=invoices_offset),
            "schedule": await contract_ops.schedule_or_none(services, user, contract_id),
            "history": await contract_ops.history(services, contract_id, PAGE) if user.is_staff else [],
            "done": done if user.is_staff else None,
            "today": date.today().isoformat(),
            # the renewal offer (accept / renew now) while expiring, and the successor once renewed
            "renewal": await renewals.offer(services, user, contract_id)
            if c.status == "expiring" or c.renewed_to else None,
        }  # fmt: skip
        return Template("contract.html", context=context)

    @post("/confirm", guards=[staff_only])
    async def confirm(
        self,
        services: Services,
        request: AnyUser,
        contract_id: uuid.UUID,
        data: Annotated[OperationForm, Form],
    ) -> Template:
        """The operation's effect, nothing written yet; a refusal is shown here with its reason."""
        c = await views.contract(services, request.user, contract_id)
        context: dict[str, Any] = {"user": request.user, "c": c, "form": data, "hidden": data.hidden()}
        try:
            if data.operation == "bill_now":
                as_of = data.effective_date or date.today()
                periods = await contract_ops.schedule_or_none(services, request.user, contract_id)
                context.update(as_of=as_of, due=contract_ops.due_by(periods, as_of))
            else:
                context["a"] = await contract_ops.amend(
                    services, contract_id, data.operation, data.body(), True
                )
        except ProblemDetailsException as exc:
            return _refused(context, exc)
        return Template("contract_confirm.html", context=context)

    @post("/apply", guards=[staff_only])
    async def apply(
        self,
        services: Services,
        request: AnyUser,
        contract_id: uuid.UUID,
        data: Annotated[OperationForm, Form],
    ) -> Redirect | Template:
        """Applies the confirmed operation; a refusal (changed meanwhile: 409) goes back to the page."""
        try:
            if data.operation == "bill_now":
                await contract_ops.bill_now(services, contract_id, data.body())
            else:
                await contract_ops.amend(services, contract_id, data.operation, data.body(), False)
        except ProblemDetailsException as exc:
            c = await views.contract(services, request.user, contract_id)
            return _refused({"user": request.user, "c": c, "form": data, "hidden": {}}, exc)
        return Redirect(f"/contracts/{contract_id}?done={data.operation}#history")


def _refused(context: dict[str, Any], exc: ProblemDetailsException) -> Template:
    context["error"] = {"status": exc.status_code, "detail": exc.detail}
    return Template("contract_confirm.html", context=context, status_code=exc.status_code)


# The workspace pages and the operations' JSON API (registered together in main.py).
CONTRACT_ROUTES = [ContractWorkspaceController, ContractOpsController]
