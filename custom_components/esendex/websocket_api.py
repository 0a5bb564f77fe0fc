"""The messages websocket API that the messages card reads: docs/websocket-api.md."""

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_NOT_FOUND,
    ERR_UNAUTHORIZED,
)
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import VolDictType
import probatio

from .const import DOMAIN
from .history import MAX_PAGE
from .message_log import MessageLog
from .models import EsendexConfigEntry

DEFAULT_PAGE = 50

# Every command names the entry, or its device (as the card editor picks it).
_ENTRY_SCHEMA: VolDictType = {
    probatio.Exclusive("entry_id", "entry"): str,
    probatio.Exclusive("device_id", "entry"): str,
}


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the messages commands (once, whatever the entries)."""
    async_register_command(hass, ws_subscribe_messages)
    async_register_command(hass, ws_thread_messages)
    async_register_command(hass, ws_mark_thread_read)


def _entry_of(hass: HomeAssistant, msg: dict[str, Any]) -> EsendexConfigEntry | None:
    entry_id: str | None = msg.get("entry_id")
    if entry_id is None and (device_id := msg.get("device_id")) is not None:
        # A device belongs to one config entry (2026.10 and 2026.11 alike).
        device = dr.async_get(hass).async_get(device_id)
        entry_id = device.config_entry_id if device else None
    entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
    if entry is None or entry.domain != DOMAIN:
        return None
    return entry


def _message_log(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> tuple[EsendexConfigEntry, MessageLog] | None:
    """Return the entry and its log, or send the error and return None."""
    entry = _entry_of(hass, msg)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        connection.send_error(
            msg["id"],
            ERR_NOT_FOUND,
            "No loaded Esendex SMS entry with that id",
        )
        return None
    log = entry.runtime_data.history
    if not (connection.user.is_admin or log.settings.non_admin):
        connection.send_error(
            msg["id"],
            ERR_UNAUTHORIZED,
            "Only administrators may read this entry's messages",
        )
        return None
    return entry, log


@websocket_command(
    {probatio.Required("type"): "esendex/messages/subscribe", **_ENTRY_SCHEMA}
)
@callback
def ws_subscribe_messages(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send the threads now, then each change, until the entry unloads."""
    if (found := _message_log(hass, connection, msg)) is None:
        return
    entry, log = found
    msg_id: int = msg["id"]

    @callback
    def forward(event: dict[str, Any]) -> None:
        connection.send_event(msg_id, event)

    connection.subscriptions[msg_id] = log.async_subscribe(forward)
    connection.send_result(msg_id)
    connection.send_event(
        msg_id,
        {
            "type": "threads",
            "entry_id": entry.entry_id,
            "can_send": entry.runtime_data.coordinator is not None,
            "threads": log.threads_payload(),
        },
    )


@websocket_command(
    {
        probatio.Required("type"): "esendex/messages/thread",
        **_ENTRY_SCHEMA,
        probatio.Required("number"): str,
        probatio.Optional("limit", default=DEFAULT_PAGE): probatio.All(
            int, probatio.Range(min=1, max=MAX_PAGE)
        ),
        probatio.Optional("before"): str,
    }
)
@callback
def ws_thread_messages(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send a page of one thread, oldest first."""
    if (found := _message_log(hass, connection, msg)) is None:
        return
    _entry, log = found
    messages, has_more = log.history.page(
        msg["number"], msg["limit"], msg.get("before")
    )
    connection.send_result(
        msg["id"],
        {"messages": [message.as_dict() for message in messages], "has_more": has_more},
    )


@websocket_command(
    {
        probatio.Required("type"): "esendex/messages/mark_read",
        **_ENTRY_SCHEMA,
        probatio.Required("number"): str,
    }
)
@callback
def ws_mark_thread_read(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Mark a thread read; subscribers get it with no unread message."""
    if (found := _message_log(hass, connection, msg)) is None:
        return
    _entry, log = found
    log.async_mark_read(msg["number"])
    connection.send_result(msg["id"])
