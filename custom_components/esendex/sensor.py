"""Sensors: the last inbound SMS and the last delivery status, for dashboards."""

from datetime import datetime
import logging
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
)
from homeassistant.const import MAX_LENGTH_STATE_STATE
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import ATTR_OCCURRED_AT, STATUS_DELIVERED, STATUS_FAILED
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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EsendexConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's sensors."""
    async_add_entities(
        [
            LastInboundMessageSensor(entry, LAST_INBOUND_MESSAGE),
            LastDeliveryStatusSensor(entry, LAST_DELIVERY_STATUS),
        ]
    )


def _attributes(event_data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event_data.items() if k not in _NOT_ATTRIBUTES}


class EsendexRestoreSensor(EsendexEntity, RestoreSensor):
    """A sensor whose value and attributes come back after a restart.

    A dashboard needs the latest value, not every value of a burst: a sensor writes
    its state at once when it has been quiet, then at most once per
    WRITE_INTERVAL_SECONDS, with the latest value, while notifications keep coming.
    Bus events and event entities still report every notification.
    """

    _last_write: float = float("-inf")
    _cancel_pending_write: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last value and attributes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._async_cancel_pending_write)
        last_state = await self.async_get_last_state()
        last_data = await self.async_get_last_sensor_data()
        if last_state is None or last_data is None:
            return
        self._attr_native_value = last_data.native_value
        self._attr_extra_state_attributes = dict(last_state.attributes)

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
    def _async_received(self, received: ReceivedInbound) -> None:
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
        if self.extra_state_attributes:
            restored = self.extra_state_attributes.get(ATTR_OCCURRED_AT)
            if isinstance(restored, str):
                self._occurred_at = dt_util.parse_datetime(restored)
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, status_signal(self.entry_id), self._async_status
            )
        )

    @callback
    def _async_status(self, received: ReceivedStatus) -> None:
        # Esendex retries for days, so an old report can arrive after a newer one.
        if self._occurred_at is not None and received.occurred_at < self._occurred_at:
            _LOGGER.debug(
                "Keeping the newer status of %s over a late %s report from %s",
                self._occurred_at,
                received.status,
                received.occurred_at,
            )
            return
        self._occurred_at = received.occurred_at
        self._async_update(received.status, received.event_data, received.context)
