"""Process runtime: settings → pool → broker (+metrics) → consumers → outbox relay → HTTP app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import asyncpg
import uvicorn
from faststream.kafka import KafkaBroker
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from avtal_common import consumer_upkeep, metrics
from avtal_common.consumer import ConsumerPolicy, EventConsumer, EventHandler
from avtal_common.db import SessionLimits, create_pool
from avtal_common.errors import DomainError
from avtal_common.http import (
    MetricsController,
    ServiceTokenMiddleware,
    bind_request_correlation,
    echo_correlation,
    health_controller,
    problem_details_plugin,
    prometheus_config,
)
from avtal_common.kafka import ensure_topics, kafka_reachable, make_broker, with_dead_letters
from avtal_common.lag import collect_consumer_lag
from avtal_common.logging import configure_logging, get_logger
from avtal_common.loops import supervise
from avtal_common.migrations import Migration, common_migrations, is_current, package_migrations
from avtal_common.outbox_admin import outbox_controller, republish_recent, watch_outbox
from avtal_common.outbox_kafka import KafkaRelayPublisher
from avtal_common.outbox_relay import OutboxRelay
from avtal_common.settings import CommonSettings, ServiceSettings
from avtal_common.uow import UnitOfWork

log = get_logger(__name__)

BackgroundTask = Callable[["Runtime"], Awaitable[None]]


@dataclass
class ServiceSpec:
    """What makes one service: its name, topics, event handlers, HTTP routes and background loops."""

    name: str
    package: str
    publishes: Sequence[str] = ()
    handlers: Callable[[Runtime], list[EventHandler]] = lambda rt: []
    routes: Sequence[ControllerRouterHandler] = ()
    background: Sequence[BackgroundTask] = ()
    extra_ready: Callable[[Runtime], Awaitable[dict[str, bool]]] | None = None
    on_startup: Sequence[BackgroundTask] = ()
    # The service's unit of work (its repositories on one transaction); handlers and controllers get it.
    unit_of_work: type[UnitOfWork] = UnitOfWork
    # Litestar dependencies of this service (units of work, adapters) built from the runtime; every
    # service also gets `runtime`, `pool` and `settings` (see `build_app`).
    dependencies: Callable[[Runtime], dict[str, Provide]] | None = None
    # Extra Litestar keyword arguments (auth, templates, …) built from the runtime.
    app_options: Callable[[Runtime], dict[str, Any]] | None = None
    # An internal service answers only callers with the service token (all but /health/* and /metrics);
    # the gateway is the one public process and sets this to False.
    internal: bool = True


@dataclass
class Runtime:
    spec: ServiceSpec
    common: CommonSettings
    settings: ServiceSettings
    broker: KafkaBroker
    pool: asyncpg.Pool | None = None
    consumer: EventConsumer | None = None
    relay: OutboxRelay | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> asyncpg.Pool:
        assert self.pool is not None, "the pool is opened in the app's lifespan"
        return self.pool

    def uow(self) -> UnitOfWork:
        """A fresh unit of work of this service (enter it with `async with`)."""
        return self.spec.unit_of_work(self.db, self.spec.name)

    def migrations(self) -> list[Migration]:
        return common_migrations() + package_migrations(self.spec.package)

    def database_url(self) -> str:
        return self.settings.database_url or self.common.database_url(f"avtal_{self.spec.name}")


def build_app(spec: ServiceSpec, common: CommonSettings, settings: ServiceSettings) -> Litestar:
    token = _require_token(spec, common)
    rt = Runtime(spec, common, settings, make_broker(common, f"avtal-{spec.name}"))
    rt.checks = {"database": False, "broker": False, "migrations": False}
    options = spec.app_options(rt) if spec.app_options else {}
    dependencies = {
        "runtime": Provide(lambda: rt, sync_to_thread=False),
        "pool": Provide(lambda: rt.db, sync_to_thread=False),
        "settings": Provide(lambda: rt.settings, sync_to_thread=False),
        "uow": Provide(rt.uow, sync_to_thread=False),
        **(spec.dependencies(rt) if spec.dependencies else {}),
    }
    app = Litestar(
        route_handlers=[
            *spec.routes,
            MetricsController,
            health_controller(lambda: dict(rt.checks)),
            # Internal services only: the public gateway shows its quarantined rows in the metric and log.
            *([outbox_controller(token)] if spec.internal else []),
        ],
        lifespan=[lambda app: _lifespan(rt)],
        middleware=[
            prometheus_config(f"avtal_{spec.name}").middleware,
            *([ServiceTokenMiddleware(token)] if spec.internal else []),
        ],
        plugins=[problem_details_plugin()],
        before_request=bind_request_correlation,
        after_request=echo_correlation,
        openapi_config=OpenAPIConfig(title=f"avtal-{spec.name} internal API", version="1"),
        state=State({"runtime": rt}),
        dependencies=dependencies,
        signature_namespace={"Pool": asyncpg.Pool, "Runtime": Runtime, "UnitOfWork": UnitOfWork},
        logging_config=_logging_config(),
        **options,
    )
    return app


def _require_token(spec: ServiceSpec, common: CommonSettings) -> str:
    # Every process needs it: internal services to check callers, the gateway to call them.
    if common.service_token is None:
        raise SystemExit(
            f"avtal-{spec.name}: AVTAL_SERVICE_TOKEN is not set. Set the same random value (at least 16 "
            "characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) in the "
            "environment of every Avtal process; `avtal up` does this for you."
        )
    return common.service_token.get_secret_value()


def _logging_config() -> LoggingConfig:
    # Litestar logs through the root logger (structlog-rendered); 5xx with a stack trace, 4xx without.
    return LoggingConfig(
        configure_root_logger=False,
        log_exceptions="always",
        handlers={},
        loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
        disable_stack_trace={400, 401, 403, 404, 405, 409, 422, 429, DomainError},
    )


@asynccontextmanager
async def _lifespan(rt: Runtime) -> AsyncIterator[None]:
    limits = SessionLimits.from_settings(rt.common)
    rt.pool = await create_pool(rt.database_url(), limits=limits, application_name=f"avtal-{rt.spec.name}")
    async with rt.pool.acquire() as conn:
        if not await is_current(conn, rt.migrations()):
            raise SystemExit(
                f"avtal-{rt.spec.name}: database migrations are not applied; run `avtal migrate`"
            )
    for startup in rt.spec.on_startup:
        await startup(rt)
    handlers = rt.spec.handlers(rt)
    topics = [*rt.spec.publishes, *(h.topic for h in handlers)]
    await ensure_topics(rt.common, with_dead_letters(topics))
    if handlers:
        rt.consumer = EventConsumer(
            rt.broker,
            rt.pool,
            rt.spec.name,
            handlers,
            batch_size=rt.settings.consumer_batch_size,
            fetch_max_wait_ms=rt.common.kafka_fetch_max_wait_ms,
            session_timeout_ms=rt.common.kafka_session_timeout_ms,
            unit_of_work=rt.spec.unit_of_work,
            policy=ConsumerPolicy.from_settings(rt.settings),
        )
        rt.consumer.register()
    await rt.broker.start()
    publisher = KafkaRelayPublisher(
        rt.common, f"avtal-{rt.spec.name}-relay", timeout_s=rt.settings.outbox_round_timeout_s
    )
    await republish_recent(rt.pool, rt.spec.name, rt.common.outbox_republish_s)
    rt.relay = _relay(rt, publisher)
    tasks = [asyncio.create_task(supervise(name, loop)) for name, loop in _loops(rt, rt.relay)]
    log.info("service.started", port=rt.settings.http_port)
    try:
        yield
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await _stop_within(rt, "broker", rt.broker.stop())
        await _stop_within(rt, "relay producer", publisher.close())
        await _stop_within(rt, "database pool", rt.pool.close())


async def _stop_within(rt: Runtime, what: str, stopping: Awaitable[Any]) -> None:
    """A stop that waits on an unreachable broker (a group leave, a flush) must not hang the process:
    uncommitted work is redelivered anyway, so after the graceful timeout we give up and exit."""
    try:
        await asyncio.wait_for(stopping, timeout=rt.common.kafka_graceful_timeout_s + 5)
    except Exception as exc:  # noqa: BLE001 - shutting down: say what did not stop cleanly, go on
        log.warning("service.stop_incomplete", part=what, error=repr(exc))


def _relay(rt: Runtime, publisher: KafkaRelayPublisher) -> OutboxRelay:
    return OutboxRelay(
        rt.db,
        publisher,
        rt.spec.name,
        batch_size=rt.settings.outbox_batch_size,
        poll_interval_s=rt.settings.outbox_poll_interval_s,
        round_timeout_s=rt.settings.outbox_round_timeout_s,
        standby_poll_s=rt.settings.outbox_standby_poll_s,
    )


def _loops(rt: Runtime, relay: OutboxRelay) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
    """Every background loop of the process, by name (the `task` label of avtal_background_restarts_total)."""
    loops: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("outbox_relay", relay.run),
        ("outbox_gauges", partial(watch_outbox, rt.db, rt.spec.name)),
        ("readiness", partial(_watch_readiness, rt)),
    ]
    for task in rt.spec.background:
        loops.append((getattr(task, "__name__", "background"), partial(task, rt)))
    if rt.consumer is not None:
        loops.append(("consumer_lag", partial(collect_consumer_lag, rt.consumer)))
        loops.append(("consumer_upkeep", partial(consumer_upkeep.maintain, rt.consumer)))
    return loops


async def _watch_readiness(rt: Runtime) -> None:
    """Refresh the readiness checks every second; /health/ready reads the latest."""
    migrations = rt.migrations()
    while True:
        checks = {"database": False, "broker": False, "migrations": False}
        try:
            async with rt.db.acquire(timeout=2) as conn:
                checks["database"] = await conn.fetchval("SELECT true", timeout=2)
                checks["migrations"] = await is_current(conn, migrations)
        except Exception as exc:  # noqa: BLE001 - any failure is "not ready"
            log.debug("readiness.database_check_failed", error=repr(exc))
        checks["broker"] = await kafka_reachable(rt.common, timeout_s=2.0)
        checks.update(_components(rt))
        if rt.spec.extra_ready is not None:
            checks.update(await rt.spec.extra_ready(rt))
        rt.checks = checks
        metrics.READY.labels(rt.spec.name).set(1 if all(checks.values()) else 0)
        await asyncio.sleep(1.0)


def _components(rt: Runtime) -> dict[str, bool]:
    """A component failing for longer than `unhealthy_after_s` makes the process not ready (named)."""
    limit = rt.common.unhealthy_after_s
    checks = {}
    if rt.relay is not None:
        checks["relay"] = rt.relay.failing_for() <= limit
    failing_for = getattr(rt.consumer, "failing_for", None)  # EventConsumer has it from issue 6 on
    if failing_for is not None:
        checks["consumer"] = failing_for() <= limit
    return checks


def serve(spec: ServiceSpec, settings_cls: type[ServiceSettings]) -> None:
    """Entry point of a service process."""
    if "AVTAL_HTTP_HOST" in os.environ:
        # Removed, not ignored: one shared host would expose the internal services with the gateway.
        raise SystemExit(
            f"avtal-{spec.name}: AVTAL_HTTP_HOST is no longer read; set AVTAL_{spec.name.upper()}_HTTP_HOST "
            "(default 127.0.0.1) for this process instead, and 0.0.0.0 only for the gateway behind a proxy."
        )
    common = CommonSettings()
    settings = settings_cls()
    configure_logging(f"avtal-{spec.name}", common.log_level, common.log_json)
    app = build_app(spec, common, settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=20,
        # Never trust X-Forwarded-For by default (uvicorn trusts it from loopback): the gateway decides
        # which proxies it believes (AVTAL_GATEWAY_TRUSTED_PROXIES), nobody else rewrites the client.
        proxy_headers=False,
    )
