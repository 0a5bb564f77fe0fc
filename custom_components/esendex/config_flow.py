"""Config, options and reconfigure flows for Esendex SMS."""

from collections.abc import Mapping
from typing import Any
import uuid

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME, CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, HomeAssistant, callback
from homeassistant.helpers.selector import (
    AssistPipelineSelector,
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.typing import UNDEFINED, UndefinedType
import probatio

from .api import (
    Account,
    AccountNotFoundError,
    EsendexAuthError,
    EsendexConnectionError,
    EsendexError,
    EsendexServerError,
    InvalidAddressError,
    normalise_recipient,
)
from .assist_settings import ASSIST_NUMBER_OPTIONS, CONF_ASSIST_PIPELINE
from .const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    CONF_DEFAULT_RECIPIENT,
    CONF_REGENERATE_URL,
    DEFAULT_TITLE,
    DOMAIN,
)
from .contacts import (
    CONF_ASSIST,
    CONF_ASSIST_USER_ID,
    CONF_PHONE_NUMBER,
    SUBENTRY_TYPE_CONTACT,
    async_contacts,
    contact_for_number,
    number_key,
)
from .message_log import (
    CONF_HISTORY_MAX_DAYS,
    CONF_HISTORY_MAX_MESSAGES,
    CONF_HISTORY_NON_ADMIN,
    MAX_HISTORY_DAYS,
    MAX_HISTORY_MESSAGES,
    history_settings,
)
from .rest_client import esendex_client
from .webhook_url import async_local_webhook_url, why_unreachable

# Shown with the URL: where it goes in the Esendex account.
ESENDEX_SETTINGS_PLACEHOLDERS = {
    "esendex_settings": "Esendex → Settings → Push notifications",
}

ACCOUNT_ID_SCHEMA = probatio.Schema({probatio.Optional(CONF_ACCOUNT_ID): str})
# A cleared Assist option means its default (assist_settings.py).
SENDING_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_DEFAULT_RECIPIENT): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        probatio.Optional(CONF_ASSIST_PIPELINE): AssistPipelineSelector(),
        **{
            probatio.Optional(key): NumberSelector(
                NumberSelectorConfig(
                    min=1, max=maximum, step=1, mode=NumberSelectorMode.BOX
                )
            )
            for key, (_default, maximum) in ASSIST_NUMBER_OPTIONS.items()
        },
    }
)
# The messages card's history (message_log.py); 0 messages turns it off.
HISTORY_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HISTORY_MAX_MESSAGES): NumberSelector(
            NumberSelectorConfig(
                min=0, max=MAX_HISTORY_MESSAGES, step=1, mode=NumberSelectorMode.BOX
            )
        ),
        probatio.Required(CONF_HISTORY_MAX_DAYS): NumberSelector(
            NumberSelectorConfig(
                min=1, max=MAX_HISTORY_DAYS, step=1, mode=NumberSelectorMode.BOX
            )
        ),
        probatio.Required(CONF_HISTORY_NON_ADMIN): BooleanSelector(),
    }
)
ASSIST_NUMBER_DEFAULTS = {
    key: default for key, (default, _maximum) in ASSIST_NUMBER_OPTIONS.items()
}


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
    """Return whether another entry already receives for this account.

    By its unique id, or by its account filter alone: older receive-only entries
    filter an account without having it as their unique id.
    """
    return account_id is not None and any(
        account_id in (entry.unique_id, entry.options.get(CONF_ACCOUNT_ID))
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != except_entry_id
    )


def _parse_account_id(
    user_input: Mapping[str, Any],
) -> tuple[str | None, dict[str, str]]:
    """Return the normalised optional Account ID, or the form error to show."""
    try:
        return _normalise_account_id(user_input.get(CONF_ACCOUNT_ID)), {}
    except ValueError:
        return None, {CONF_ACCOUNT_ID: "invalid_account_id"}


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
    return async_local_webhook_url(hass, webhook_id)


async def _async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    from homeassistant.components.cloud import (  # noqa: PLC0415 - cloud is optional
        async_delete_cloudhook,
    )

    await async_delete_cloudhook(hass, webhook_id)


CREDENTIALS_SCHEMA = probatio.Schema(
    {
        # The login is the email address the account was opened with.
        probatio.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL)
        ),
        probatio.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        probatio.Required(CONF_ACCOUNT_REFERENCE): str,
    }
)
REAUTH_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL)
        ),
        probatio.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
    }
)
API_PLACEHOLDERS = {
    "esendex_api_settings": "Esendex → Settings → Users → your user → API password",
}


def _credentials(user_input: Mapping[str, Any]) -> dict[str, str]:
    return {
        CONF_USERNAME: user_input[CONF_USERNAME].strip(),
        CONF_PASSWORD: user_input[CONF_PASSWORD],
        CONF_ACCOUNT_REFERENCE: user_input[CONF_ACCOUNT_REFERENCE].strip(),
    }


async def _async_check_credentials(
    hass: HomeAssistant, user_input: Mapping[str, Any]
) -> tuple[Account | None, dict[str, str]]:
    """Return the account the credentials open, or the form error to show."""
    credentials = _credentials(user_input)
    try:
        client = esendex_client(
            hass, credentials[CONF_USERNAME], credentials[CONF_PASSWORD]
        )
    except ValueError:
        # HTTP Basic auth cannot carry a colon in the login.
        return None, {CONF_USERNAME: "invalid_username"}
    try:
        return await client.async_get_account(credentials[CONF_ACCOUNT_REFERENCE]), {}
    except EsendexAuthError:
        return None, {"base": "invalid_auth"}
    except AccountNotFoundError:
        return None, {CONF_ACCOUNT_REFERENCE: "account_not_found"}
    except EsendexConnectionError, EsendexServerError:
        return None, {"base": "cannot_connect"}
    except EsendexError:
        return None, {"base": "unexpected_answer"}


def _api_title(hass: HomeAssistant, reference: str) -> str:
    """Return the default title for a first entry, else one with the reference."""
    if hass.config_entries.async_entries(DOMAIN):
        return f"{DEFAULT_TITLE} {reference}"
    return DEFAULT_TITLE


class EsendexConfigFlow(ConfigFlow, domain=DOMAIN):
    """Receive only (nothing to type), or receive and send with API credentials."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> EsendexOptionsFlow:
        """Return the options flow."""
        return EsendexOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Every entry has contacts: their names show in events and the logbook."""
        return {SUBENTRY_TYPE_CONTACT: ContactSubentryFlowHandler}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose: receive only, or receive and send with API credentials."""
        return self.async_show_menu(
            step_id="user", menu_options=["receive_only", "api_access"]
        )

    async def async_step_api_access(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Check the API credentials, then create the entry for that account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            account, errors = await _async_check_credentials(self.hass, user_input)
            if account is not None:
                await self.async_set_unique_id(account.id)
                self._abort_if_unique_id_configured()
                if _account_in_use(self.hass, account.id, except_entry_id=None):
                    return self.async_abort(reason="already_configured")
                return await self._async_create(
                    account.id,
                    credentials=_credentials(user_input),
                    title=_api_title(self.hass, account.reference),
                )
        return self.async_show_form(
            step_id="api_access",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, user_input
            ),
            errors=errors,
            description_placeholders=API_PLACEHOLDERS,
        )

    async def async_step_receive_only(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create the entry with a fresh secret webhook id and show its URL."""
        errors: dict[str, str] = {}
        if user_input is not None:
            account_id, errors = _parse_account_id(user_input)
            if not errors:
                # An entry filtered on an account has that account as unique id.
                await self.async_set_unique_id(account_id)
                self._abort_if_unique_id_configured()
                if _account_in_use(self.hass, account_id, except_entry_id=None):
                    errors = {CONF_ACCOUNT_ID: "account_already_configured"}
                else:
                    return await self._async_create(account_id)
        return self.async_show_form(
            step_id="receive_only",
            data_schema=self.add_suggested_values_to_schema(
                ACCOUNT_ID_SCHEMA, user_input
            ),
            errors=errors,
        )

    async def _async_create(
        self,
        account_id: str | None,
        *,
        credentials: dict[str, str] | None = None,
        title: str | None = None,
    ) -> ConfigFlowResult:
        webhook_id = webhook.async_generate_id()
        cloudhook = _cloud_is_active(self.hass)
        try:
            url = await _async_public_url(self.hass, webhook_id, cloudhook)
        except CloudNotConnectedError:
            return self.async_abort(
                reason="cloud_not_connected", translation_domain=HOMEASSISTANT_DOMAIN
            )
        if title is None:
            title = DEFAULT_TITLE
            if account_id is not None:
                title = f"{DEFAULT_TITLE} {account_id[:8]}"
        problem = why_unreachable(url, cloudhook=cloudhook)
        return self.async_create_entry(
            title=title,
            data={
                CONF_WEBHOOK_ID: webhook_id,
                CONF_CLOUDHOOK: cloudhook,
                **(credentials or {}),
            },
            options={CONF_ACCOUNT_ID: account_id} if account_id else {},
            # The URL is shown either way: on a local network it works.
            description=None if problem is None else f"unreachable_{problem.reason}",
            description_placeholders={
                "webhook_url": url,
                "host": "" if problem is None else problem.host,
                **ESENDEX_SETTINGS_PLACEHOLDERS,
            },
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Esendex refused the credentials: ask for them again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Check the new credentials against the same account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = {
                **user_input,
                CONF_ACCOUNT_REFERENCE: entry.data[CONF_ACCOUNT_REFERENCE],
            }
            account, errors = await _async_check_credentials(self.hass, user_input)
            if account is not None:
                await self.async_set_unique_id(account.id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, data_updates=_credentials(user_input)
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_SCHEMA,
                user_input or {CONF_USERNAME: entry.data.get(CONF_USERNAME)},
            ),
            errors=errors,
            description_placeholders={
                "account_reference": entry.data[CONF_ACCOUNT_REFERENCE],
                **API_PLACEHOLDERS,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose: the webhook URL, or the API credentials."""
        return self.async_show_menu(
            step_id="reconfigure", menu_options=["reconfigure_url", "reconfigure_api"]
        )

    async def async_step_reconfigure_api(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add API credentials to an entry, or change them."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            account, errors = await _async_check_credentials(self.hass, user_input)
            if account is not None:
                await self.async_set_unique_id(account.id)
                if entry.unique_id is not None:
                    # Filtered on its account, or with credentials already.
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                elif entry.options.get(CONF_ACCOUNT_ID) not in (None, account.id):
                    # An older receive-only entry: filtered, without a unique id.
                    return self.async_abort(reason="wrong_account")
                else:
                    self._abort_if_unique_id_configured()
                if _account_in_use(
                    self.hass, account.id, except_entry_id=entry.entry_id
                ):
                    return self.async_abort(reason="already_configured")
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=account.id,
                    data_updates=_credentials(user_input),
                    options={**entry.options, CONF_ACCOUNT_ID: account.id},
                )
        return self.async_show_form(
            step_id="reconfigure_api",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA,
                user_input
                or {
                    key: entry.data.get(key)
                    for key in (CONF_USERNAME, CONF_ACCOUNT_REFERENCE)
                },
            ),
            errors=errors,
            description_placeholders=API_PLACEHOLDERS,
        )

    async def async_step_reconfigure_url(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the URL again; optionally replace it when it has leaked."""
        entry = self._get_reconfigure_entry()
        old_id: str = entry.data[CONF_WEBHOOK_ID]
        cloudhook = bool(entry.data.get(CONF_CLOUDHOOK))
        try:
            if user_input is None:
                url = await _async_public_url(self.hass, old_id, cloudhook)
                problem = why_unreachable(url, cloudhook=cloudhook)
                # A form shows one description, so the warning is its base error.
                errors = (
                    {} if problem is None else {"base": f"unreachable_{problem.reason}"}
                )
                return self.async_show_form(
                    step_id="reconfigure_url",
                    data_schema=probatio.Schema(
                        {probatio.Required(CONF_REGENERATE_URL, default=False): bool}
                    ),
                    errors=errors,
                    description_placeholders={
                        "webhook_url": url,
                        "host": "" if problem is None else problem.host,
                        **ESENDEX_SETTINGS_PLACEHOLDERS,
                    },
                )
            if not user_input[CONF_REGENERATE_URL]:
                url = await _async_public_url(self.hass, old_id, cloudhook)
                problem = why_unreachable(url, cloudhook=cloudhook)
                return self.async_abort(
                    reason=(
                        "url_unchanged"
                        if problem is None
                        else f"url_unchanged_{problem.reason}"
                    ),
                    description_placeholders={
                        "webhook_url": url,
                        "host": "" if problem is None else problem.host,
                    },
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
        problem = why_unreachable(url, cloudhook=cloudhook)
        return self.async_abort(
            reason=(
                "url_regenerated"
                if problem is None
                else f"url_regenerated_{problem.reason}"
            ),
            description_placeholders={
                "webhook_url": url,
                "host": "" if problem is None else problem.host,
                **ESENDEX_SETTINGS_PLACEHOLDERS,
            },
        )


class EsendexOptionsFlow(OptionsFlowWithReload):
    """Receive-only entries: the account filter. API entries: sending and Assist.

    Then, for both, the message history. An API entry's account is the one its
    credentials open; it is not an option.
    """

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}
        # Receive-only entries: the unique id that goes with the account filter.
        self._unique_id: str | UndefinedType | None = UNDEFINED

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options that apply to this entry."""
        if CONF_USERNAME in self.config_entry.data:
            return await self.async_step_sending(user_input)
        return await self.async_step_account_filter(user_input)

    async def async_step_sending(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the number the notify entity texts, and how Assist answers."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options = {
                key: value
                for key, value in self.config_entry.options.items()
                if key not in SENDING_SCHEMA.schema
            }
            if pipeline := user_input.get(CONF_ASSIST_PIPELINE):
                options[CONF_ASSIST_PIPELINE] = pipeline
            for key in ASSIST_NUMBER_OPTIONS:
                if (value := user_input.get(key)) is not None:
                    options[key] = int(value)
            number = (user_input.get(CONF_DEFAULT_RECIPIENT) or "").strip()
            try:
                if number:
                    options[CONF_DEFAULT_RECIPIENT] = normalise_recipient(number)
            except InvalidAddressError as err:
                errors[CONF_DEFAULT_RECIPIENT] = f"invalid_{err.kind}"
            else:
                self._options = options
                return await self.async_step_history()
        return self.async_show_form(
            step_id="sending",
            data_schema=self.add_suggested_values_to_schema(
                SENDING_SCHEMA,
                user_input or {**ASSIST_NUMBER_DEFAULTS, **self.config_entry.options},
            ),
            errors=errors,
        )

    async def async_step_account_filter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the optional Esendex Account ID."""
        errors: dict[str, str] = {}
        if user_input is not None:
            entry = self.config_entry
            account_id, errors = _parse_account_id(user_input)
            if _account_in_use(self.hass, account_id, except_entry_id=entry.entry_id):
                errors = {CONF_ACCOUNT_ID: "account_already_configured"}
            if not errors:
                # Applied with the options, as the config flow would have
                # created the entry with this account.
                self._unique_id = account_id
                self._options = {
                    key: value
                    for key, value in entry.options.items()
                    if key != CONF_ACCOUNT_ID
                }
                if account_id:
                    self._options[CONF_ACCOUNT_ID] = account_id
                return await self.async_step_history()
        return self.async_show_form(
            step_id="account_filter",
            data_schema=self.add_suggested_values_to_schema(
                ACCOUNT_ID_SCHEMA, user_input or dict(self.config_entry.options)
            ),
            errors=errors,
        )

    async def async_step_history(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask how much message history the messages card keeps, and for whom."""
        if user_input is not None:
            if self._unique_id is not UNDEFINED:
                self.hass.config_entries.async_update_entry(
                    self.config_entry, unique_id=self._unique_id
                )
            return self.async_create_entry(
                data={
                    **self._options,
                    CONF_HISTORY_MAX_MESSAGES: int(
                        user_input[CONF_HISTORY_MAX_MESSAGES]
                    ),
                    CONF_HISTORY_MAX_DAYS: int(user_input[CONF_HISTORY_MAX_DAYS]),
                    CONF_HISTORY_NON_ADMIN: user_input[CONF_HISTORY_NON_ADMIN],
                }
            )
        settings = history_settings(self.config_entry)
        return self.async_show_form(
            step_id="history",
            data_schema=self.add_suggested_values_to_schema(
                HISTORY_SCHEMA,
                {
                    CONF_HISTORY_MAX_MESSAGES: settings.max_messages,
                    CONF_HISTORY_MAX_DAYS: settings.max_days,
                    CONF_HISTORY_NON_ADMIN: settings.non_admin,
                },
            ),
        )


CONTACT_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="name")
        ),
        probatio.Required(CONF_PHONE_NUMBER): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL, autocomplete="tel")
        ),
    }
)


async def _async_assist_users(hass: HomeAssistant) -> list[SelectOptionDict]:
    """Return the users Assist can act as: active people, not system users.

    Each is shown with the name of its person, if it has one, so that either can
    be recognised: Home Assistant has no user selector.
    """
    persons = {
        state.attributes.get("user_id"): state.name
        for state in hass.states.async_all("person")
    }
    options: list[SelectOptionDict] = []
    for user in await hass.auth.async_get_users():
        if not user.is_active or user.system_generated:
            continue
        label = name = user.name or user.id
        if (person := persons.get(user.id)) is not None and person != name:
            label = f"{person} ({name})"
        options.append(SelectOptionDict(value=user.id, label=label))
    return sorted(options, key=lambda option: option["label"].casefold())


class ContactSubentryFlowHandler(ConfigSubentryFlow):
    """Add a contact to an entry, or edit one: a name for a phone number.

    Both are unique per entry, the name case-insensitively. Removing a contact is
    Home Assistant's own. The entry reads its contacts when it needs them, so a
    change counts at once, without a reload.

    Entries with API credentials can answer a contact with Assist, as a user
    picked here; receive-only entries cannot reply, so they do not ask.
    """

    async def _async_schema(self, suggested: Mapping[str, Any]) -> probatio.Schema:
        """Return the contact form, with the Assist fields if the entry can reply."""
        schema = CONTACT_SCHEMA
        suggested = dict(suggested)
        if CONF_USERNAME in self._get_entry().data:
            users = await _async_assist_users(self.hass)
            if suggested.get(CONF_ASSIST_USER_ID) not in {
                user["value"] for user in users
            }:
                # Removed or deactivated since: the select cannot show it.
                suggested.pop(CONF_ASSIST_USER_ID, None)
            schema = schema.extend(
                {
                    probatio.Optional(CONF_ASSIST, default=False): BooleanSelector(),
                    probatio.Optional(CONF_ASSIST_USER_ID): SelectSelector(
                        SelectSelectorConfig(
                            options=users, mode=SelectSelectorMode.DROPDOWN
                        )
                    ),
                }
            )
        return self.add_suggested_values_to_schema(schema, suggested)

    def _parse(
        self, user_input: Mapping[str, Any], except_subentry_id: str | None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the contact's data, or the form errors to show."""
        entry = self._get_entry()
        name = user_input[CONF_NAME].strip()
        errors: dict[str, str] = {}
        if not name:
            errors[CONF_NAME] = "name_empty"
        elif any(
            contact.name.casefold() == name.casefold()
            and contact.subentry_id != except_subentry_id
            for contact in async_contacts(entry)
        ):
            errors[CONF_NAME] = "duplicate_name"
        try:
            number = normalise_recipient(user_input[CONF_PHONE_NUMBER])
        except InvalidAddressError as err:
            errors[CONF_PHONE_NUMBER] = f"invalid_{err.kind}"
        else:
            other = contact_for_number(entry, number)
            if other is not None and other.subentry_id != except_subentry_id:
                errors[CONF_PHONE_NUMBER] = "duplicate_number"
        assist: dict[str, Any] = {}
        if CONF_USERNAME in entry.data:
            assist = {
                CONF_ASSIST: user_input[CONF_ASSIST],
                CONF_ASSIST_USER_ID: user_input.get(CONF_ASSIST_USER_ID),
            }
            if assist[CONF_ASSIST] and assist[CONF_ASSIST_USER_ID] is None:
                errors[CONF_ASSIST_USER_ID] = "assist_needs_user"
        if errors:
            return {}, errors
        return {CONF_NAME: name, CONF_PHONE_NUMBER: number, **assist}, {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the contact's name and number, and whether Assist answers it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._parse(user_input, except_subentry_id=None)
            if not errors:
                return self.async_create_entry(
                    title=data[CONF_NAME],
                    data=data,
                    unique_id=number_key(data[CONF_PHONE_NUMBER]),
                )
        return self.async_show_form(
            step_id="user",
            data_schema=await self._async_schema(user_input or {}),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change the contact's name, number or Assist setting."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._parse(
                user_input, except_subentry_id=subentry.subentry_id
            )
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=data[CONF_NAME],
                    data=data,
                    unique_id=number_key(data[CONF_PHONE_NUMBER]),
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=await self._async_schema(user_input or subentry.data),
            errors=errors,
        )
