"""The Esendex SMS integration: Esendex push notifications into Home Assistant.

Reading order: `webhook_handler.py` answers Esendex's POSTs, `protocol.py` parses
them, `receiver.py` deduplicates them and fires events, `sensor.py` and `event.py`
show them. With API credentials, `api.py` talks to Esendex's REST API,
`coordinator.py` reads the credits and catches up the inbox, and `services.py` and
`notify.py` send SMS.
"""

from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import EsendexClient
from .const import CONF_ACCOUNT_REFERENCE, CONF_CLOUDHOOK, DOMAIN
from .coordinator import EsendexAccountCoordinator
from .models import EsendexConfigEntry, EsendexRuntimeData
from .receiver import NotificationReceiver, foreign_account_issue_id
from .services import async_setup_services
from .webhook_handler import EsendexWebhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which exist whatever the entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> bool:
    """Set up Esendex SMS from a config entry."""
    receiver = NotificationReceiver(hass, entry)
    await receiver.async_load()
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    # Registered first, answering 503 until the entities listen: for an unknown
    # webhook id Home Assistant answers 200 itself, and Esendex never retries that.
    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        EsendexWebhook(receiver),
        allowed_methods=[METH_POST],
    )
    try:
        coordinator = await _async_account_coordinator(hass, entry, receiver)
        entry.runtime_data = EsendexRuntimeData(receiver, webhook_id, coordinator)
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except BaseException:
        webhook.async_unregister(hass, webhook_id)
        raise
    # A changed account filter gets its own chance to report a mismatch.
    ir.async_delete_issue(hass, DOMAIN, foreign_account_issue_id(entry.entry_id))
    receiver.accepting = True
    if coordinator is not None:
        # With the webhook up, whatever the inbox has that the webhook missed
        # (while this entry was not loaded) can be caught up without a gap.
        coordinator.catch_up_enabled = True
        entry.async_create_background_task(
            hass, coordinator.async_refresh(), f"{DOMAIN} inbox catch-up"
        )
    return True


async def _async_account_coordinator(
    hass: HomeAssistant, entry: EsendexConfigEntry, receiver: NotificationReceiver
) -> EsendexAccountCoordinator | None:
    """Return the API side of an entry with credentials; else None."""
    if CONF_USERNAME not in entry.data:
        return None
    client = EsendexClient(
        async_get_clientsession(hass),
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
    )
    coordinator = EsendexAccountCoordinator(
        hass, entry, client, entry.data[CONF_ACCOUNT_REFERENCE], receiver
    )
    # Not async_config_entry_first_refresh: receiving must not stop because the
    # REST API is down or the credentials expired. A failure here is logged, a
    # 401/403 starts the reauth flow, and the credits sensor is unavailable.
    await coordinator.async_refresh()
    return coordinator


async def async_unload_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> bool:
    """Unload a config entry."""
    webhook.async_unregister(hass, entry.runtime_data.webhook_id)
    await entry.runtime_data.receiver.async_close()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> None:
    """Delete the cloudhook and the stored record of a removed entry."""
    ir.async_delete_issue(hass, DOMAIN, foreign_account_issue_id(entry.entry_id))
    await NotificationReceiver(hass, entry).async_remove()
    if entry.data.get(CONF_CLOUDHOOK) and "cloud" in hass.config.components:
        from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
            async_delete_cloudhook,
        )

        await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
