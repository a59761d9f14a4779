#!/usr/bin/env bash
# Runs uv: the one on PATH, or one installed from PyPI into .avtal/bootstrap on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
boot="$root/.avtal/bootstrap"
if [ ! -x "$boot/bin/uv" ]; then
  "${PYTHON:-python3}" -m venv "$boot" >&2
  "$boot/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5" >&2
fi
exec "$boot/bin/uv" "$@"
