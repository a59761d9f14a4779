"""Server-rendered portal: staff workspace and customer portal on the same routes, scoped by role."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel

from avtal_gateway.api.deps import services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views
from avtal_gateway.handlers.users import authenticate

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class LoginForm(BaseModel):
    email: str
    password: str


class PortalController(Controller):
    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def login_page(self, error: str | None = None) -> Template:
        return Template("login.html", context={"error": error})

    @post("/login", exclude_from_auth=True)
    async def login(self, request: Request, data: Annotated[LoginForm, Form]) -> Response[Any]:
        user = await authenticate(request.app.state.runtime.db, data.email, data.password)
        if user is None:
            return Template("login.html", context={"error": "Wrong e-mail or password."}, status_code=401)
        request.set_session({"user_id": str(user.user_id)})
        return Redirect("/")

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login")

    @get("/")
    async def home(self, request: Request[User, Any, Any]) -> Template:
        svc, user = services(request), request.user
        context: dict[str, Any] = {
            "user": user,
            "contracts": await views.contracts(svc, user),
            "invoices": (await views.invoices(svc, user))[:50],
        }
        if user.is_staff:
            context["revenue"] = await svc.json("reporting", "GET", "/revenue/monthly")
        return Template("home.html", context=context)

    @get("/contracts/{contract_id:uuid}")
    async def contract(self, request: Request[User, Any, Any], contract_id: uuid.UUID) -> Template:
        svc, user = services(request), request.user
        c = await views.contract(svc, user, contract_id)
        invs = await views.invoices(svc, user, contract_id=contract_id)
        return Template("contract.html", context={"user": user, "c": c, "invoices": invs})

    @get("/invoices/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def invoice_pdf(self, request: Request[User, Any, Any], invoice_id: uuid.UUID) -> Response[bytes]:
        number, pdf = await views.invoice_pdf(services(request), request.user, invoice_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )


def unauthorized(request: Request, exc: NotAuthorizedException) -> Response[Any]:
    """Pages send the browser to the sign-in form; the API answers 401 with problem details."""
    if request.url.path.startswith("/api/"):
        return Response(
            {"status": 401, "title": "Sign in first", "detail": str(exc.detail)},
            status_code=401,
            media_type="application/problem+json",
        )
    return Redirect("/login")
