"""Terminating a contract whose prepaid year is invoiced issues a credit note for the unused days: its own
CN number, negative amounts with the original VAT, announced on invoice.credited, with a PDF."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import httpx

from avtal_common import topics
from avtal_common.calendar_days import add_months
from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.contract_ops import facts, op
from avtal_testing.stack import StackInfo


async def test_terminating_inside_a_prepaid_year_credits_the_unused_days(
    stack: StackInfo, staff: httpx.Client
) -> None:
    start = date.today() - timedelta(days=100)
    year_end = add_months(start, 12) - timedelta(days=1)
    made = make_customer_with_contract(
        staff,
        price="1200.00",
        start=str(start),
        end=str(add_months(start, 24) - timedelta(days=1)),
        interval=12,
    )
    c = made["contract"]
    cid = c["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None, what="billing"
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": str(start), "run_key": unique("prepaid")}))
    [invoice] = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
    last = date.today() + timedelta(days=1)

    ok(op(staff, c, "terminate", {"effective_date": str(last), "reason": "machine sold"}))

    documents = eventually(
        lambda: [i for i in ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
                 if i["kind"] == "credit_note" and i["pdf_ready"]] or None,
        what="the credit note and its PDF",
    )  # fmt: skip
    [credit] = documents
    year_days = (add_months(start, 12) - start).days
    unused = Decimal(1200) * (year_end - last).days / year_days
    net = -unused.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    vat = (net * Decimal("0.25")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (Decimal(credit["net"]), Decimal(credit["vat"]), Decimal(credit["total"])) == (net, vat, net + vat)
    assert credit["invoice_no"].startswith(f"CN-{date.today().year}-")
    assert credit["credits_invoice_id"] == invoice["invoice_id"]
    detail = ok(staff.get(f"/api/v1/invoices/{credit['invoice_id']}"))
    [line] = detail["lines"]
    assert (line["period_start"], line["period_end"]) == (str(last + timedelta(days=1)), str(year_end))
    [announced] = await facts(stack, topics.INVOICE_CREDITED, credit["invoice_id"])
    assert announced["data"]["kind"] == "credit_note"
    again = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
    assert [i["kind"] for i in again].count("credit_note") == 1
