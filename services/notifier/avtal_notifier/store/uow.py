"""The notifier's unit of work: its repositories on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_common.uow import UnitOfWork
from avtal_notifier.store.emails import EmailRepo


class NotifierUnitOfWork(UnitOfWork):
    emails: EmailRepo

    def bind_repositories(self, conn: Any) -> None:
        self.emails = EmailRepo(conn)
