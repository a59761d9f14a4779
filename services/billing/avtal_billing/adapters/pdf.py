"""PDF rendering: the `PdfRenderer` port and WeasyPrint (Jinja HTML here, PDF in worker processes)."""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, select_autoescape

from avtal_billing.adapters.invoice_text import formatters, labels
from avtal_billing.domain.contracts import Buyer
from avtal_billing.domain.invoices import Invoice, Seller

_env = Environment(loader=PackageLoader("avtal_billing", "templates"), autoescape=select_autoescape(["html"]))


class PdfRenderer(Protocol):
    """Turns an invoice into PDF bytes; raises if it cannot (the issuer records why and goes on)."""

    async def render(self, invoice: Invoice, seller: Seller) -> bytes: ...


def invoice_html(invoice: Invoice, seller: Seller) -> str:
    """The invoice (or credit note, or renewal quote) in its buyer's language. Everything a customer
    typed is escaped by the template, and the renderer fetches nothing (see `_NoFetch`)."""
    t = labels(invoice.locale)
    buyer = invoice.buyer or Buyer(invoice.customer_id, invoice.customer_name, invoice.customer_email)
    return _env.get_template("invoice.html").render(
        inv=invoice, seller=seller, buyer=buyer, t=t, title=t[invoice.kind], **formatters(invoice.locale)
    )


class WeasyPrintRenderer:
    """Renders in a spawned process pool: CPU work never stalls the Kafka heartbeat."""

    def __init__(self, workers: int) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, mp_context=multiprocessing.get_context("spawn")
        )

    async def render(self, invoice: Invoice, seller: Seller) -> bytes:
        return await self.render_html(invoice_html(invoice, seller))

    async def render_html(self, html: str) -> bytes:
        """Any HTML through the same workers and fetcher (the benchmark compares it with bare WeasyPrint)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _render, html)

    def close(self) -> None:
        # Wait for the workers to exit: at shutdown they are idle or cancelled, and none outlives us.
        self._pool.shutdown(wait=True, cancel_futures=True)


# --- worker process side -------------------------------------------------------------------
_PR_SET_PDEATHSIG = 1
_fonts: Any = None
_fetcher: Any = None


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the billing process dies, even by SIGKILL (no orphans)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _init_worker() -> None:
    global _fonts, _fetcher
    _die_with_parent()
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class _NoFetch(URLFetcher):
        """Invoices embed everything they need: fetching any URL (http, file, data) is refused."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"blocked resource: {url}")

    _fonts, _fetcher = FontConfiguration(), _NoFetch()


def _render(html: str) -> bytes:
    from weasyprint import HTML

    if _fonts is None:
        _init_worker()
    return HTML(string=html, url_fetcher=_fetcher).write_pdf(font_config=_fonts)
