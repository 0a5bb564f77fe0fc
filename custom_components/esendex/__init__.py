"""The Esendex SMS integration: Esendex push notifications into Home Assistant.

Reading order: `webhook_handler.py` answers Esendex's POSTs, `protocol.py` parses
them, `receiver.py` deduplicates and publishes them (`store.py` keeps its record),
`sensor.py` and `event.py` show them, and `message_log.py` keeps them for the
messages card (`websocket_api.py`, `card.py`). With API credentials, `api.py`
talks to Esendex's REST API, `coordinator.py` reads the credits, `catch_up.py`
catches up the inbox, and `services.py` and `notify.py` send SMS.
"""

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.typing import ConfigType
import probatio

from .assist import AssistResponder, assist_issue_ids
from .card import async_register_card
from .catch_up import InboxCatchUp
from .const import CONF_ACCOUNT_ID, CONF_ACCOUNT_REFERENCE, CONF_CLOUDHOOK, DOMAIN
from .coordinator import EsendexAccountCoordinator
from .message_log import MessageLog, async_remove_history
from .models import EsendexConfigEntry, EsendexRuntimeData
from .receiver import NotificationReceiver, foreign_account_issue_id
from .rest_client import CONF_API_URL, esendex_client, set_api_url
from .services import async_send_sms, async_setup_services
from .store import async_remove_record
from .verify import InboundVerifier, unverified_push_issue_id
from .webhook_handler import async_register_webhook, async_unregister_webhook
from .webhook_url import async_check_webhook_url, unreachable_url_issue_id
from .websocket_api import async_setup_websocket_api

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
# Entries are made in the UI; the one YAML setting is for development (rest_client.py).
CONFIG_SCHEMA = probatio.Schema(
    {DOMAIN: probatio.Schema({probatio.Optional(CONF_API_URL): cv.url})},
    extra=probatio.ALLOW_EXTRA,
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the messages API and card, and every entry's webhook.

    Handlers of entries that are not loaded (disabled, failing, still starting)
    answer 503, so that Esendex keeps retrying rather than getting Home
    Assistant's 200 for an unknown webhook.
    """
    set_api_url(hass, config.get(DOMAIN, {}).get(CONF_API_URL))
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    await async_register_card(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        async_register_webhook(hass, entry)
    return True


# Returns a boolean: 2026.10 fails a setup that returns None (2026.11 would allow it).
async def async_setup_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> bool:
    """Set up Esendex SMS from a config entry."""
    handler = async_register_webhook(hass, entry)
    receiver = NotificationReceiver(hass, entry)
    await receiver.async_load()
    history = MessageLog(hass, entry)
    await history.async_load()
    # Before the entities: a notification the history has is not added twice when
    # an entity fails and Esendex retries.
    entry.async_on_unload(history.async_listen_to(receiver))
    coordinator, catch_up, verifier = await _async_api_side(hass, entry, receiver)
    receiver.verifier = verifier
    entry.runtime_data = EsendexRuntimeData(
        receiver, history, entry.data[CONF_WEBHOOK_ID], coordinator, catch_up, verifier
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if verifier is not None:
        # Only contacts with "Answer with Assist" get an answer; see assist.py.
        assist = AssistResponder(hass, entry, async_send_sms)
        entry.runtime_data.assist = assist
        entry.async_on_unload(receiver.async_listen_inbound(assist.async_on_inbound))
    # A changed account filter gets its own chance to report a mismatch.
    ir.async_delete_issue(hass, DOMAIN, foreign_account_issue_id(entry.entry_id))
    # A repair issue while Esendex cannot reach the URL; re-checked at each setup.
    async_check_webhook_url(hass, entry)
    # The entities listen now: from here on, notifications are published.
    receiver.accepting = True
    handler.receiver = receiver
    if catch_up is not None:
        # With the webhook up, whatever the inbox has that the webhook missed
        # can be caught up without a gap.
        catch_up.async_start(entry)
    return True


async def _async_api_side(
    hass: HomeAssistant, entry: EsendexConfigEntry, receiver: NotificationReceiver
) -> tuple[
    EsendexAccountCoordinator | None, InboxCatchUp | None, InboundVerifier | None
]:
    """Return an API entry's credits coordinator, catch-up and verifier, or Nones."""
    if CONF_USERNAME not in entry.data:
        return None, None, None
    client = esendex_client(hass, entry.data[CONF_USERNAME], entry.data[CONF_PASSWORD])
    reference: str = entry.data[CONF_ACCOUNT_REFERENCE]
    coordinator = EsendexAccountCoordinator(hass, entry, client, reference)
    # Not async_config_entry_first_refresh: receiving must not stop because the
    # REST API is down or the credentials expired. A failure here is logged, a
    # 401/403 starts the reauth flow, and the credits sensor is unavailable.
    await coordinator.async_refresh()
    catch_up = InboxCatchUp(
        hass, client, reference, entry.options[CONF_ACCOUNT_ID], receiver
    )
    return coordinator, catch_up, InboundVerifier(hass, entry, client)


async def async_unload_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> bool:
    """Stop accepting (503 from here on), unload the platforms, save the records."""
    receiver = entry.runtime_data.receiver
    receiver.accepting = False
    # async_unload_platforms_or_raise would do from 2026.11 on; 2026.10 lacks it.
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    await receiver.async_save()
    await entry.runtime_data.history.async_close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> None:
    """Delete the webhook, the cloudhook, the stored records and the repair issues."""
    async_unregister_webhook(hass, entry.data[CONF_WEBHOOK_ID])
    # ir.async_create_issue(config_entry_id=...) makes this automatic, from 2026.11.
    for issue_id in (
        foreign_account_issue_id(entry.entry_id),
        unreachable_url_issue_id(entry.entry_id),
        unverified_push_issue_id(entry.entry_id),
        *assist_issue_ids(entry.entry_id),
    ):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    await async_remove_record(hass, entry.entry_id)
    await async_remove_history(hass, entry.entry_id)
    if entry.data.get(CONF_CLOUDHOOK) and "cloud" in hass.config.components:
        from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
            async_delete_cloudhook,
        )

        await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
