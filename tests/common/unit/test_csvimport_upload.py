"""The import upload cap: a file over it is a 413 problem that says the limit and what to do."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.testing import create_test_client

from avtal_common.csvimport.upload import read_capped
from avtal_common.http import problem_details_plugin

CAP = 1024


@post("/upload", request_max_body_size=None)
async def upload(request: Request[Any, Any, Any]) -> dict[str, int]:
    return {"size": len(await read_capped(request, CAP))}


def test_a_file_up_to_the_cap_is_read_whole() -> None:
    with create_test_client([upload], plugins=[problem_details_plugin()]) as client:
        assert client.post("/upload", content=b"x" * CAP).json() == {"size": CAP}


def test_a_declared_size_over_the_cap_is_a_413_problem_naming_the_limit() -> None:
    with create_test_client([upload], plugins=[problem_details_plugin()]) as client:
        r = client.post("/upload", content=b"x" * (CAP + 1))
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Split it into smaller files" in r.json()["detail"]


def test_a_streamed_body_without_a_length_is_cut_off_at_the_cap() -> None:
    def chunks() -> Any:
        for _ in range(4):
            yield b"x" * 512

    with create_test_client([upload], plugins=[problem_details_plugin()]) as client:
        r = client.post("/upload", content=chunks())
    assert r.status_code == 413
