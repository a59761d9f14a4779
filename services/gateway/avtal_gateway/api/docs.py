"""/schema: the OpenAPI document and a Swagger UI page served from files the project ships (no CDN)."""

from __future__ import annotations

import dataclasses
from importlib.resources import files
from pathlib import Path

import swagger_ui_bundle
from litestar import Request, Router
from litestar.config.app import AppConfig
from litestar.datastructures import ResponseHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

UI = "/schema/ui"
# Swagger UI sets inline styles (never inline scripts): this page alone allows them.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class ShippedSwaggerUI(OpenAPIRenderPlugin):
    """The documentation page: our HTML, Swagger UI's files and our init script, all from this server."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"])

    def render(self, request: Request, openapi_schema: dict[str, object]) -> bytes:
        info = openapi_schema.get("info")
        title = str(info.get("title", "API")) if isinstance(info, dict) else "API"
        page = (files("avtal_gateway") / "static" / "docs" / "index.html").read_text()
        return page.replace("{{ title }}", title).replace("{{ ui }}", UI).encode()


def _router() -> Router:
    assets = [Path(str(files("avtal_gateway") / "static" / "docs")), Path(swagger_ui_bundle.swagger_ui_path)]
    return Router(
        "/schema",
        route_handlers=[create_static_files_router(path="/ui", directories=assets, name="docs-ui")],
        include_in_schema=False,
        response_headers=[ResponseHeader(name="Content-Security-Policy", value=DOCS_CSP)],
    )


def public_openapi(app_config: AppConfig) -> AppConfig:
    """`on_app_init`: the gateway's document describes the public API and renders with `ShippedSwaggerUI`."""
    assert app_config.openapi_config is not None
    app_config.openapi_config = dataclasses.replace(
        app_config.openapi_config,
        title="Avtal public API",
        description="Sign in with POST /api/v1/login; send the session cookie (and X-CSRF-Token on writes).",
        render_plugins=[ShippedSwaggerUI()],
        openapi_router=_router(),
    )
    return app_config
