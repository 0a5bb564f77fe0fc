"""Setup, unload, reload and removal: what the webhook answers, and what is kept.

Home Assistant answers an empty 200 for a webhook id nobody registered, and Esendex
never retries a 200: as long as an entry exists, its id answers 503 (with a
Retry-After) whenever the entry cannot take the notification.
"""

from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from aiohttp import ClientResponse
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.esendex.const import (
    CONF_CLOUDHOOK,
    CONF_REGENERATE_URL,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)
from custom_components.esendex.protocol import parse_notification
from custom_components.esendex.receiver import Outcome
from custom_components.esendex.webhook_handler import RETRY_AFTER_SECONDS, WEBHOOKS

from .conftest import WEBHOOK_ID, PostNotification, fixture_bytes
from .test_webhook import INBOUND_SENSOR, inbound

INBOUND_ID = "4b912ad6-5ba1-4fdb-addc-007fb212ebae"
ENTRY_ID = "01JESENDEXTESTENTRY000000"
RECORD_KEY = f"esendex.{ENTRY_ID}.message_record"


def registered_webhooks(hass: HomeAssistant) -> set[str]:
    """Return the webhook ids Home Assistant's webhook component has handlers for."""
    return set(hass.data.get("webhook", {}))


async def assert_retry_later(response: ClientResponse) -> None:
    """Assert the answer that makes Esendex retry the notification later."""
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert await response.text() == Outcome.UNAVAILABLE.value


async def assert_processed(
    post_notification: PostNotification, events: list[Any], text: str
) -> None:
    """Assert that a new SMS is taken and published."""
    response = await post_notification(inbound(f"id-{text}", text))
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    assert events[-1].data["text"] == text


@pytest.fixture
def disabled_entry(hass: HomeAssistant) -> MockConfigEntry:
    """The receive-only entry, disabled by the user."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False},
        entry_id=ENTRY_ID,
        disabled_by=ConfigEntryDisabler.USER,
    )
    entry.add_to_hass(hass)
    return entry


# --- 503 while not loaded ------------------------------------------------------


async def test_an_unloaded_entry_answers_503_until_it_is_set_up_again(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    await assert_retry_later(await post_notification(inbound("id-1", "while down")))

    assert events == []
    assert WEBHOOK_ID in registered_webhooks(hass)
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    # Esendex's retry is taken once the entry is back.
    await assert_processed(post_notification, events, "while down")


@pytest.mark.parametrize(
    "failure",
    [ConfigEntryNotReady("not yet"), OSError("platform setup failed")],
    ids=["not-ready", "error"],
)
async def test_an_entry_whose_setup_fails_answers_503_until_it_loads(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    failure: Exception,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    with patch.object(
        hass.config_entries, "async_forward_entry_setups", side_effect=failure
    ):
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    assert config_entry.state in {
        ConfigEntryState.SETUP_RETRY,
        ConfigEntryState.SETUP_ERROR,
    }
    await assert_retry_later(await post_notification(inbound("id-1", "too early")))
    assert events == []

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.LOADED
    await assert_processed(post_notification, events, "too early")


async def test_a_disabled_entry_answers_503_until_it_is_enabled(
    hass: HomeAssistant,
    disabled_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    assert disabled_entry.state is ConfigEntryState.NOT_LOADED
    await assert_retry_later(await post_notification(inbound("id-1", "disabled")))
    assert events == []

    assert await hass.config_entries.async_set_disabled_by(
        disabled_entry.entry_id, None
    )
    await hass.async_block_till_done()
    assert disabled_entry.state is ConfigEntryState.LOADED
    await assert_processed(post_notification, events, "disabled")

    # Disabled again: unloaded, and 503 again.
    assert await hass.config_entries.async_set_disabled_by(
        disabled_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    await assert_retry_later(await post_notification(inbound("id-2", "again")))
    assert len(events) == 1


# --- the unload ----------------------------------------------------------------


async def test_the_unload_stops_accepting_then_unloads_the_platforms_then_saves(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    accepted = await post_notification(fixture_bytes("inbound_message.xml"))
    assert await accepted.text() == "processed"
    # Within the save delay: only the unload writes it.
    assert RECORD_KEY not in hass_storage
    unload_platforms = hass.config_entries.async_unload_platforms
    during: dict[str, Any] = {}

    async def unload_platforms_with_a_push(
        entry: ConfigEntry, platforms: list[Platform]
    ) -> bool:
        during["answer"] = await post_notification(inbound("id-mid", "mid-unload"))
        during["saved"] = RECORD_KEY in hass_storage
        during["sensor"] = hass.states.get(INBOUND_SENSOR)
        return await unload_platforms(entry, platforms)

    with patch.object(
        hass.config_entries, "async_unload_platforms", unload_platforms_with_a_push
    ):
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)

    # Refused while the entities were still there, for Esendex to retry later.
    assert during["sensor"].state == "Gate code please"
    await assert_retry_later(during["answer"])
    assert [e.data["text"] for e in events] == ["Gate code please"]
    # Saved once the platforms were gone, with all that was accepted before.
    assert during["saved"] is False
    record = hass_storage[RECORD_KEY]["data"]
    assert list(record["seen"]) == [INBOUND_ID]
    assert list(record["inbound"]) == ["09543bf1-8f47-4afa-9fe8-cb36bd0e6e90"]


async def test_duplicates_are_recognised_across_a_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")
    await post_notification(body)

    # Well within the save delay: the unload must flush the record itself.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    response = await post_notification(body)

    assert await response.text() == "duplicate"
    assert len(events) == 1


async def test_a_notification_finishing_after_unload_is_refused_for_a_retry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    receiver = loaded_entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    outcome = receiver.async_process(
        parse_notification(fixture_bytes("inbound_message.xml"))
    )

    assert outcome is Outcome.UNAVAILABLE
    assert events == []
    assert INBOUND_ID not in receiver.seen


# --- a new URL, and removal ----------------------------------------------------


async def test_regenerating_the_url_unregisters_the_old_webhook_at_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reconfigure_url"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGENERATE_URL: True}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "url_regenerated"
    new_id = loaded_entry.data[CONF_WEBHOOK_ID]
    assert new_id != WEBHOOK_ID
    # Checked as the flow returns: no waiting for anything scheduled.
    assert WEBHOOK_ID not in registered_webhooks(hass)
    assert new_id in registered_webhooks(hass)
    assert set(hass.data[WEBHOOKS]) == {new_id}

    old = await post_notification(inbound("id-old-url", "old URL"))
    new = await post_notification(
        inbound("id-new-url", "new URL"), path=f"/api/webhook/{new_id}"
    )

    # The old URL is Home Assistant's unknown webhook now.
    assert (old.status, await old.text()) == (HTTPStatus.OK, "")
    assert await new.text() == "processed"
    assert [e.data["text"] for e in events] == ["new URL"]


@pytest.mark.parametrize("state", ["loaded", "disabled", "never set up"])
async def test_removing_the_entry_unregisters_its_webhook(
    hass: HomeAssistant,
    disabled_entry: MockConfigEntry,
    post_notification: PostNotification,
    state: str,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    if state == "loaded":
        await hass.config_entries.async_set_disabled_by(disabled_entry.entry_id, None)
    if state != "never set up":
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
        assert WEBHOOK_ID in registered_webhooks(hass)
    assert disabled_entry.state is (
        ConfigEntryState.LOADED if state == "loaded" else ConfigEntryState.NOT_LOADED
    )

    await hass.config_entries.async_remove(disabled_entry.entry_id)
    await hass.async_block_till_done()

    assert WEBHOOK_ID not in registered_webhooks(hass)
    assert WEBHOOK_ID not in hass.data.get(WEBHOOKS, {})
    # Esendex's pushes to a removed entry's URL are nobody's: HA's own 200.
    assert await async_setup_component(hass, DOMAIN, {})
    response = await post_notification(fixture_bytes("inbound_message.xml"))
    assert (response.status, await response.text()) == (HTTPStatus.OK, "")
    assert events == []
