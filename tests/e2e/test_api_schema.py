"""schemathesis against the gateway's /schema/openapi.json, signed in as staff: every route keeps its word."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import PositiveDataAcceptanceConfig

from avtal_testing.stack import StackInfo

# Bounded so the whole document runs in well under 90 s on two cores (about 15 operations).
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 8}


def _bounds(mode: GenerationMode) -> settings:
    return settings(
        max_examples=EXAMPLES[mode],
        deadline=None,  # the stack's latency varies with the machine's load; correctness is what we check
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _staff_cookie(stack: StackInfo) -> tuple[str, dict[str, str]]:
    """The staff session cookie, and the CSRF header once the gateway issues a token (interfaces.md §3)."""
    with requests.Session() as s:
        body = {"email": stack.staff_email, "password": stack.staff_password}
        r = s.post(f"{stack.portal_url}/api/v1/login", json=body, timeout=30)
        assert r.status_code in (200, 201), r.text
        csrf = s.cookies.get("avtal_csrf")
        return s.cookies["avtal_session"], {"X-CSRF-Token": csrf} if csrf else {}


def _schema(stack: StackInfo, session_cookie: str) -> Any:
    schema = schemathesis.openapi.from_url(f"{stack.portal_url}/schema/openapi.json")
    # A schema-valid body may still be refused, with a documented problem: by a business rule (422), or
    # by a rule Litestar's document cannot show (400: a control character in an optional text field,
    # a decimal's digits, an e-mail on a special-use domain such as .test). The bar is no server
    # error, no undeclared status or content type, no body off its schema: every other check stays on.
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", "400", "401", "403", "404", "409", "422", "429"]
    )

    @schema.auth()
    class StaffSession:
        # Through schemathesis, so its ignored-auth check can drop or spoil the cookie.
        def get(self, case: Any, ctx: Any) -> str:
            return session_cookie

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.cookies = {**(case.cookies or {}), "avtal_session": data}

    # Logout is left out: it would sign the fuzzer out for every case after it.
    return schema.exclude(path="/api/v1/logout")


def _fuzz(operation: Any, schema: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, auth_storage=schema.auth))
    @_bounds(mode)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers)

    run()


def _explain(exc: BaseException) -> str:
    """The failure with what lies inside it (hypothesis wraps a failure it could not replay)."""
    inner = getattr(exc, "exceptions", ())
    return "\n".join([str(exc), *(f"  - {type(e).__name__}: {_explain(e)}" for e in inner)])


def test_every_public_route_answers_only_what_its_openapi_document_declares(stack: StackInfo) -> None:
    cookie, headers = _staff_cookie(stack)
    schema = _schema(stack, cookie)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in EXAMPLES:
            try:
                _fuzz(operation, schema, mode, headers)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every operation
                failures.append(f"{operation.label} ({mode.value}): {_explain(exc)}")
    assert not failures, f"{len(failures)} operation(s) broke their document:\n\n" + "\n\n".join(failures)
