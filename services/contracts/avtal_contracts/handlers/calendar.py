"""The daily calendar run: status moves, expiry reminders and auto-renewals of the contracts due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from avtal_common.errors import DomainError
from avtal_common.payloads.contracts import ContractAmended, ContractExpired, ContractExpiring
from avtal_common.topics import CONTRACT_AMENDED, CONTRACT_EXPIRED, CONTRACT_EXPIRING
from avtal_contracts.domain.calendar import DEFAULT_LEADS, Reminder, due_reminders, renewal_due, status_move
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.domain.renewals import IndexValueMissing
from avtal_contracts.handlers.contracts import commit_change, contract_fields, customer_ref
from avtal_contracts.handlers.renewals import renew_contract
from avtal_contracts.store.uow import ContractsUnitOfWork

ACTOR = "calendar"


@dataclass(frozen=True)
class RunCalendar:
    today: date
    leads: tuple[int, ...] = DEFAULT_LEADS
    expiring_days: int = 90
    customer_id: uuid.UUID | None = None  # one customer's contracts only (e.g. after importing them)


@dataclass
class CalendarReport:
    today: date
    due: int = 0
    moved: dict[str, int] = field(default_factory=dict)  # status -> contracts moved to it
    reminders: int = 0
    renewed: list[str] = field(default_factory=list)  # "C-000123 -> C-000456"
    waiting: list[dict[str, str]] = field(default_factory=list)  # renewals waiting for an index value
    failed: list[dict[str, str]] = field(default_factory=list)


async def run_calendar(uow: ContractsUnitOfWork, cmd: RunCalendar) -> CalendarReport:
    """One transaction per contract: a refusal of one is reported and the others go on. Rerunning the
    same day finds nothing left to do."""
    async with uow:
        ids = await uow.calendar.due(cmd.today, cmd.leads, cmd.expiring_days, cmd.customer_id)
    report = CalendarReport(cmd.today, len(ids))
    for contract_id in ids:
        try:
            await _advance(uow, contract_id, cmd, report)
        except IndexValueMissing as exc:
            report.waiting.append({"contract_id": str(contract_id), "reason": str(exc)})
        except DomainError as exc:  # a Conflict (coverage) or a closed contract: staff look at it
            report.failed.append({"contract_id": str(contract_id), "reason": str(exc)})
    return report


async def _advance(
    uow: ContractsUnitOfWork, contract_id: uuid.UUID, cmd: RunCalendar, report: CalendarReport
) -> None:
    async with uow:
        c = await uow.contracts.get(contract_id, for_update=True)  # a replica's run waits here, then rechecks
        sent = [r for r in due_reminders(c, cmd.today, cmd.leads) if await _remind(uow, c, r, cmd.today)]
        moved = await move_status(uow, c, cmd.today, cmd.expiring_days)
    report.reminders += len(sent)
    if moved:
        report.moved[moved.status] = report.moved.get(moved.status, 0) + 1
        c = moved
    if renewal_due(c, cmd.today):
        async with uow:
            nxt = await renew_contract(uow, contract_id, how="auto", actor=ACTOR, today=cmd.today)
        report.renewed.append(f"{c.contract_no} -> {nxt.contract_no}")


async def _remind(uow: ContractsUnitOfWork, c: Contract, r: Reminder, today: date) -> bool:
    """Sends `r` unless it was sent before: its row and its outbox row commit together."""
    if not await uow.calendar.record_reminder(
        c.contract_id, c.end_date, r.basis, r.lead_days, r.due_on, today
    ):
        return False
    fact = ContractExpiring(
        contract_id=c.contract_id, contract_no=c.contract_no, customer=customer_ref(c.customer),
        end_date=c.end_date, notice_deadline=c.notice_deadline, basis=r.basis, lead_days=r.lead_days,
        due_on=r.due_on, auto_renew=c.terms.auto_renew, annual_value=c.annual_value, currency=c.currency,
    )  # fmt: skip
    await uow.emit(CONTRACT_EXPIRING, c.contract_id, fact, c.version)
    return True


async def move_status(
    uow: ContractsUnitOfWork, c: Contract, today: date, expiring_days: int
) -> Contract | None:
    """Stores the status the calendar gives `c` today: 'expiring' is a `contract.amended` (operation
    'status'), 'expired' a `contract.expired`; both carry the new state on `contract.state`."""
    status = status_move(c, today, expiring_days)
    if status is None:
        return None
    after = c.next_version(status=status)
    if status == "expired":
        fact = ContractExpired(
            contract_id=c.contract_id, contract_no=c.contract_no, customer=customer_ref(c.customer),
            end_date=c.end_date,
        )  # fmt: skip
        return await commit_change(
            uow, c, after, action="expired", fact_topic=CONTRACT_EXPIRED, fact=fact, actor=ACTOR,
            effective_date=c.end_date + timedelta(days=1),
        )  # fmt: skip
    summary = f"{c.status} -> {status}: the term ends {c.end_date}, notice deadline {c.notice_deadline}"
    amended = ContractAmended(
        **contract_fields(after), operation="status", effective_date=today, summary=summary
    )
    return await commit_change(
        uow, c, after, action="status", fact_topic=CONTRACT_AMENDED, fact=amended, actor=ACTOR,
        effective_date=today, detail={"status": status},
    )  # fmt: skip
