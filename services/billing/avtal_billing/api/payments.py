"""Payments, the unmatched queue, receivables and dunning over HTTP (called by the gateway)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime

from litestar import Controller, get, post
from litestar.params import Parameter
from pydantic import BaseModel

from avtal_billing.domain.payments import Payment
from avtal_billing.handlers.billing_runs import UnitsOfWork
from avtal_billing.handlers.payments import receive_payment, resolve_payment, run_dunning
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.api import responses
from avtal_common.api.actor import ActorHeader
from avtal_common.api.commands import PaymentIn, ResolvePaymentIn
from avtal_common.api.pagination import Limit, Offset, Page


def _out(p: Payment) -> responses.Payment:
    return responses.Payment(**asdict(p))


class DunningOut(BaseModel):
    today: date
    steps: int


class PaymentController(Controller):
    path = "/"

    @post("/payments")
    async def register(self, uow: BillingUnitOfWork, data: PaymentIn) -> responses.Payment:
        """A payment staff saw come in (the same `payment_id` again changes nothing)."""
        p = Payment(data.payment_id, data.amount, data.currency, data.paid_on, data.reference,
                    data.invoice_no, data.payer, "portal")  # fmt: skip
        async with uow:
            return _out(await receive_payment(uow, p))

    @get("/payments")
    async def list_payments(
        self,
        uow: BillingUnitOfWork,
        status: str | None = Parameter(default=None, pattern="^(matched|unmatched)$"),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[responses.Payment]:
        """Payments, newest first; `status=unmatched` is the queue staff resolve."""
        async with uow:
            found, total = await uow.payments.list(status, limit, offset)
        return Page(items=[_out(p) for p in found], total=total, limit=limit, offset=offset)

    @post("/payments/{payment_id:str}/resolve")
    async def resolve(
        self, uow: BillingUnitOfWork, payment_id: str, data: ResolvePaymentIn, actor: str = ActorHeader
    ) -> responses.Payment:
        """Apply an unmatched payment to the invoice staff chose."""
        async with uow:
            return _out(await resolve_payment(uow, payment_id, data.invoice_id, actor, data.invoice_no))

    @get("/receivables")
    async def receivables(
        self, uow: BillingUnitOfWork, customer_id: uuid.UUID | None = None, limit: Limit = 100
    ) -> list[responses.Receivable]:
        """Open balance, overdue part and credit per customer and currency, most overdue first."""
        async with uow:
            rows = await uow.payments.receivables(datetime.now(UTC).date(), customer_id, limit)
        return [responses.Receivable(**r) for r in rows]

    @post("/dunning/run", status_code=200)
    async def dunning(
        self, uows: UnitsOfWork, settings: BillingSettings, today: date | None = None
    ) -> DunningOut:
        """Take every due dunning step now (the daily loop does this by itself)."""
        day = today or datetime.now(UTC).date()
        return DunningOut(today=day, steps=await run_dunning(uows, day, settings.dunning_ladder))
