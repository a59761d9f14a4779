"""Notifier service: app factory and entry point."""

from avtal_common import topics
from avtal_common.runtime import ServiceSpec, serve
from avtal_notifier.api.emails import EmailController
from avtal_notifier.api.preferences import PreferenceController
from avtal_notifier.api.reminders import ReminderController
from avtal_notifier.consumers import handlers
from avtal_notifier.settings import NotifierSettings
from avtal_notifier.store.uow import NotifierUnitOfWork
from avtal_notifier.workers import mailer_loop, reminder_loop

SPEC = ServiceSpec(
    name="notifier",
    package="avtal_notifier",
    publishes=[topics.NOTIFICATION_SENT, topics.NOTIFICATION_FAILED],
    handlers=handlers,
    routes=[EmailController, PreferenceController, ReminderController],
    background=[mailer_loop, reminder_loop],
    unit_of_work=NotifierUnitOfWork,
)


def main() -> None:
    serve(SPEC, NotifierSettings)
