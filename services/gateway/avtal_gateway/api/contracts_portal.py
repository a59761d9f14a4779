"""Portal screens of the contracts list: filters, pages, multi-select → bulk preview → apply → job page."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from avtal_common.api.commands import BulkJobIn, ContractSelectionIn, ContractStatus
from avtal_common.api.text import OneLine, QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import contracts_bulk as handlers

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE = 25
PREVIEW_PAGE = 200
AnyUser = Request[User, Any, Any]


def _none_if_blank(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def _ids(v: Any) -> Any:
    """A form sends one ticked box as a string and several as a list."""
    return [v] if isinstance(v, str) else v


Blank = BeforeValidator(_none_if_blank)
Text = Annotated[Annotated[OneLine, Field(max_length=200)] | None, Blank]


class Filters(BaseModel):
    """The list's filters, as query parameters and again as hidden fields of the bulk forms."""

    customer_id: Annotated[uuid.UUID | None, Blank] = None
    site_id: Annotated[uuid.UUID | None, Blank] = None
    sku: Text = None
    vendor: Text = None
    end_from: Annotated[date | None, Blank] = None
    end_to: Annotated[date | None, Blank] = None
    status: Annotated[ContractStatus | None, Blank] = None
    contract_nos: str = Field(default="", max_length=1_000_000)  # an uploaded or pasted list

    def selection(self, ids: list[uuid.UUID] | None = None) -> ContractSelectionIn:
        nos = [n for n in re.split(r"[\s,;]+", self.contract_nos) if n]
        fields = self.model_dump(exclude={"contract_nos"})
        return ContractSelectionIn(**fields, contract_nos=nos, contract_ids=ids or [])

    def query(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if v not in (None, "")}


class BulkForm(Filters):
    """The list's choice (ticked contracts, or every match of the filters) and the operation."""

    ids: Annotated[list[uuid.UUID], BeforeValidator(_ids)] = []
    all_matching: bool = False
    kind: Literal["coterminate", "edit", "reorganise", "merge", "renew", "split"]
    mode: Literal["date", "latest", "earliest"] = "date"
    end_date: Annotated[date | None, Blank] = None
    billing_interval_months: Annotated[Literal[1, 3, 6, 12] | None, Blank] = None
    price_policy: Annotated[Literal["fixed", "list", "uplift_pct", "uplift_index"] | None, Blank] = None
    uplift_pct: Annotated[str | None, Blank] = Field(default=None, max_length=12)
    auto_renew: Annotated[Literal["yes", "no"] | None, Blank] = None
    target_id: Annotated[uuid.UUID | None, Blank] = None
    effective_date: Annotated[date | None, Blank] = None
    move_site_id: Annotated[uuid.UUID | None, Blank] = None
    split_by: Annotated[Literal["site", "product"] | None, Blank] = None

    def command(self) -> BulkJobIn:
        selection = self.selection(None if self.all_matching else self.ids)
        return BulkJobIn(
            kind=self.kind, selection=selection, mode=self.mode, end_date=self.end_date,
            billing_interval_months=self.billing_interval_months, price_policy=self.price_policy,
            uplift_pct=self.uplift_pct,  # pydantic parses the Decimal
            auto_renew=None if self.auto_renew is None else self.auto_renew == "yes",
            target_id=self.target_id, effective_date=self.effective_date, site_id=self.move_site_id,
            split_by=self.split_by,
        )  # fmt: skip

    def hidden(self) -> list[tuple[str, str]]:
        """The form again as hidden fields (the preview page's Apply button sends the same choice)."""
        fields = [(k, v) for k, v in self.model_dump(exclude={"ids"}).items() if v not in (None, "", False)]
        return [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in fields] + [
            ("ids", str(i)) for i in self.ids
        ]

    def refused(self) -> str | None:
        if not self.all_matching and not self.ids:
            return "tick at least one contract, or choose every contract matching the filters"
        return None


class ContractListController(Controller):
    include_in_schema = False

    @get("/contracts")
    async def contracts(
        self,
        services: Services,
        request: AnyUser,
        customer_id: QueryText = None,
        site_id: QueryText = None,
        sku: QueryText = None,
        vendor: QueryText = None,
        end_from: QueryText = None,
        end_to: QueryText = None,
        status: QueryText = None,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """Staff: every contract, filters, ticks and bulk operations; a customer: its own contracts."""
        given = {"customer_id": customer_id, "site_id": site_id, "sku": sku, "vendor": vendor,
                 "end_from": end_from, "end_to": end_to, "status": status}  # fmt: skip
        try:
            filters = Filters(**given)
        except ValidationError as exc:
            raise ValidationException(f"a filter is not valid: {exc.errors()[0]['msg']}") from exc
        found = await handlers.search(services, request.user, filters.selection(), PAGE, offset)
        context = {"user": request.user, "contracts": found, "filters": filters, "keep": filters.query()}
        return Template("contracts.html", context=context)

    @post("/contracts/bulk/preview", guards=[staff_only])
    async def preview(
        self, services: Services, request: AnyUser, data: Annotated[BulkForm, Form]
    ) -> Template:
        """What the operation would do to each chosen contract (the first 200), with an Apply button."""
        problem = data.refused()
        shown = None if problem else await handlers.preview(services, data.command(), PREVIEW_PAGE, 0)
        context = {"user": request.user, "form": data, "preview": shown, "problem": problem}
        return Template("contracts_bulk_preview.html", context=context)

    @post("/contracts/bulk/apply", guards=[staff_only])
    async def apply(self, services: Services, data: Annotated[BulkForm, Form]) -> Redirect:
        job = await handlers.start(services, data.command())
        return Redirect(f"/contracts/bulk-jobs/{job.job_id}")

    @get("/contracts/bulk-jobs", guards=[staff_only])
    async def jobs(
        self, services: Services, request: AnyUser, offset: int = Parameter(ge=0, default=0)
    ) -> Template:
        context = {"user": request.user, "jobs": await handlers.jobs(services, PAGE, offset)}
        return Template("contracts_bulk_jobs.html", context=context)

    @get("/contracts/bulk-jobs/{job_id:uuid}", guards=[staff_only])
    async def job(
        self,
        services: Services,
        request: AnyUser,
        job_id: uuid.UUID,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """Progress while it runs (the page reloads itself), then the result with every failure."""
        context = {
            "user": request.user,
            "job": await handlers.job(services, job_id),
            "failures": await handlers.job_contracts(services, job_id, "failed", PAGE, offset),
        }
        return Template("contracts_bulk_job.html", context=context)

    @post("/contracts/bulk-jobs/{job_id:uuid}/undo", guards=[staff_only])
    async def undo(self, services: Services, job_id: uuid.UUID) -> Redirect:
        job = await handlers.undo(services, job_id)
        return Redirect(f"/contracts/bulk-jobs/{job.job_id}")
