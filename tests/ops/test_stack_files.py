"""The local stack's files: private ones are owner-only from the start; PostgreSQL's folder is enterable."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

from avtal_stack.config import load_secrets, write_private
from avtal_stack.pgplace import can_enter


def _user(uid: int, gid: int) -> pwd.struct_passwd:
    return pwd.struct_passwd(("avtal-pg", "x", uid, gid, "", "/nonexistent", "/usr/sbin/nologin"))


def test_a_private_file_is_owner_only_even_when_it_existed_readable(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, '{"new": true}')
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text() == '{"new": true}'


def test_secrets_are_created_owner_only(tmp_path: Path) -> None:
    secrets = load_secrets(tmp_path / "home")
    assert (tmp_path / "home" / "secrets.json").stat().st_mode & 0o777 == 0o600
    assert load_secrets(tmp_path / "home") == secrets


def test_an_unprivileged_user_cannot_enter_a_private_folder_of_another_owner() -> None:
    other = _user(uid=os.getuid() + 4242, gid=os.getgid() + 4242)
    private = Path(tempfile.mkdtemp())  # mode 700, under the system temp dir (which all may enter)
    try:
        (private / "clone" / ".avtal").mkdir(parents=True)
        assert not can_enter(private / "clone" / ".avtal", other)
        private.chmod(0o711)
        assert can_enter(private / "clone" / ".avtal", other)
        assert can_enter(private / "not-yet-made", other)
        private.chmod(0o700)
        owner = _user(uid=private.stat().st_uid, gid=private.stat().st_gid)
        assert can_enter(private / "clone", owner)
    finally:
        shutil.rmtree(private)
