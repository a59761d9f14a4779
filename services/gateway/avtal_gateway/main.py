"""Gateway: the portal (staff and customers) and the public JSON API, in front of the services."""

from __future__ import annotations

from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.exceptions import NotAuthorizedException
from litestar.template import TemplateConfig

from avtal_common import topics
from avtal_common.runtime import Runtime, ServiceSpec, serve
from avtal_gateway.adapters.services import SERVICES, Services
from avtal_gateway.api.auth import session_auth
from avtal_gateway.api.deps import dependencies
from avtal_gateway.api.docs import public_openapi
from avtal_gateway.api.portal import PortalController, unauthorized
from avtal_gateway.api.v1 import ScopedController, SessionController, StaffController
from avtal_gateway.handlers.users import ensure_staff_user
from avtal_gateway.settings import GatewaySettings


def _settings(rt: Runtime) -> GatewaySettings:
    assert isinstance(rt.settings, GatewaySettings)
    return rt.settings


async def start_gateway(rt: Runtime) -> None:
    s = _settings(rt)
    rt.state["services"] = Services({name: getattr(s, f"{name}_url") for name in SERVICES})
    await ensure_staff_user(rt.db, s.staff_email, s.staff_password)


async def services_ready(rt: Runtime) -> dict[str, bool]:
    """The gateway is ready only when every service it fronts is."""
    services = rt.state.get("services")
    return await services.ready() if services else dict.fromkeys(SERVICES, False)


def app_options(rt: Runtime) -> dict[str, Any]:
    from importlib.resources import files

    return {
        # public_openapi first: session auth then adds its security scheme to that document.
        "on_app_init": [public_openapi, session_auth(_settings(rt)).on_app_init],
        "template_config": TemplateConfig(
            directory=str(files("avtal_gateway") / "templates"), engine=JinjaTemplateEngine
        ),
        "exception_handlers": {NotAuthorizedException: unauthorized},
    }


SPEC = ServiceSpec(
    name="gateway",
    package="avtal_gateway",
    publishes=[topics.RENEWAL_ACCEPTED, topics.PAYMENT_RECEIVED],
    routes=[SessionController, StaffController, ScopedController, PortalController],
    on_startup=[start_gateway],
    extra_ready=services_ready,
    app_options=app_options,
    dependencies=dependencies,
)


def main() -> None:
    serve(SPEC, GatewaySettings)
