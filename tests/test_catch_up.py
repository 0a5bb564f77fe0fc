"""The inbox catch-up: inbound SMS in the Esendex inbox that did not come by push.

Against the stateful fake of Esendex's REST API (api_support.FakeEsendex), through
the integration's own client. The catch-up runs at setup and every
CATCH_UP_INTERVAL_MINUTES, apart from the credits coordinator.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
import logging
import time
from typing import Any

from aiohttp import ClientConnectionError
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex import catch_up as catch_up_module
from custom_components.esendex.catch_up import InboxCatchUp
from custom_components.esendex.const import (
    CATCH_UP_BODY_ATTEMPTS,
    CATCH_UP_INTERVAL_MINUTES,
    CATCH_UP_PAGE_SIZE,
    CREDITS_REFRESH_MINUTES,
    EVENT_INBOUND_MESSAGE,
)
from custom_components.esendex.receiver import ReceivedInbound
from custom_components.esendex.store import storage_key

from .api_support import (
    ACCOUNT_ID,
    ACCOUNTS,
    BODY,
    INBOX,
    VIRTUAL_NUMBER,
    FakeEsendex,
    add_api_entry,
    async_settle,
    inbound_push,
)
from .conftest import PostNotification

CREDITS_SENSOR = "sensor.esendex_sms_credits_remaining"
INBOUND_SENSOR = "sensor.esendex_sms_last_inbound_message"
CATCH_UP_LOGGER = catch_up_module.__name__
# Inbound message ids as Esendex writes them, in upper case.
OLD_ID = "0E5B2F8A-1C3D-4E5F-A6B7-C8D9E0F1A2B3"
NEW_ID = "D6258601-3442-484F-B2AC-300088A8A4D4"
NEWER_ID = "7C1F0B2E-9A8D-4C3B-8E7F-6A5B4C3D2E1F"
LONG_TEXT = "The parcel is with your neighbour at number 12, collect after six."
# What the fake inbox lists for LONG_TEXT: its first 20 characters.
LONG_TEXT_SUMMARY = "The parcel is with y..."
NEW_AT = "2026-05-01T10:00:00Z"
NEWER_AT = "2026-05-01T10:01:00Z"


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry with API credentials, added but not set up."""
    return add_api_entry(hass)


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and wait for its background inbox catch-up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED


async def unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def next_run(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let CATCH_UP_INTERVAL_MINUTES pass, and the periodic catch-up run."""
    freezer.tick(timedelta(minutes=CATCH_UP_INTERVAL_MINUTES))
    async_fire_time_changed(hass)
    await async_settle(hass)


def start_next_run(freezer: FrozenDateTimeFactory, hass: HomeAssistant) -> None:
    """Let the interval pass and the periodic run start, without waiting for it."""
    freezer.tick(timedelta(minutes=CATCH_UP_INTERVAL_MINUTES))
    async_fire_time_changed(hass)


def catch_up_of(entry: MockConfigEntry) -> InboxCatchUp:
    catch_up = entry.runtime_data.catch_up
    assert catch_up is not None
    return catch_up


def stored_record(hass_storage: dict[str, Any], entry: MockConfigEntry) -> Any:
    return hass_storage[storage_key(entry.entry_id)]["data"]


def texts(events: list[Any]) -> list[str]:
    return [event.data["text"] for event in events]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == CATCH_UP_LOGGER and record.levelno == logging.WARNING
    ]


# --- the first run -------------------------------------------------------------


async def test_first_setup_fires_nothing_from_the_inbox_history(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
) -> None:
    for minute in range(CATCH_UP_PAGE_SIZE + 10):
        esendex.receive(
            f"00000000-0000-4000-8000-{minute:012d}",
            f"old {minute}",
            f"2026-05-01T08:{minute:02d}:00.91Z",
        )
    esendex.receive(NEW_ID, "Last before setup", "2026-05-01T09:30:42.407Z")
    # Listed first, but with no date it cannot tell where the inbox stands.
    esendex.receive("5F1A2B3C-0000-4000-8000-000000000002", "Dateless", None)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)
    await unload(hass, entry)

    assert events == []
    assert esendex.count(BODY) == 0
    # Where the inbox stands is on its first page; the history is not read.
    assert esendex.inbox_pages() == [("0", str(CATCH_UP_PAGE_SIZE))]
    record = stored_record(hass_storage, entry)
    assert record["inbox_newest"] == "2026-05-01T09:30:42.407000+00:00"
    assert record["inbox_newest_ids"] == [NEW_ID.lower()]


async def test_first_setup_with_an_empty_inbox(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    # Still empty at the next run: nothing to publish, nothing to move.
    await next_run(hass, freezer)
    assert events == []
    assert esendex.count(INBOX) == 2
    assert catch_up_of(entry).last_run_success is True

    # Whatever arrives after that is news, even with the webhook missing it.
    esendex.receive(NEW_ID, "First ever", "2026-05-01T09:00:00Z")
    await next_run(hass, freezer)

    assert texts(events) == ["First ever"]


async def test_the_newest_history_is_not_news_later(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    # The first catch-up records where the inbox stands: two SMS in its last second.
    esendex.receive(OLD_ID, "Before the integration", "2026-05-01T08:00:00Z")
    esendex.receive(NEW_ID, "Also before", "2026-05-01T08:00:00Z")
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    # Another SMS within that same second, after setup, whose push was missed.
    esendex.receive(NEWER_ID, "Same second, but news", "2026-05-01T08:00:00Z")

    await next_run(hass, freezer)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)

    assert texts(events) == ["Same second, but news"]


# --- catching up ---------------------------------------------------------------


async def test_messages_missed_while_unloaded_are_caught_up_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
) -> None:
    esendex.receive(OLD_ID, "Before the integration", "2026-05-01T08:00:00Z")
    await setup(hass, entry)
    await unload(hass, entry)
    esendex.receive(NEW_ID, LONG_TEXT, "2026-05-01T10:15:30.5Z", sender="447700900456")
    esendex.receive(NEWER_ID, "Second", "2026-05-01T10:20:00")
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    assert [event.data for event in events] == [
        {
            "config_entry_id": entry.entry_id,
            "notification_id": None,
            "message_id": NEW_ID.lower(),
            "account_id": ACCOUNT_ID,
            "from": "447700900456",
            "contact": None,
            "to": VIRTUAL_NUMBER,
            # The inbox summary is cut short; the text is the full body.
            "text": LONG_TEXT,
            "received_at": "2026-05-01T10:15:30.500000+00:00",
            "verified": True,
        },
        {
            "config_entry_id": entry.entry_id,
            "notification_id": None,
            "message_id": NEWER_ID.lower(),
            "account_id": ACCOUNT_ID,
            "from": "447700900123",
            "contact": None,
            "to": VIRTUAL_NUMBER,
            "text": "Second",
            "received_at": "2026-05-01T10:20:00+00:00",
            "verified": True,
        },
    ]
    assert esendex.count(BODY) == 2
    assert hass.states.get(INBOUND_SENSOR).state == "Second"
    assert dt_util.parse_datetime(
        hass.states.get(INBOUND_SENSOR).attributes["received_at"]
    ) == datetime(2026, 5, 1, 10, 20, tzinfo=UTC)

    # Neither a reload nor a restart fires them (or anything older) again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)
    await unload(hass, entry)
    assert stored_record(hass_storage, entry)["inbox_newest"] == (
        "2026-05-01T10:20:00+00:00"
    )
    await setup(hass, entry)
    assert len(events) == 2
    assert esendex.count(BODY) == 2


@pytest.mark.parametrize(
    "ids",
    [(NEW_ID, NEW_ID.lower()), (NEW_ID.lower(), NEW_ID)],
    ids=["push-upper", "push-lower"],
)
async def test_pushed_message_is_not_caught_up_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    ids: tuple[str, str],
) -> None:
    push_id, inbox_id = ids
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    # The SMS lands in the inbox and its push reaches the webhook.
    esendex.receive(inbox_id, "Hello", NEW_AT)
    response = await post_notification(inbound_push(push_id, "Hello"))
    assert await response.text() == "processed"
    # Setup catches up the inbox, and so does every periodic run.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)
    await catch_up_of(entry).async_run()

    assert esendex.count(INBOX) == 3
    assert len(events) == 1
    assert events[0].data["notification_id"] == f"push-{push_id}"
    # Read once, to verify the push; the catch-up does not read it again.
    assert esendex.count(BODY) == 1


async def test_push_after_the_catch_up_is_a_duplicate(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    await setup(hass, entry)
    await unload(hass, entry)
    esendex.receive(NEW_ID.lower(), "Hello", NEW_AT)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    assert len(events) == 1

    # Esendex's late push (or a retry of one) of the same SMS.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))

    assert response.status == HTTPStatus.OK
    assert await response.text() == "duplicate"
    assert len(events) == 1


async def test_push_while_the_catch_up_reads_the_same_sms_is_published_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    await setup(hass, entry)
    receiver = entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)
    body = esendex.hold_body(NEW_ID)
    running = hass.async_create_task(catch_up_of(entry).async_run())
    await asyncio.wait_for(body.reached.wait(), 5)

    # The push of that very SMS gets through while its body is being read.
    response = await post_notification(inbound_push(NEW_ID, LONG_TEXT))
    assert await response.text() == "processed"
    body.release()
    await running

    assert [event.data["notification_id"] for event in events] == [f"push-{NEW_ID}"]
    assert receiver.inbox.unreadable == {}


async def test_messages_without_a_receivedat_are_skipped(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(OLD_ID, "Before", "2026-05-01T08:00:00Z")
    esendex.receive("5F1A2B3C-0000-4000-8000-000000000001", "Dateless", None)
    esendex.receive(NEW_ID, "After", NEW_AT)
    esendex.receive("5F1A2B3C-0000-4000-8000-000000000002", "Never read", "garbage")

    await next_run(hass, freezer)

    assert texts(events) == ["Before", "After"]


async def test_paging_stops_at_the_watermark(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    for minute in range(120):
        esendex.receive(
            f"00000000-0000-4000-8000-{minute:012d}",
            f"old {minute}",
            f"2026-05-01T08:{minute // 60:02d}:{minute % 60:02d}Z",
        )
    await next_run(hass, freezer)
    await unload(hass, entry)
    for minute in range(3):
        esendex.receive(
            f"11111111-0000-4000-8000-{minute:012d}",
            f"new {minute}",
            f"2026-05-01T10:00:{minute:02d}Z",
        )
    esendex.requests.clear()
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    assert esendex.inbox_pages() == [("0", str(CATCH_UP_PAGE_SIZE))]
    assert texts(events) == ["new 0", "new 1", "new 2"]
    assert esendex.count(BODY) == 3


async def test_paging_goes_on_until_the_watermark(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    esendex.receive(OLD_ID, "Before", "2026-05-01T08:00:00Z")
    await next_run(hass, freezer)
    await unload(hass, entry)
    count = CATCH_UP_PAGE_SIZE + 10
    for second in range(count):
        esendex.receive(
            f"22222222-0000-4000-8000-{second:012d}",
            f"new {second}",
            f"2026-05-01T10:{second // 60:02d}:{second % 60:02d}Z",
        )
    esendex.requests.clear()
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    size = str(CATCH_UP_PAGE_SIZE)
    assert esendex.inbox_pages() == [("0", size), (size, size)]
    assert texts(events) == [f"new {second}" for second in range(count)]


async def test_paging_stops_at_the_end_of_the_inbox(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)  # empty inbox: everything after is news
    count = CATCH_UP_PAGE_SIZE + 1
    for second in range(count):
        esendex.receive(
            f"33333333-0000-4000-8000-{second:012d}",
            f"new {second}",
            f"2026-05-01T10:{second // 60:02d}:{second % 60:02d}Z",
        )
    esendex.requests.clear()
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await next_run(hass, freezer)

    size = str(CATCH_UP_PAGE_SIZE)
    assert esendex.inbox_pages() == [("0", size), (size, size)]
    assert len(events) == count


async def test_a_run_reads_a_bounded_number_of_pages(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(catch_up_module, "CATCH_UP_MAX_PAGES", 2)
    await setup(hass, entry)
    for second in range(CATCH_UP_PAGE_SIZE * 3):
        esendex.receive(
            f"44444444-0000-4000-8000-{second:012d}",
            f"new {second}",
            f"2026-05-01T10:{second // 60:02d}:{second % 60:02d}Z",
        )
    esendex.requests.clear()
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await catch_up_of(entry).async_run()
    await hass.async_block_till_done()

    size = CATCH_UP_PAGE_SIZE
    assert esendex.inbox_pages() == [("0", str(size)), (str(size), str(size))]
    # The newest two pages, oldest first; the rest is reported, not caught up.
    assert texts(events) == [f"new {second}" for second in range(size, size * 3)]
    [warning] = warnings(caplog)
    assert "EX998877 inbox has more than 100 messages" in warning


async def test_the_last_caught_up_message_stays_handled_after_quiet_days(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
) -> None:
    await setup(hass, entry)
    await unload(hass, entry)
    esendex.receive(NEW_ID, "Last SMS for a while", NEW_AT)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    await unload(hass, entry)
    assert len(events) == 1
    # Home Assistant stays off for four days, in which no SMS arrives.
    record = stored_record(hass_storage, entry)
    record["inbound"] = {key: at - 97 * 3600 for key, at in record["inbound"].items()}

    await setup(hass, entry)

    assert len(events) == 1


async def test_first_push_after_quiet_days_does_not_replay_the_last_sms(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    esendex.receive(OLD_ID, "Open the gate", "2026-05-01T08:00:00Z")
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    # Four days pass without an SMS (the receiver's clock, for its retention).
    receiver = entry.runtime_data.receiver
    receiver._clock = lambda: time.time() + 97 * 3600

    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert await response.text() == "processed"
    await catch_up_of(entry).async_run()  # the next periodic run

    assert texts(events) == ["Hello"]


# --- when it runs ----------------------------------------------------------------


async def test_the_catch_up_runs_every_catch_up_interval_minutes(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    assert esendex.count(INBOX) == 1  # at setup
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "Missed by the webhook", NEW_AT)

    freezer.tick(timedelta(minutes=CATCH_UP_INTERVAL_MINUTES - 1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert esendex.count(INBOX) == 1
    assert events == []

    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert esendex.count(INBOX) == 2
    assert texts(events) == ["Missed by the webhook"]

    await next_run(hass, freezer)
    assert esendex.count(INBOX) == 3
    assert len(events) == 1

    # Unloaded, it runs no more.
    await unload(hass, entry)
    await next_run(hass, freezer)
    assert esendex.count(INBOX) == 3


async def test_a_run_started_while_another_runs_does_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
) -> None:
    await setup(hass, entry)
    catch_up = catch_up_of(entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", NEW_AT)
    esendex.receive(NEWER_ID, "Two", NEWER_AT)
    first_body = esendex.hold_body(NEW_ID)
    running = hass.async_create_task(catch_up.async_run())
    await asyncio.wait_for(first_body.reached.wait(), 5)
    inbox_reads = esendex.count(INBOX)

    # Another run (the periodic one, or one after a send) while the first waits.
    overlapping = hass.async_create_task(catch_up.async_run())

    # It returned at once, without reading the inbox: the first sees the same.
    assert overlapping.done()
    assert esendex.count(INBOX) == inbox_reads
    first_body.release()
    await running
    await overlapping
    assert texts(events) == ["One", "Two"]
    assert esendex.body_reads(NEW_ID) == 1
    assert esendex.body_reads(NEWER_ID) == 1
    assert esendex.count(INBOX) == inbox_reads
    # Runs after it are not held back.
    await catch_up.async_run()
    assert esendex.count(INBOX) == inbox_reads + 1
    assert len(events) == 2


# --- a message whose text cannot be read -----------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": HTTPStatus.INTERNAL_SERVER_ERROR, "text": "Internal Server Error"},
        {"exc": TimeoutError()},
    ],
    ids=["500", "timeout"],
)
async def test_an_unreadable_body_does_not_hold_back_the_later_messages(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    failure: dict[str, Any],
) -> None:
    await setup(hass, entry)
    receiver = entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)
    esendex.receive(NEWER_ID, "Readable", NEWER_AT)
    esendex.fail_body(NEW_ID, **failure)

    await next_run(hass, freezer)

    # The later, readable message is published; the inbox position moves past both.
    assert texts(events) == ["Readable"]
    assert receiver.inbox.newest == datetime(2026, 5, 1, 10, 1, tzinfo=UTC)
    assert list(receiver.inbox.unreadable) == [NEW_ID.lower()]
    assert receiver.inbox.unreadable[NEW_ID.lower()].attempts == 1
    [warning] = warnings(caplog)
    assert NEW_ID.lower() in warning
    assert f"attempt 1 of {CATCH_UP_BODY_ATTEMPTS}" in warning
    # The run itself succeeded: only that message waits.
    assert catch_up_of(entry).last_run_success is True

    # Esendex answers again: the next run publishes it, once, with its full text.
    await next_run(hass, freezer)

    assert texts(events) == ["Readable", LONG_TEXT]
    assert events[1].data == {
        "config_entry_id": entry.entry_id,
        "notification_id": None,
        "message_id": NEW_ID.lower(),
        "account_id": ACCOUNT_ID,
        "from": "447700900123",
        "contact": None,
        "to": VIRTUAL_NUMBER,
        "text": LONG_TEXT,
        "received_at": "2026-05-01T10:00:00+00:00",
        "verified": True,
    }
    assert "text_is_summary" not in hass.states.get(INBOUND_SENSOR).attributes
    assert receiver.inbox.unreadable == {}

    await next_run(hass, freezer)

    assert len(events) == 2
    assert esendex.body_reads(NEW_ID) == 2
    assert esendex.body_reads(NEWER_ID) == 1


async def test_a_body_unreadable_for_every_attempt_is_published_with_its_summary(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup(hass, entry)
    receiver = entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)
    esendex.fail_body(NEW_ID, times=CATCH_UP_BODY_ATTEMPTS)

    for attempt in range(1, CATCH_UP_BODY_ATTEMPTS):
        await next_run(hass, freezer)
        assert events == []
        assert receiver.inbox.unreadable[NEW_ID.lower()].attempts == attempt

    await next_run(hass, freezer)

    # The last attempt failed too: published with what the inbox lists.
    assert [event.data for event in events] == [
        {
            "config_entry_id": entry.entry_id,
            "notification_id": None,
            "message_id": NEW_ID.lower(),
            "account_id": ACCOUNT_ID,
            "from": "447700900123",
            "contact": None,
            "to": VIRTUAL_NUMBER,
            "text": LONG_TEXT_SUMMARY,
            "received_at": "2026-05-01T10:00:00+00:00",
            "verified": True,
            "text_is_summary": True,
        }
    ]
    inbound = hass.states.get(INBOUND_SENSOR)
    assert inbound.state == LONG_TEXT_SUMMARY
    assert inbound.attributes["text_is_summary"] is True
    assert receiver.inbox.unreadable == {}
    assert esendex.body_reads(NEW_ID) == CATCH_UP_BODY_ATTEMPTS
    *tries, last = warnings(caplog)
    assert len(tries) == CATCH_UP_BODY_ATTEMPTS - 1
    assert f"after {CATCH_UP_BODY_ATTEMPTS} attempts" in last
    assert "inbox summary" in last

    # Never again, though the body could be read now.
    await next_run(hass, freezer)
    await next_run(hass, freezer)

    assert len(events) == 1
    assert esendex.body_reads(NEW_ID) == CATCH_UP_BODY_ATTEMPTS


async def test_unreadable_messages_survive_a_reload(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT, sender="447700900456")
    esendex.fail_body(NEW_ID, times=CATCH_UP_BODY_ATTEMPTS)
    await next_run(hass, freezer)
    await unload(hass, entry)

    assert stored_record(hass_storage, entry)["inbox_unreadable"] == {
        NEW_ID.lower(): {
            "sender": "447700900456",
            "recipient": VIRTUAL_NUMBER,
            "summary": LONG_TEXT_SUMMARY,
            "received_at": "2026-05-01T10:00:00+00:00",
            "attempts": 1,
        }
    }

    await setup(hass, entry)  # its catch-up is the second attempt

    assert events == []
    assert entry.runtime_data.receiver.inbox.unreadable[NEW_ID.lower()].attempts == 2

    await next_run(hass, freezer)  # the last attempt, counted across the reload

    assert [(event.data["text"], event.data["from"]) for event in events] == [
        (LONG_TEXT_SUMMARY, "447700900456")
    ]
    assert events[0].data["text_is_summary"] is True
    assert esendex.body_reads(NEW_ID) == CATCH_UP_BODY_ATTEMPTS


async def test_an_unreadable_message_that_came_by_push_meanwhile_is_not_repeated(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    post_notification: PostNotification,
) -> None:
    await setup(hass, entry)
    receiver = entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)
    esendex.fail_body(NEW_ID, times=CATCH_UP_BODY_ATTEMPTS)
    await next_run(hass, freezer)
    assert NEW_ID.lower() in receiver.inbox.unreadable

    # Esendex's retry of the push gets through before the next run.
    response = await post_notification(inbound_push(NEW_ID, LONG_TEXT))
    assert await response.text() == "processed"
    for _ in range(CATCH_UP_BODY_ATTEMPTS):
        await next_run(hass, freezer)

    # Published once, by push; and no longer waited for.
    assert [event.data["notification_id"] for event in events] == [f"push-{NEW_ID}"]
    assert receiver.inbox.unreadable == {}
    reads = esendex.body_reads(NEW_ID)
    await next_run(hass, freezer)
    assert esendex.body_reads(NEW_ID) == reads


async def test_a_caught_up_message_an_entity_failed_to_show_is_tried_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    receiver = entry.runtime_data.receiver
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    failures = [RuntimeError("an entity could not be written")]

    def fail_once(received: ReceivedInbound) -> None:
        if failures:
            raise failures.pop()

    remove = receiver.async_listen_inbound(fail_once)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)

    await next_run(hass, freezer)
    # Not published (no bus event), and not recorded as handled.
    assert events == []
    assert NEW_ID.lower() in receiver.inbox.unreadable

    await next_run(hass, freezer)
    remove()

    assert texts(events) == [LONG_TEXT]
    assert "text_is_summary" not in events[0].data
    assert receiver.inbox.unreadable == {}
    await next_run(hass, freezer)
    assert len(events) == 1


# --- failures, and the credits apart ---------------------------------------------


async def test_a_failed_inbox_read_loses_nothing_and_warns_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup(hass, entry)
    catch_up = catch_up_of(entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", NEW_AT)
    esendex.receive(NEWER_ID, "Two", NEWER_AT)
    esendex.fail(
        INBOX, HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error", times=2
    )

    await next_run(hass, freezer)
    await next_run(hass, freezer)

    assert events == []
    assert catch_up.last_run_success is False
    # Once for the failing streak, not at every run.
    [warning] = warnings(caplog)
    assert "Cannot catch up the EX998877 inbox" in warning
    assert "HTTP 500" in warning

    caplog.clear()
    await next_run(hass, freezer)

    assert texts(events) == ["One", "Two"]
    assert catch_up.last_run_success is True
    assert "The EX998877 inbox is caught up again" in caplog.text


async def test_a_failing_catch_up_leaves_the_credits_sensor_available(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    coordinator = entry.runtime_data.coordinator
    assert coordinator is not None
    esendex.messages_remaining = 7
    esendex.fail(INBOX, HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
    esendex.fail(INBOX, exc=ClientConnectionError("Connection reset by peer"))

    # Both fall due: the credits are read, the inbox cannot be.
    await next_run(hass, freezer)
    assert CATCH_UP_INTERVAL_MINUTES == CREDITS_REFRESH_MINUTES
    assert catch_up_of(entry).last_run_success is False
    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "7"

    # A run of its own (as after a send) fails without touching the sensor either.
    await catch_up_of(entry).async_run()
    await hass.async_block_till_done()
    assert catch_up_of(entry).last_run_success is False
    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "7"


@pytest.mark.parametrize(
    ("failure", "reauth"),
    [
        ({"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": "Unavailable"}, False),
        ({"exc": ClientConnectionError("Cannot connect")}, False),
        ({"status": HTTPStatus.UNAUTHORIZED, "text": "Unauthorised"}, True),
    ],
    ids=["503", "connection-error", "401"],
)
async def test_a_failing_credits_read_does_not_stop_the_catch_up(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    failure: dict[str, Any],
    reauth: bool,
) -> None:
    # The account cannot be read at setup, nor at any refresh after it.
    esendex.fail(ACCOUNTS, **failure, times=100)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    assert bool(list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))) is reauth
    # The catch-up recorded where the inbox stands, and goes on running.
    assert esendex.count(INBOX) == 1
    assert catch_up_of(entry).last_run_success is True
    esendex.receive(NEW_ID, "Missed by the webhook", NEW_AT)

    await next_run(hass, freezer)

    assert esendex.count(ACCOUNTS) == 2
    assert entry.runtime_data.coordinator.last_update_success is False
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    assert texts(events) == ["Missed by the webhook"]


# --- unloading while it runs ------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "published_before_unload"),
    [(NEW_ID, []), (NEWER_ID, ["One"])],
    ids=["first-body", "last-body"],
)
async def test_a_catch_up_running_at_unload_stops_and_loses_nothing(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    held: str,
    published_before_unload: list[str],
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", NEW_AT)
    esendex.receive(NEWER_ID, "Two", NEWER_AT)
    body = esendex.hold_body(held)
    start_next_run(freezer, hass)
    await asyncio.wait_for(body.reached.wait(), 5)

    # The entry unloads while the periodic catch-up waits for a body.
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = stored_record(hass_storage, entry)
    body.release()
    await async_settle(hass)

    assert texts(events) == published_before_unload
    # None was asked for after the held one.
    assert esendex.count(BODY) == len(published_before_unload) + 1
    # Nothing was recorded after the unload's save: the next setup starts from it.
    assert stored_record(hass_storage, entry) == saved

    await setup(hass, entry)

    assert texts(events) == ["One", "Two"]
    assert esendex.body_reads(held) == 2


async def test_retrying_unreadable_messages_at_unload_stops_and_loses_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", NEW_AT)
    esendex.receive(NEWER_ID, "Two", NEWER_AT)
    esendex.fail_body(NEW_ID)
    esendex.fail_body(NEWER_ID)
    await next_run(hass, freezer)
    assert len(entry.runtime_data.receiver.inbox.unreadable) == 2
    body = esendex.hold_body(NEW_ID)
    start_next_run(freezer, hass)
    await asyncio.wait_for(body.reached.wait(), 5)

    # The entry unloads while the retry waits for the first body.
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = stored_record(hass_storage, entry)
    body.release()
    await async_settle(hass)

    assert events == []
    assert esendex.body_reads(NEWER_ID) == 1  # not retried after the unload
    assert stored_record(hass_storage, entry) == saved
    assert set(saved["inbox_unreadable"]) == {NEW_ID.lower(), NEWER_ID.lower()}

    await setup(hass, entry)

    assert texts(events) == ["One", "Two"]
    assert "text_is_summary" not in events[0].data


async def test_an_unreadable_message_is_tried_once_a_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, LONG_TEXT, NEW_AT)
    esendex.receive(NEWER_ID, "Two", NEWER_AT)
    esendex.fail_body(NEW_ID, times=2)
    # The run after which the entry unloads has no position to record: both
    # messages are listed again by the next one, the unreadable one included.
    body = esendex.hold_body(NEWER_ID)
    start_next_run(freezer, hass)
    await asyncio.wait_for(body.reached.wait(), 5)
    assert await hass.config_entries.async_unload(entry.entry_id)
    body.release()
    await async_settle(hass)

    await setup(hass, entry)

    # Retried once in that run (and failed again), not once more as listed.
    assert texts(events) == ["Two"]
    assert esendex.body_reads(NEW_ID) == 2
    assert entry.runtime_data.receiver.inbox.unreadable[NEW_ID.lower()].attempts == 2

    await next_run(hass, freezer)

    assert texts(events) == ["Two", LONG_TEXT]
    assert esendex.body_reads(NEW_ID) == 3
