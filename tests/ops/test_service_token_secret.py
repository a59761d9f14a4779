"""`avtal up` generates the service token once per stack home, also into an older secrets.json."""

from __future__ import annotations

import json
from pathlib import Path

from avtal_stack.config import load_secrets


def test_a_new_stack_home_gets_a_service_token_that_stays(tmp_path: Path) -> None:
    first = load_secrets(tmp_path)
    assert len(first["service_token"]) >= 32
    assert load_secrets(tmp_path)["service_token"] == first["service_token"]


def test_an_older_secrets_file_gets_a_token_added_and_keeps_everything_else(tmp_path: Path) -> None:
    old = {"staff_email": "s@x", "staff_password": "pw", "customer_email": "c@x", "customer_password": "cp"}
    (tmp_path / "secrets.json").write_text(json.dumps(old | {"session_secret": "ab" * 16}))
    added = load_secrets(tmp_path)
    assert added == old | {"session_secret": "ab" * 16, "service_token": added["service_token"]}
    assert json.loads((tmp_path / "secrets.json").read_text()) == added
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600
