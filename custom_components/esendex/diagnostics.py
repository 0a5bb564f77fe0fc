"""Diagnostics for Esendex SMS: everything useful, nothing personal or secret."""

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import (
    ATTR_CONTACT,
    ATTR_FROM,
    ATTR_RECIPIENT,
    ATTR_TEXT,
    ATTR_TO,
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_DEFAULT_RECIPIENT,
)
from .contacts import CONF_PHONE_NUMBER
from .models import EsendexConfigEntry

# Contacts are subentries: their names and numbers are personal.
CONTACT_KEYS = {CONF_NAME, CONF_PHONE_NUMBER}
# The webhook id is the only secret guarding the URL, the API password opens the
# account; the account's GUID and reference identify the customer; numbers, names
# and texts are personal.
TO_REDACT = {
    CONF_WEBHOOK_ID,
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    "unique_id",
    CONF_USERNAME,
    CONF_PASSWORD,
    CONF_DEFAULT_RECIPIENT,
    ATTR_RECIPIENT,
    "webhook_url",
    "cloudhook_url",
    ATTR_FROM,
    ATTR_TO,
    ATTR_TEXT,
    ATTR_CONTACT,
    *CONTACT_KEYS,
}
# The last inbound sensor's state is the message text itself.
REDACTED_STATE_KEYS = {"last_inbound_message"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EsendexConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    receiver = entry.runtime_data.receiver
    entities = []
    for registry_entry in sorted(
        er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id),
        key=lambda registry_entry: registry_entry.entity_id,
    ):
        state = hass.states.get(registry_entry.entity_id)
        key = registry_entry.unique_id.removeprefix(f"{entry.entry_id}_")
        entities.append(
            {
                "key": key,
                "entity_id": registry_entry.entity_id,
                "disabled": registry_entry.disabled,
                "state": None
                if state is None
                else "**REDACTED**"
                if key in REDACTED_STATE_KEYS
                else state.state,
                "attributes": None
                if state is None
                else async_redact_data(dict(state.attributes), TO_REDACT),
            }
        )
    return {
        "entry": _redacted_entry(entry),
        "receiver": {
            "account_filter": receiver.account_id is not None,
            "seen_notifications": len(receiver.seen),
            "seen_inbound_messages": len(receiver.inbound_ids),
            "sent_messages": len(receiver.sent),
            "inbox_caught_up_to": receiver.inbox.newest.isoformat()
            if receiver.inbox.newest
            else None,
            "inbox_messages_unreadable": len(receiver.inbox.unreadable),
            # When each number opted out; the numbers themselves are personal.
            "opted_out": [
                {"number": REDACTED, "at": at} for at in receiver.opted_out.values()
            ],
        },
        "api": None
        if (coordinator := entry.runtime_data.coordinator) is None
        else {
            "last_update_success": coordinator.last_update_success,
            "messages_remaining": coordinator.data.messages_remaining
            if coordinator.data
            else None,
            "last_catch_up_success": entry.runtime_data.catch_up.last_run_success
            if entry.runtime_data.catch_up is not None
            else None,
        },
        "assist": None
        if (assist := entry.runtime_data.assist) is None
        else assist.diagnostics(),
        "entities": entities,
    }


def _redacted_entry(entry: EsendexConfigEntry) -> dict[str, Any]:
    redacted: dict[str, Any] = async_redact_data(entry.as_dict(), TO_REDACT)
    # A contact's title is its name; the entry's own title is kept.
    for subentry in redacted.get("subentries", []):
        subentry["title"] = REDACTED
    return redacted
