"""The staff dashboard on the real stack: its JSON, its page, its CSV exports (a customer whose name is a
formula stays text in them), and a stop of the gateway that an open event stream does not hold up."""

from __future__ import annotations

import csv
import io
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from avtal_testing.api import eventually, ok, signed_in, unique
from avtal_testing.brokers import free_port
from avtal_testing.dashboard import customer_with_contract, figures
from avtal_testing.stack import StackInfo

TODAY = date.today()


def test_staff_get_the_figures_the_version_and_the_page(staff: httpx.Client) -> None:
    d = figures(staff, months=3)
    assert d["currency"] in d["currencies"] and len(d["mrr"]) == 3
    version = ok(staff.get("/api/v1/dashboard/version"))
    assert version["version"] >= d["version"] and isinstance(version["rebuilding"], bool)
    page = staff.get("/dashboard", params={"months": "3", "customer_id": "", "vendor": ""})
    assert page.status_code == 200, page.text
    assert 'id="table-aging"' in page.text and "/static/vendor/chart.umd.min.js" in page.text
    assert staff.get("/static/vendor/chart.umd.min.js").status_code == 200


def test_filters_out_of_bounds_are_refused_with_a_problem(staff: httpx.Client) -> None:
    for params in ({"months": "0"}, {"months": "37"}, {"as_of": "1999-12-31"}, {"currency": "sek"}):
        r = staff.get("/api/v1/dashboard", params=params)
        assert r.status_code == 400, (params, r.text)
        assert staff.get("/dashboard", params=params).status_code == 400


def test_a_customer_named_like_a_formula_is_exported_as_text_and_amounts_as_numbers(
    staff: httpx.Client,
) -> None:
    name = f'=HYPERLINK("http://evil.example/{unique("x")}","click")'
    made = customer_with_contract(staff, name, TODAY.replace(day=1), TODAY + timedelta(days=45))
    cid = made["customer"]["customer_id"]
    params = {"customer_id": cid, "currency": "SEK", "as_of": str(TODAY)}
    eventually(lambda: figures(staff, **params)["top_customers"], what="reporting to see the contract")
    for widget, column in (("top_customers", "name"), ("renewals", "customer_name")):
        r = staff.get(f"/dashboard/export/{widget}.csv", params=params)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        [row] = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert row[column] == "'" + name
        assert row["arr"] == "1200.00" and row["currency"] == "SEK"


def test_an_unknown_export_is_not_found(staff: httpx.Client) -> None:
    assert staff.get("/dashboard/export/passwords.csv").status_code == 404
    assert staff.get("/dashboard/export/mrr.json").status_code == 404


def _extra_gateway(stack: StackInfo) -> tuple[subprocess.Popen[bytes], str, Path]:
    """A second gateway in front of the stack's services, which this test may stop."""
    port = free_port()
    env = stack.env | {f"AVTAL_GATEWAY_{name.upper()}_URL": url for name, url in stack.services.items()}
    env |= {
        "AVTAL_GATEWAY_HTTP_PORT": str(port),
        "AVTAL_GATEWAY_SESSION_SECRET": secrets.token_hex(32),
        "AVTAL_GATEWAY_STAFF_EMAIL": stack.staff_email,
        "AVTAL_GATEWAY_STAFF_PASSWORD": stack.staff_password,
        "AVTAL_GATEWAY_COOKIE_SECURE": "false",
    }
    log = stack.home / "logs" / f"gateway-extra-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "avtal_gateway"], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    eventually(lambda: _live(url), timeout_s=60, what="the extra gateway to start")
    return proc, url, log


def _live(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/live", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.timeout(180)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_open_event_stream_does_not_hold_up_a_gateway_stop(stack: StackInfo, sig: signal.Signals) -> None:
    proc, url, log = _extra_gateway(stack)
    seen: list[str] = []
    ended = threading.Event()

    def listen() -> None:
        with (
            signed_in(url, stack.staff_email, stack.staff_password) as c,
            c.stream("GET", "/dashboard/stream", timeout=60) as r,
        ):
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                seen.append(line)
        ended.set()  # the gateway ended the response itself: no error on the client's side

    try:
        threading.Thread(target=listen, daemon=True).start()
        eventually(lambda: "event: version" in seen, timeout_s=30, what="the first version event")
        started = time.monotonic()
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        stopped_in = time.monotonic() - started
        assert ended.wait(5), "the stream did not end cleanly"
        assert stopped_in < 8, f"the gateway took {stopped_in:.1f}s to stop (uvicorn's grace is 20s)"
        assert "timeout graceful shutdown exceeded" not in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
