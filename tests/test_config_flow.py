"""Tests for the Esendex SMS config, options and reconfigure flows."""

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
import functools
import importlib
import re
import sys
from types import ModuleType
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.network import NoURLAvailableError
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_CLOUDHOOK,
    CONF_REGENERATE_URL,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)

from .conftest import (
    EXTERNAL_URL,
    WEBHOOK_ID,
    WEBHOOK_PATH,
    PostNotification,
    fixture_bytes,
)

ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
OTHER_ACCOUNT_ID = "0b0e4f9a-3c1d-4e2f-8a7b-9c6d5e4f3a2b"
CLOUD_MODULE = "homeassistant.components.cloud"
CLOUD_FUNCTIONS = (
    "async_active_subscription",
    "async_is_connected",
    "async_get_or_create_cloudhook",
    "async_delete_cloudhook",
)


def local_url(webhook_id: str) -> str:
    """Return the URL Home Assistant itself serves a webhook at."""
    return f"{EXTERNAL_URL}/api/webhook/{webhook_id}"


def cloudhook_url(webhook_id: str) -> str:
    """Return the (fake) Nabu Casa URL for a webhook."""
    return f"https://hooks.nabu.casa/{webhook_id}"


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


def suggested_account_id(schema: probatio.Schema) -> object:
    """Return the value a form pre-fills its account id field with."""
    [key] = [key for key in schema.schema if key == CONF_ACCOUNT_ID]
    return (key.description or {}).get("suggested_value")


def add_entry_for_account(hass: HomeAssistant, account_id: str) -> MockConfigEntry:
    """Add another entry that receives for one Esendex account only."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Esendex SMS {account_id[:8]}",
        data={CONF_WEBHOOK_ID: "f" * 64, CONF_CLOUDHOOK: False},
        options={CONF_ACCOUNT_ID: account_id},
    )
    entry.add_to_hass(hass)
    return entry


async def submit_user_step(
    hass: HomeAssistant, user_input: dict[str, str]
) -> ConfigFlowResult:
    """Start the user flow and submit its form once."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def submit_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, *, regenerate: bool
) -> ConfigFlowResult:
    """Open the reconfigure form and submit it."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGENERATE_URL: regenerate}
    )


# ---------------------------------------------------------------------------
# User step
# ---------------------------------------------------------------------------


async def test_user_form_asks_for_nothing_required(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
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
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.data[CONF_WEBHOOK_ID] == webhook_id
    assert entry.options == {}


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
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_ACCOUNT_ID: "invalid_account_id"}
    assert suggested_account_id(result["data_schema"]) == ("not-a-guid")
    assert hass.config_entries.async_entries(DOMAIN) == []

    # The user can correct it in the same flow.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {CONF_ACCOUNT_ID: ACCOUNT_ID}


async def test_account_id_used_by_another_entry_is_rejected(
    hass: HomeAssistant,
) -> None:
    add_entry_for_account(hass, ACCOUNT_ID)

    result = await submit_user_step(hass, {CONF_ACCOUNT_ID: ACCOUNT_ID.upper()})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ACCOUNT_ID: "account_already_configured"}
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


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
# Options flow
# ---------------------------------------------------------------------------


async def test_options_form_suggests_the_current_account_id(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert suggested_account_id(result["data_schema"]) == (ACCOUNT_ID)


async def test_options_form_suggests_nothing_without_an_account_id(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert suggested_account_id(result["data_schema"]) is None


async def test_options_set_account_id_and_reload_the_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    runtime_data_before = loaded_entry.runtime_data
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: f" {ACCOUNT_ID.upper()} "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}
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
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {}


async def test_options_keeping_the_own_account_id_is_allowed(
    hass: HomeAssistant,
) -> None:
    entry = add_entry_for_account(hass, ACCOUNT_ID)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_ACCOUNT_ID: ACCOUNT_ID}


async def test_options_invalid_account_id_is_rejected(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACCOUNT_ID: "6145d724"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
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


# ---------------------------------------------------------------------------
# Reconfigure flow
# ---------------------------------------------------------------------------


async def test_reconfigure_form_shows_the_current_url(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"]["webhook_url"] == local_url(WEBHOOK_ID)
    assert "esendex_settings" in result["description_placeholders"]


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
    body = fixture_bytes("inbound_message.xml")
    await post_notification(body, path=WEBHOOK_PATH)
    assert events == []
    await post_notification(body, path=f"/api/webhook/{new_id}")
    assert len(events) == 1
    assert events[0].data["config_entry_id"] == loaded_entry.entry_id


async def test_reconfigure_regenerate_replaces_the_cloudhook(
    hass: HomeAssistant, cloud: Cloud, cloudhook_entry: MockConfigEntry
) -> None:
    result = await cloudhook_entry.start_reconfigure_flow(hass)
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

    result = await cloudhook_entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"
    assert cloudhook_entry.data == {CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: True}
    cloud.get_or_create_cloudhook.assert_not_called()
