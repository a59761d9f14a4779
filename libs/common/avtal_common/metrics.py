"""Prometheus metrics shared by every process (names: avtal_<thing>_<unit>)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

OUTBOX_BACKLOG = Gauge("avtal_outbox_backlog_events", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "avtal_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
OUTBOX_PUBLISHED = Counter(
    "avtal_outbox_published_events_total", "Outbox rows published to Kafka", ["service"]
)
CONSUMER_LAG = Gauge(
    "avtal_consumer_lag_messages",
    "Messages not yet committed by the consumer group (end offset - committed)",
    ["group", "topic", "partition"],
)
EVENTS_HANDLED = Counter(
    "avtal_events_handled_total",
    "Consumed events by outcome (handled, duplicate, dead_lettered)",
    ["group", "topic", "outcome"],
)
HANDLER_RETRIES = Counter(
    "avtal_handler_retries_total", "Batches retried after a transient failure", ["group", "topic"]
)
READY = Gauge("avtal_ready", "1 when the process is ready (database, broker, migrations)", ["service"])
CONSUMER_DEAD_LETTERS = Counter(
    "avtal_consumer_dead_letters_total",
    "Events sent to <topic>.dlq by the consumer group",
    ["group", "topic"],
)
CONSUMER_PARKED = Gauge(
    "avtal_consumer_parked_events",
    "Events parked because what they depend on had not arrived (re-applied periodically)",
    ["group", "topic"],
)
CONSUMER_PARKED_OLDEST_AGE = Gauge(
    "avtal_consumer_parked_oldest_age_seconds", "Age of the oldest parked event", ["group", "topic"]
)
CONSUMER_FAILING = Gauge(
    "avtal_consumer_failing_seconds",
    "How long the consumer has been failing without a success in between (0 when fine)",
    ["group"],
)
CONSUMER_FAULTS = Counter(
    "avtal_consumer_faults_total",
    "Failed attempts by cause (infrastructure, missing, refused, bug)",
    ["group", "fault"],
)
INBOX_PURGED = Counter("avtal_inbox_purged_total", "Inbox rows deleted after the retention period", ["group"])
OUTBOX_QUARANTINED = Gauge(
    "avtal_outbox_quarantined",
    "Outbox rows that can never be sent (too large, unknown or forbidden topic), held for staff",
    ["service"],
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "avtal_outbox_publish_failures_total", "Outbox rows whose publish failed and will be retried", ["service"]
)
OUTBOX_RELAY_ACTIVE = Gauge(
    "avtal_outbox_relay_active", "1 in the one replica holding the relay lock of its database", ["service"]
)
BACKGROUND_RESTARTS = Counter(
    "avtal_background_restarts_total", "Background loops restarted after they crashed or returned", ["task"]
)
