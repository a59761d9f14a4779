"""Each event the notifier reacts to queues its notice, in the customer's language, to the recipients
the customer chose; the same event twice queues it once."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from notifier.unit import samples
from notifier.unit.fakes import FakeMailer, FakeNotifierUnitOfWork, FakePdfFetcher

from avtal_common import topics
from avtal_common.events import Envelope
from avtal_common.outbox import new_envelope
from avtal_common.payloads.contracts import ContractState
from avtal_common.payloads.customers import CustomerState
from avtal_notifier.consumers import HANDLERS, staff_handlers
from avtal_notifier.domain.directory import ContractRef, Customer
from avtal_notifier.domain.notices import Preference
from avtal_notifier.handlers.emails import send_due
from avtal_testing.fakes import deliver

STAFF = ["finance@avtal.example", "ops@avtal.example"]
BY_TOPIC = {h.topic: h for h in HANDLERS + staff_handlers(STAFF)}
PDF = b"%PDF-1.7 a quote"
PDF_PATH = f"/invoices/{uuid.uuid4()}/pdf"


def _env(topic: str, data: Any) -> Envelope[Any]:
    return new_envelope(topic, "test", uuid.uuid4(), data)


async def _handle(uow: FakeNotifierUnitOfWork, topic: str, data: Any) -> Envelope[Any]:
    env = _env(topic, data)
    assert await deliver(uow, BY_TOPIC[topic], env) == "handled"
    return env


def _known_customer(uow: FakeNotifierUnitOfWork, locale: str = "en") -> None:
    c = samples.customer(locale)
    uow.directory.customers[c.customer_id] = (Customer(c.customer_id, c.name, str(c.email), locale), 1)
    ref = ContractRef(samples.CONTRACT_ID, "C-2024-0007", c.customer_id)
    uow.directory.contracts[samples.CONTRACT_ID] = (ref, 1)


def _emails(uow: FakeNotifierUnitOfWork) -> list[tuple[str, str, str]]:
    return sorted((e.kind, e.recipient, e.subject) for e in uow.emails.rows.values())


@pytest.mark.parametrize(
    ("topic", "data", "kind", "subject"),
    [
        (topics.CONTRACT_EXPIRING, samples.contract_expiring("sv"), "contract_expiring",
         "Avtal C-2024-0007 upphör 30 juni 2025"),
        (topics.RENEWAL_QUOTED, samples.renewal_quoted("en"), "renewal_quote",
         "Renewal quote RQ-2025-000003"),
        (topics.INVOICE_CREDITED, samples.invoice_generated("sv").model_copy(update={"kind": "credit_note"}),
         "credit_note", "Kreditfaktura INV-2025-000042"),
        (topics.INVOICE_OVERDUE, samples.invoice_overdue(1), "overdue",
         "Payment reminder: invoice INV-2025-000042"),
        (topics.INVOICE_OVERDUE, samples.invoice_overdue(2, "sv"), "overdue",
         "Andra påminnelsen: faktura INV-2025-000042"),
        (topics.INVOICE_OVERDUE, samples.invoice_overdue(3), "overdue",
         "Final notice: invoice INV-2025-000042"),
        (topics.INVOICE_PAID, samples.invoice_paid(), "payment_received",
         "Payment received: invoice INV-2025-000042"),
        (topics.CONTRACT_RENEWED, samples.contract_renewed(), "contract_renewed",
         "Contract C-2024-0007 renewed as C-2025-0031"),
    ],
)  # fmt: skip
async def test_each_event_queues_its_notice_to_the_customer_and_a_redelivery_queues_nothing(
    topic: str, data: Any, kind: str, subject: str
) -> None:
    uow = FakeNotifierUnitOfWork()
    _known_customer(uow)
    env = _env(topic, data)

    outcomes = [await deliver(uow, BY_TOPIC[topic], env) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    assert _emails(uow) == [(kind, "billing@acme.example", subject)]


async def test_a_redelivery_that_passes_the_inbox_still_queues_no_second_email() -> None:
    uow = FakeNotifierUnitOfWork()
    env = _env(topics.INVOICE_OVERDUE, samples.invoice_overdue(1))

    for _ in range(2):
        async with uow:
            await BY_TOPIC[topics.INVOICE_OVERDUE].fn(uow, env)  # the inbox purged, say

    assert len(uow.emails.rows) == 1


async def test_a_notice_switched_off_queues_nothing() -> None:
    uow = FakeNotifierUnitOfWork()
    uow.preferences.rows[(samples.CUSTOMER_ID, "overdue")] = Preference("overdue", enabled=False)

    await _handle(uow, topics.INVOICE_OVERDUE, samples.invoice_overdue(1))
    await _handle(uow, topics.CONTRACT_EXPIRING, samples.contract_expiring())

    assert [k for k, _, _ in _emails(uow)] == ["contract_expiring"]  # only the kind switched off is silent


async def test_an_extra_contact_gets_its_own_email_beside_the_customer() -> None:
    uow = FakeNotifierUnitOfWork()
    uow.preferences.rows[(samples.CUSTOMER_ID, "overdue")] = Preference(
        "overdue", contacts=("cfo@acme.example",)
    )

    await _handle(uow, topics.INVOICE_OVERDUE, samples.invoice_overdue(2))

    assert [r for _, r, _ in _emails(uow)] == ["billing@acme.example", "cfo@acme.example"]


async def test_contacts_instead_of_the_customers_email() -> None:
    uow = FakeNotifierUnitOfWork()
    pref = Preference("invoice", contacts=("ap@acme.example",), customer_email=False)
    uow.preferences.rows[(samples.CUSTOMER_ID, "invoice")] = pref
    inv = samples.invoice_generated().model_copy(update={"customer_id": samples.CUSTOMER_ID})

    await _handle(uow, topics.INVOICE_GENERATED, inv)

    assert [r for _, r, _ in _emails(uow)] == ["ap@acme.example"]


async def test_a_quote_is_sent_with_its_pdf_as_text_and_html() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer()
    quote = samples.renewal_quoted("sv", PDF_PATH, hashlib.sha256(PDF).hexdigest())
    await _handle(uow, topics.RENEWAL_QUOTED, quote)

    async with uow:
        await send_due(
            uow, mailer, FakePdfFetcher({PDF_PATH: PDF}), "Avtal <a@avtal.local>", 8, draw=lambda: 0
        )

    [message] = mailer.sent
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None and html is not None
    assert "12\xa0360,00 SEK" in body.get_content()
    assert "<strong>RQ-2025-000003</strong>" in html.get_content()
    [pdf] = message.iter_attachments()
    assert (pdf.get_filename(), pdf.get_content()) == ("RQ-2025-000003.pdf", PDF)


async def test_a_customer_name_with_markup_is_escaped_in_the_html_part_only() -> None:
    uow = FakeNotifierUnitOfWork()
    inv = samples.invoice_generated().model_copy(update={"customer_name": "<b>Acme</b> & Co"})

    await _handle(uow, topics.INVOICE_GENERATED, inv)

    [email] = uow.emails.rows.values()
    assert "Dear <b>Acme</b> & Co," in email.body_text
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in (email.body_html or "")


async def test_a_payment_for_a_customer_not_yet_known_waits_for_the_customer() -> None:
    uow = FakeNotifierUnitOfWork()

    with pytest.raises(Exception, match="does not know customer"):
        await deliver(uow, BY_TOPIC[topics.INVOICE_PAID], _env(topics.INVOICE_PAID, samples.invoice_paid()))
    assert uow.emails.rows == {}


async def test_the_newest_customer_state_gives_the_language_and_address() -> None:
    uow = FakeNotifierUnitOfWork()
    new = CustomerState(customer=samples.customer("sv", "ny@acme.example"))
    old = CustomerState(customer=samples.customer("en", "old@acme.example"))
    for version, data in ((2, new), (1, old)):
        env = new_envelope(topics.CUSTOMER_STATE, "contracts", samples.CUSTOMER_ID, data, version)
        await deliver(uow, BY_TOPIC[topics.CUSTOMER_STATE], env)

    await _handle(uow, topics.INVOICE_PAID, samples.invoice_paid())

    assert _emails(uow) == [
        ("payment_received", "ny@acme.example", "Betalning mottagen: faktura INV-2025-000042")
    ]


async def test_a_contract_state_tells_which_customer_a_renewal_is_for() -> None:
    uow = FakeNotifierUnitOfWork()
    state = ContractState.model_validate(
        {"contract_id": samples.CONTRACT_ID, "contract_no": "C-2024-0007", "customer": samples.customer("sv"),
         "currency": "SEK", "start_date": "2024-07-01", "end_date": "2025-06-30",
         "billing_interval_months": 12,
         "status": "active", "lines": []}
    )  # fmt: skip
    await _handle(uow, topics.CONTRACT_STATE, state)

    await _handle(uow, topics.CONTRACT_RENEWED, samples.contract_renewed())

    assert _emails(uow) == [
        ("contract_renewed", "billing@acme.example", "Avtal C-2024-0007 förnyat som C-2025-0031")
    ]


async def test_a_billing_run_with_failures_tells_each_staff_address_and_one_without_tells_nobody() -> None:
    uow = FakeNotifierUnitOfWork()

    await _handle(uow, topics.BILLING_RUN_FINISHED, samples.billing_run_finished(failed=0))
    await _handle(uow, topics.BILLING_RUN_FINISHED, samples.billing_run_finished(failed=2))

    assert _emails(uow) == [
        ("billing_run_failed", a, "Billing run auto:2025-04-01 finished with 2 failures") for a in STAFF
    ]
    assert all(e.customer_id is None for e in uow.emails.rows.values())
    assert "no price for line 1" in next(iter(uow.emails.rows.values())).body_text


async def test_a_bulk_job_with_failures_tells_staff() -> None:
    uow = FakeNotifierUnitOfWork()

    await _handle(uow, topics.BULK_JOB_FINISHED, samples.bulk_job_finished(failed=1))

    assert [s for _, _, s in _emails(uow)] == ["Bulk job change_prices finished with 1 failure"] * 2
