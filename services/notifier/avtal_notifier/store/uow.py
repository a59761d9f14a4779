"""The notifier's unit of work: its repositories on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_common.uow import UnitOfWork
from avtal_notifier.store.directory import DirectoryRepo
from avtal_notifier.store.emails import EmailRepo
from avtal_notifier.store.preferences import PreferenceRepo
from avtal_notifier.store.reminders import ReminderRepo


class NotifierUnitOfWork(UnitOfWork):
    emails: EmailRepo
    preferences: PreferenceRepo
    directory: DirectoryRepo
    reminders: ReminderRepo

    def bind_repositories(self, conn: Any) -> None:
        self.emails = EmailRepo(conn)
        self.preferences = PreferenceRepo(conn)
        self.directory = DirectoryRepo(conn)
        self.reminders = ReminderRepo(conn)
