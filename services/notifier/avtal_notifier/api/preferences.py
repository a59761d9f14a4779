"""Notifier internal HTTP API: a customer's notice preferences (the gateway's staff form calls it)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, put
from pydantic import BaseModel, EmailStr, Field

from avtal_common.api.actor import ActorHeader
from avtal_notifier.domain.notices import Preference
from avtal_notifier.handlers.preferences import preferences_of, set_preferences
from avtal_notifier.store.uow import NotifierUnitOfWork


class PreferenceIo(BaseModel):
    kind: str = Field(max_length=50)
    enabled: bool = True
    contacts: list[EmailStr] = Field(default=[], max_length=10)
    customer_email: bool = True  # also to the customer's own e-mail

    @classmethod
    def of(cls, p: Preference) -> PreferenceIo:
        return cls(kind=p.kind, enabled=p.enabled, contacts=list(p.contacts), customer_email=p.customer_email)

    def domain(self) -> Preference:
        return Preference(self.kind, self.enabled, tuple(str(c) for c in self.contacts), self.customer_email)


class PreferencesIo(BaseModel):
    customer_id: uuid.UUID | None = None
    preferences: list[PreferenceIo] = Field(max_length=20)


class PreferenceController(Controller):
    path = "/preferences"

    @get("/{customer_id:uuid}")
    async def get_preferences(self, uow: NotifierUnitOfWork, customer_id: uuid.UUID) -> PreferencesIo:
        """Every notice kind for the customer: on, to its e-mail, unless set otherwise."""
        async with uow:
            found = await preferences_of(uow, customer_id)
        return PreferencesIo(customer_id=customer_id, preferences=[PreferenceIo.of(p) for p in found])

    @put("/{customer_id:uuid}")
    async def put_preferences(
        self, uow: NotifierUnitOfWork, customer_id: uuid.UUID, data: PreferencesIo, actor: str = ActorHeader
    ) -> PreferencesIo:
        """Set the kinds listed (the others keep theirs)."""
        async with uow:
            found = await set_preferences(uow, customer_id, [p.domain() for p in data.preferences], actor)
        return PreferencesIo(customer_id=customer_id, preferences=[PreferenceIo.of(p) for p in found])
