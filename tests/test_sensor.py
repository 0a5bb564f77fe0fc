"""The message sensors: a state for every notification, in order, restored exactly."""

from typing import Any

from homeassistant.core import Event, HomeAssistant, State, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_restore_state_shutdown_restart,
    mock_restore_cache_with_extra_data,
)

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
)

from .conftest import PostNotification, fixture_bytes
from .test_webhook import (
    INBOUND_EVENT_ENTITY,
    INBOUND_SENSOR,
    STATUS_EVENT_ENTITY,
    STATUS_SENSOR,
    delivery,
    inbound,
    process_in_one_pass,
)

INBOUND_ATTRIBUTES = {
    "from": "447700900123",
    "to": "447860000000",
    "text": "Gate code please",
    "message_id": "m-1",
    "notification_id": "n-1",
    "received_at": "2026-11-25T09:00:00+00:00",
}
STATUS_ATTRIBUTES = {
    "message_id": "m-2",
    "notification_id": "n-2",
    "occurred_at": "2026-11-25T10:00:00+00:00",
    "failure_code": 142,
    "failure_detail": "Message broken",
    "failure_permanent": True,
}
# What a state holds besides the message: the entity's own attributes, which come
# from the entity as it is now, never from the restored state.
STALE_OWN_ATTRIBUTES = {
    "friendly_name": "A name from an older version",
    "icon": "mdi:old",
    "device_class": "enum",
    "options": ["delivered", "failed"],
}


def sensor_data(native_value: object) -> dict[str, Any]:
    """Return RestoreSensor's extra data for a value, as HA stores it."""
    return {"native_value": native_value, "native_unit_of_measurement": None}


def writes_of(state_changes: list[Event], entity_id: str) -> list[State]:
    return [
        e.data["new_state"]
        for e in state_changes
        if e.data["entity_id"] == entity_id and e.data["new_state"] is not None
    ]


def message_attributes(state: State, *own: str) -> dict[str, Any]:
    """Return a state's attributes without the entity's own ones."""
    return {k: v for k, v in state.attributes.items() if k not in {*own}}


# --- one state per notification ----------------------------------------------


@pytest.mark.usefixtures("loaded_entry")
async def test_every_sms_of_a_quick_succession_is_a_sensor_state(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Replaces the burst throttle: no SMS is skipped, the middle one included."""
    state_changes = async_capture_events(hass, "state_changed")
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    for number in range(3):
        await post_notification(inbound(f"id-quick-{number}", f"text {number}"))

    written = writes_of(state_changes, INBOUND_SENSOR)
    assert [state.state for state in written] == ["text 0", "text 1", "text 2"]
    assert [state.attributes["notification_id"] for state in written] == [
        "id-quick-0",
        "id-quick-1",
        "id-quick-2",
    ]
    # Each state in the context of its own bus event, for the logbook.
    assert [state.context.id for state in written] == [e.context.id for e in events]
    assert len(writes_of(state_changes, INBOUND_EVENT_ENTITY)) == 3


async def test_notifications_in_one_pass_each_write_every_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Replaces the coalescing of one pass: every notification is a state."""
    state_changes = async_capture_events(hass, "state_changed")
    inbound_events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    status_events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)

    process_in_one_pass(
        loaded_entry,
        [inbound(f"id-together-{n}", f"text {n}") for n in range(20)]
        + [
            delivery("id-newest", "2026-11-25T10:00:02Z"),
            # Arrives last but happened first: an event, not the status to show.
            delivery("id-late", "2026-11-25T10:00:01Z"),
        ],
    )

    texts = [f"text {n}" for n in range(20)]
    assert [e.data["text"] for e in inbound_events] == texts
    assert [
        (state.state, state.context.id)
        for state in writes_of(state_changes, INBOUND_SENSOR)
    ] == [(e.data["text"], e.context.id) for e in inbound_events]
    assert [
        (state.attributes["text"], state.context.id)
        for state in writes_of(state_changes, INBOUND_EVENT_ENTITY)
    ] == [(e.data["text"], e.context.id) for e in inbound_events]
    assert [e.data["notification_id"] for e in status_events] == [
        "id-newest",
        "id-late",
    ]
    assert [
        state.attributes["notification_id"]
        for state in writes_of(state_changes, STATUS_EVENT_ENTITY)
    ] == ["id-newest", "id-late"]
    (status,) = writes_of(state_changes, STATUS_SENSOR)
    assert status.attributes["notification_id"] == "id-newest"


@pytest.mark.usefixtures("loaded_entry")
async def test_a_failure_in_the_same_second_as_a_delivery_is_the_status_shown(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Two reports with one OccurredAt: the later arrival is the status."""
    seen_by_automation: list[State | None] = []

    @callback
    def automation(_event: Event) -> None:
        seen_by_automation.append(hass.states.get(STATUS_SENSOR))

    hass.bus.async_listen(EVENT_MESSAGE_FAILED, automation)

    await post_notification(fixture_bytes("same_second_delivered.xml"))
    await post_notification(fixture_bytes("same_second_failed.xml"))

    (sensor,) = seen_by_automation
    assert sensor is not None
    assert sensor.state == "failed"
    assert message_attributes(sensor, *STALE_OWN_ATTRIBUTES) == {
        "notification_id": "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "message_id": "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
        "occurred_at": "2026-11-25T10:00:00+00:00",
        "failure_code": 142,
        "failure_detail": "Message broken",
        "failure_permanent": True,
    }
    assert hass.states.get(STATUS_SENSOR) == sensor


@pytest.mark.usefixtures("loaded_entry")
async def test_late_older_status_fires_event_but_keeps_newer_state(
    hass: HomeAssistant,
    post_notification: PostNotification,
) -> None:
    delivered = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    failed = async_capture_events(hass, EVENT_MESSAGE_FAILED)

    await post_notification(delivery("id-new", "2026-11-25T10:05:00"))
    await post_notification(delivery("id-old", "2026-11-25T10:00:00", "MessageFailed"))

    assert len(delivered) == 1
    assert len(failed) == 1
    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor is not None
    assert sensor.state == "delivered"
    assert sensor.attributes["notification_id"] == "id-new"
    # The event entity reports every event, late or not.
    event_entity = hass.states.get(STATUS_EVENT_ENTITY)
    assert event_entity is not None
    assert event_entity.attributes["event_type"] == "failed"

    await post_notification(
        delivery("id-newer", "2026-11-25T10:06:00", "MessageFailed")
    )

    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor is not None
    assert sensor.state == "failed"
    assert sensor.attributes["notification_id"] == "id-newer"


# --- restored after a restart ------------------------------------------------


async def test_entities_restore_their_state(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(
                    INBOUND_SENSOR,
                    "Gate code please",
                    {**INBOUND_ATTRIBUTES, **STALE_OWN_ATTRIBUTES, "stray": "x"},
                ),
                sensor_data("Gate code please"),
            ),
            (
                State(
                    STATUS_SENSOR,
                    "failed",
                    {**STATUS_ATTRIBUTES, **STALE_OWN_ATTRIBUTES, "stray": "x"},
                ),
                sensor_data("failed"),
            ),
            (
                State(INBOUND_EVENT_ENTITY, "2026-11-25T09:00:00.000+00:00"),
                {
                    "last_event_type": "received",
                    "last_event_attributes": {"text": "Gate code please"},
                },
            ),
        ],
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    inbound_sensor = hass.states.get(INBOUND_SENSOR)
    assert inbound_sensor is not None
    assert inbound_sensor.state == "Gate code please"
    # The message's attributes, and the entity's own as they are now.
    assert inbound_sensor.attributes == {
        **INBOUND_ATTRIBUTES,
        "friendly_name": "Esendex SMS Last inbound message",
    }
    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "failed"
    assert status.attributes == {
        **STATUS_ATTRIBUTES,
        "friendly_name": "Esendex SMS Last delivery status",
        "device_class": "enum",
        "options": ["delivered", "failed"],
    }
    event = hass.states.get(INBOUND_EVENT_ENTITY)
    assert event is not None
    assert event.state == "2026-11-25T09:00:00.000+00:00"
    assert event.attributes["event_type"] == "received"


async def test_the_last_messages_are_the_same_after_a_restart(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    """What HA saves at shutdown is what the sensors read back."""
    await post_notification(inbound("id-before", "before the restart"))
    await post_notification(fixture_bytes("message_failed_with_reason.xml"))
    before = {
        entity_id: hass.states.get(entity_id)
        for entity_id in (INBOUND_SENSOR, STATUS_SENSOR)
    }

    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()

    for entity_id, state in before.items():
        restored = hass.states.get(entity_id)
        assert state is not None
        assert restored is not None
        assert (restored.state, restored.attributes) == (state.state, state.attributes)


async def test_sensors_saved_by_0_3_are_restored_after_the_upgrade(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    """0.3.0 saved {"value", "attributes"}, not RestoreSensor's extra data."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(INBOUND_SENSOR, "Gate code please", INBOUND_ATTRIBUTES),
                {"value": "Gate code please", "attributes": INBOUND_ATTRIBUTES},
            ),
            (
                State(STATUS_SENSOR, "failed", STATUS_ATTRIBUTES),
                {"value": "failed", "attributes": STATUS_ATTRIBUTES},
            ),
        ],
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    inbound_sensor = hass.states.get(INBOUND_SENSOR)
    assert inbound_sensor is not None
    assert inbound_sensor.state == "Gate code please"
    assert inbound_sensor.attributes["from"] == "447700900123"
    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "failed"
    # Still ordered by the restored report's time: the 2014 one is late.
    await post_notification(fixture_bytes("message_delivered.xml"))
    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "failed"


async def test_restored_status_still_orders_late_reports(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(
                    STATUS_SENSOR,
                    "failed",
                    {"notification_id": "n-1", "occurred_at": "2026-11-25T10:00:00Z"},
                ),
                sensor_data("failed"),
            )
        ],
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    failed = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)

    # message_delivered.xml occurred in 2014, before the restored report.
    await post_notification(fixture_bytes("message_delivered.xml"))

    assert len(failed) == 1
    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "failed"
    assert status.attributes["notification_id"] == "n-1"
    # A newer one is shown.
    await post_notification(delivery("id-newer", "2026-11-25T10:00:01Z"))
    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "delivered"


async def test_a_restored_status_without_a_time_takes_the_next_report(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(STATUS_SENSOR, "failed", {"occurred_at": "not a time"}),
                sensor_data("failed"),
            )
        ],
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    await post_notification(fixture_bytes("message_delivered.xml"))

    status = hass.states.get(STATUS_SENSOR)
    assert status is not None
    assert status.state == "delivered"


async def test_sensors_start_unknown_without_history(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    for entity_id in (INBOUND_SENSOR, STATUS_SENSOR):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "unknown"


@pytest.mark.parametrize(
    "extra",
    [
        sensor_data(5),
        sensor_data(None),
        {"native_value": "x"},
        {},
        {"value": 5, "attributes": {}},
    ],
    ids=["not-text", "none", "no-unit", "empty", "0.3-not-text"],
)
async def test_unreadable_restore_data_starts_unknown(
    hass: HomeAssistant, config_entry: MockConfigEntry, extra: dict[str, Any]
) -> None:
    mock_restore_cache_with_extra_data(hass, [(State(INBOUND_SENSOR, "x"), extra)])

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    state = hass.states.get(INBOUND_SENSOR)
    assert state is not None
    assert state.state == "unknown"
