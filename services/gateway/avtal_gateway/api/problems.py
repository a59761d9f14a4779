"""The error statuses a public route can answer, declared as problem details in the OpenAPI document."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from avtal_common.api.responses import Problem

PROBLEM_JSON = "application/problem+json"

WHY = {
    400: "The request is malformed: `extra` names each field to fix",
    401: "Not signed in, the session ended, or a wrong e-mail or password: sign in with POST /api/v1/login",
    403: "Not allowed: a staff-only route, a missing or wrong CSRF token, or a cross-site request",
    404: "No such resource, or not one this user may see",
    409: "Conflicts with what exists (e.g. an Idempotency-Key reused with another body)",
    413: "The uploaded file is larger than the import limit: split it",
    415: "The body must be application/json",
    422: "Well-formed, but refused by a business rule (the detail says which)",
    429: "Too many attempts: wait for Retry-After seconds",
    502: "A service behind the gateway failed; the error was logged",
    503: "A service behind the gateway is unavailable; try again shortly",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` for a route handler: each status as `application/problem+json`."""
    return {
        s: ResponseSpec(Problem, description=WHY[s], media_type=PROBLEM_JSON, generate_examples=False)
        for s in statuses
    }


# What every read can answer: bad query or path, signed out, a service down or failing.
READ = (400, 401, 502, 503)
# A staff-only read: also forbidden to a customer user.
STAFF_READ = (*READ, 403)
# A read of one resource: also missing (or another customer's).
READ_ONE = (*READ, 404)
# A staff command: also forbidden, unsupported body, refused or conflicting.
COMMAND = (400, 401, 403, 404, 409, 415, 422, 502, 503)
