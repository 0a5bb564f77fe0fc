"""Event entities: inbound SMS and delivery reports, for UI automations."""

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import STATUS_DELIVERED, STATUS_FAILED
from .entity import EsendexEntity
from .models import EsendexConfigEntry
from .receiver import ReceivedInbound, ReceivedOptOut, ReceivedStatus

# Updates are pushed; nothing to throttle.
PARALLEL_UPDATES = 0

EVENT_RECEIVED = "received"
EVENT_OPTED_OUT = "opted_out"

INBOUND_MESSAGE = EventEntityDescription(
    key="inbound_message",
    translation_key="inbound_message",
    event_types=[EVENT_RECEIVED, EVENT_OPTED_OUT],
)
DELIVERY_STATUS = EventEntityDescription(
    key="delivery_status",
    translation_key="delivery_status",
    event_types=[STATUS_DELIVERED, STATUS_FAILED],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EsendexConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's event entities."""
    async_add_entities(
        [
            InboundMessageEvent(entry, INBOUND_MESSAGE),
            DeliveryStatusEvent(entry, DELIVERY_STATUS),
        ]
    )


class InboundMessageEvent(EsendexEntity, EventEntity):
    """Fires `received` for every inbound SMS, with the bus event's data.

    One state per SMS: an event entity's automations fire on each state.
    """

    async def async_added_to_hass(self) -> None:
        """Listen for the entry's inbound messages."""
        await super().async_added_to_hass()
        self.async_on_remove(self._receiver.async_listen_inbound(self._async_received))
        self.async_on_remove(self._receiver.async_listen_opt_out(self._async_opted_out))

    @callback
    def _async_received(self, received: ReceivedInbound) -> None:
        self._trigger_event(EVENT_RECEIVED, received.event_data)
        self.async_set_context(received.context)
        self.async_write_ha_state()

    @callback
    def _async_opted_out(self, received: ReceivedOptOut) -> None:
        self._trigger_event(EVENT_OPTED_OUT, received.event_data)
        self.async_set_context(received.context)
        self.async_write_ha_state()


class DeliveryStatusEvent(EsendexEntity, EventEntity):
    """Fires `delivered` or `failed` for every delivery report, late ones included.

    One state per report, as for InboundMessageEvent.
    """

    async def async_added_to_hass(self) -> None:
        """Listen for the entry's delivery reports."""
        await super().async_added_to_hass()
        self.async_on_remove(self._receiver.async_listen_status(self._async_status))

    @callback
    def _async_status(self, received: ReceivedStatus) -> None:
        self._trigger_event(received.status, received.event_data)
        self.async_set_context(received.context)
        self.async_write_ha_state()
