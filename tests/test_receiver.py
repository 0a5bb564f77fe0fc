"""Receiver details not reached through the webhook: saving, the inbox, receipts."""

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    SEEN_SAVE_DELAY_SECONDS,
)
from custom_components.esendex.protocol import InboundMessage, parse_notification
from custom_components.esendex.receipts import SentRecord
from custom_components.esendex.receiver import (
    NotificationReceiver,
    Outcome,
    ReceivedInbound,
)

from .conftest import PostNotification, fixture_bytes
from .test_webhook import delivery, inbound

MESSAGE_KEY = "esendex.01JESENDEXTESTENTRY000000.message_record"
CAUGHT_UP = InboundMessage(
    notification_id="",
    message_id="C0FFEE00-0000-4000-8000-000000000001",
    account_id="6145d724-98cb-41a2-8c4e-4b81ef694897",
    sender="447700900123",
    recipient="447860000000",
    text="Caught up",
    received_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
)


async def accepting_receiver(
    hass: HomeAssistant, entry: MockConfigEntry
) -> NotificationReceiver:
    receiver = NotificationReceiver(hass, entry)
    await receiver.async_load()
    receiver.accepting = True
    return receiver


async def save_delay_passes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.tick(timedelta(seconds=SEEN_SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_the_inbox_position_never_moves_back(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    later = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    earlier = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    receiver.async_set_inbox_position(later, ["A"])
    receiver.async_set_inbox_position(earlier, ["b"])
    receiver.async_set_inbox_position(later, ["c"])

    assert receiver.inbox.newest == later
    assert receiver.inbox.newest_ids == {"a", "c"}
    assert receiver.inbox_message_handled("C")
    assert not receiver.inbox_message_handled("b")
    # A newer time starts a new set of ids at that time.
    receiver.async_set_inbox_position(later + timedelta(seconds=1), ["d"])
    assert receiver.inbox.newest_ids == {"d"}


async def test_nothing_is_saved_once_closed(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    # As the unload does: stop accepting, then write the record.
    receiver.accepting = False
    await receiver.async_save()
    saved = hass_storage[MESSAGE_KEY]["data"]

    # A catch-up finishing after the unload must not overwrite the next load's record.
    receiver.async_set_inbox_position(datetime(2026, 11, 25, tzinfo=UTC), ["x"])
    await save_delay_passes(hass, freezer)

    assert hass_storage[MESSAGE_KEY]["data"] == saved
    assert saved["inbox_newest"] is None


async def test_seen_ids_are_saved_with_a_delay_not_per_message(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await post_notification(fixture_bytes("inbound_message.xml"))
    await post_notification(fixture_bytes("message_delivered.xml"))
    assert MESSAGE_KEY not in hass_storage

    await save_delay_passes(hass, freezer)

    saved = hass_storage[MESSAGE_KEY]
    assert (saved["version"], saved["minor_version"]) == (1, 3)
    assert list(saved["data"]["seen"]) == [
        "4b912ad6-5ba1-4fdb-addc-007fb212ebae",
        "bece4d20-779c-4778-b08c-438a13cca5c9",
    ]
    assert list(saved["data"]["inbound"]) == ["09543bf1-8f47-4afa-9fe8-cb36bd0e6e90"]


async def test_steady_traffic_does_not_postpone_the_save(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The save delay is a bound, not a quiet period that busy days never reach."""
    receiver = await accepting_receiver(hass, config_entry)
    half = timedelta(seconds=SEEN_SAVE_DELAY_SECONDS / 2 + 1)

    receiver.async_process(parse_notification(inbound("id-1", "one").encode()))
    freezer.tick(half)
    async_fire_time_changed(hass)
    receiver.async_process(parse_notification(inbound("id-2", "two").encode()))
    assert MESSAGE_KEY not in hass_storage
    freezer.tick(half)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    # Written SEEN_SAVE_DELAY_SECONDS after the first, with all there was by then.
    assert list(hass_storage[MESSAGE_KEY]["data"]["seen"]) == ["id-1", "id-2"]


async def test_a_caught_up_message_is_published_once(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    assert receiver.async_process_caught_up(CAUGHT_UP, text_is_summary=True)
    assert not receiver.async_process_caught_up(CAUGHT_UP)

    (event,) = events
    assert event.data["notification_id"] is None
    assert event.data["message_id"] == CAUGHT_UP.message_id.lower()
    assert event.data["text_is_summary"] is True
    assert event.data["received_at"] == "2026-11-25T09:00:00+00:00"
    # Its push, arriving late with its own notification id, is a duplicate.
    push = inbound("id-late-push", "Caught up").replace(
        "message-id-late-push", CAUGHT_UP.message_id
    )
    assert receiver.async_process(parse_notification(push.encode())) == "duplicate"


async def test_a_caught_up_message_is_not_published_once_closed(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = NotificationReceiver(hass, config_entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    assert not receiver.async_process_caught_up(CAUGHT_UP)

    assert events == []
    assert CAUGHT_UP.message_id not in receiver.inbound_ids


async def test_a_caught_up_message_that_cannot_be_shown_is_tried_again(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    shown: list[str] = []

    def broken_entity(received: ReceivedInbound) -> None:
        raise RuntimeError("the entity could not be written")

    remove = receiver.async_listen_inbound(broken_entity)
    assert not receiver.async_process_caught_up(CAUGHT_UP)

    assert events == []
    assert CAUGHT_UP.message_id not in receiver.inbound_ids
    assert f"inbox message {CAUGHT_UP.message_id}" in caplog.text
    remove()
    receiver.async_listen_inbound(lambda received: shown.append(received.message.text))
    assert receiver.async_process_caught_up(CAUGHT_UP)
    assert shown == ["Caught up"]
    assert len(events) == 1


async def test_a_removed_listener_hears_nothing_more(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    heard: list[str] = []
    remove = receiver.async_listen_status(
        lambda received: heard.append(received.event_data["notification_id"])
    )

    receiver.async_process(
        parse_notification(delivery("id-1", "2026-11-25T10:00:00").encode())
    )
    remove()
    receiver.async_process(
        parse_notification(delivery("id-2", "2026-11-25T10:00:01").encode())
    )

    assert heard == ["id-1"]


async def test_a_report_of_a_message_sent_here_tells_what_was_sent(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    receiver.async_record_sent(
        # Esendex's receipts may spell the GUID in either case.
        "EE931A29-D176-42BB-B2A1-A66871E8C118",
        SentRecord(
            recipient="447700900123",
            text="Your code is 1234",
            sent_at="2026-11-25T09:59:00+00:00",
            context_id="01SENTFROMANACTION00000000",
            user_id=None,
        ),
    )

    outcome = receiver.async_process(
        parse_notification(delivery("id-receipt", "2026-11-25T10:00:00").encode())
    )

    assert outcome is Outcome.PROCESSED
    (event,) = events
    assert event.data["recipient"] == "447700900123"
    assert event.data["text"] == "Your code is 1234"
    assert event.data["sent_at"] == "2026-11-25T09:59:00+00:00"
    # Chained to the action that sent it, for the logbook's "triggered by".
    assert event.context.parent_id == "01SENTFROMANACTION00000000"


async def test_a_report_of_a_message_sent_elsewhere_has_no_parent_context(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = await accepting_receiver(hass, config_entry)
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)

    receiver.async_process(
        parse_notification(delivery("id-other", "2026-11-25T10:00:00").encode())
    )

    (event,) = events
    assert "recipient" not in event.data
    assert event.context.parent_id is None
