"""Base entity for Esendex SMS."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .models import EsendexConfigEntry


class EsendexEntity(Entity):
    """An entity of an Esendex account's service device, updated by push only."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: EsendexConfigEntry, description: EntityDescription
    ) -> None:
        """Attach the entity to the entry's device."""
        self.entity_description = description
        self.entry_id = entry.entry_id
        self._receiver = entry.runtime_data.receiver
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Esendex",
            model="SMS push notifications",
            name=entry.title,
        )
