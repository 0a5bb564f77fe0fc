"""Tests for the Esendex SMS config, options, reauth and reconfigure flows."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
import functools
import importlib
import re
import sys
from types import ModuleType
from typing import Any
from unittest.mock import ANY, AsyncMock, MagicMock, create_autospec, patch

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    AssistPipelineSelector,
    BooleanSelector,
    NumberSelector,
    TextSelector,
)
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.esendex.api import (
    Account,
    AccountNotFoundError,
    AddressProblem,
    EsendexAuthError,
    EsendexClient,
    EsendexConnectionError,
    EsendexError,
    EsendexRequestError,
    EsendexResponseError,
    EsendexServerError,
    InboxPage,
)
from custom_components.esendex.assist_settings import (
    CONF_ASSIST_CONTACT_HOURLY_LIMIT,
    CONF_ASSIST_ENTRY_DAILY_LIMIT,
    CONF_ASSIST_MAX_PARTS,
    CONF_ASSIST_PIPELINE,
    AssistSettings,
    assist_settings,
)
from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    CONF_DEFAULT_RECIPIENT,
    CONF_REGENERATE_URL,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)
from custom_components.esendex.message_log import (
    CONF_HISTORY_MAX_DAYS,
    CONF_HISTORY_MAX_MESSAGES,
    CONF_HISTORY_NON_ADMIN,
    HistorySettings,
    history_settings,
)
from custom_components.esendex.receiver import NotificationReceiver
from custom_components.esendex.webhook_url import UnreachableReason

from .conftest import (
    EXTERNAL_URL,
    WEBHOOK_ID,
    WEBHOOK_PATH,
    PostNotification,
    fixture_bytes,
)
from .test_webhook_url import ENGLISH, UNREACHABLE_URLS, set_home_assistant_url

ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
OTHER_ACCOUNT_ID = "0b0e4f9a-3c1d-4e2f-8a7b-9c6d5e4f3a2b"
CLOUD_MODULE = "homeassistant.components.cloud"
CLOUD_FUNCTIONS = (
    "async_active_subscription",
    "async_is_connected",
    "async_get_or_create_cloudhook",
    "async_delete_cloudhook",
)

USERNAME = "user@example.com"
PASSWORD = "api-password"  # noqa: S105 - a test credential
NEW_PASSWORD = "new-api-password"  # noqa: S105 - a test credential
REFERENCE = "EX0123456"
CREDENTIALS = {
    CONF_USERNAME: USERNAME,
    CONF_PASSWORD: PASSWORD,
    CONF_ACCOUNT_REFERENCE: REFERENCE,
}
ACCOUNT = Account(
    id=ACCOUNT_ID,
    reference=REFERENCE,
    label="Primary",
    address="447700900123",
    messages_remaining=19,
    expires_on=None,
)
OTHER_ACCOUNT = Account(
    id=OTHER_ACCOUNT_ID,
    reference="EX0999999",
    label=None,
    address=None,
    messages_remaining=0,
    expires_on=None,
)
API_ENTRY_ID = "01JESENDEXAPIENTRY0000000"

# Every way the credential check can fail, and the error the form shows.
CHECK_ERRORS = pytest.mark.parametrize(
    ("error", "form_errors"),
    [
        (EsendexAuthError(401, "Unauthorized"), {"base": "invalid_auth"}),
        (EsendexAuthError(403, "Forbidden"), {"base": "invalid_auth"}),
        (
            AccountNotFoundError("no account"),
            {CONF_ACCOUNT_REFERENCE: "account_not_found"},
        ),
        (EsendexConnectionError("timeout"), {"base": "cannot_connect"}),
        (EsendexServerError(503, "Service Unavailable"), {"base": "cannot_connect"}),
        (EsendexResponseError("not XML"), {"base": "unexpected_answer"}),
        (EsendexRequestError(400, "Bad Request"), {"base": "unexpected_answer"}),
    ],
    ids=[
        "401",
        "403",
        "account_not_found",
        "connection",
        "server",
        "response",
        "request",
    ],
)


def local_url(webhook_id: str) -> str:
    """Return the URL Home Assistant itself serves a webhook at."""
    return f"{EXTERNAL_URL}/api/webhook/{webhook_id}"


def cloudhook_url(webhook_id: str) -> str:
    """Return the (fake) Nabu Casa URL for a webhook."""
    return f"https://hooks.nabu.casa/{webhook_id}"


# ---------------------------------------------------------------------------
# The Esendex REST API
# ---------------------------------------------------------------------------


@dataclass
class Esendex:
    """The patched API clients: the flow's credential check and the entry's setup."""

    check_client: MagicMock
    setup_client: MagicMock

    @property
    def check(self) -> AsyncMock:
        """The account look-up the flow checks the credentials with."""
        mock: AsyncMock = self.check_client.return_value.async_get_account
        return mock


@pytest.fixture
def esendex() -> Iterator[Esendex]:
    """Esendex accepting the credentials for ACCOUNT, in the flow and at setup.

    Entries with credentials create their own client when set up or reloaded; it
    reads the same account and finds an empty inbox.
    """
    with (
        patch(
            "custom_components.esendex.config_flow.esendex_client",
            autospec=True,
            return_value=create_autospec(EsendexClient, instance=True),
        ) as check_client,
        patch(
            "custom_components.esendex.esendex_client",
            autospec=True,
            return_value=create_autospec(EsendexClient, instance=True),
        ) as setup,
    ):
        check_client.return_value.async_get_account.return_value = ACCOUNT
        setup.return_value.async_get_account.return_value = ACCOUNT
        setup.return_value.async_get_inbox.return_value = InboxPage([], 0, 0, 0)
        # The verification of a pushed SMS finds nothing to compare with.
        setup.return_value.async_get_message.side_effect = EsendexConnectionError
        yield Esendex(check_client=check_client, setup_client=setup)


# ---------------------------------------------------------------------------
# Home Assistant Cloud
# ---------------------------------------------------------------------------


@functools.cache
def _real_cloud_module() -> ModuleType | None:
    """Return HA's cloud component module, or None where it cannot be imported.

    It imports assist_pipeline, which needs `pymicro_vad`: a requirement of core's
    test suite that pytest-homeassistant-custom-component does not install.
    """
    try:
        return importlib.import_module(CLOUD_MODULE)
    except ImportError:
        return None


@dataclass
class Cloud:
    """The patched cloud functions the integration calls."""

    active_subscription: MagicMock
    is_connected: MagicMock
    get_or_create_cloudhook: AsyncMock
    delete_cloudhook: AsyncMock


@pytest.fixture
def cloud(hass: HomeAssistant) -> Iterator[Cloud]:
    """Home Assistant Cloud loaded, subscribed and connected.

    The integration imports the cloud functions inside its functions, so they are
    patched on the cloud module itself. Where that module cannot be imported, a
    stand-in with the same names takes its place in sys.modules.
    """
    hass.config.components.add("cloud")
    with ExitStack() as stack:
        module = _real_cloud_module()
        if module is None:
            module = ModuleType(CLOUD_MODULE)
            for name in CLOUD_FUNCTIONS:
                setattr(module, name, None)
            stack.enter_context(patch.dict(sys.modules, {CLOUD_MODULE: module}))

        def patched(name: str, mock: MagicMock) -> MagicMock:
            return stack.enter_context(patch.object(module, name, mock))

        yield Cloud(
            active_subscription=patched(
                "async_active_subscription", MagicMock(return_value=True)
            ),
            is_connected=patched("async_is_connected", MagicMock(return_value=True)),
            get_or_create_cloudhook=patched(
                "async_get_or_create_cloudhook",
                AsyncMock(side_effect=lambda _hass, wid: cloudhook_url(wid)),
            ),
            delete_cloudhook=patched("async_delete_cloudhook", AsyncMock()),
        )


@pytest.fixture
def cloudhook_entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry whose URL is a cloudhook, added to Home Assistant but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: True},
        entry_id="01JESENDEXCLOUDHOOKENTRY0",
    )
    entry.add_to_hass(hass)
    return entry


# ---------------------------------------------------------------------------
# Entries and flow helpers
# ---------------------------------------------------------------------------


def add_api_entry(
    hass: HomeAssistant, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Add an entry with API credentials for ACCOUNT, as api_access creates it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False, **CREDENTIALS},
        options={CONF_ACCOUNT_ID: ACCOUNT_ID} if options is None else options,
        unique_id=ACCOUNT_ID,
        entry_id=API_ENTRY_ID,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def api_entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry with API credentials, added to Home Assistant but not set up."""
    return add_api_entry(hass)


@pytest.fixture
async def loaded_api_entry(
    hass: HomeAssistant, esendex: Esendex, api_entry: MockConfigEntry
) -> MockConfigEntry:
    """The entry with API credentials, set up."""
    assert await hass.config_entries.async_setup(api_entry.entry_id)
    await hass.async_block_till_done()
    assert api_entry.runtime_data.coordinator is not None
    return api_entry


def suggested_value(schema: probatio.Schema, name: str) -> object:
    """Return the value a form pre-fills one of its fields with."""
    [key] = [key for key in schema.schema if key == name]
    return (key.description or {}).get("suggested_value")


def suggested_account_id(schema: probatio.Schema) -> object:
    """Return the value a form pre-fills its account id field with."""
    return suggested_value(schema, CONF_ACCOUNT_ID)


def add_entry_for_account(
    hass: HomeAssistant, account_id: str, *, unique_id: bool = False
) -> MockConfigEntry:
    """Add another entry that receives for one Esendex account only.

    As receive_only creates it now with unique_id, else as it did before.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Esendex SMS {account_id[:8]}",
        data={CONF_WEBHOOK_ID: "f" * 64, CONF_CLOUDHOOK: False},
        options={CONF_ACCOUNT_ID: account_id},
        unique_id=account_id if unique_id else None,
    )
    entry.add_to_hass(hass)
    return entry


async def choose(
    hass: HomeAssistant, result: ConfigFlowResult, option: str
) -> ConfigFlowResult:
    """Pick an option of a menu."""
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": option}
    )


async def start_user_flow(hass: HomeAssistant, option: str) -> ConfigFlowResult:
    """Start the user flow and pick an option of its menu."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await choose(hass, result, option)


async def submit_user_step(
    hass: HomeAssistant, user_input: dict[str, str]
) -> ConfigFlowResult:
    """Start a receive-only user flow and submit its form once."""
    result = await start_user_flow(hass, "receive_only")
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def submit_api_access(
    hass: HomeAssistant, user_input: dict[str, str]
) -> ConfigFlowResult:
    """Start an API user flow and submit its form once."""
    result = await start_user_flow(hass, "api_access")
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def start_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, option: str
) -> ConfigFlowResult:
    """Start the reconfigure flow and pick an option of its menu."""
    return await choose(hass, await entry.start_reconfigure_flow(hass), option)


async def submit_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, *, regenerate: bool
) -> ConfigFlowResult:
    """Open the reconfigure URL form and submit it."""
    result = await start_reconfigure(hass, entry, "reconfigure_url")
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGENERATE_URL: regenerate}
    )


async def submit_reconfigure_api(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, str]
) -> ConfigFlowResult:
    """Open the reconfigure API form and submit it."""
    result = await start_reconfigure(hass, entry, "reconfigure_api")
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def submit_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, str]
) -> ConfigFlowResult:
    """Open the reauth form and submit it."""
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


# ---------------------------------------------------------------------------
# User step: receive only
# ---------------------------------------------------------------------------


async def test_user_step_offers_receive_only_and_api_access(
    hass: HomeAssistant,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["receive_only", "api_access"]
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_receive_only_form_asks_for_nothing_required(
    hass: HomeAssistant,
) -> None:
    result = await start_user_flow(hass, "receive_only")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "receive_only"
    assert result["errors"] == {}
    keys = list(result["data_schema"].schema)
    assert keys == [CONF_ACCOUNT_ID]
    assert all(isinstance(key, probatio.Optional) for key in keys)


async def test_user_flow_creates_entry_with_fresh_webhook(hass: HomeAssistant) -> None:
    result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Esendex SMS"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{64}", webhook_id)
    assert result["data"] == {CONF_WEBHOOK_ID: webhook_id, CONF_CLOUDHOOK: False}
    assert result["options"] == {}
    assert result["description_placeholders"]["webhook_url"] == local_url(webhook_id)
    assert "esendex_settings" in result["description_placeholders"]
    # A reachable URL: the default message, with no warning.
    assert result["description"] is None
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.data[CONF_WEBHOOK_ID] == webhook_id
    assert entry.options == {}
    assert entry.unique_id is None


async def test_each_entry_gets_its_own_webhook_id(hass: HomeAssistant) -> None:
    first = await submit_user_step(hass, {})
    second = await submit_user_step(hass, {})

    assert first["type"] is second["type"] is FlowResultType.CREATE_ENTRY
    assert first["data"][CONF_WEBHOOK_ID] != second["data"][CONF_WEBHOOK_ID]
    ids = {e.data[CONF_WEBHOOK_ID] for e in hass.config_entries.async_entries(DOMAIN)}
    assert ids == {first["data"][CONF_WEBHOOK_ID], second["data"][CONF_WEBHOOK_ID]}


async def test_account_id_is_stored_lower_case_and_titles_the_entry(
    hass: HomeAssistant,
) -> None:
    result = await submit_user_step(
        hass, {CONF_ACCOUNT_ID: f"  {ACCOUNT_ID.upper()}  "}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert result["title"] == "Esendex SMS 6145d724"
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    # The normalised Account ID is the entry's unique id.
    assert entry.unique_id == ACCOUNT_ID


async def test_blank_account_id_means_every_account(hass: HomeAssistant) -> None:
    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: "   "})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Esendex SMS"
    assert result["options"] == {}


async def test_invalid_account_id_is_rejected_and_kept_in_the_form(
    hass: HomeAssistant,
) -> None:
    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: "not-a-guid"})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "receive_only"
    assert result["errors"] == {CONF_ACCOUNT_ID: "invalid_account_id"}
    assert suggested_account_id(result["data_schema"]) == ("not-a-guid")
    assert hass.config_entries.async_entries(DOMAIN) == []

    # The user can correct it in the same flow.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}


async def test_account_id_filtered_by_an_older_entry_is_rejected(
    hass: HomeAssistant,
) -> None:
    # Filtered on the account without having it as unique id: the form says so.
    add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID.upper()})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ACCOUNT_ID: "account_already_configured"}
    assert suggested_account_id(result["data_schema"]) == ACCOUNT_ID.upper()
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_a_second_receive_only_entry_for_an_account_aborts(
    hass: HomeAssistant,
) -> None:
    first = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID})
    assert first["type"] is FlowResultType.CREATE_ENTRY

    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID.upper()})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.unique_id == ACCOUNT_ID


async def test_account_id_of_an_api_entry_aborts(
    hass: HomeAssistant, api_entry: MockConfigEntry
) -> None:
    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [api_entry]


async def test_entries_without_an_account_id_have_no_unique_id(
    hass: HomeAssistant,
) -> None:
    # Any number of them: each has its own URL, and takes every account.
    for _ in range(2):
        result = await submit_user_step(hass, {})
        assert result["type"] is FlowResultType.CREATE_ENTRY

    entries = hass.config_entries.async_entries(DOMAIN)
    assert [entry.unique_id for entry in entries] == [None, None]


async def test_another_account_id_is_accepted_next_to_an_existing_one(
    hass: HomeAssistant,
) -> None:
    add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}


async def test_url_placeholder_without_any_home_assistant_url(
    hass: HomeAssistant,
) -> None:
    with patch(
        "custom_components.esendex.config_flow.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ):
        result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["description_placeholders"]["webhook_url"] == (
        f"<your Home Assistant URL>/api/webhook/{webhook_id}"
    )
    assert result["description"] == "unreachable_no_url"


# ---------------------------------------------------------------------------
# A URL Esendex cannot reach: still shown, with the reason why
# ---------------------------------------------------------------------------


def assert_url_placeholders(
    result: ConfigFlowResult, url: str, host: str, *, settings: bool = True
) -> None:
    """The URL, its host for the warning, and where it goes."""
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["webhook_url"] == url
    assert placeholders["host"] == host
    assert ("esendex_settings" in placeholders) is settings


@asynccontextmanager
async def home_assistant_url(
    hass: HomeAssistant, base: str | None
) -> AsyncIterator[None]:
    """Give Home Assistant this URL; None: no URL at all, not even its LAN address."""
    if base is not None:
        await set_home_assistant_url(hass, base)
        yield
        return
    with patch(
        "custom_components.esendex.webhook_url.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ):
        yield


def expected_url(base: str | None, webhook_id: str) -> str:
    """Return the webhook URL shown for a Home Assistant URL (None: none at all)."""
    return f"{base or '<your Home Assistant URL>'}/api/webhook/{webhook_id}"


@pytest.mark.parametrize("reason", list(UnreachableReason))
async def test_receive_only_says_why_the_url_is_unreachable(
    hass: HomeAssistant, reason: UnreachableReason
) -> None:
    base, host = UNREACHABLE_URLS[reason]

    async with home_assistant_url(hass, base):
        result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == f"unreachable_{reason}"
    assert result["description"] in ENGLISH["config"]["create_entry"]
    # Still shown: on a local network (the simulator's) it works.
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert_url_placeholders(result, expected_url(base, webhook_id), host)
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_api_access_says_why_the_url_is_unreachable(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    await set_home_assistant_url(hass, "https://homeassistant.local:8123")

    result = await submit_api_access(hass, CREDENTIALS)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "unreachable_local_name"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert_url_placeholders(
        result,
        f"https://homeassistant.local:8123/api/webhook/{webhook_id}",
        "homeassistant.local",
    )


async def test_a_cloudhook_is_not_warned_about(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    await set_home_assistant_url(hass, "http://192.168.1.5:8123")

    result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] is None
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert_url_placeholders(result, cloudhook_url(webhook_id), "")


@pytest.mark.parametrize("reason", list(UnreachableReason))
async def test_reconfigure_form_warns_about_an_unreachable_url(
    hass: HomeAssistant, config_entry: MockConfigEntry, reason: UnreachableReason
) -> None:
    base, host = UNREACHABLE_URLS[reason]

    async with home_assistant_url(hass, base):
        result = await start_reconfigure(hass, config_entry, "reconfigure_url")

        assert result["type"] is FlowResultType.FORM
        # A form has one description: the warning is shown as its base error.
        assert result["errors"] == {"base": f"unreachable_{reason}"}
        assert f"unreachable_{reason}" in ENGLISH["config"]["error"]
        assert_url_placeholders(result, expected_url(base, WEBHOOK_ID), host)

        # The warning does not stop the form from being submitted.
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_REGENERATE_URL: False}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"url_unchanged_{reason}"
    assert result["reason"] in ENGLISH["config"]["abort"]
    assert_url_placeholders(
        result, expected_url(base, WEBHOOK_ID), host, settings=False
    )


@pytest.mark.parametrize("reason", list(UnreachableReason))
async def test_a_regenerated_url_that_is_unreachable_says_why(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, reason: UnreachableReason
) -> None:
    base, host = UNREACHABLE_URLS[reason]

    async with home_assistant_url(hass, base):
        result = await submit_reconfigure(hass, loaded_entry, regenerate=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"url_regenerated_{reason}"
    assert result["reason"] in ENGLISH["config"]["abort"]
    new_id = loaded_entry.data[CONF_WEBHOOK_ID]
    assert new_id != WEBHOOK_ID
    assert_url_placeholders(result, expected_url(base, new_id), host)


async def test_a_regenerated_cloudhook_is_not_warned_about(
    hass: HomeAssistant, cloud: Cloud, loaded_entry: MockConfigEntry
) -> None:
    # The local URL was unreachable; Cloud, subscribed since, gives a cloudhook.
    await set_home_assistant_url(hass, "http://192.168.1.5:8123")

    result = await submit_reconfigure(hass, loaded_entry, regenerate=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_regenerated"
    new_id = loaded_entry.data[CONF_WEBHOOK_ID]
    assert loaded_entry.data[CONF_CLOUDHOOK] is True
    assert_url_placeholders(result, cloudhook_url(new_id), "")


# ---------------------------------------------------------------------------
# User step: API access
# ---------------------------------------------------------------------------


async def test_api_access_form_asks_for_login_and_account_reference(
    hass: HomeAssistant,
) -> None:
    result = await start_user_flow(hass, "api_access")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "api_access"
    assert result["errors"] == {}
    keys = list(result["data_schema"].schema)
    assert keys == [CONF_USERNAME, CONF_PASSWORD, CONF_ACCOUNT_REFERENCE]
    assert all(isinstance(key, probatio.Required) for key in keys)
    assert "esendex_api_settings" in result["description_placeholders"]


async def test_api_access_creates_an_entry_for_the_account(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    result = await submit_api_access(
        hass,
        {
            CONF_USERNAME: f"  {USERNAME} ",
            CONF_PASSWORD: f" {PASSWORD} ",
            CONF_ACCOUNT_REFERENCE: f" {REFERENCE}  ",
        },
    )
    await hass.async_block_till_done()

    # The login is checked as typed, less the spaces around the username;
    # spaces can be part of a password.
    esendex.check_client.assert_called_once_with(ANY, USERNAME, f" {PASSWORD} ")
    esendex.check.assert_awaited_once_with(REFERENCE)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Esendex SMS"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{64}", webhook_id)
    assert result["data"] == {
        CONF_WEBHOOK_ID: webhook_id,
        CONF_CLOUDHOOK: False,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: f" {PASSWORD} ",
        CONF_ACCOUNT_REFERENCE: REFERENCE,
    }
    # The account the credentials open becomes the account filter.
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert result["description_placeholders"]["webhook_url"] == local_url(webhook_id)
    assert "esendex_settings" in result["description_placeholders"]
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.unique_id == ACCOUNT_ID
    # The new entry sets up with the credentials it stored.
    assert entry.state is ConfigEntryState.LOADED
    esendex.setup_client.assert_called_once_with(ANY, USERNAME, f" {PASSWORD} ")
    assert entry.runtime_data.coordinator is not None
    assert entry.runtime_data.coordinator.account_reference == REFERENCE


async def test_api_access_titles_the_entry_with_the_reference_next_to_others(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    add_entry_for_account(hass, OTHER_ACCOUNT_ID)

    result = await submit_api_access(hass, CREDENTIALS)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Esendex SMS {REFERENCE}"
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


@CHECK_ERRORS
async def test_api_access_errors_keep_the_form_and_can_be_corrected(
    hass: HomeAssistant,
    esendex: Esendex,
    error: EsendexError,
    form_errors: dict[str, str],
) -> None:
    esendex.check.side_effect = error

    result = await submit_api_access(hass, CREDENTIALS)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "api_access"
    assert result["errors"] == form_errors
    assert suggested_value(result["data_schema"], CONF_USERNAME) == USERNAME
    assert suggested_value(result["data_schema"], CONF_ACCOUNT_REFERENCE) == REFERENCE
    assert hass.config_entries.async_entries(DOMAIN) == []

    esendex.check.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], CREDENTIALS
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}


async def test_api_access_aborts_for_an_account_with_an_api_entry(
    hass: HomeAssistant, esendex: Esendex, api_entry: MockConfigEntry
) -> None:
    result = await submit_api_access(hass, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [api_entry]


async def test_api_access_aborts_for_an_account_a_receive_only_entry_filters(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    receive_only = add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_api_access(hass, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [receive_only]
    assert receive_only.unique_id is None
    assert CONF_USERNAME not in receive_only.data


async def test_api_access_with_cloud_uses_a_cloudhook(
    hass: HomeAssistant, esendex: Esendex, cloud: Cloud
) -> None:
    result = await submit_api_access(hass, CREDENTIALS)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["data"][CONF_CLOUDHOOK] is True
    assert result["description_placeholders"]["webhook_url"] == cloudhook_url(
        webhook_id
    )
    cloud.get_or_create_cloudhook.assert_awaited_once_with(hass, webhook_id)


async def test_api_access_aborts_when_cloud_is_not_connected(
    hass: HomeAssistant, esendex: Esendex, cloud: Cloud
) -> None:
    cloud.is_connected.return_value = False

    result = await submit_api_access(hass, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_api_access_username_with_a_colon_is_a_form_error(
    hass: HomeAssistant,
) -> None:
    # The real client: its constructor refuses the username before any request.
    result = await submit_api_access(
        hass, {**CREDENTIALS, CONF_USERNAME: "user:name@example.com"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"username": "invalid_username"}
    assert hass.config_entries.async_entries(DOMAIN) == []


# ---------------------------------------------------------------------------
# Home Assistant Cloud
# ---------------------------------------------------------------------------


async def test_user_flow_with_cloud_uses_a_cloudhook(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["data"] == {CONF_WEBHOOK_ID: webhook_id, CONF_CLOUDHOOK: True}
    assert result["description_placeholders"]["webhook_url"] == cloudhook_url(
        webhook_id
    )
    cloud.get_or_create_cloudhook.assert_awaited_once_with(hass, webhook_id)


async def test_user_flow_with_cloud_but_no_subscription_uses_local_url(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    cloud.active_subscription.return_value = False

    result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["data"][CONF_CLOUDHOOK] is False
    assert result["description_placeholders"]["webhook_url"] == local_url(webhook_id)
    cloud.get_or_create_cloudhook.assert_not_called()


async def test_user_flow_aborts_when_cloud_is_not_connected(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    cloud.is_connected.return_value = False

    result = await submit_user_step(hass, {})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"
    assert hass.config_entries.async_entries(DOMAIN) == []
    cloud.get_or_create_cloudhook.assert_not_called()


async def test_removing_a_cloudhook_entry_deletes_its_cloudhook(
    hass: HomeAssistant, cloud: Cloud, cloudhook_entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_remove(cloudhook_entry.entry_id)

    cloud.delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_removing_a_local_entry_deletes_no_cloudhook(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_remove(config_entry.entry_id)

    cloud.delete_cloudhook.assert_not_called()
    assert hass.config_entries.async_entries(DOMAIN) == []


# ---------------------------------------------------------------------------
# Reauth flow
# ---------------------------------------------------------------------------


async def test_reauth_form_prefills_the_username_only(
    hass: HomeAssistant, api_entry: MockConfigEntry
) -> None:
    result = await api_entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {}
    assert list(result["data_schema"].schema) == [CONF_USERNAME, CONF_PASSWORD]
    assert suggested_value(result["data_schema"], CONF_USERNAME) == USERNAME
    assert suggested_value(result["data_schema"], CONF_PASSWORD) is None
    assert result["description_placeholders"]["account_reference"] == REFERENCE
    assert "esendex_api_settings" in result["description_placeholders"]


async def test_reauth_updates_the_credentials_and_reloads_the_entry(
    hass: HomeAssistant, esendex: Esendex, loaded_api_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_api_entry.runtime_data
    esendex.setup_client.reset_mock()

    result = await submit_reauth(
        hass,
        loaded_api_entry,
        {CONF_USERNAME: f" {USERNAME} ", CONF_PASSWORD: NEW_PASSWORD},
    )
    await hass.async_block_till_done()

    # Checked against the entry's own account.
    esendex.check_client.assert_called_once_with(ANY, USERNAME, NEW_PASSWORD)
    esendex.check.assert_awaited_once_with(REFERENCE)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_api_entry.data == {
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_CLOUDHOOK: False,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: NEW_PASSWORD,
        CONF_ACCOUNT_REFERENCE: REFERENCE,
    }
    assert loaded_api_entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    # Reloaded: the new setup uses the new password.
    assert loaded_api_entry.state is ConfigEntryState.LOADED
    assert loaded_api_entry.runtime_data is not runtime_data_before
    esendex.setup_client.assert_called_once_with(ANY, USERNAME, NEW_PASSWORD)


@CHECK_ERRORS
async def test_reauth_errors_keep_the_form_and_the_old_credentials(
    hass: HomeAssistant,
    esendex: Esendex,
    api_entry: MockConfigEntry,
    error: EsendexError,
    form_errors: dict[str, str],
) -> None:
    esendex.check.side_effect = error

    result = await submit_reauth(
        hass, api_entry, {CONF_USERNAME: "typo@example.com", CONF_PASSWORD: "x"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == form_errors
    # What the user typed stays in the form.
    assert suggested_value(result["data_schema"], CONF_USERNAME) == "typo@example.com"
    assert api_entry.data[CONF_USERNAME] == USERNAME
    assert api_entry.data[CONF_PASSWORD] == PASSWORD

    esendex.check.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert api_entry.data[CONF_PASSWORD] == NEW_PASSWORD


async def test_reauth_with_credentials_for_another_account_aborts(
    hass: HomeAssistant, esendex: Esendex, api_entry: MockConfigEntry
) -> None:
    esendex.check.return_value = OTHER_ACCOUNT

    result = await submit_reauth(
        hass, api_entry, {CONF_USERNAME: "other@example.com", CONF_PASSWORD: "x"}
    )

    # The account the credentials open is not the entry's unique id.
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert api_entry.unique_id == ACCOUNT_ID
    assert api_entry.data[CONF_USERNAME] == USERNAME
    assert api_entry.data[CONF_PASSWORD] == PASSWORD
    esendex.setup_client.assert_not_called()


async def test_reauth_keeps_the_unique_id(
    hass: HomeAssistant, esendex: Esendex, api_entry: MockConfigEntry
) -> None:
    result = await submit_reauth(
        hass, api_entry, {CONF_USERNAME: USERNAME, CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert api_entry.unique_id == ACCOUNT_ID
    assert hass.config_entries.async_entries(DOMAIN) == [api_entry]


# ---------------------------------------------------------------------------
# Options flow: receive-only entries (account filter)
# ---------------------------------------------------------------------------

HISTORY_OPTIONS = [
    CONF_HISTORY_MAX_MESSAGES,
    CONF_HISTORY_MAX_DAYS,
    CONF_HISTORY_NON_ADMIN,
]
# What the history step stores when its form is sent as it is first shown.
HISTORY_DEFAULTS = {
    CONF_HISTORY_MAX_MESSAGES: 500,
    CONF_HISTORY_MAX_DAYS: 30,
    CONF_HISTORY_NON_ADMIN: False,
}


def suggested_history(result: ConfigFlowResult) -> dict[str, object]:
    """Return what the history form pre-fills its fields with."""
    return {
        name: suggested_value(result["data_schema"], name) for name in HISTORY_OPTIONS
    }


async def submit_history(
    hass: HomeAssistant,
    result: ConfigFlowResult,
    user_input: dict[str, Any] | None = None,
) -> ConfigFlowResult:
    """Send the options' last step, the message history: as shown, unless given."""
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "history"
    assert result["errors"] is None
    return await hass.config_entries.options.async_configure(
        result["flow_id"],
        suggested_history(result) if user_input is None else user_input,
    )


async def test_options_form_suggests_the_current_account_id(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "account_filter"
    assert suggested_account_id(result["data_schema"]) == (ACCOUNT_ID)


async def test_options_form_suggests_nothing_without_an_account_id(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "account_filter"
    assert suggested_account_id(result["data_schema"]) is None


async def test_options_set_account_id_and_reload_the_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_entry.runtime_data
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: f" {ACCOUNT_ID.upper()} "}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID, **HISTORY_DEFAULTS}
    # As if the config flow had created it with that account.
    assert loaded_entry.unique_id == ACCOUNT_ID
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is not runtime_data_before


async def test_options_clearing_the_account_id_accepts_every_account(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ""}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == HISTORY_DEFAULTS
    assert entry.unique_id is None


async def test_options_keeping_the_own_account_id_is_allowed(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID, **HISTORY_DEFAULTS}
    # An older entry gets the unique id it would have been created with.
    assert entry.unique_id == ACCOUNT_ID


async def test_options_invalid_account_id_is_rejected(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: "6145d724"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "account_filter"
    assert result["errors"] == {CONF_ACCOUNT_ID: "invalid_account_id"}
    assert suggested_account_id(result["data_schema"]) == ("6145d724")
    assert config_entry.options == {}


async def test_options_account_id_of_another_entry_is_rejected(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    add_entry_for_account(hass, ACCOUNT_ID)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ACCOUNT_ID: "account_already_configured"}
    assert config_entry.options == {}
    assert config_entry.unique_id is None


async def test_options_changing_the_account_id_moves_the_unique_id(
    hass: HomeAssistant,
) -> None:
    created = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID})
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert created["type"] is FlowResultType.CREATE_ENTRY
    assert entry.unique_id == ACCOUNT_ID
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID, **HISTORY_DEFAULTS}
    assert entry.unique_id == OTHER_ACCOUNT_ID
    # The first account is free again for a new entry.
    again = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID})
    assert again["type"] is FlowResultType.CREATE_ENTRY


async def test_options_account_id_that_is_another_entrys_unique_id_is_rejected(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    # An entry whose unique id is the account, even without it as a filter.
    MockConfigEntry(
        domain=DOMAIN,
        data={CONF_WEBHOOK_ID: "e" * 64, CONF_CLOUDHOOK: False},
        unique_id=ACCOUNT_ID,
    ).add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ACCOUNT_ID: "account_already_configured"}
    assert config_entry.unique_id is None


# ---------------------------------------------------------------------------
# Options flow: entries with API credentials (default recipient)
# ---------------------------------------------------------------------------


async def test_options_of_an_api_entry_ask_for_the_default_recipient_and_assist(
    hass: HomeAssistant,
) -> None:
    entry = add_api_entry(
        hass, {CONF_ACCOUNT_ID: ACCOUNT_ID, CONF_DEFAULT_RECIPIENT: "+447700900123"}
    )

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sending"
    assert result["errors"] == {}
    # The account is the one the credentials open: it is not an option.
    keys = list(result["data_schema"].schema)
    assert keys == [CONF_DEFAULT_RECIPIENT, *ASSIST_OPTIONS]
    assert all(isinstance(key, probatio.Optional) for key in keys)
    assert (
        suggested_value(result["data_schema"], CONF_DEFAULT_RECIPIENT)
        == "+447700900123"
    )


async def test_options_default_recipient_is_normalised_and_reloads_the_entry(
    hass: HomeAssistant, loaded_api_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_api_entry.runtime_data
    result = await hass.config_entries.options.async_init(loaded_api_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_RECIPIENT: " +44 (0)7700 900-123 "}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_api_entry.options == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_DEFAULT_RECIPIENT: "+447700900123",
        **HISTORY_DEFAULTS,
    }
    assert loaded_api_entry.state is ConfigEntryState.LOADED
    assert loaded_api_entry.runtime_data is not runtime_data_before


async def test_options_invalid_default_recipient_is_rejected(
    hass: HomeAssistant,
) -> None:
    options = {CONF_ACCOUNT_ID: ACCOUNT_ID, CONF_DEFAULT_RECIPIENT: "+447700900123"}
    entry = add_api_entry(hass, dict(options))
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_RECIPIENT: "call me"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sending"
    assert result["errors"] == {CONF_DEFAULT_RECIPIENT: "invalid_recipient_characters"}
    assert suggested_value(result["data_schema"], CONF_DEFAULT_RECIPIENT) == "call me"
    assert entry.options == options


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("call me", AddressProblem.RECIPIENT_CHARACTERS),
        ("1234", AddressProblem.RECIPIENT_TOO_SHORT),
        ("+1234567890123456", AddressProblem.RECIPIENT_TOO_LONG),
        ("+0447700900123", AddressProblem.RECIPIENT_COUNTRY_CODE),
    ],
)
async def test_options_say_what_is_wrong_with_the_default_recipient(
    hass: HomeAssistant, number: str, problem: AddressProblem
) -> None:
    entry = add_api_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_RECIPIENT: number}
    )

    assert result["type"] is FlowResultType.FORM
    error = f"invalid_{problem}"
    assert result["errors"] == {CONF_DEFAULT_RECIPIENT: error}
    assert error in ENGLISH["options"]["error"]
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}


@pytest.mark.parametrize(
    "user_input", [{}, {CONF_DEFAULT_RECIPIENT: ""}, {CONF_DEFAULT_RECIPIENT: "  "}]
)
async def test_options_clearing_the_default_recipient_keeps_the_account(
    hass: HomeAssistant, esendex: Esendex, user_input: dict[str, str]
) -> None:
    entry = add_api_entry(
        hass, {CONF_ACCOUNT_ID: ACCOUNT_ID, CONF_DEFAULT_RECIPIENT: "+447700900123"}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    runtime_data_before = entry.runtime_data
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID, **HISTORY_DEFAULTS}
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not runtime_data_before


# ---------------------------------------------------------------------------
# Options flow: entries with API credentials (Assist)
# ---------------------------------------------------------------------------

ASSIST_OPTIONS = [
    CONF_ASSIST_PIPELINE,
    CONF_ASSIST_MAX_PARTS,
    CONF_ASSIST_CONTACT_HOURLY_LIMIT,
    CONF_ASSIST_ENTRY_DAILY_LIMIT,
]


def field(schema: probatio.Schema, name: str) -> object:
    """Return the selector of one of a form's fields."""
    [selector] = [value for key, value in schema.schema.items() if key == name]
    return selector


async def test_options_offer_a_pipeline_and_whole_numbers_in_their_ranges(
    hass: HomeAssistant,
) -> None:
    entry = add_api_entry(hass)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    schema = result["data_schema"]
    assert isinstance(field(schema, CONF_ASSIST_PIPELINE), AssistPipelineSelector)
    ranges = {}
    for name in ASSIST_OPTIONS[1:]:
        selector = field(schema, name)
        assert isinstance(selector, NumberSelector)
        assert selector.config["step"] == 1
        assert selector.config["mode"] == "box"
        ranges[name] = (selector.config["min"], selector.config["max"])
    assert ranges == {
        CONF_ASSIST_MAX_PARTS: (1, 6),
        CONF_ASSIST_CONTACT_HOURLY_LIMIT: (1, 100),
        CONF_ASSIST_ENTRY_DAILY_LIMIT: (1, 1000),
    }


async def test_options_form_shows_the_assist_defaults(hass: HomeAssistant) -> None:
    entry = add_api_entry(hass)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    # No pipeline is the preferred one.
    assert {
        name: suggested_value(result["data_schema"], name) for name in ASSIST_OPTIONS
    } == {
        CONF_ASSIST_PIPELINE: None,
        CONF_ASSIST_MAX_PARTS: 2,
        CONF_ASSIST_CONTACT_HOURLY_LIMIT: 10,
        CONF_ASSIST_ENTRY_DAILY_LIMIT: 50,
    }


async def test_options_form_shows_the_assist_settings(hass: HomeAssistant) -> None:
    options = {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_ASSIST_PIPELINE: "pipeline-id",
        CONF_ASSIST_MAX_PARTS: 4,
        CONF_ASSIST_CONTACT_HOURLY_LIMIT: 3,
        CONF_ASSIST_ENTRY_DAILY_LIMIT: 20,
    }
    entry = add_api_entry(hass, dict(options))

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert {
        name: suggested_value(result["data_schema"], name) for name in ASSIST_OPTIONS
    } == {name: options[name] for name in ASSIST_OPTIONS}


async def test_options_store_the_assist_settings_as_whole_numbers(
    hass: HomeAssistant, loaded_api_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_api_entry.runtime_data
    result = await hass.config_entries.options.async_init(loaded_api_entry.entry_id)

    # As the frontend sends a number field.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_ASSIST_PIPELINE: "pipeline-id",
            CONF_ASSIST_MAX_PARTS: 3.0,
            CONF_ASSIST_CONTACT_HOURLY_LIMIT: 5.0,
            CONF_ASSIST_ENTRY_DAILY_LIMIT: 25.0,
        },
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_api_entry.options == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_ASSIST_PIPELINE: "pipeline-id",
        CONF_ASSIST_MAX_PARTS: 3,
        CONF_ASSIST_CONTACT_HOURLY_LIMIT: 5,
        CONF_ASSIST_ENTRY_DAILY_LIMIT: 25,
        **HISTORY_DEFAULTS,
    }
    assert all(
        type(loaded_api_entry.options[name]) is int for name in ASSIST_OPTIONS[1:]
    )
    assert assist_settings(loaded_api_entry) == AssistSettings(
        pipeline_id="pipeline-id",
        max_parts=3,
        contact_hourly_limit=5,
        entry_daily_limit=25,
    )
    # A change counts from a reload.
    assert loaded_api_entry.runtime_data is not runtime_data_before


@pytest.mark.parametrize("pipeline", [{}, {CONF_ASSIST_PIPELINE: ""}])
async def test_options_cleared_assist_settings_are_the_defaults(
    hass: HomeAssistant, esendex: Esendex, pipeline: dict[str, str]
) -> None:
    """The frontend leaves out a cleared field, and the preferred pipeline."""
    entry = add_api_entry(
        hass,
        {
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_DEFAULT_RECIPIENT: "+447700900123",
            CONF_ASSIST_PIPELINE: "pipeline-id",
            CONF_ASSIST_MAX_PARTS: 4,
            CONF_ASSIST_CONTACT_HOURLY_LIMIT: 3,
            CONF_ASSIST_ENTRY_DAILY_LIMIT: 20,
        },
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEFAULT_RECIPIENT: "+447700900123", **pipeline}
    )
    result = await submit_history(hass, result)

    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_DEFAULT_RECIPIENT: "+447700900123",
        **HISTORY_DEFAULTS,
    }
    assert assist_settings(entry) == AssistSettings(
        pipeline_id=None, max_parts=2, contact_hourly_limit=10, entry_daily_limit=50
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (CONF_ASSIST_MAX_PARTS, 0),
        (CONF_ASSIST_MAX_PARTS, 7),
        (CONF_ASSIST_CONTACT_HOURLY_LIMIT, 0),
        (CONF_ASSIST_CONTACT_HOURLY_LIMIT, 101),
        (CONF_ASSIST_ENTRY_DAILY_LIMIT, 0),
        (CONF_ASSIST_ENTRY_DAILY_LIMIT, 1001),
    ],
)
async def test_options_refuse_assist_numbers_out_of_range(
    hass: HomeAssistant, name: str, value: int
) -> None:
    entry = add_api_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {name: value}
        )

    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}


async def test_options_an_invalid_recipient_keeps_the_assist_settings_typed(
    hass: HomeAssistant,
) -> None:
    entry = add_api_entry(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_RECIPIENT: "call me", CONF_ASSIST_MAX_PARTS: 5},
    )

    assert result["errors"] == {CONF_DEFAULT_RECIPIENT: "invalid_recipient_characters"}
    assert suggested_value(result["data_schema"], CONF_ASSIST_MAX_PARTS) == 5
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}


# ---------------------------------------------------------------------------
# Options flow: the message history, the last step for every entry
# ---------------------------------------------------------------------------


async def open_history_step(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Start the entry's options and send its first step as it is shown."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] in {"account_filter", "sending"}
    return await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            str(key): value
            for key in result["data_schema"].schema
            if (value := suggested_value(result["data_schema"], str(key))) is not None
        },
    )


@pytest.mark.parametrize("kind", ["receive_only", "api"])
async def test_the_history_step_comes_last_and_shows_the_defaults(
    hass: HomeAssistant, config_entry: MockConfigEntry, kind: str
) -> None:
    entry = config_entry if kind == "receive_only" else add_api_entry(hass)

    result = await open_history_step(hass, entry)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "history"
    # Not created yet: the history step creates it.
    assert entry.options == (
        {} if kind == "receive_only" else {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    keys = list(result["data_schema"].schema)
    assert keys == HISTORY_OPTIONS
    assert all(isinstance(key, probatio.Required) for key in keys)
    assert suggested_history(result) == HISTORY_DEFAULTS


async def test_the_history_form_offers_whole_numbers_in_their_ranges(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await open_history_step(hass, config_entry)

    schema = result["data_schema"]
    ranges = {}
    for name in HISTORY_OPTIONS[:2]:
        selector = field(schema, name)
        assert isinstance(selector, NumberSelector)
        assert selector.config["step"] == 1
        assert selector.config["mode"] == "box"
        ranges[name] = (selector.config["min"], selector.config["max"])
    assert ranges == {
        CONF_HISTORY_MAX_MESSAGES: (0, 5000),
        CONF_HISTORY_MAX_DAYS: (1, 365),
    }
    assert isinstance(field(schema, CONF_HISTORY_NON_ADMIN), BooleanSelector)


async def test_the_history_form_is_labelled_and_described(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await open_history_step(hass, config_entry)

    text = ENGLISH["options"]["step"]["history"]
    assert text["title"]
    assert set(text["data"]) == set(HISTORY_OPTIONS)
    assert set(text["data_description"]) == set(HISTORY_OPTIONS)
    assert all(text["data"].values())
    assert all(text["data_description"].values())
    assert {str(key) for key in result["data_schema"].schema} == set(HISTORY_OPTIONS)


@pytest.mark.parametrize(
    "stored",
    [
        {
            CONF_HISTORY_MAX_MESSAGES: 20,
            CONF_HISTORY_MAX_DAYS: 7,
            CONF_HISTORY_NON_ADMIN: True,
        },
        # Off is 0, not "not set": it is shown as 0.
        {
            CONF_HISTORY_MAX_MESSAGES: 0,
            CONF_HISTORY_MAX_DAYS: 30,
            CONF_HISTORY_NON_ADMIN: False,
        },
    ],
    ids=["set", "off"],
)
async def test_the_history_form_shows_the_stored_values(
    hass: HomeAssistant, stored: dict[str, Any]
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    hass.config_entries.async_update_entry(
        entry, options={CONF_ACCOUNT_ID: ACCOUNT_ID, **stored}
    )

    result = await open_history_step(hass, entry)

    assert suggested_history(result) == stored


async def test_the_history_settings_are_stored_as_whole_numbers_and_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_entry.runtime_data
    result = await open_history_step(hass, loaded_entry)

    # As the frontend sends a number field.
    result = await submit_history(
        hass,
        result,
        {
            CONF_HISTORY_MAX_MESSAGES: 200.0,
            CONF_HISTORY_MAX_DAYS: 7.0,
            CONF_HISTORY_NON_ADMIN: True,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {
        CONF_HISTORY_MAX_MESSAGES: 200,
        CONF_HISTORY_MAX_DAYS: 7,
        CONF_HISTORY_NON_ADMIN: True,
    }
    assert type(loaded_entry.options[CONF_HISTORY_MAX_MESSAGES]) is int
    assert type(loaded_entry.options[CONF_HISTORY_MAX_DAYS]) is int
    assert history_settings(loaded_entry) == HistorySettings(
        max_messages=200, max_days=7, non_admin=True
    )
    # A change counts from a reload.
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is not runtime_data_before
    assert loaded_entry.runtime_data.history.settings == history_settings(loaded_entry)


async def test_0_messages_turns_the_history_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await open_history_step(hass, loaded_entry)

    result = await submit_history(
        hass, result, {**HISTORY_DEFAULTS, CONF_HISTORY_MAX_MESSAGES: 0}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options[CONF_HISTORY_MAX_MESSAGES] == 0
    assert not loaded_entry.runtime_data.history.enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (CONF_HISTORY_MAX_MESSAGES, -1),
        (CONF_HISTORY_MAX_MESSAGES, 5001),
        (CONF_HISTORY_MAX_DAYS, 0),
        (CONF_HISTORY_MAX_DAYS, 366),
    ],
)
async def test_the_history_step_refuses_numbers_out_of_range(
    hass: HomeAssistant, config_entry: MockConfigEntry, name: str, value: int
) -> None:
    result = await open_history_step(hass, config_entry)

    with pytest.raises(InvalidData):
        await submit_history(hass, result, {**HISTORY_DEFAULTS, name: value})

    assert config_entry.options == {}


async def test_the_account_filter_step_keeps_the_history_options(
    hass: HomeAssistant,
) -> None:
    history = {
        CONF_HISTORY_MAX_MESSAGES: 20,
        CONF_HISTORY_MAX_DAYS: 7,
        CONF_HISTORY_NON_ADMIN: True,
    }
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    hass.config_entries.async_update_entry(
        entry,
        # And what this version does not know (set by a later one) is kept too.
        options={CONF_ACCOUNT_ID: ACCOUNT_ID, **history, "from_a_later_version": 1},
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}
    )
    assert suggested_history(result) == history
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID,
        **history,
        "from_a_later_version": 1,
    }


async def test_clearing_the_account_filter_keeps_the_history_options(
    hass: HomeAssistant,
) -> None:
    history = {**HISTORY_DEFAULTS, CONF_HISTORY_MAX_MESSAGES: 0}
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    hass.config_entries.async_update_entry(
        entry, options={CONF_ACCOUNT_ID: ACCOUNT_ID, **history}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ""}
    )
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert entry.options == history


async def test_the_sending_step_keeps_the_history_options(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    history = {
        CONF_HISTORY_MAX_MESSAGES: 1000,
        CONF_HISTORY_MAX_DAYS: 90,
        CONF_HISTORY_NON_ADMIN: True,
    }
    entry = add_api_entry(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID, **history})
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DEFAULT_RECIPIENT: "+447700900123", CONF_ASSIST_MAX_PARTS: 3},
    )
    assert suggested_history(result) == history
    result = await submit_history(hass, result)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_ACCOUNT_ID: ACCOUNT_ID,
        CONF_DEFAULT_RECIPIENT: "+447700900123",
        CONF_ASSIST_MAX_PARTS: 3,
        **history,
    }


@pytest.mark.parametrize("kind", ["receive_only", "api"])
async def test_leaving_at_the_history_step_changes_no_option(
    hass: HomeAssistant, kind: str
) -> None:
    if kind == "api":
        entry = add_api_entry(hass)
        first_step = {CONF_DEFAULT_RECIPIENT: "+447700900123"}
    else:
        entry = add_entry_for_account(hass, ACCOUNT_ID)
        first_step = {CONF_ACCOUNT_ID: ""}
    options = dict(entry.options)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], first_step
    )
    assert result["step_id"] == "history"

    hass.config_entries.options.async_abort(result["flow_id"])

    assert entry.options == options


async def test_leaving_at_the_history_step_keeps_the_unique_id(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID, unique_id=True)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}
    )
    assert result["step_id"] == "history"

    hass.config_entries.options.async_abort(result["flow_id"])

    # The filter is still the first account: so must the unique id be.
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert entry.unique_id == ACCOUNT_ID


# ---------------------------------------------------------------------------
# Reconfigure flow: the webhook URL
# ---------------------------------------------------------------------------


async def test_reconfigure_offers_the_url_and_the_api_credentials(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "reconfigure"
    assert result["menu_options"] == ["reconfigure_url", "reconfigure_api"]


async def test_reconfigure_form_shows_the_current_url(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await start_reconfigure(hass, loaded_entry, "reconfigure_url")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_url"
    assert result["description_placeholders"]["webhook_url"] == local_url(WEBHOOK_ID)
    assert "esendex_settings" in result["description_placeholders"]
    # Reachable: no warning.
    assert result["errors"] == {}


async def test_reconfigure_without_regenerating_keeps_the_url(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    result = await submit_reconfigure(hass, loaded_entry, regenerate=False)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_unchanged"
    assert result["description_placeholders"]["webhook_url"] == local_url(WEBHOOK_ID)
    assert loaded_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False}
    await post_notification(fixture_bytes("inbound_message.xml"))
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_reconfigure_regenerate_kills_the_old_url_at_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    load = NotificationReceiver.async_load

    async def load_from_disk(receiver: NotificationReceiver) -> None:
        # A real store read suspends; the test store's does not, which would let
        # a merely scheduled (eagerly started) reload finish inside the flow.
        await asyncio.sleep(0)
        await load(receiver)

    with patch.object(NotificationReceiver, "async_load", load_from_disk):
        result = await submit_reconfigure(hass, loaded_entry, regenerate=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_regenerated"
    new_id = loaded_entry.data[CONF_WEBHOOK_ID]
    assert new_id != WEBHOOK_ID
    assert re.fullmatch(r"[0-9a-f]{64}", new_id)
    assert loaded_entry.data[CONF_CLOUDHOOK] is False
    assert result["description_placeholders"]["webhook_url"] == local_url(new_id)
    assert "esendex_settings" in result["description_placeholders"]

    # No waiting for a scheduled reload: the switch is done when the flow returns.
    # Checked before anything else runs, since even one HTTP round trip would give
    # a scheduled reload the time to finish.
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data.webhook_id == new_id
    body = fixture_bytes("inbound_message.xml")
    await post_notification(body, path=WEBHOOK_PATH)
    assert events == []
    await post_notification(body, path=f"/api/webhook/{new_id}")
    assert len(events) == 1
    assert events[0].data["config_entry_id"] == loaded_entry.entry_id


async def test_reconfigure_regenerate_keeps_the_credentials_of_an_api_entry(
    hass: HomeAssistant, esendex: Esendex, loaded_api_entry: MockConfigEntry
) -> None:
    result = await submit_reconfigure(hass, loaded_api_entry, regenerate=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_regenerated"
    new_id = loaded_api_entry.data[CONF_WEBHOOK_ID]
    assert new_id != WEBHOOK_ID
    assert loaded_api_entry.data == {
        CONF_WEBHOOK_ID: new_id,
        CONF_CLOUDHOOK: False,
        **CREDENTIALS,
    }
    assert loaded_api_entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert loaded_api_entry.state is ConfigEntryState.LOADED
    assert loaded_api_entry.runtime_data.webhook_id == new_id
    assert loaded_api_entry.runtime_data.coordinator is not None


async def test_reconfigure_regenerate_replaces_the_cloudhook(
    hass: HomeAssistant, cloud: Cloud, cloudhook_entry: MockConfigEntry
) -> None:
    result = await start_reconfigure(hass, cloudhook_entry, "reconfigure_url")
    assert result["description_placeholders"]["webhook_url"] == cloudhook_url(
        WEBHOOK_ID
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGENERATE_URL: True}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_regenerated"
    new_id = cloudhook_entry.data[CONF_WEBHOOK_ID]
    assert new_id != WEBHOOK_ID
    assert cloudhook_entry.data[CONF_CLOUDHOOK] is True
    assert result["description_placeholders"]["webhook_url"] == cloudhook_url(new_id)
    cloud.get_or_create_cloudhook.assert_awaited_with(hass, new_id)
    cloud.delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert cloudhook_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_regenerate_aborts_when_cloud_is_not_connected(
    hass: HomeAssistant,
    cloud: Cloud,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    cloud.is_connected.return_value = False

    result = await submit_reconfigure(hass, loaded_entry, regenerate=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"
    assert loaded_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False}
    cloud.get_or_create_cloudhook.assert_not_called()
    cloud.delete_cloudhook.assert_not_called()
    # The URL in use keeps working.
    await post_notification(fixture_bytes("inbound_message.xml"))
    assert len(events) == 1


async def test_reconfigure_form_aborts_for_a_cloudhook_entry_while_disconnected(
    hass: HomeAssistant, cloud: Cloud, cloudhook_entry: MockConfigEntry
) -> None:
    cloud.is_connected.return_value = False

    result = await start_reconfigure(hass, cloudhook_entry, "reconfigure_url")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"
    assert cloudhook_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: True}
    cloud.get_or_create_cloudhook.assert_not_called()


# ---------------------------------------------------------------------------
# Reconfigure flow: API credentials
# ---------------------------------------------------------------------------


async def test_reconfigure_api_form_prefills_username_and_reference(
    hass: HomeAssistant, api_entry: MockConfigEntry
) -> None:
    result = await start_reconfigure(hass, api_entry, "reconfigure_api")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_api"
    assert result["errors"] == {}
    schema = result["data_schema"]
    assert list(schema.schema) == [CONF_USERNAME, CONF_PASSWORD, CONF_ACCOUNT_REFERENCE]
    assert suggested_value(schema, CONF_USERNAME) == USERNAME
    assert suggested_value(schema, CONF_PASSWORD) is None
    assert suggested_value(schema, CONF_ACCOUNT_REFERENCE) == REFERENCE
    assert "esendex_api_settings" in result["description_placeholders"]


async def test_reconfigure_api_form_of_a_receive_only_entry_is_empty(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await start_reconfigure(hass, config_entry, "reconfigure_api")

    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"]
    for key in (CONF_USERNAME, CONF_PASSWORD, CONF_ACCOUNT_REFERENCE):
        assert suggested_value(schema, key) is None


async def test_reconfigure_api_adds_credentials_to_a_receive_only_entry(
    hass: HomeAssistant,
    esendex: Esendex,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    assert loaded_entry.runtime_data.coordinator is None

    result = await submit_reconfigure_api(
        hass, loaded_entry, {**CREDENTIALS, CONF_USERNAME: f" {USERNAME} "}
    )
    await hass.async_block_till_done()

    esendex.check_client.assert_called_once_with(ANY, USERNAME, PASSWORD)
    esendex.check.assert_awaited_once_with(REFERENCE)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.unique_id == ACCOUNT_ID
    assert loaded_entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    # The webhook URL is not touched: Esendex keeps posting to the same one.
    assert loaded_entry.data == {
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_CLOUDHOOK: False,
        **CREDENTIALS,
    }
    assert loaded_entry.title == "Esendex SMS"
    # Reloaded, now with the API side.
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data.coordinator is not None
    esendex.setup_client.assert_called_once_with(ANY, USERNAME, PASSWORD)
    await post_notification(fixture_bytes("inbound_message.xml"))
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_reconfigure_api_keeps_a_matching_account_filter(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_reconfigure_api(hass, entry, CREDENTIALS)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == ACCOUNT_ID
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
    assert entry.data[CONF_USERNAME] == USERNAME


async def test_reconfigure_api_changes_the_credentials_of_an_api_entry(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    options = {CONF_ACCOUNT_ID: ACCOUNT_ID, CONF_DEFAULT_RECIPIENT: "+447700900123"}
    entry = add_api_entry(hass, dict(options))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    runtime_data_before = entry.runtime_data
    esendex.setup_client.reset_mock()

    result = await submit_reconfigure_api(
        hass,
        entry,
        {**CREDENTIALS, CONF_USERNAME: "admin@example.com", CONF_PASSWORD: "new"},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_USERNAME] == "admin@example.com"
    assert entry.data[CONF_PASSWORD] == "new"
    assert entry.data[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert entry.unique_id == ACCOUNT_ID
    assert entry.options == options
    assert entry.runtime_data is not runtime_data_before
    esendex.setup_client.assert_called_once_with(ANY, "admin@example.com", "new")


@CHECK_ERRORS
async def test_reconfigure_api_errors_keep_the_form_and_the_entry(
    hass: HomeAssistant,
    esendex: Esendex,
    config_entry: MockConfigEntry,
    error: EsendexError,
    form_errors: dict[str, str],
) -> None:
    esendex.check.side_effect = error

    result = await submit_reconfigure_api(hass, config_entry, CREDENTIALS)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_api"
    assert result["errors"] == form_errors
    assert suggested_value(result["data_schema"], CONF_USERNAME) == USERNAME
    assert suggested_value(result["data_schema"], CONF_ACCOUNT_REFERENCE) == REFERENCE
    assert config_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False}
    assert config_entry.options == {}
    assert config_entry.unique_id is None

    esendex.check.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], CREDENTIALS
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.unique_id == ACCOUNT_ID


async def test_reconfigure_api_for_another_account_than_the_unique_id_aborts(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    entry = add_entry_for_account(hass, OTHER_ACCOUNT_ID, unique_id=True)
    data_before = dict(entry.data)

    result = await submit_reconfigure_api(hass, entry, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data == data_before
    assert entry.options == {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}
    assert entry.unique_id == OTHER_ACCOUNT_ID


async def test_reconfigure_api_for_another_account_than_the_filter_aborts(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    # An older entry: filtered on an account, without it as unique id.
    entry = add_entry_for_account(hass, OTHER_ACCOUNT_ID)
    data_before = dict(entry.data)

    result = await submit_reconfigure_api(hass, entry, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data == data_before
    assert entry.options == {CONF_ACCOUNT_ID: OTHER_ACCOUNT_ID}
    assert entry.unique_id is None


async def test_reconfigure_api_for_the_account_of_another_entry_aborts(
    hass: HomeAssistant,
    esendex: Esendex,
    config_entry: MockConfigEntry,
    api_entry: MockConfigEntry,
) -> None:
    result = await submit_reconfigure_api(hass, config_entry, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False}
    assert config_entry.options == {}
    assert config_entry.unique_id is None
    assert api_entry.unique_id == ACCOUNT_ID


async def test_reconfigure_api_for_an_account_an_older_entry_filters_aborts(
    hass: HomeAssistant, esendex: Esendex, config_entry: MockConfigEntry
) -> None:
    older = add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_reconfigure_api(hass, config_entry, CREDENTIALS)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.unique_id is None
    assert CONF_USERNAME not in config_entry.data
    assert older.unique_id is None


async def test_reconfigure_api_keeps_the_unique_id_of_a_filtered_entry(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID, unique_id=True)

    result = await submit_reconfigure_api(hass, entry, CREDENTIALS)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == ACCOUNT_ID
    assert entry.data[CONF_USERNAME] == USERNAME


# ---------------------------------------------------------------------------
# Every form: a description for each field, and the fitting selectors
# ---------------------------------------------------------------------------


async def open_every_form(
    hass: HomeAssistant, esendex: Esendex
) -> list[tuple[str, ConfigFlowResult]]:
    """Return (translation section, form) for each form of the flows."""
    receive_only = add_entry_for_account(hass, OTHER_ACCOUNT_ID)
    api_entry = add_api_entry(hass)
    forms = [
        ("config", await start_user_flow(hass, "receive_only")),
        ("config", await start_user_flow(hass, "api_access")),
        ("config", await api_entry.start_reauth_flow(hass)),
        ("config", await start_reconfigure(hass, api_entry, "reconfigure_url")),
        ("config", await start_reconfigure(hass, api_entry, "reconfigure_api")),
        (
            "options",
            await hass.config_entries.options.async_init(receive_only.entry_id),
        ),
        ("options", await hass.config_entries.options.async_init(api_entry.entry_id)),
    ]
    for _, form in forms:
        assert form["type"] is FlowResultType.FORM
    return forms


async def test_every_field_of_every_form_is_labelled_and_described(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    forms = await open_every_form(hass, esendex)

    steps = {(section, form["step_id"]) for section, form in forms}
    assert steps == {
        ("config", "receive_only"),
        ("config", "api_access"),
        ("config", "reauth_confirm"),
        ("config", "reconfigure_url"),
        ("config", "reconfigure_api"),
        ("options", "account_filter"),
        ("options", "sending"),
    }
    for section, form in forms:
        fields = {str(key) for key in form["data_schema"].schema}
        text = ENGLISH[section]["step"][form["step_id"]]
        assert set(text["data"]) == fields, form["step_id"]
        assert set(text["data_description"]) == fields, form["step_id"]


def selector_type(schema: probatio.Schema, name: str) -> str:
    """Return the text selector type of a field."""
    [selector] = [value for key, value in schema.schema.items() if key == name]
    assert isinstance(selector, TextSelector)
    return str(selector.config["type"])


async def test_logins_are_email_addresses_and_passwords_hidden(
    hass: HomeAssistant, esendex: Esendex
) -> None:
    forms = {form["step_id"]: form for _, form in await open_every_form(hass, esendex)}

    for step in ("api_access", "reauth_confirm", "reconfigure_api"):
        schema = forms[step]["data_schema"]
        assert selector_type(schema, CONF_USERNAME) == "email", step
        assert selector_type(schema, CONF_PASSWORD) == "password", step
    # A phone number gets the phone keypad.
    assert selector_type(forms["sending"]["data_schema"], CONF_DEFAULT_RECIPIENT) == (
        "tel"
    )
