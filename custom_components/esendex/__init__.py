"""The Esendex SMS integration: Esendex push notifications into Home Assistant.

Reading order: `webhook_handler.py` answers Esendex's POSTs, `protocol.py` parses them,
`receiver.py` deduplicates them and fires events, `sensor.py` and `event.py` show them.
"""

from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import CONF_CLOUDHOOK, DOMAIN
from .models import EsendexConfigEntry, EsendexRuntimeData
from .receiver import NotificationReceiver, foreign_account_issue_id
from .webhook_handler import EsendexWebhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: EsendexConfigEntry) -> bool:
    """Set up Esendex SMS from a config entry."""
    receiver = NotificationReceiver(hass, entry)
    await receiver.async_load()
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    entry.runtime_data = EsendexRuntimeData(receiver=receiver, webhook_id=webhook_id)
    # A changed account filter gets its own chance to report a mismatch.
    ir.async_delete_issue(hass, DOMAIN, foreign_account_issue_id(entry.entry_id))

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Registered last: entities are listening before the first notification lands.
    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        EsendexWebhook(receiver),
        allowed_methods=[METH_POST],
    )
    return True


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
