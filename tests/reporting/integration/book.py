"""A small book of contracts, invoices and payments whose every figure was computed by hand (see the
expected values in test_reporting_figures.py and the workings in docs/reporting-figures.md)."""

from __future__ import annotations

import random
import string
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from avtal_common import topics
from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated, InvoiceLineData, PaymentApplied
from avtal_common.payloads.contracts import (
    ContractLine,
    ContractState,
    ContractTerms,
    CoveredItem,
    CustomerRef,
)
from avtal_common.payloads.customers import CustomerState


def a_currency() -> str:
    """A currency of its own for each book, so the stack's other data never enters its figures."""
    return "Q" + "".join(random.choices(string.ascii_uppercase, k=2))


class Book:
    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.customers = {k: uuid.uuid4() for k in "ABCD"}
        self.contracts = {k: uuid.uuid4() for k in ("A1", "B1", "C1", "C2", "D1", "D2")}
        self.invoices = {k: uuid.uuid4() for k in ("INV1", "INV2", "CN1", "INV3")}
        self.product = uuid.uuid4()
        self.events: list[tuple[str, str, BaseModel, int, uuid.UUID]] = []  # (topic, key, data, version, id)
        self._build()

    def _customer(self, k: str) -> CustomerRef:
        return CustomerRef(
            customer_id=self.customers[k], name=f"Book {k} AB", email=f"{k.lower()}@book.example"
        )

    def _line(self, annual: str, start: date | None = None, end: date | None = None) -> ContractLine:
        return ContractLine(
            line_id=uuid.uuid4(),
            product_id=self.product,
            sku="BOOK-1",
            product_name="Book service",
            item=CoveredItem(
                item_id=uuid.uuid4(), manufacturer_no="M", model="X", serial_no=uuid.uuid4().hex[:8]
            ),
            annual_price=Decimal(annual),
            start_date=start,
            end_date=end,
        )

    def _state(
        self,
        k: str,
        customer: str,
        start: date,
        end: date,
        interval: int,
        lines: list[ContractLine],
        status: str = "active",
        renewed_to: str | None = None,
    ) -> ContractState:
        return ContractState(
            contract_id=self.contracts[k],
            contract_no=f"BOOK-{k}",
            customer=self._customer(customer),
            currency=self.currency,
            start_date=start,
            end_date=end,
            billing_interval_months=interval,
            status=status,
            lines=lines,
            terms=ContractTerms(),
            renewed_to=self.contracts[renewed_to] if renewed_to else None,
        )

    def _add(self, topic: str, key: uuid.UUID, data: BaseModel, version: int = 1) -> None:
        self.events.append((topic, str(key), data, version, uuid.uuid4()))

    def _invoice(
        self,
        k: str,
        customer: str,
        contract: str,
        issued: date,
        due: date,
        start: date,
        end: date,
        net: str,
        kind: str = "invoice",
        credits: str | None = None,
    ) -> InvoiceGenerated:
        amount = Decimal(net)
        vat = amount / 4
        return InvoiceGenerated(
            invoice_id=self.invoices[k],
            invoice_no=f"{k}-{self.currency}",
            contract_id=self.contracts[contract],
            customer_id=self.customers[customer],
            customer_name=f"Book {customer} AB",
            customer_email="x@book.example",
            currency=self.currency,
            issue_date=issued,
            due_date=due,
            period_start=start,
            period_end=end,
            total=amount + vat,
            net=amount,
            vat=vat,
            kind=kind,
            credits_invoice_id=self.invoices[credits] if credits else None,
            lines=[
                InvoiceLineData(
                    description="Book service",
                    period_start=start,
                    period_end=end,
                    amount=amount,
                    contract_id=self.contracts[contract],
                    vat_rate=Decimal(25),
                    vat=vat,
                )
            ],
            pdf_path=f"/invoices/{self.invoices[k]}/pdf",
            pdf_sha256="0" * 64,
        )

    def _payment(self, pid: str, invoice: str, customer: str, applied: str, credited: str, on: date) -> None:
        self._add(
            topics.PAYMENT_APPLIED,
            uuid.uuid4(),
            PaymentApplied(
                payment_id=f"{pid}-{self.currency}",
                invoice_id=self.invoices[invoice],
                invoice_no=invoice,
                customer_id=self.customers[customer],
                currency=self.currency,
                applied=Decimal(applied),
                credited=Decimal(credited),
                paid_on=on,
            ),
        )

    def _build(self) -> None:
        d = date
        a1_v1 = self._state("A1", "A", d(2025, 12, 1), d(2026, 11, 30), 1, [self._line("12000.00")])
        a1_v2 = self._state(
            "A1",
            "A",
            d(2025, 12, 1),
            d(2026, 11, 30),
            1,
            [self._line("12000.00", d(2025, 12, 1), d(2026, 2, 28)), self._line("9600.00", d(2026, 3, 1))],
        )
        self._add(topics.CONTRACT_STATE, self.contracts["A1"], a1_v1, 1)
        self._add(topics.CONTRACT_STATE, self.contracts["A1"], a1_v2, 2)
        b_first = self._line("6000.00")
        b1_v1 = self._state("B1", "B", d(2026, 2, 1), d(2027, 1, 31), 3, [b_first])
        b1_v2 = self._state(
            "B1", "B", d(2026, 2, 1), d(2027, 1, 31), 3, [b_first, self._line("2400.00", d(2026, 4, 1))]
        )
        self._add(topics.CONTRACT_STATE, self.contracts["B1"], b1_v1, 1)
        self._add(topics.CONTRACT_STATE, self.contracts["B1"], b1_v2, 2)
        c1_v1 = self._state("C1", "C", d(2026, 1, 1), d(2026, 3, 31), 3, [self._line("3600.00")])
        c1_v2 = self._state("C1", "C", d(2026, 1, 1), d(2026, 3, 31), 3, c1_v1.lines, status="expired")
        self._add(topics.CONTRACT_STATE, self.contracts["C1"], c1_v1, 1)
        self._add(topics.CONTRACT_STATE, self.contracts["C1"], c1_v2, 2)
        c2 = self._state("C2", "C", d(2026, 5, 10), d(2027, 5, 9), 12, [self._line("4800.00")])
        self._add(topics.CONTRACT_STATE, self.contracts["C2"], c2, 1)
        d1 = self._state(
            "D1", "D", d(2025, 4, 1), d(2026, 3, 31), 12, [self._line("1200.00")], "renewed", "D2"
        )
        self._add(topics.CONTRACT_STATE, self.contracts["D1"], d1, 3)
        d2 = self._state("D2", "D", d(2026, 4, 1), d(2027, 3, 31), 12, [self._line("1200.00")])
        self._add(topics.CONTRACT_STATE, self.contracts["D2"], d2, 1)
        for k in "ABCD":
            self._add(topics.CUSTOMER_STATE, self.customers[k], CustomerState(customer=self._customer(k)), 1)
        self._add(
            topics.INVOICE_GENERATED,
            self.invoices["INV1"],
            self._invoice(
                "INV1", "A", "A1", d(2026, 1, 1), d(2026, 1, 31), d(2026, 1, 1), d(2026, 3, 31), "3000.00"
            ),
        )
        self._add(
            topics.INVOICE_GENERATED,
            self.invoices["INV2"],
            self._invoice(
                "INV2", "B", "B1", d(2026, 2, 1), d(2026, 3, 3), d(2026, 2, 1), d(2026, 4, 30), "1500.00"
            ),
        )
        self._add(
            topics.INVOICE_CREDITED,
            self.invoices["CN1"],
            self._invoice(
                "CN1",
                "B",
                "B1",
                d(2026, 3, 15),
                d(2026, 3, 15),
                d(2026, 4, 1),
                d(2026, 4, 30),
                "-500.00",
                kind="credit_note",
                credits="INV2",
            ),
        )
        self._add(
            topics.INVOICE_GENERATED,
            self.invoices["INV3"],
            self._invoice(
                "INV3", "C", "C2", d(2026, 5, 10), d(2026, 6, 9), d(2026, 5, 10), d(2027, 5, 9), "4800.00"
            ),
        )
        self._payment("P1", "INV1", "A", "3750.00", "50.00", d(2026, 2, 10))
        self._payment("P2", "INV2", "B", "1000.00", "0.00", d(2026, 4, 20))

    async def publish(self, bootstrap: str, shuffle: bool = True, twice: bool = True) -> None:
        """Every event, in a shuffled order, and then every one of them again (same event ids)."""
        order = list(self.events)
        if shuffle:
            random.shuffle(order)
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", linger_ms=50
        )  # batches, as a relay
        await producer.start()
        try:
            for _ in range(2 if twice else 1):
                for topic, key, data, version, event_id in order:
                    env: Envelope[Any] = Envelope(
                        event_id=event_id,
                        event_type=topic,
                        producer="book",
                        aggregate_id=key,
                        version=version,
                        data=data,
                    )
                    await producer.send(topic, env.model_dump_json().encode(), key=key.encode())
                await producer.flush()
        finally:
            await producer.stop()
