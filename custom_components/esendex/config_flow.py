"""Config flow for Esendex SMS."""

from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_WEBHOOK_ID

from .const import DOMAIN


class EsendexConfigFlow(ConfigFlow, domain=DOMAIN):
    """Receive-only setup: nothing to type, a webhook URL to copy."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm, then create the entry with a fresh secret webhook id."""
        if user_input is None:
            return self.async_show_form(step_id="user")
        return self.async_create_entry(
            title="Esendex SMS",
            data={CONF_WEBHOOK_ID: webhook.async_generate_id()},
        )
