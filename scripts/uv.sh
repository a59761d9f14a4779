#!/usr/bin/env bash
# Runs uv: the one on PATH, or one installed from PyPI into .avtal/bootstrap on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
boot="$root/.avtal/bootstrap"
if [ ! -x "$boot/bin/uv" ]; then
  if "${PYTHON:-python3}" -m venv "$boot" >&2 2>/dev/null; then
    "$boot/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5" >&2
  else  # no venv module (Debian without python3-venv): a target folder works as well
    "${PYTHON:-python3}" -m pip install --quiet --disable-pip-version-check --target "$boot/lib" "uv>=0.5" >&2
    mkdir -p "$boot/bin" && ln -sf "$boot/lib/bin/uv" "$boot/bin/uv"
  fi
fi
exec "$boot/bin/uv" "$@"
