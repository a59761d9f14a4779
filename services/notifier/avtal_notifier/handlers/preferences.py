"""Setting a customer's notice preferences."""

from __future__ import annotations

import uuid

from avtal_notifier.domain.notices import CUSTOMER_KINDS, Preference, check
from avtal_notifier.store.uow import NotifierUnitOfWork


async def preferences_of(uow: NotifierUnitOfWork, customer_id: uuid.UUID) -> list[Preference]:
    """Every customer notice kind, as set or by default."""
    chosen = await uow.preferences.of_customer(customer_id)
    return [chosen.get(kind, Preference(kind)) for kind in CUSTOMER_KINDS]


async def set_preferences(
    uow: NotifierUnitOfWork, customer_id: uuid.UUID, prefs: list[Preference], actor: str
) -> list[Preference]:
    for p in prefs:
        check(p)
    await uow.preferences.put(customer_id, prefs, actor)
    return await preferences_of(uow, customer_id)
