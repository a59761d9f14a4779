"""Portal screens of the notifier for staff: what was sent to whom and what failed, and a customer's
notice preferences (which notices, to which contacts)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from avtal_common.api.pagination import Offset
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import customers, views

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
AnyUser = Request[User, Any, Any]
PAGE = 50
# The filter form sends empty fields for "any".
Status = Annotated[str | None, Parameter(pattern="^(pending|sent|failed)?$", max_length=10)]
CustomerFilter = Annotated[
    str | None,
    Parameter(pattern="^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"),
]


class NotificationPortalController(Controller):
    include_in_schema = False
    guards = [staff_only]

    @get("/notifications")
    async def sent(
        self,
        services: Services,
        request: AnyUser,
        status: Status = None,
        customer_id: CustomerFilter = None,
        offset: Offset = 0,
    ) -> Template:
        """E-mails newest first, with their delivery state; filtered by status and customer."""
        emails = await views.emails(services, PAGE, offset, status or None, customer_id or None)
        keep = {k: str(v) for k, v in (("status", status), ("customer_id", customer_id)) if v}
        context = {"user": request.user, "emails": emails, "status": status or "",
                   "customer_id": customer_id or "", "keep": keep}  # fmt: skip
        return Template("notifications.html", context=context)

    @get("/notifications/preferences/{customer_id:uuid}")
    async def preferences(self, services: Services, request: AnyUser, customer_id: uuid.UUID) -> Template:
        c = await customers.customer(services, request.user, customer_id)  # 404 for an unknown customer
        prefs = await services.json("notifier", "GET", f"/preferences/{customer_id}")
        context = {"user": request.user, "c": c, "prefs": prefs["preferences"]}
        return Template("notification_preferences.html", context=context)

    @post("/notifications/preferences/{customer_id:uuid}")
    async def save_preferences(
        self,
        services: Services,
        request: AnyUser,
        customer_id: uuid.UUID,
        data: Annotated[dict[str, str], Form],
    ) -> Redirect:
        """Per kind: `on:<kind>` and `own:<kind>` checkboxes, `contacts:<kind>` addresses (comma or space
        separated)."""
        await customers.customer(services, request.user, customer_id)
        current = await services.json("notifier", "GET", f"/preferences/{customer_id}")
        body = {"preferences": [_preference(p["kind"], data) for p in current["preferences"]]}
        await services.json("notifier", "PUT", f"/preferences/{customer_id}", json=body)
        return Redirect(f"/notifications/preferences/{customer_id}?saved=1", status_code=303)


def _preference(kind: str, form: dict[str, str]) -> dict[str, Any]:
    contacts = [a for a in re.split(r"[,;\s]+", form.get(f"contacts:{kind}", "")) if a]
    return {
        "kind": kind,
        "enabled": f"on:{kind}" in form,
        "customer_email": f"own:{kind}" in form,
        "contacts": contacts,
    }
