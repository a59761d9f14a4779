"""Per-request access to what the gateway's runtime holds."""

from __future__ import annotations

from typing import Any

from litestar import Request

from avtal_gateway.adapters.services import Services


def services(request: Request[Any, Any, Any]) -> Services:
    return request.app.state.runtime.state["services"]
