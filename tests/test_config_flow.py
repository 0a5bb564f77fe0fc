"""Tests for the Esendex SMS config flow."""

from homeassistant import config_entries
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.esendex.const import DOMAIN


async def test_user_flow_creates_entry_with_webhook_id(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Esendex SMS"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert len(webhook_id) == 64
    entries = hass.config_entries.async_entries(DOMAIN)
    assert [entry.data[CONF_WEBHOOK_ID] for entry in entries] == [webhook_id]


async def test_each_entry_gets_its_own_webhook_id(hass: HomeAssistant) -> None:
    for _ in range(2):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_USER}
        )
        await hass.config_entries.flow.async_configure(result["flow_id"], {})

    ids = {e.data[CONF_WEBHOOK_ID] for e in hass.config_entries.async_entries(DOMAIN)}
    assert len(ids) == 2
