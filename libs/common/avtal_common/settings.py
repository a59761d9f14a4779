"""Typed settings read from AVTAL_* environment variables, once per process (never at import)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Settings every process shares: where Kafka and PostgreSQL are, how to log, the service token."""

    model_config = SettingsConfigDict(env_prefix="AVTAL_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # local = Tansu (no idempotent producer); kafka = Apache Kafka (idempotent producer on)
    kafka_profile: Literal["local", "kafka"] = "local"
    kafka_partitions: int = Field(default=3, ge=1)
    # Unset: 3 replicas with min.insync.replicas=2 on the kafka profile, 1 locally (see topics.layout_for).
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    kafka_min_insync_replicas: int | None = Field(default=None, ge=1)
    kafka_fetch_max_wait_ms: int = Field(default=50, ge=0)
    # A dead consumer is noticed after this; a group (re)join takes about half of it on Tansu.
    kafka_session_timeout_ms: int = Field(default=6000, ge=1000)
    # How long a stopping consumer waits for the handler in flight before cancelling it
    # (a cancelled batch is rolled back and not committed: it is redelivered).
    kafka_graceful_timeout_s: float = Field(default=15.0, gt=0)
    postgres_url: str = "postgresql://avtal@127.0.0.1:54329/postgres"
    log_level: str = "INFO"
    log_json: bool = True
    # Bearer token every internal service requires and the gateway and notifier send (required to start;
    # `avtal up` generates one). The same value goes into every process's environment.
    service_token: SecretStr | None = None
    # On start, publish again the outbox rows published within this many seconds (0: none). `avtal up`
    # sets it when it runs its own in-memory broker, which starts empty: an event published just before
    # the last stop and not yet consumed would be lost with it. Consumers' inboxes make the copies no-ops.
    outbox_republish_s: float = Field(default=0.0, ge=0)
    # /health/ready turns red when a component (relay, consumer) has been failing longer than this.
    unhealthy_after_s: float = Field(default=10.0, gt=0)
    # Limits of every pooled PostgreSQL session, so a stuck or partitioned client cannot hold outbox or
    # inbox locks for hours. Statements: generous (billing runs work in 500-invoice transactions of short
    # statements; migrations run on their own connection, outside these limits).
    db_statement_timeout_s: float = Field(default=120.0, gt=0)
    db_lock_timeout_s: float = Field(default=10.0, gt=0)
    db_idle_in_transaction_timeout_s: float = Field(default=60.0, gt=0)
    # Server-side TCP keepalives: PostgreSQL drops the session of a vanished client (and its locks)
    # after idle + interval × count seconds.
    db_keepalives_idle_s: int = Field(default=10, ge=1)
    db_keepalives_interval_s: int = Field(default=5, ge=1)
    db_keepalives_count: int = Field(default=3, ge=1)

    @field_validator("service_token")
    @classmethod
    def _long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 16:
            raise ValueError("AVTAL_SERVICE_TOKEN must be a random value of at least 16 characters")
        return token

    @property
    def bootstrap_list(self) -> list[str]:
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]

    def database_url(self, database: str) -> str:
        """URL of one service's own database on the configured server."""
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{database}"


class ServiceSettings(BaseSettings):
    """Base of each service's own settings; subclasses set env_prefix AVTAL_<SVC>_."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    # Each process binds by its own setting (AVTAL_<SVC>_HTTP_HOST): internal services stay on loopback
    # or a private network while the gateway alone may listen on 0.0.0.0 behind a proxy.
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    # Every relay round (claim, publish, wait for acks, mark) ends within this; rows not acknowledged
    # by then are retried with a fresh producer.
    outbox_round_timeout_s: float = Field(default=10.0, gt=0)
    # How often a standby relay (another replica holds the relay lock) tries to take over.
    outbox_standby_poll_s: float = Field(default=0.5, gt=0)
    consumer_batch_size: int = Field(default=200, ge=1)
    # A failing event is poison after this many failures, or unfinished starts (crashes) across restarts.
    consumer_max_attempts: int = Field(default=5, ge=1)
    consumer_handler_timeout_s: float = Field(default=30.0, gt=0)
    # "What I depend on has not arrived" (NotFound) is retried this long, then the event is parked.
    consumer_missing_wait_s: float = Field(default=10.0, ge=0)
    consumer_parked_retry_s: float = Field(default=5.0, gt=0)
    # A redelivery older than this is no longer recognised as a duplicate: keep it above any replay window.
    inbox_retention_days: float = Field(default=14.0, gt=0)
