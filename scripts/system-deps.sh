#!/usr/bin/env bash
# System libraries Avtal needs beyond Python: WeasyPrint's (Pango, HarfBuzz subsetting, fonts),
# Chromium for the browser tests, and Java + Maven for Apache Kafka. Installs what is missing
# with apt-get when run as root; otherwise prints the exact command and fails.
# Usage: scripts/system-deps.sh [run|test|kafka]...
set -euo pipefail

want=()
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

for need in "${@:-run}"; do
  case "$need" in
    run|test)
      has_lib 'libpango-1.0.so.0' || want+=(libpango-1.0-0)
      has_lib 'libpangoft2-1.0.so.0' || want+=(libpangoft2-1.0-0)
      has_lib 'libharfbuzz-subset.so.0' || want+=(libharfbuzz-subset0)
      { command -v fc-list >/dev/null && fc-list | grep -qi dejavu; } || want+=(fonts-dejavu-core fontconfig)
      ;;&
    test)
      [ -x /usr/bin/chromium ] || want+=(chromium)
      ;;
    kafka)
      if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; then want+=(openjdk-17-jre-headless); fi
      command -v mvn >/dev/null || want+=(maven)
      ;;
    run) ;;
    *) echo "unknown need: $need" >&2; exit 2 ;;
  esac
done

[ ${#want[@]} -eq 0 ] && exit 0
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
cmd="apt-get update && apt-get install -y --no-install-recommends ${want[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${want[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
else
  echo "Avtal needs these system packages: ${want[*]}" >&2
  echo "Install them with:  sudo sh -c '$cmd'" >&2
  exit 1
fi
