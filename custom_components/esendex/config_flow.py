"""Config, options and reconfigure flows for Esendex SMS."""

from typing import Any
import uuid

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError
import probatio

from .const import (
    CONF_ACCOUNT_ID,
    CONF_CLOUDHOOK,
    CONF_REGENERATE_URL,
    DEFAULT_TITLE,
    DOMAIN,
)

# Shown with the URL: where it goes in the Esendex account.
ESENDEX_SETTINGS_PLACEHOLDERS = {
    "esendex_settings": "Esendex → Settings → Push notifications",
}

ACCOUNT_ID_SCHEMA = probatio.Schema({probatio.Optional(CONF_ACCOUNT_ID): str})


class CloudNotConnectedError(Exception):
    """Home Assistant Cloud is subscribed but not connected right now."""


def _normalise_account_id(value: str | None) -> str | None:
    """Return the GUID in lower case, None when blank; raise ValueError if invalid."""
    if value is None or not value.strip():
        return None
    return str(uuid.UUID(value.strip()))


def _account_in_use(
    hass: HomeAssistant, account_id: str | None, except_entry_id: str | None
) -> bool:
    """Return whether another entry already receives for this account."""
    return account_id is not None and any(
        entry.options.get(CONF_ACCOUNT_ID) == account_id
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != except_entry_id
    )


def _cloud_is_active(hass: HomeAssistant) -> bool:
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
        async_active_subscription,
    )

    return async_active_subscription(hass)


async def _async_public_url(
    hass: HomeAssistant, webhook_id: str, cloudhook: bool
) -> str:
    """Return the URL Esendex must POST to, creating the cloudhook if needed."""
    if cloudhook:
        from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
            async_get_or_create_cloudhook,
            async_is_connected,
        )

        if not async_is_connected(hass):
            raise CloudNotConnectedError
        return await async_get_or_create_cloudhook(hass, webhook_id)
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        # No URL configured at all: the path still tells the user what to append.
        return f"<your Home Assistant URL>{webhook.async_generate_path(webhook_id)}"


async def _async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
        async_delete_cloudhook,
    )

    await async_delete_cloudhook(hass, webhook_id)


class EsendexConfigFlow(ConfigFlow, domain=DOMAIN):
    """Receive-only setup: nothing to type, a webhook URL to copy."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> EsendexOptionsFlow:
        """Return the options flow."""
        return EsendexOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create the entry with a fresh secret webhook id and show its URL."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                account_id = _normalise_account_id(user_input.get(CONF_ACCOUNT_ID))
            except ValueError:
                errors[CONF_ACCOUNT_ID] = "invalid_account_id"
            else:
                if _account_in_use(self.hass, account_id, except_entry_id=None):
                    errors[CONF_ACCOUNT_ID] = "account_already_configured"
                else:
                    return await self._async_create(account_id)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                ACCOUNT_ID_SCHEMA, user_input
            ),
            errors=errors,
        )

    async def _async_create(self, account_id: str | None) -> ConfigFlowResult:
        webhook_id = webhook.async_generate_id()
        cloudhook = _cloud_is_active(self.hass)
        try:
            url = await _async_public_url(self.hass, webhook_id, cloudhook)
        except CloudNotConnectedError:
            return self.async_abort(
                reason="cloud_not_connected", translation_domain=HOMEASSISTANT_DOMAIN
            )
        title = DEFAULT_TITLE
        if account_id is not None:
            title = f"{DEFAULT_TITLE} {account_id[:8]}"
        return self.async_create_entry(
            title=title,
            data={CONF_WEBHOOK_ID: webhook_id, CONF_CLOUDHOOK: cloudhook},
            options={CONF_ACCOUNT_ID: account_id} if account_id else {},
            description_placeholders={
                "webhook_url": url,
                **ESENDEX_SETTINGS_PLACEHOLDERS,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the URL again; optionally replace it when it has leaked."""
        entry = self._get_reconfigure_entry()
        old_id: str = entry.data[CONF_WEBHOOK_ID]
        cloudhook = bool(entry.data.get(CONF_CLOUDHOOK))
        try:
            if user_input is None:
                url = await _async_public_url(self.hass, old_id, cloudhook)
                return self.async_show_form(
                    step_id="reconfigure",
                    data_schema=probatio.Schema(
                        {probatio.Required(CONF_REGENERATE_URL, default=False): bool}
                    ),
                    description_placeholders={
                        "webhook_url": url,
                        **ESENDEX_SETTINGS_PLACEHOLDERS,
                    },
                )
            if not user_input[CONF_REGENERATE_URL]:
                url = await _async_public_url(self.hass, old_id, cloudhook)
                return self.async_abort(
                    reason="url_unchanged",
                    description_placeholders={"webhook_url": url},
                )
            new_id = webhook.async_generate_id()
            cloudhook = _cloud_is_active(self.hass)
            url = await _async_public_url(self.hass, new_id, cloudhook)
        except CloudNotConnectedError:
            return self.async_abort(
                reason="cloud_not_connected", translation_domain=HOMEASSISTANT_DOMAIN
            )
        if entry.data.get(CONF_CLOUDHOOK) and "cloud" in self.hass.config.components:
            await _async_delete_cloudhook(self.hass, old_id)
        self.hass.config_entries.async_update_entry(
            entry,
            data={**entry.data, CONF_WEBHOOK_ID: new_id, CONF_CLOUDHOOK: cloudhook},
        )
        # Awaited, not scheduled: the old URL is dead when the user sees the new one.
        await self.hass.config_entries.async_reload(entry.entry_id)
        return self.async_abort(
            reason="url_regenerated",
            description_placeholders={
                "webhook_url": url,
                **ESENDEX_SETTINGS_PLACEHOLDERS,
            },
        )


class EsendexOptionsFlow(OptionsFlowWithReload):
    """Restrict an entry to one Esendex account."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the optional Esendex Account ID."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                account_id = _normalise_account_id(user_input.get(CONF_ACCOUNT_ID))
            except ValueError:
                errors[CONF_ACCOUNT_ID] = "invalid_account_id"
            else:
                if _account_in_use(
                    self.hass, account_id, except_entry_id=self.config_entry.entry_id
                ):
                    errors[CONF_ACCOUNT_ID] = "account_already_configured"
                else:
                    return self.async_create_entry(
                        data={CONF_ACCOUNT_ID: account_id} if account_id else {}
                    )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                ACCOUNT_ID_SCHEMA, user_input or dict(self.config_entry.options)
            ),
            errors=errors,
        )
