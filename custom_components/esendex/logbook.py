"""Logbook lines for Esendex SMS events."""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .assist import ATTR_ANSWER, ATTR_ERROR, EVENT_ASSIST_ANSWERED
from .const import (
    ATTR_CONTACT,
    ATTR_FAILURE_DETAIL,
    ATTR_FROM,
    ATTR_MESSAGE_ID,
    ATTR_TEXT,
    DEFAULT_TITLE,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)

# A logbook line is a glance, not the message; the event keeps the full text.
MAX_TEXT_IN_LINE = 100


def _who(data: Mapping[str, Any], number_key: str) -> str:
    """Return the contact's name for the event's number, else the number."""
    return data.get(ATTR_CONTACT) or format_number(data[number_key])


def format_number(number: str) -> str:
    """Show an Esendex number (447700900123) the way people write it (+447700900123)."""
    return f"+{number}" if number.isdigit() else number


def _shorten(text: str) -> str:
    if len(text) <= MAX_TEXT_IN_LINE:
        return text
    return text[: MAX_TEXT_IN_LINE - 1] + "…"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's bus events for the logbook."""

    @callback
    def describe_inbound(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: DEFAULT_TITLE,
            LOGBOOK_ENTRY_MESSAGE: (
                f"SMS from {_who(data, ATTR_FROM)}: {_shorten(data[ATTR_TEXT])}"
            ),
            LOGBOOK_ENTRY_ICON: "mdi:message-arrow-left",
        }

    @callback
    def describe_delivered(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: DEFAULT_TITLE,
            LOGBOOK_ENTRY_MESSAGE: f"Message {event.data[ATTR_MESSAGE_ID]} delivered",
            LOGBOOK_ENTRY_ICON: "mdi:message-check",
        }

    @callback
    def describe_failed(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        message = f"Message {event.data[ATTR_MESSAGE_ID]} failed"
        if detail := event.data.get(ATTR_FAILURE_DETAIL):
            message = f"{message}: {detail}"
        return {
            LOGBOOK_ENTRY_NAME: DEFAULT_TITLE,
            LOGBOOK_ENTRY_MESSAGE: message,
            LOGBOOK_ENTRY_ICON: "mdi:message-alert",
        }

    @callback
    def describe_opted_out(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: DEFAULT_TITLE,
            LOGBOOK_ENTRY_MESSAGE: (
                f"{_who(event.data, ATTR_FROM)} opted out of messages"
            ),
            LOGBOOK_ENTRY_ICON: "mdi:message-lock",
        }

    @callback
    def describe_assist_answered(event: Event[Mapping[str, Any]]) -> dict[str, str]:
        data = event.data
        who = _who(data, ATTR_FROM)
        if error := data.get(ATTR_ERROR):
            message, icon = f"Assist did not answer {who}: {error}", "mdi:message-alert"
        else:
            message = f"Assist answered {who}: {_shorten(data[ATTR_ANSWER])}"
            icon = "mdi:message-reply-text"
        return {
            LOGBOOK_ENTRY_NAME: DEFAULT_TITLE,
            LOGBOOK_ENTRY_MESSAGE: message,
            LOGBOOK_ENTRY_ICON: icon,
        }

    async_describe_event(DOMAIN, EVENT_INBOUND_MESSAGE, describe_inbound)
    async_describe_event(DOMAIN, EVENT_ASSIST_ANSWERED, describe_assist_answered)
    async_describe_event(DOMAIN, EVENT_OPTED_OUT, describe_opted_out)
    async_describe_event(DOMAIN, EVENT_MESSAGE_DELIVERED, describe_delivered)
    async_describe_event(DOMAIN, EVENT_MESSAGE_FAILED, describe_failed)
