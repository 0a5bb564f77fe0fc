"""Setup, unload, persistence of the dedupe record, restore and removal."""

from datetime import timedelta
from http import HTTPStatus
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    SEEN_SAVE_DELAY_SECONDS,
)
from custom_components.esendex.protocol import parse_notification
from custom_components.esendex.receiver import Outcome

from .conftest import PostNotification, fixture_bytes

INBOUND_ID = "4b912ad6-5ba1-4fdb-addc-007fb212ebae"


def storage_key(entry: MockConfigEntry) -> str:
    return f"esendex.{entry.entry_id}.seen"


def store_record(
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    data: dict[str, Any],
    minor_version: int = 1,
) -> None:
    """Leave a record in storage as a version of the integration would have."""
    hass_storage[storage_key(entry)] = {
        "version": 1,
        "minor_version": minor_version,
        "key": storage_key(entry),
        "data": data,
    }


async def test_unload_removes_the_webhook(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    response = await post_notification(fixture_bytes("inbound_message.xml"))

    # HA answers 200 for unknown webhooks; what matters is that nothing happened.
    assert response.status == HTTPStatus.OK
    assert events == []


async def test_seen_ids_are_saved_with_a_delay_not_per_message(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await post_notification(fixture_bytes("inbound_message.xml"))
    await post_notification(fixture_bytes("message_delivered.xml"))
    assert storage_key(loaded_entry) not in hass_storage

    freezer.tick(timedelta(seconds=SEEN_SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    saved = hass_storage[storage_key(loaded_entry)]
    assert saved["minor_version"] == 2
    assert list(saved["data"]["seen"]) == [
        INBOUND_ID,
        "bece4d20-779c-4778-b08c-438a13cca5c9",
    ]


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


async def test_duplicates_are_recognised_after_a_restart(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    store_record(
        hass_storage, config_entry, {"seen": [[INBOUND_ID.upper(), time.time() - 3600]]}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert await response.text() == "duplicate"
    assert events == []


async def test_a_record_from_0_2_is_migrated_and_still_recognised(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    seen_at = time.time() - 3600
    store_record(
        hass_storage,
        config_entry,
        {
            "seen": [["other-id", seen_at - 1], [INBOUND_ID, seen_at]],
            "inbound": [["09543bf1-8f47-4afa-9fe8-cb36bd0e6e90", seen_at]],
            "sent": [],
            "inbox_newest": None,
            "inbox_newest_ids": [],
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    migrated = hass_storage[storage_key(config_entry)]
    assert migrated["minor_version"] == 2
    assert migrated["data"]["seen"] == {"other-id": seen_at - 1, INBOUND_ID: seen_at}
    assert migrated["data"]["inbound"] == {
        "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90": seen_at
    }
    response = await post_notification(fixture_bytes("inbound_message.xml"))
    assert await response.text() == "duplicate"


async def test_a_record_from_a_later_minor_version_is_read_as_it_is(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    store_record(
        hass_storage,
        config_entry,
        {"seen": {INBOUND_ID: time.time() - 60}, "added_later": True},
        3,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert await response.text() == "duplicate"


async def test_ids_older_than_the_retention_are_forgotten_on_load(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    store_record(
        hass_storage, config_entry, {"seen": [[INBOUND_ID, time.time() - 97 * 3600]]}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert await response.text() == "processed"


@pytest.mark.parametrize(
    "stored",
    [
        (1, {"seen": [["only-an-id"]]}),
        (1, {"seen": [[INBOUND_ID, "not-a-time"]]}),
        (1, {"x": 1}),
        (2, {"seen": [[INBOUND_ID, time.time()]]}),
        (2, {"seen": {INBOUND_ID: "not-a-time"}}),
        (2, {"seen": {}, "inbound": 3}),
    ],
)
async def test_unreadable_record_is_ignored_with_a_warning(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    stored: tuple[int, dict[str, Any]],
) -> None:
    minor_version, data = stored
    store_record(hass_storage, config_entry, data, minor_version)

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert config_entry.state is ConfigEntryState.LOADED
    assert "unreadable record of seen notifications" in caplog.text
    assert len(config_entry.runtime_data.receiver.seen) == 0


async def test_removing_the_entry_deletes_its_record(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    await post_notification(fixture_bytes("inbound_message.xml"))
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert storage_key(loaded_entry) in hass_storage

    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert storage_key(loaded_entry) not in hass_storage


async def test_entities_restore_their_state(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    inbound_attributes = {
        "from": "447700900123",
        "to": "447860000000",
        "text": "Gate code please",
        "message_id": "m-1",
        "notification_id": "n-1",
        "received_at": "2026-11-25T09:00:00+00:00",
    }
    status_attributes = {
        "message_id": "m-2",
        "notification_id": "n-2",
        "occurred_at": "2026-11-25T10:00:00+00:00",
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(
                    "sensor.esendex_sms_last_inbound_message",
                    "Gate code please",
                    inbound_attributes,
                ),
                {"value": "Gate code please", "attributes": inbound_attributes},
            ),
            (
                State(
                    "sensor.esendex_sms_last_delivery_status",
                    "delivered",
                    status_attributes,
                ),
                {"value": "delivered", "attributes": status_attributes},
            ),
            (
                State(
                    "event.esendex_sms_inbound_message",
                    "2026-11-25T09:00:00.000+00:00",
                ),
                {
                    "last_event_type": "received",
                    "last_event_attributes": {"text": "Gate code please"},
                },
            ),
        ],
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    inbound = hass.states.get("sensor.esendex_sms_last_inbound_message")
    assert inbound is not None
    assert inbound.state == "Gate code please"
    assert inbound.attributes["from"] == "447700900123"
    assert inbound.attributes["text"] == "Gate code please"
    status = hass.states.get("sensor.esendex_sms_last_delivery_status")
    assert status is not None
    assert status.state == "delivered"
    assert status.attributes["occurred_at"] == "2026-11-25T10:00:00+00:00"
    event = hass.states.get("event.esendex_sms_inbound_message")
    assert event is not None
    assert event.state == "2026-11-25T09:00:00.000+00:00"
    assert event.attributes["event_type"] == "received"


async def test_restored_status_still_orders_late_reports(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.esendex_sms_last_delivery_status", "failed"),
                {
                    "value": "failed",
                    "attributes": {
                        "notification_id": "n-1",
                        "occurred_at": "2026-11-25T10:00:00+00:00",
                    },
                },
            )
        ],
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    # message_delivered.xml occurred in 2014, before the restored report.
    await post_notification(fixture_bytes("message_delivered.xml"))

    status = hass.states.get("sensor.esendex_sms_last_delivery_status")
    assert status is not None
    assert status.state == "failed"
    assert status.attributes["notification_id"] == "n-1"


async def test_sensors_start_unknown_without_history(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    for entity_id in (
        "sensor.esendex_sms_last_inbound_message",
        "sensor.esendex_sms_last_delivery_status",
    ):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "unknown"


@pytest.mark.parametrize(
    "extra",
    [{"value": 5, "attributes": {}}, {"value": "x", "attributes": "nope"}, {}],
)
async def test_unreadable_restore_data_starts_unknown(
    hass: HomeAssistant, config_entry: MockConfigEntry, extra: dict[str, Any]
) -> None:
    mock_restore_cache_with_extra_data(
        hass,
        [(State("sensor.esendex_sms_last_inbound_message", "x"), extra)],
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    state = hass.states.get("sensor.esendex_sms_last_inbound_message")
    assert state is not None
    assert state.state == "unknown"


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
