"""Gateway: the portal (staff and customers) and the public JSON API, in front of the services."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from avtal_common import topics
from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime, ServiceSpec, serve
from avtal_gateway.adapters.passwords import Argon2Passwords, Passwords
from avtal_gateway.adapters.services import SERVICES, Services
from avtal_gateway.adapters.shutdown import Shutdown
from avtal_gateway.api.auth import session_auth
from avtal_gateway.api.billing import BillingApiController
from avtal_gateway.api.billing_portal import BillingPortalController
from avtal_gateway.api.catalog import CATALOG_ROUTES
from avtal_gateway.api.contract_workspace import CONTRACT_ROUTES
from avtal_gateway.api.contracts_bulk import BULK_API_ROUTES
from avtal_gateway.api.contracts_portal import ContractListController
from avtal_gateway.api.customers import CustomerApiController
from avtal_gateway.api.customers_portal import CustomerPortalController
from avtal_gateway.api.dashboard import DashboardApiController, DashboardPortalController
from avtal_gateway.api.deps import dependencies as service_dependencies
from avtal_gateway.api.docs import public_openapi
from avtal_gateway.api.errors import too_many_attempts, unauthorized
from avtal_gateway.api.imports import ImportApiController, ImportPagesController
from avtal_gateway.api.invoices_portal import InvoicePortalController
from avtal_gateway.api.login_page import LoginPageController
from avtal_gateway.api.notifications_portal import NotificationPortalController
from avtal_gateway.api.outbox import OutboxController
from avtal_gateway.api.portal import PortalController
from avtal_gateway.api.renewals import RENEWAL_ROUTES
from avtal_gateway.api.security import security
from avtal_gateway.api.session import SessionController
from avtal_gateway.api.users import UsersController
from avtal_gateway.api.v1 import ScopedController, StaffController
from avtal_gateway.domain.logins import TooManyAttempts
from avtal_gateway.handlers.sessions import purge_expired
from avtal_gateway.handlers.users import ensure_staff_user
from avtal_gateway.settings import GatewaySettings
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork


def _settings(rt: Runtime) -> GatewaySettings:
    assert isinstance(rt.settings, GatewaySettings)
    return rt.settings


def _uow(rt: Runtime) -> GatewayUnitOfWork:
    uow = rt.uow()
    assert isinstance(uow, GatewayUnitOfWork)
    return uow


def _passwords(rt: Runtime) -> Passwords:
    # One hasher per process, made at start (it computes a dummy hash), never at import.
    passwords: Passwords = rt.state.setdefault("passwords", Argon2Passwords())
    return passwords


def _shutdown(rt: Runtime) -> Shutdown:
    shutdown: Shutdown = rt.state.setdefault("shutdown", Shutdown())
    return shutdown


async def start_gateway(rt: Runtime) -> None:
    s = _settings(rt)
    urls = {name: getattr(s, f"{name}_url") for name in SERVICES}
    rt.state["services"] = Services(urls, rt.common.service_token)
    _shutdown(rt).install()  # open dashboard streams end as soon as a stop is asked for
    await ensure_staff_user(_uow(rt), _passwords(rt), s.staff_email, s.staff_password)


async def purge_sessions(rt: Runtime) -> None:
    """Ended sessions and attempts older than the window are deleted once a minute."""
    s = _settings(rt)
    await drain_forever(
        lambda: purge_expired(_uow(rt), s.session_limits(), s.login_limits()), "gateway.purge", idle_s=60
    )


async def services_ready(rt: Runtime) -> dict[str, bool]:
    """The gateway is ready only when every service it fronts is."""
    services = rt.state.get("services")
    return await services.ready() if services else dict.fromkeys(SERVICES, False)


def dependencies(rt: Runtime) -> dict[str, Provide]:
    return {
        "passwords": Provide(lambda: rt.state["passwords"], sync_to_thread=False),
        "shutdown": Provide(lambda: _shutdown(rt), sync_to_thread=False),
        **service_dependencies(rt),
    }


def app_options(rt: Runtime) -> dict[str, Any]:
    s = _settings(rt)
    return {
        # public_openapi first: session auth then adds its security scheme to that document.
        "on_app_init": [public_openapi, security(s), session_auth(s, lambda: _uow(rt)).on_app_init],
        "template_config": TemplateConfig(
            directory=str(files("avtal_gateway") / "templates"), engine=JinjaTemplateEngine
        ),
        "exception_handlers": {NotAuthorizedException: unauthorized, TooManyAttempts: too_many_attempts},
    }


STATIC = create_static_files_router(
    path="/static", directories=[str(files("avtal_gateway") / "static")], include_in_schema=False
)

SPEC = ServiceSpec(
    name="gateway",
    package="avtal_gateway",
    publishes=[topics.RENEWAL_ACCEPTED, topics.RENEWAL_DECLINED, topics.PAYMENT_RECEIVED],
    routes=[
        SessionController,
        UsersController,
        OutboxController,
        StaffController,
        BillingApiController,
        BillingPortalController,
        NotificationPortalController,
        ScopedController,
        LoginPageController,
        PortalController,
        InvoicePortalController,
        *CONTRACT_ROUTES,
        *CATALOG_ROUTES,
        *BULK_API_ROUTES,
        ContractListController,
        *RENEWAL_ROUTES,
        ImportApiController,
        ImportPagesController,
        CustomerApiController,
        CustomerPortalController,
        DashboardApiController,
        DashboardPortalController,
        STATIC,
    ],
    on_startup=[start_gateway],
    background=[purge_sessions],
    extra_ready=services_ready,
    unit_of_work=GatewayUnitOfWork,
    dependencies=dependencies,
    app_options=app_options,
    internal=False,  # the public process: sessions, not the service token
)


def main() -> None:
    serve(SPEC, GatewaySettings)
