"""CSV import through the gateway (API and portal screens) and the `avtal import` CLI, on the real stack."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from avtal_testing.api import eventually, ok, signed_in, unique
from avtal_testing.imports import PRODUCT_HEADER, csv_text, product_rows
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _finished(client: httpx.Client, job_id: str) -> dict:
    return eventually(
        lambda: (j := ok(client.get(f"/api/v1/imports/{job_id}")))["status"] in ("done", "failed") and j,
        what="the import job to finish",
    )


def test_staff_import_a_csv_through_the_public_api_with_a_text_csv_body(staff: httpx.Client) -> None:
    prefix = unique("GW")
    body = csv_text(PRODUCT_HEADER, product_rows(prefix, 5)).encode()
    r = staff.post(
        "/api/v1/imports", params={"kind": "products"}, content=body, headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 202, r.text
    job = _finished(staff, r.json()["job_id"])
    assert (job["report"]["inserted"], job["report"]["committed"], job["created_by"]) == (
        5,
        True,
        staff_email(staff),
    )


def staff_email(staff: httpx.Client) -> str:
    return str(ok(staff.get("/api/v1/me"))["email"])


def test_a_customer_cannot_import(stack: StackInfo, staff: httpx.Client) -> None:
    email = f"{unique('imp')}@example.com"
    customer = ok(staff.post("/api/v1/customers", json={"name": unique("C"), "email": email}))
    user = {"email": email, "password": PASSWORD, "role": "customer", "customer_id": customer["customer_id"]}
    ok(staff.post("/api/v1/users", json=user))
    body = csv_text(PRODUCT_HEADER, product_rows(unique("GW"), 1)).encode()
    with signed_in(stack.portal_url, email, PASSWORD) as c:
        api = c.post(
            "/api/v1/imports", params={"kind": "products"}, content=body, headers={"Content-Type": "text/csv"}
        )
        page = c.get("/imports")
    assert (api.status_code, page.status_code) == (403, 403)


def test_the_portal_uploads_as_a_dry_run_shows_the_report_and_commits_the_valid_rows(
    staff: httpx.Client,
) -> None:
    prefix = unique("GW")
    rows = product_rows(prefix, 20)
    rows[4][5] = "lots"  # row 6
    body = csv_text(PRODUCT_HEADER, rows, delimiter=";", decimal_comma=True).encode("cp1252")
    form = {
        "kind": "products",
        "encoding": "windows-1252",
        "decimal_comma": "on",
        "_csrf_token": staff.cookies["avtal_csrf"],
    }
    r = staff.post("/imports", data=form, files={"file": ("products.csv", body, "text/csv")})
    assert r.status_code == 303, r.text
    page_url = r.headers["location"]
    job_id = page_url.rsplit("/", 1)[-1]
    dry = _finished(staff, job_id)
    page = staff.get(page_url).text
    assert (dry["report"]["rows_invalid"], dry["report"]["committed"]) == (1, False)
    assert re.search(r">6</td><td>annual_price</td><td>[^<]*lots", page), page
    assert 'action="/imports/' in page and "Import the 19 valid rows" in page
    csrf = staff.cookies["avtal_csrf"]
    assert (
        staff.post(f"{page_url}/commit", data={"mode": "valid_rows", "_csrf_token": csrf}).status_code == 303
    )
    done = _finished(staff, job_id)
    assert (done["report"]["inserted"], done["report"]["committed"]) == (19, True)
    assert "Committed</th><td>yes" in staff.get(page_url).text


def test_the_cli_imports_a_real_file_and_reports_bad_rows_with_a_failing_status(
    stack: StackInfo, tmp_path: Path
) -> None:
    prefix = unique("CLI")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(csv_text(PRODUCT_HEADER, product_rows(prefix, 30)))
    rows = product_rows(prefix, 3)
    rows[1][6] = "KRONOR"
    bad.write_text(csv_text(PRODUCT_HEADER, rows))
    env = os.environ | {"AVTAL_STACK_HOME": str(stack.home)}
    avtal = [sys.executable, "-m", "avtal_stack.cli", "import", "products"]
    ran = subprocess.run(
        [*avtal, str(good)], check=False, env=env, capture_output=True, text=True, timeout=120
    )
    failed = subprocess.run(
        [*avtal, str(bad), "--valid-rows", "--dry-run"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert "30 new" in ran.stdout and "were imported" in ran.stdout
    assert failed.returncode == 1 and "row 3 · currency" in failed.stdout
