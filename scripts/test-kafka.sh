#!/usr/bin/env bash
# Runs the integration and end-to-end suites against Apache Kafka 4.x (KRaft) from Maven Central.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="$root/.avtal/kafka-test"
nodes="${AVTAL_TEST_KAFKA_NODES:-3}"
python3 "$root/deploy/kafka/kafka.py" fetch >/dev/null
# a cluster an interrupted earlier run left behind is stopped first
python3 "$root/deploy/kafka/kafka.py" stop --base-dir "$base" >/dev/null 2>&1 || true
trap 'python3 "$root/deploy/kafka/kafka.py" stop --base-dir "$base" >/dev/null 2>&1 || true' EXIT
bootstrap="$(python3 "$root/deploy/kafka/kafka.py" start --nodes "$nodes" --base-dir "$base" --port-base 29192 | tail -n 1)"
echo "Apache Kafka ($nodes node(s)) at $bootstrap" >&2
export AVTAL_KAFKA_BOOTSTRAP_SERVERS="$bootstrap" AVTAL_KAFKA_PROFILE=kafka
export AVTAL_KAFKA_REPLICATION_FACTOR="$nodes"
"$root/.venv/bin/pytest" "$root/tests/common/integration" "$root/tests/e2e" "$root/tests/ops" \
    "$root/tests/reporting/integration" "$@"
