"""Staff notices: a billing run or bulk job that finished with failures (AVTAL_NOTIFIER_STAFF_EMAILS)."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.billing import BillingRunFinished
from avtal_common.payloads.contracts import BulkJobFinished
from avtal_notifier.adapters.templates import render
from avtal_notifier.handlers.emails import Notice, notify_staff
from avtal_notifier.store.uow import NotifierUnitOfWork


async def on_billing_run_finished(
    uow: NotifierUnitOfWork, event: Envelope[BillingRunFinished], staff: list[str]
) -> None:
    """Only a run with failures is news; staff read English."""
    if event.data.failed:
        rendered = render("billing_run_failed", "en", e=event.data)
        await notify_staff(
            uow, staff, Notice("billing_run_failed", event.event_id, rendered, event.correlation_id)
        )


async def on_bulk_job_finished(
    uow: NotifierUnitOfWork, event: Envelope[BulkJobFinished], staff: list[str]
) -> None:
    if event.data.failed:
        rendered = render("bulk_job_failed", "en", e=event.data)
        await notify_staff(
            uow, staff, Notice("bulk_job_failed", event.event_id, rendered, event.correlation_id)
        )
