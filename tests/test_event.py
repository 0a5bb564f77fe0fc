"""The event entities: one state per notification, with the bus event's data."""

from http import HTTPStatus

from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.esendex.const import EVENT_OPTED_OUT

from .conftest import PostNotification, fixture_bytes

INBOUND_EVENT_ENTITY = "event.esendex_sms_inbound_message"
ENTRY_ID = "01JESENDEXTESTENTRY000000"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"


def inbound_entity(hass: HomeAssistant) -> State:
    state = hass.states.get(INBOUND_EVENT_ENTITY)
    assert state is not None
    return state


@pytest.mark.usefixtures("loaded_entry")
async def test_the_inbound_entity_offers_received_and_opted_out(
    hass: HomeAssistant,
) -> None:
    state = inbound_entity(hass)

    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_EVENT_TYPES] == ["received", "opted_out"]


@pytest.mark.usefixtures("loaded_entry")
async def test_an_opt_out_shows_on_the_inbound_entity_before_its_bus_event(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """An automation on the bus event finds the entity written, in its context."""
    seen_by_automation: list[State | None] = []
    events = async_capture_events(hass, EVENT_OPTED_OUT)

    @callback
    def automation(event: Event) -> None:
        seen_by_automation.append(hass.states.get(INBOUND_EVENT_ENTITY))

    hass.bus.async_listen(EVENT_OPTED_OUT, automation)

    response = await post_notification(fixture_bytes("opt_out.xml"))

    assert response.status == HTTPStatus.OK
    state = inbound_entity(hass)
    # An event entity's state is when it last fired.
    assert dt_util.parse_datetime(state.state) is not None
    assert state.attributes[ATTR_EVENT_TYPE] == "opted_out"
    assert {
        key: value
        for key, value in state.attributes.items()
        if key not in {ATTR_EVENT_TYPE, ATTR_EVENT_TYPES, "friendly_name"}
    } == {
        "config_entry_id": ENTRY_ID,
        "notification_id": "06293e3a-be47-49de-b181-d2ea85413e71",
        "account_id": ACCOUNT_ID,
        "from": "447700900123",
        "contact": None,
        "received_at": "2015-11-09T15:18:19+00:00",
    }
    [event] = events
    assert state.context.id == event.context.id
    assert seen_by_automation == [state]


@pytest.mark.usefixtures("loaded_entry")
async def test_each_notification_writes_its_own_state_on_the_inbound_entity(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """An SMS after an opt-out is `received` again, without the opt-out's data."""
    written = async_capture_events(hass, "state_changed")

    await post_notification(fixture_bytes("opt_out_from_text.xml"))
    await post_notification(fixture_bytes("inbound_message.xml"))
    await post_notification(fixture_bytes("opt_out_received_at.xml"))

    shown = [
        (
            event.data["new_state"].attributes[ATTR_EVENT_TYPE],
            event.data["new_state"].attributes["from"],
            event.data["new_state"].attributes.get("text"),
        )
        for event in written
        if event.data["entity_id"] == INBOUND_EVENT_ENTITY
    ]
    assert shown == [
        ("opted_out", "447700900123", None),
        ("received", "447700900123", "Gate code please"),
        ("opted_out", "447700900456", None),
    ]


async def test_a_reloaded_entity_listens_once_for_opt_outs(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    """The listener of the unloaded entity is removed with it."""
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    written = async_capture_events(hass, "state_changed")

    await post_notification(fixture_bytes("opt_out.xml"))

    assert [
        event.data["new_state"].attributes[ATTR_EVENT_TYPE]
        for event in written
        if event.data["entity_id"] == INBOUND_EVENT_ENTITY
    ] == ["opted_out"]


async def test_a_disabled_entity_hears_no_more_opt_outs(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Removed from Home Assistant, the entity stops listening (the entry lives on)."""
    events = async_capture_events(hass, EVENT_OPTED_OUT)
    entity_registry.async_update_entity(
        INBOUND_EVENT_ENTITY, disabled_by=er.RegistryEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert hass.states.get(INBOUND_EVENT_ENTITY) is None

    response = await post_notification(fixture_bytes("opt_out.xml"))

    assert await response.text() == "processed"
    assert len(events) == 1
    assert hass.states.get(INBOUND_EVENT_ENTITY) is None
    # HA's word for an entity still written to once disabled.
    assert "incorrectly being triggered" not in caplog.text
