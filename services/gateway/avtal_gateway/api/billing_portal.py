"""Portal screens of billing for staff: runs (preview → run → progress → results, the run's PDFs as a
ZIP), payments with the unmatched queue, and receivables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from avtal_common.api.text import OneLine
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
AnyUser = Request[User, Any, Any]


class RunForm(BaseModel):
    as_of: date
    run_key: OneLine = Field(default="", max_length=200)
    invoice_per: Literal["customer", "contract"] = "customer"


class PaymentForm(BaseModel):
    payment_id: OneLine = Field(min_length=1, max_length=100)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="SEK", pattern=r"^[A-Z]{3}$")
    paid_on: date
    reference: str = Field(default="", max_length=40, pattern=r"^[0-9 ]*$")
    invoice_no: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9-]*$")
    payer: OneLine = Field(default="", max_length=200)


class ResolveForm(BaseModel):
    invoice_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")


class BillingPortalController(Controller):
    include_in_schema = False
    guards = [staff_only]

    @get("/billing")
    async def runs(self, services: Services, request: AnyUser, as_of: date | None = None) -> Template:
        """Runs so far, the form, and (with `as_of`) the preview of what a run would bill."""
        runs = await services.json("billing", "GET", "/billing-runs/", params={"limit": 50})
        preview = None
        if as_of is not None:
            preview = await services.json("billing", "GET", "/billing-runs/preview", params={"as_of": as_of})
        context = {"user": request.user, "runs": runs, "preview": preview, "as_of": as_of or date.today()}
        return Template("billing_runs.html", context=context)

    @post("/billing/runs")
    async def start(self, services: Services, data: Annotated[RunForm, Form]) -> Redirect:
        body = {"as_of": str(data.as_of), "invoice_per": data.invoice_per}
        if data.run_key.strip():
            body["run_key"] = data.run_key.strip()
        run = await services.json("billing", "POST", "/billing-runs/", json=body)
        return Redirect(f"/billing/runs/{run['run_key']}")

    @get("/billing/runs/{run_key:str}")
    async def run(
        self, services: Services, request: AnyUser, run_key: str = Parameter(max_length=200)
    ) -> Template:
        found = await services.json("billing", "GET", f"/billing-runs/{quote(run_key, safe='')}")
        return Template("billing_run.html", context={"user": request.user, "run": found})

    @get("/payments")
    async def payments(self, services: Services, request: AnyUser) -> Template:
        unmatched = await services.json(
            "billing", "GET", "/payments", params={"status": "unmatched", "limit": 100}
        )
        recent = await services.json("billing", "GET", "/payments", params={"limit": 50})
        context = {"user": request.user, "unmatched": unmatched, "recent": recent, "today": date.today()}
        return Template("billing_payments.html", context=context)

    @post("/payments")
    async def register(self, services: Services, data: Annotated[PaymentForm, Form]) -> Redirect:
        body = data.model_dump(mode="json")
        body = {k: v for k, v in body.items() if v != ""}
        await services.json("billing", "POST", "/payments", json=body)
        return Redirect("/payments")

    @post("/payments/{payment_id:str}/resolve")
    async def resolve(
        self,
        services: Services,
        data: Annotated[ResolveForm, Form],
        payment_id: str = Parameter(max_length=100),
    ) -> Redirect:
        await services.json(
            "billing", "POST", f"/payments/{quote(payment_id, safe='')}/resolve", json=data.model_dump()
        )
        return Redirect("/payments")

    @get("/receivables")
    async def receivables(self, services: Services, request: AnyUser) -> Template:
        rows = await services.json("billing", "GET", "/receivables", params={"limit": 500})
        return Template("billing_receivables.html", context={"user": request.user, "rows": rows})
