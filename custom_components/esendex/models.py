"""Typed runtime data for an Esendex SMS config entry."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .receiver import NotificationReceiver


@dataclass(slots=True)
class EsendexRuntimeData:
    """What a loaded entry keeps while it runs."""

    receiver: NotificationReceiver
    # The id registered at setup; entry.data may already hold a new one at unload.
    webhook_id: str


type EsendexConfigEntry = ConfigEntry[EsendexRuntimeData]
