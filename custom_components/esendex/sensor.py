"""Sensors: the last inbound SMS and the last delivery status, for dashboards."""

from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any, Self

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import MAX_LENGTH_STATE_STATE, EntityCategory
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .api import Account
from .const import ATTR_OCCURRED_AT, STATUS_DELIVERED, STATUS_FAILED
from .coordinator import EsendexAccountCoordinator
from .entity import EsendexEntity
from .models import EsendexConfigEntry
from .receiver import ReceivedInbound, ReceivedStatus, inbound_signal, status_signal

_LOGGER = logging.getLogger(__name__)

# Updates are pushed; nothing to throttle.
PARALLEL_UPDATES = 0
WRITE_INTERVAL_SECONDS = 1.0

# Event data keys that are not worth repeating as sensor attributes.
_NOT_ATTRIBUTES = frozenset({"config_entry_id", "account_id"})

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


@dataclass(slots=True)
class LastNotificationData(ExtraStoredData):
    """What a sensor restores: its latest value and attributes.

    Kept apart from the written state, which lags behind while a burst's write is
    pending, so that a restart or reload right after a burst restores the latest.
    """

    value: str | None
    attributes: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Return a dict for the restore state store."""
        return {"value": self.value, "attributes": self.attributes}

    @classmethod
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """Rebuild from the restore state store; None if it is unreadable."""
        value = restored.get("value")
        attributes = restored.get("attributes")
        if not (value is None or isinstance(value, str)) or not isinstance(
            attributes, dict
        ):
            return None
        return cls(value, attributes)


class EsendexRestoreSensor(EsendexEntity, SensorEntity, RestoreEntity):
    """A sensor whose value and attributes come back after a restart.

    A dashboard needs the latest value, not every value of a burst: a sensor writes
    its state at once when it has been quiet, then at most once per
    WRITE_INTERVAL_SECONDS, with the latest value, while notifications keep coming.
    Bus events and event entities still report every notification.
    """

    _last_write: float = float("-inf")
    _cancel_pending_write: CALLBACK_TYPE | None = None

    _attr_native_value: str | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last value and attributes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._async_cancel_pending_write)
        if (extra := await self.async_get_last_extra_data()) is None:
            return
        if (restored := LastNotificationData.from_dict(extra.as_dict())) is None:
            return
        self._attr_native_value = restored.value
        self._attr_extra_state_attributes = restored.attributes

    @property
    def extra_restore_state_data(self) -> LastNotificationData:
        """Return the latest value and attributes, written or not."""
        return LastNotificationData(
            self._attr_native_value, dict(self.extra_state_attributes or {})
        )

    @callback
    def _async_update(
        self, value: str, event_data: dict[str, Any], context: Context
    ) -> None:
        self._attr_native_value = value
        self._attr_extra_state_attributes = _attributes(event_data)
        self.async_set_context(context)
        if self._cancel_pending_write is not None:
            return
        wait = self._last_write + WRITE_INTERVAL_SECONDS - self.hass.loop.time()
        if wait <= 0:
            self._async_write_now()
        else:
            self._cancel_pending_write = async_call_later(
                self.hass, wait, self._async_write_pending
            )

    @callback
    def _async_write_pending(self, _now: datetime) -> None:
        self._cancel_pending_write = None
        self._async_write_now()

    @callback
    def _async_write_now(self) -> None:
        self._last_write = self.hass.loop.time()
        self.async_write_ha_state()

    @callback
    def _async_cancel_pending_write(self) -> None:
        if self._cancel_pending_write is not None:
            self._cancel_pending_write()
            self._cancel_pending_write = None


class LastInboundMessageSensor(EsendexRestoreSensor):
    """The text of the last SMS received, with sender and time as attributes."""

    async def async_added_to_hass(self) -> None:
        """Restore, then listen for inbound messages."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, inbound_signal(self.entry_id), self._async_received
            )
        )

    @callback
    def _async_received(self, batch: tuple[ReceivedInbound, ...]) -> None:
        received = batch[-1]
        # HA rejects states over 255 characters; the full text is an attribute.
        self._async_update(
            received.message.text[:MAX_LENGTH_STATE_STATE],
            received.event_data,
            received.context,
        )


class LastDeliveryStatusSensor(EsendexRestoreSensor):
    """`delivered` or `failed`, for the most recent report by `OccurredAt`."""

    _occurred_at: datetime | None = None

    async def async_added_to_hass(self) -> None:
        """Restore, then listen for delivery reports."""
        await super().async_added_to_hass()
        restored = (self.extra_state_attributes or {}).get(ATTR_OCCURRED_AT)
        # parse_datetime answers None for anything unreadable, as for nothing.
        self._occurred_at = dt_util.parse_datetime(str(restored or ""))
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, status_signal(self.entry_id), self._async_status
            )
        )

    @callback
    def _async_status(self, batch: tuple[ReceivedStatus, ...]) -> None:
        newest: ReceivedStatus | None = None
        for received in batch:
            # Esendex retries for days: an old report can arrive after a newer one.
            if (
                self._occurred_at is not None
                and received.occurred_at < self._occurred_at
            ):
                _LOGGER.debug(
                    "Keeping the newer status of %s over a late %s report from %s",
                    self._occurred_at,
                    received.status,
                    received.occurred_at,
                )
                continue
            self._occurred_at = received.occurred_at
            newest = received
        if newest is not None:
            self._async_update(newest.status, newest.event_data, newest.context)


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
