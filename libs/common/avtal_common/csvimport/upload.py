"""Reading an uploaded file with a size cap: over the cap is a 413 problem saying what to do."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.plugins.problem_details import ProblemDetailsException


def too_large(size: int | None, cap: int) -> ProblemDetailsException:
    got = f"{size / 1_048_576:.1f} MiB" if size is not None else "larger than that"
    return ProblemDetailsException(
        status_code=413,
        title="The file is too large to import",
        detail=f"imports take files up to {cap / 1_048_576:.0f} MiB; this one is {got}. "
        "Split it into smaller files (each with the header row) and import them one after another",
    )


async def read_capped(request: Request[Any, Any, Any], cap: int) -> bytes:
    """The whole body, refused as soon as it is known to pass `cap` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise too_large(int(declared), cap)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large(None, cap)
        chunks.append(chunk)
    return b"".join(chunks)
