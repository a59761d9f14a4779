"""The portal's sign-in form and sign-out button (CSRF-protected forms)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from avtal_common.api.text import FreeText, OneLine
from avtal_gateway.adapters.passwords import Passwords
from avtal_gateway.api.session import address
from avtal_gateway.domain.commands import SignIn
from avtal_gateway.domain.logins import TooManyAttempts
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.sessions import sign_in, sign_out
from avtal_gateway.settings import GatewaySettings
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork

Form = Body(media_type=RequestEncodingType.URL_ENCODED)

# The only messages the sign-in page shows: a code in the query string selects one, nothing else is echoed.
MESSAGES = {
    "wrong_password": "Wrong e-mail or password.",
    "session_ended": "Your session has ended. Please sign in again.",
    "signed_out": "You are signed out.",
}


class LoginForm(BaseModel):
    email: OneLine = Field(max_length=320)
    password: FreeText = Field(max_length=1000)


def _page(message: str | None, status_code: int = 200, headers: dict[str, str] | None = None) -> Template:
    return Template("login.html", context={"error": message}, status_code=status_code, headers=headers)


class LoginPageController(Controller):
    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def login_page(self, error: str | None = None) -> Template:
        return _page(MESSAGES.get(error or ""))

    @post("/login", exclude_from_auth=True)
    async def login(
        self,
        request: Request,
        data: Annotated[LoginForm, Form],
        uow: GatewayUnitOfWork,
        passwords: Passwords,
        settings: GatewaySettings,
    ) -> Response[Any]:
        cmd = SignIn(data.email, data.password, address(request, settings))
        try:
            signed = await sign_in(uow, passwords, cmd, settings.login_limits())
        except TooManyAttempts as exc:
            minutes = -(-exc.retry_after_s // 60)
            text = f"Too many sign-in attempts. Try again in {minutes} minute(s)."
            return _page(text, 429, {"Retry-After": str(exc.retry_after_s)})
        if signed is None:
            return _page(MESSAGES["wrong_password"], 401)
        request.set_session({"sid": signed[1]})
        return Redirect("/")

    @post("/logout")
    async def logout(self, request: Request[User, Any, Any], uow: GatewayUnitOfWork) -> Redirect:
        await sign_out(uow, request.user.user_id)
        request.clear_session()
        return Redirect("/login?error=signed_out")
