"""CSV files for the import tests and a client that uploads one and waits for its job's report."""

from __future__ import annotations

from typing import Any

import httpx

from avtal_testing.api import eventually, ok

PRODUCT_HEADER = ["sku", "name", "manufacturer", "models", "category", "annual_price", "currency"]


def product_rows(prefix: str, n: int) -> list[list[str]]:
    """n products with non-ASCII names and two-decimal prices (so every encoding and decimal form shows)."""
    return [
        [
            f"{prefix}-{i:05d}",
            f"Underhåll Öst {i}",
            "Dell",
            "R740|R740xd",
            "Servrar",
            f"{1000 + i}.{i % 100:02d}",
            "SEK",
        ]
        for i in range(n)
    ]


def csv_text(
    header: list[str], rows: list[list[str]], delimiter: str = ",", decimal_comma: bool = False
) -> str:
    def cell(value: str) -> str:
        if decimal_comma and _is_decimal(value):
            value = value.replace(".", ",")
        if delimiter in value or '"' in value:
            value = '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in [header, *rows])


def _is_decimal(value: str) -> bool:
    whole, dot, cents = value.partition(".")
    return bool(dot) and whole.isdigit() and cents.isdigit()


def upload(catalog: httpx.Client, kind: str, data: bytes, **options: Any) -> dict[str, Any]:
    """POST the file to the catalog's internal import API and wait for the job to finish."""
    params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in options.items()}
    job = ok(catalog.post("/imports/", params={"kind": kind, **params}, content=data))
    return finished(catalog, job["job_id"])


def finished(catalog: httpx.Client, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job: dict[str, Any] = ok(catalog.get(f"/imports/{job_id}"))
        return job if job["status"] in ("done", "failed") else None

    return eventually(done, timeout_s=120, what=f"import job {job_id} to finish")
