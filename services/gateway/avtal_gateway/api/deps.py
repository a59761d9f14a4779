"""The gateway's Litestar dependencies: handlers name `services` (and `pool`, `settings`) to get them."""

from __future__ import annotations

from litestar.di import Provide

from avtal_common.runtime import Runtime
from avtal_gateway.adapters.services import Services


def dependencies(rt: Runtime) -> dict[str, Provide]:
    """`ServiceSpec.dependencies`: the client of the services, built at start-up."""

    def provide_services() -> Services:
        found: Services = rt.state["services"]
        return found

    return {"services": Provide(provide_services, sync_to_thread=False)}
