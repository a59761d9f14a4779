"""Notifier service: app factory and entry point."""

from litestar.di import Provide

from avtal_common import topics
from avtal_common.runtime import Runtime, ServiceSpec, serve
from avtal_notifier.api.emails import EmailController
from avtal_notifier.api.preferences import PreferenceController
from avtal_notifier.api.reminders import ReminderController
from avtal_notifier.consumers import handlers
from avtal_notifier.settings import NotifierSettings
from avtal_notifier.store.uow import NotifierUnitOfWork
from avtal_notifier.workers import mailer_loop, reminder_loop, units_of_work


def dependencies(rt: Runtime) -> dict[str, Provide]:
    # A reminder pass opens one unit of work per batch, so it takes a factory of them.
    return {"uows": Provide(lambda: lambda: units_of_work(rt), sync_to_thread=False)}


SPEC = ServiceSpec(
    name="notifier",
    package="avtal_notifier",
    publishes=[topics.NOTIFICATION_SENT, topics.NOTIFICATION_FAILED],
    handlers=handlers,
    routes=[EmailController, PreferenceController, ReminderController],
    background=[mailer_loop, reminder_loop],
    unit_of_work=NotifierUnitOfWork,
    dependencies=dependencies,
)


def main() -> None:
    serve(SPEC, NotifierSettings)
