"""Sensors: the last inbound SMS and the last delivery status, for dashboards."""

from datetime import datetime
import logging
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import MAX_LENGTH_STATE_STATE, EntityCategory
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .api import Account
from .const import (
    ATTR_ACCOUNT_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONTACT,
    ATTR_FAILURE_CODE,
    ATTR_FAILURE_DETAIL,
    ATTR_FAILURE_PERMANENT,
    ATTR_FROM,
    ATTR_MESSAGE_ID,
    ATTR_NOTIFICATION_ID,
    ATTR_OCCURRED_AT,
    ATTR_RECEIVED_AT,
    ATTR_RECIPIENT,
    ATTR_SENT_AT,
    ATTR_TEXT,
    ATTR_TEXT_IS_SUMMARY,
    ATTR_TO,
    ATTR_VERIFIED,
    STATUS_DELIVERED,
    STATUS_FAILED,
)
from .coordinator import EsendexAccountCoordinator
from .entity import EsendexEntity
from .models import EsendexConfigEntry
from .receiver import ReceivedInbound, ReceivedStatus

_LOGGER = logging.getLogger(__name__)

# Updates are pushed; nothing to throttle.
PARALLEL_UPDATES = 0

# Event data keys that are not worth repeating as sensor attributes.
_NOT_ATTRIBUTES = frozenset({ATTR_CONFIG_ENTRY_ID, ATTR_ACCOUNT_ID})
# The attributes a sensor takes from event data, and so restores; a last state
# also holds the entity's own (friendly_name, options...), which are not restored.
_MESSAGE_ATTRIBUTES = frozenset(
    {
        ATTR_CONTACT,
        ATTR_FAILURE_CODE,
        ATTR_FAILURE_DETAIL,
        ATTR_FAILURE_PERMANENT,
        ATTR_FROM,
        ATTR_MESSAGE_ID,
        ATTR_NOTIFICATION_ID,
        ATTR_OCCURRED_AT,
        ATTR_RECEIVED_AT,
        ATTR_RECIPIENT,
        ATTR_SENT_AT,
        ATTR_TEXT,
        ATTR_TEXT_IS_SUMMARY,
        ATTR_TO,
        ATTR_VERIFIED,
    }
)

LAST_INBOUND_MESSAGE = SensorEntityDescription(
    key="last_inbound_message",
    translation_key="last_inbound_message",
)
LAST_DELIVERY_STATUS = SensorEntityDescription(
    key="last_delivery_status",
    translation_key="last_delivery_status",
    device_class=SensorDeviceClass.ENUM,
    options=[STATUS_DELIVERED, STATUS_FAILED],
)


CREDITS_REMAINING = SensorEntityDescription(
    key="credits_remaining",
    translation_key="credits_remaining",
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EsendexConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's sensors."""
    sensors: list[SensorEntity] = [
        LastInboundMessageSensor(entry, LAST_INBOUND_MESSAGE),
        LastDeliveryStatusSensor(entry, LAST_DELIVERY_STATUS),
    ]
    if (coordinator := entry.runtime_data.coordinator) is not None:
        sensors.append(CreditsRemainingSensor(entry, CREDITS_REMAINING, coordinator))
    async_add_entities(sensors)


def _attributes(event_data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event_data.items() if k not in _NOT_ATTRIBUTES}


class EsendexMessageSensor(EsendexEntity, RestoreSensor):
    """A sensor written once for every notification, restored after a restart.

    The value comes back through RestoreSensor; the attributes (sender, time, full
    text...) from the last state, which is exact since every notification is
    written.
    """

    _attr_native_value: str | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last value and attributes."""
        await super().async_added_to_hass()
        restored: object = None
        if (last_data := await self.async_get_last_sensor_data()) is not None:
            restored = last_data.native_value
        elif (extra := await self.async_get_last_extra_data()) is not None:
            # Saved by 0.3.0 or older: {"value": ..., "attributes": ...}.
            restored = extra.as_dict().get("value")
        if isinstance(restored, str):
            self._attr_native_value = restored
        if (last_state := await self.async_get_last_state()) is not None:
            self._attr_extra_state_attributes = {
                key: value
                for key, value in last_state.attributes.items()
                if key in _MESSAGE_ATTRIBUTES
            }

    @callback
    def _async_show(
        self, value: str, event_data: dict[str, Any], context: Context
    ) -> None:
        self._attr_native_value = value
        self._attr_extra_state_attributes = _attributes(event_data)
        self.async_set_context(context)
        self.async_write_ha_state()


class LastInboundMessageSensor(EsendexMessageSensor):
    """The text of the last SMS received, with sender and time as attributes."""

    async def async_added_to_hass(self) -> None:
        """Restore, then listen for inbound messages."""
        await super().async_added_to_hass()
        self.async_on_remove(self._receiver.async_listen_inbound(self._async_received))

    @callback
    def _async_received(self, received: ReceivedInbound) -> None:
        # HA rejects states over 255 characters; the full text is an attribute.
        self._async_show(
            received.message.text[:MAX_LENGTH_STATE_STATE],
            received.event_data,
            received.context,
        )


class LastDeliveryStatusSensor(EsendexMessageSensor):
    """`delivered` or `failed`, for the most recent report by `OccurredAt`."""

    _occurred_at: datetime | None = None

    async def async_added_to_hass(self) -> None:
        """Restore, then listen for delivery reports."""
        await super().async_added_to_hass()
        restored = (self.extra_state_attributes or {}).get(ATTR_OCCURRED_AT)
        # parse_datetime answers None for anything unreadable, as for nothing.
        self._occurred_at = dt_util.parse_datetime(str(restored or ""))
        self.async_on_remove(self._receiver.async_listen_status(self._async_status))

    @callback
    def _async_status(self, received: ReceivedStatus) -> None:
        # Esendex retries for days: an old report can arrive after a newer one.
        if self._occurred_at is not None and received.occurred_at < self._occurred_at:
            _LOGGER.debug(
                "Keeping the newer status of %s over a late %s report from %s",
                self._occurred_at,
                received.status,
                received.occurred_at,
            )
            return
        self._async_show(received.status, received.event_data, received.context)
        # Only once shown: a write that failed leaves the retry to show it.
        self._occurred_at = received.occurred_at


class CreditsRemainingSensor(
    EsendexEntity, CoordinatorEntity[EsendexAccountCoordinator], SensorEntity
):
    """Messages the account can still send, read after each send and every 30 min."""

    def __init__(
        self,
        entry: EsendexConfigEntry,
        description: SensorEntityDescription,
        coordinator: EsendexAccountCoordinator,
    ) -> None:
        """Attach to the entry's device and coordinator."""
        EsendexEntity.__init__(self, entry, description)
        CoordinatorEntity.__init__(self, coordinator)

    @property
    def native_value(self) -> int | None:
        """Return the credits left, as the account reports them."""
        # None until the account was first read (the API may be down at setup).
        account: Account | None = self.coordinator.data
        return account.messages_remaining if account is not None else None
