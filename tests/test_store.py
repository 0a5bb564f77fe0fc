"""The message record on disk: its key, its shapes from 0.2 on, its removal."""

from datetime import timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    SEEN_SAVE_DELAY_SECONDS,
)
from custom_components.esendex.protocol import parse_notification
from custom_components.esendex.store import UnreadableInboxMessage

from .conftest import PostNotification, fixture_bytes

INBOUND_ID = "4b912ad6-5ba1-4fdb-addc-007fb212ebae"
INBOUND_MESSAGE_ID = "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90"


def record_key(entry: MockConfigEntry) -> str:
    """The key since 0.4 (a stable name: changing it loses every record)."""
    return f"esendex.{entry.entry_id}.message_record"


def legacy_key(entry: MockConfigEntry) -> str:
    """The key up to 0.3."""
    return f"esendex.{entry.entry_id}.seen"


def store_record(
    hass_storage: dict[str, Any],
    key: str,
    data: dict[str, Any],
    minor_version: int = 3,
) -> None:
    """Leave a record in storage as a version of the integration would have."""
    hass_storage[key] = {
        "version": 1,
        "minor_version": minor_version,
        "key": key,
        "data": data,
    }


async def assert_recognised(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Esendex's retry, and the same SMS under another push id, are duplicates."""
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")

    retry = await post_notification(body)
    same_sms = await post_notification(
        body.replace(INBOUND_ID.encode(), b"another-push-id")
    )

    assert await retry.text() == "duplicate"
    assert await same_sms.text() == "duplicate"
    assert events == []


async def test_a_record_from_0_2_is_migrated_and_still_recognised(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    seen_at = time.time() - 3600
    # 0.2 kept [id, seen_at] pairs, minor version 1, under the old key.
    store_record(
        hass_storage,
        legacy_key(config_entry),
        {
            "seen": [["other-id", seen_at - 1], [INBOUND_ID, seen_at]],
            "inbound": [[INBOUND_MESSAGE_ID, seen_at]],
            "sent": [],
            "inbox_newest": None,
            "inbox_newest_ids": [],
        },
        minor_version=1,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert legacy_key(config_entry) not in hass_storage
    moved = hass_storage[record_key(config_entry)]
    assert (moved["version"], moved["minor_version"]) == (1, 3)
    assert moved["data"]["seen"] == {"other-id": seen_at - 1, INBOUND_ID: seen_at}
    assert moved["data"]["inbound"] == {INBOUND_MESSAGE_ID: seen_at}
    await assert_recognised(hass, post_notification)


async def test_a_record_from_0_3_is_moved_and_still_recognised(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    seen_at = time.time() - 3600
    data = {
        "seen": {INBOUND_ID: seen_at},
        "inbound": {INBOUND_MESSAGE_ID: seen_at},
        "sent": [],
        "inbox_newest": "2026-11-25T09:00:00+00:00",
        "inbox_newest_ids": ["abc"],
    }
    # 0.3 kept {id: seen_at}, minor version 2, under the old key.
    store_record(hass_storage, legacy_key(config_entry), data, minor_version=2)
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert legacy_key(config_entry) not in hass_storage
    moved = hass_storage[record_key(config_entry)]
    assert (moved["version"], moved["minor_version"]) == (1, 3)
    assert moved["data"] == data
    assert config_entry.runtime_data.receiver.inbox_message_handled("ABC")
    await assert_recognised(hass, post_notification)


async def test_the_record_under_the_new_key_wins_over_a_leftover_old_one(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    """A move cut short after writing the new key: the old one is not read again."""
    store_record(
        hass_storage, record_key(config_entry), {"seen": {INBOUND_ID: time.time()}}
    )
    store_record(
        hass_storage,
        legacy_key(config_entry),
        {"seen": {"only-in-the-old": time.time()}},
        minor_version=2,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    receiver = config_entry.runtime_data.receiver
    assert INBOUND_ID in receiver.seen
    assert "only-in-the-old" not in receiver.seen
    response = await post_notification(fixture_bytes("inbound_message.xml"))
    assert await response.text() == "duplicate"


async def test_duplicates_are_recognised_after_a_restart(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    store_record(
        hass_storage,
        record_key(config_entry),
        {
            "seen": {INBOUND_ID.upper(): time.time() - 3600},
            "inbound": {INBOUND_MESSAGE_ID.upper(): time.time() - 3600},
            "sent": [],
            "inbox_newest": None,
            "inbox_newest_ids": [],
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    await assert_recognised(hass, post_notification)


async def test_a_record_from_a_later_minor_version_is_read_as_it_is(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    store_record(
        hass_storage,
        record_key(config_entry),
        {"seen": {INBOUND_ID: time.time() - 60}, "added_later": True},
        minor_version=4,
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
        hass_storage,
        record_key(config_entry),
        {"seen": {INBOUND_ID: time.time() - 97 * 3600}},
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert await response.text() == "processed"


@pytest.mark.parametrize(
    "stored",
    [
        (True, 1, {"seen": [["only-an-id"]]}),
        (True, 1, {"seen": [[INBOUND_ID, "not-a-time"]]}),
        (True, 1, {"x": 1}),
        (True, 2, {"seen": [[INBOUND_ID, time.time()]]}),
        (True, 2, {"seen": {INBOUND_ID: "not-a-time"}}),
        (True, 2, {"seen": {}, "inbound": 3}),
        (
            False,
            3,
            {"seen": {}, "inbox_newest": "2026-11-25T09:00:00Z", "inbox_newest_ids": 5},
        ),
        (False, 3, {"seen": {}, "inbox_unreadable": {"m": {"sender": "x"}}}),
        (False, 3, {"seen": {}, "inbox_unreadable": {"m": {"received_at": 5}}}),
        (False, 3, {"seen": {}, "opted_out": ["447700900123"]}),
    ],
)
async def test_unreadable_record_is_ignored_with_a_warning(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    stored: tuple[bool, int, dict[str, Any]],
) -> None:
    legacy, minor_version, data = stored
    key = legacy_key(config_entry) if legacy else record_key(config_entry)
    store_record(hass_storage, key, data, minor_version)

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert config_entry.state is ConfigEntryState.LOADED
    assert "unreadable record of seen notifications" in caplog.text
    assert len(config_entry.runtime_data.receiver.seen) == 0


async def test_unreadable_inbox_messages_are_kept_across_a_reload(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    unreadable = {
        "0e5b2f8a-1c3d-4e5f-a6b7-c8d9e0f1a2b3": {
            "sender": "447700900123",
            "recipient": "447860000000",
            "summary": "The parcel is with your neighbour",
            "received_at": "2026-11-25T09:00:00+00:00",
            "attempts": 2,
        },
        "d6258601-3442-484f-b2ac-300088a8a4d4": {
            "sender": "447700900124",
            "recipient": "447860000000",
            "summary": "No time",
            "received_at": None,
            "attempts": 1,
        },
    }
    store_record(
        hass_storage,
        record_key(config_entry),
        {
            "seen": {},
            "inbound": {},
            "sent": [],
            "inbox_newest": "2026-11-25T09:00:00+00:00",
            "inbox_newest_ids": [],
            # Ids as Esendex writes them, in upper case: kept lower-cased.
            "inbox_unreadable": {k.upper(): v for k, v in unreadable.items()},
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    inbox = config_entry.runtime_data.receiver.inbox
    message = inbox.unreadable["0e5b2f8a-1c3d-4e5f-a6b7-c8d9e0f1a2b3"]
    assert isinstance(message, UnreadableInboxMessage)
    assert message.received_at is not None
    assert message.received_at.isoformat() == "2026-11-25T09:00:00+00:00"
    assert message.attempts == 2
    assert inbox.unreadable["d6258601-3442-484f-b2ac-300088a8a4d4"].received_at is None
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert hass_storage[record_key(config_entry)]["data"]["inbox_unreadable"] == (
        unreadable
    )


async def test_removing_the_entry_deletes_its_record(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    await post_notification(fixture_bytes("inbound_message.xml"))
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert record_key(loaded_entry) in hass_storage
    # A leftover under the old key goes too.
    store_record(hass_storage, legacy_key(loaded_entry), {"seen": {}}, 2)

    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert record_key(loaded_entry) not in hass_storage
    assert legacy_key(loaded_entry) not in hass_storage


async def test_removing_an_entry_keeps_the_record_of_another(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    other = MockConfigEntry(domain="esendex", entry_id="01JESENDEXOTHERENTRY00000")
    store_record(hass_storage, record_key(other), {"seen": {}})

    await hass.config_entries.async_remove(loaded_entry.entry_id)

    assert record_key(other) in hass_storage


OPTED_OUT = {"447700900123": "2015-11-09T15:18:19+00:00"}


async def test_an_opt_out_is_saved_and_read_back_after_a_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    await post_notification(fixture_bytes("opt_out.xml"))

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert hass_storage[record_key(loaded_entry)]["data"]["opted_out"] == OPTED_OUT
    assert loaded_entry.runtime_data.receiver.opted_out == OPTED_OUT
    # ...and its retry is still a duplicate.
    response = await post_notification(fixture_bytes("opt_out.xml"))
    assert await response.text() == "duplicate"


async def test_an_opt_out_is_saved_without_waiting_for_an_unload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A crash after the save delay must not forget it."""
    receiver = loaded_entry.runtime_data.receiver
    receiver.async_process(parse_notification(fixture_bytes("opt_out.xml")))
    assert record_key(loaded_entry) not in hass_storage

    freezer.tick(timedelta(seconds=SEEN_SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert hass_storage[record_key(loaded_entry)]["data"]["opted_out"] == OPTED_OUT


async def test_opt_outs_recorded_before_a_restart_are_read(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    opted_out = {**OPTED_OUT, "447700900456": "2026-11-25T09:30:15+00:00"}
    store_record(
        hass_storage, record_key(config_entry), {"seen": {}, "opted_out": opted_out}
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert config_entry.runtime_data.receiver.opted_out == opted_out
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert hass_storage[record_key(config_entry)]["data"]["opted_out"] == opted_out


async def test_a_record_without_opt_outs_has_none(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Records of 0.3 and earlier have no opted_out."""
    store_record(hass_storage, legacy_key(config_entry), {"seen": {}}, minor_version=2)

    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert config_entry.runtime_data.receiver.opted_out == {}
