"""Staff see and settle the outbox rows a service's relay could never send (quarantined rows)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, delete, get, post

from avtal_common.api.pagination import Limit, Offset
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import problems

ServiceName = Literal["catalog", "contracts", "billing", "notifier", "reporting"]


class OutboxController(Controller):
    """The internal services' `/outbox/quarantined`, for staff: a row too large or for a topic that does
    not exist waits here, holding back the later rows of its key, until it is retried or discarded."""

    path = "/api/v1/outbox/{service:str}/quarantined"
    guards = [staff_only]
    tags = ["outbox"]

    @get("/", responses=problems(400, 401, 403, 503))
    async def quarantined(
        self, service: ServiceName, services: Services, limit: Limit = 100, offset: Offset = 0
    ) -> dict[str, Any]:
        """A page of the service's quarantined rows: event, topic, key, size, attempts, last error."""
        params = {"limit": limit, "offset": offset}
        page: dict[str, Any] = await services.json(service, "GET", "/outbox/quarantined/", params=params)
        return page

    @post("/{event_id:uuid}/retry", status_code=202, responses=problems(401, 403, 404, 415, 503))
    async def retry(self, service: ServiceName, event_id: uuid.UUID, services: Services) -> dict[str, Any]:
        """Send the row again (after its cause is fixed: the topic created, the size limit raised)."""
        body: dict[str, Any] = await services.json(service, "POST", f"/outbox/quarantined/{event_id}/retry")
        return body

    @delete("/{event_id:uuid}", status_code=204, responses=problems(401, 403, 404, 503))
    async def discard(self, service: ServiceName, event_id: uuid.UUID, services: Services) -> None:
        """Give the row up for good (logged with its topic, key and error); its key's later rows go."""
        await services.request(service, "DELETE", f"/outbox/quarantined/{event_id}")
