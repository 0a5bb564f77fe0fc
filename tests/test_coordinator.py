"""The account coordinator: setup checks, credits, and the inbox catch-up."""

import asyncio
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
import time
from typing import Any
from unittest.mock import patch

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

from custom_components.esendex import coordinator as coordinator_module
from custom_components.esendex.const import (
    CATCH_UP_INTERVAL_MINUTES,
    CATCH_UP_PAGE_SIZE,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)

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
from .conftest import FlushSensorWrites, PostNotification

CREDITS_SENSOR = "sensor.esendex_sms_credits_remaining"
INBOUND_SENSOR = "sensor.esendex_sms_last_inbound_message"
# Inbound message ids as Esendex writes them, in upper case.
OLD_ID = "0E5B2F8A-1C3D-4E5F-A6B7-C8D9E0F1A2B3"
NEW_ID = "D6258601-3442-484F-B2AC-300088A8A4D4"
NEWER_ID = "7C1F0B2E-9A8D-4C3B-8E7F-6A5B4C3D2E1F"
LONG_TEXT = "The parcel is with your neighbour at number 12, collect after six."


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


async def next_period(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the coordinator's 30-minute interval pass."""
    freezer.tick(timedelta(minutes=CATCH_UP_INTERVAL_MINUTES))
    async_fire_time_changed(hass)
    await async_settle(hass)


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["handler"] == DOMAIN
        and flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]


def stored_record(hass_storage: dict[str, Any], entry: MockConfigEntry) -> Any:
    return hass_storage[f"{DOMAIN}.{entry.entry_id}.seen"]["data"]


# --- setup -------------------------------------------------------------------


async def test_setup_checks_the_credentials_and_reads_the_account(
    hass: HomeAssistant, entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    await setup(hass, entry)

    coordinator = entry.runtime_data.coordinator
    assert coordinator is not None
    assert coordinator.data.id == ACCOUNT_ID
    assert coordinator.data.reference == "EX998877"
    # The first refresh checks the login; the background one also reads the inbox.
    assert esendex.count(ACCOUNTS) == 2
    assert esendex.count(INBOX) == 1
    assert esendex.unexpected == []


@pytest.mark.parametrize("status", [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN])
async def test_refused_credentials_at_setup_start_reauth_and_keep_receiving(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    status: int,
) -> None:
    # Refused at the first refresh and again at the background catch-up.
    esendex.fail(ACCOUNTS, status, "Unauthorised", times=2)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    assert len(reauth_flows(hass, entry)) == 1
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    assert esendex.count(INBOX) == 0
    # Pushes need no credentials: receiving goes on while HA asks for them.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert await response.text() == "processed"
    assert len(events) == 1


async def test_changed_password_at_setup_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    esendex.password = "changed at Esendex"  # noqa: S105 - a made-up login

    await setup(hass, entry)

    assert len(reauth_flows(hass, entry)) == 1
    assert entry.runtime_data.coordinator.data is None
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert await response.text() == "processed"


@pytest.mark.parametrize(
    "failure",
    [
        {"exc": ClientConnectionError("Cannot connect to host api.esendex.com")},
        {"exc": TimeoutError()},
        {"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": "Service Unavailable"},
        {"status": HTTPStatus.OK, "text": "<html>Down for maintenance</html>"},
    ],
    ids=["connection-error", "timeout", "503", "not-xml"],
)
async def test_unreachable_api_at_setup_keeps_receiving_and_recovers(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    failure: dict[str, Any],
) -> None:
    # Down for the first refresh and for the background catch-up.
    esendex.fail(ACCOUNTS, **failure, times=2)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await setup(hass, entry)

    coordinator = entry.runtime_data.coordinator
    assert coordinator.last_update_success is False
    assert coordinator.last_exception.translation_key == "update_failed"
    assert reauth_flows(hass, entry) == []
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert await response.text() == "processed"
    assert len(events) == 1

    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(minutes=CATCH_UP_INTERVAL_MINUTES)
    )
    await async_settle(hass)

    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    assert esendex.count(INBOX) == 1


async def test_failed_setup_does_not_leave_the_webhook_registered(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    with patch.object(
        hass.config_entries,
        "async_forward_entry_setups",
        side_effect=OSError("platform setup failed"),
    ):
        assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    # HA's own answer for an unknown webhook: an empty 200, and nothing fired.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert response.status == HTTPStatus.OK
    assert await response.text() == ""
    assert events == []


async def test_push_during_setup_is_answered_503(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    hold = esendex.hold(ACCOUNTS)
    setting_up = hass.async_create_task(hass.config_entries.async_setup(entry.entry_id))
    await asyncio.wait_for(hold.reached.wait(), 5)

    response = await post_notification(inbound_push(NEW_ID, "Hello"))

    # Registered early, so that Esendex is told to retry rather than HA's 200.
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert (await response.text()).startswith("unavailable")
    assert events == []
    hold.release()
    assert await setting_up
    await async_settle(hass)
    # Esendex's retry is then taken, as new.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))
    assert await response.text() == "processed"
    assert len(events) == 1


# --- credits -------------------------------------------------------------------


async def test_credits_sensor_follows_messagesremaining(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    esendex.messages_remaining = 7
    reads = esendex.count(ACCOUNTS)

    freezer.tick(timedelta(minutes=CATCH_UP_INTERVAL_MINUTES - 1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert hass.states.get(CREDITS_SENSOR).state == "19"

    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert hass.states.get(CREDITS_SENSOR).state == "7"
    assert esendex.count(ACCOUNTS) == reads + 1


async def test_connection_error_marks_the_update_failed_and_recovers(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    coordinator = entry.runtime_data.coordinator
    esendex.fail(INBOX, exc=ClientConnectionError("Connection reset by peer"))

    await next_period(hass, freezer)

    assert coordinator.last_update_success is False
    assert isinstance(coordinator.last_exception, coordinator_module.UpdateFailed)
    assert coordinator.last_exception.translation_key == "update_failed"
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    assert reauth_flows(hass, entry) == []

    esendex.messages_remaining = 5
    await next_period(hass, freezer)

    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "5"


async def test_auth_error_during_a_periodic_catch_up_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    esendex.fail(INBOX, HTTPStatus.FORBIDDEN, "Not authorised")

    await next_period(hass, freezer)

    assert entry.runtime_data.coordinator.last_update_success is False
    assert len(reauth_flows(hass, entry)) == 1


async def test_changed_password_during_a_periodic_refresh_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    esendex.password = "changed at Esendex"  # noqa: S105 - a made-up login

    await next_period(hass, freezer)

    assert len(reauth_flows(hass, entry)) == 1
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE


# --- inbox catch-up ------------------------------------------------------------


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
    assert stored_record(hass_storage, entry)["inbox_newest"] == (
        "2026-05-01T09:30:42.407000+00:00"
    )


async def test_first_setup_with_an_empty_inbox(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    assert events == []

    # Whatever arrives after that is news, even with the webhook missing it.
    esendex.receive(NEW_ID, "First ever", "2026-05-01T09:00:00Z")
    await next_period(hass, freezer)

    assert [event.data["text"] for event in events] == ["First ever"]


async def test_messages_missed_while_unloaded_are_caught_up_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
    flush_sensor_writes: FlushSensorWrites,
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
            "to": VIRTUAL_NUMBER,
            # The inbox summary is cut short; the text is the full body.
            "text": LONG_TEXT,
            "received_at": "2026-05-01T10:15:30.500000+00:00",
        },
        {
            "config_entry_id": entry.entry_id,
            "notification_id": None,
            "message_id": NEWER_ID.lower(),
            "account_id": ACCOUNT_ID,
            "from": "447700900123",
            "to": VIRTUAL_NUMBER,
            "text": "Second",
            "received_at": "2026-05-01T10:20:00+00:00",
        },
    ]
    assert esendex.count(BODY) == 2
    await flush_sensor_writes()
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

    await next_period(hass, freezer)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)

    assert [event.data["text"] for event in events] == ["Same second, but news"]


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
    esendex.receive(inbox_id, "Hello", "2026-05-01T10:00:00Z")
    response = await post_notification(inbound_push(push_id, "Hello"))
    assert await response.text() == "processed"
    # Setup catches up the inbox, and so does every periodic refresh.
    await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)
    await entry.runtime_data.coordinator.async_refresh()

    assert esendex.count(INBOX) == 3
    assert len(events) == 1
    assert events[0].data["notification_id"] == f"push-{push_id}"
    assert esendex.count(BODY) == 0


async def test_push_after_the_catch_up_is_a_duplicate(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    await setup(hass, entry)
    await unload(hass, entry)
    esendex.receive(NEW_ID.lower(), "Hello", "2026-05-01T10:00:00Z")
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    await setup(hass, entry)
    assert len(events) == 1

    # Esendex's late push (or a retry of one) of the same SMS.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))

    assert response.status == HTTPStatus.OK
    assert await response.text() == "duplicate"
    assert len(events) == 1


async def test_a_failed_catch_up_loses_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", "2026-05-01T10:00:00Z")
    esendex.receive(NEWER_ID, "Two", "2026-05-01T10:01:00Z")
    esendex.fail(BODY, HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")

    await next_period(hass, freezer)

    assert events == []
    assert entry.runtime_data.coordinator.last_update_success is False

    await next_period(hass, freezer)

    assert [event.data["text"] for event in events] == ["One", "Two"]


async def test_an_error_between_two_messages_fires_the_rest_later(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", "2026-05-01T10:00:00Z")
    esendex.receive(NEWER_ID, "Two", "2026-05-01T10:01:00Z")
    fetched_first = esendex.hold(BODY)
    refresh = hass.async_create_task(entry.runtime_data.coordinator.async_refresh())
    await asyncio.wait_for(fetched_first.reached.wait(), 5)
    # The second body read times out.
    esendex.fail(BODY, exc=TimeoutError())
    fetched_first.release()
    await refresh

    assert [event.data["text"] for event in events] == ["One"]
    assert entry.runtime_data.coordinator.last_update_success is False

    await next_period(hass, freezer)

    assert [event.data["text"] for event in events] == ["One", "Two"]


async def test_a_catch_up_running_at_unload_stops_and_loses_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
) -> None:
    await setup(hass, entry)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(NEW_ID, "One", "2026-05-01T10:00:00Z")
    esendex.receive(NEWER_ID, "Two", "2026-05-01T10:01:00Z")
    body = esendex.hold(BODY)
    refresh = hass.async_create_background_task(
        entry.runtime_data.coordinator.async_refresh(), "periodic catch-up"
    )
    await asyncio.wait_for(body.reached.wait(), 5)

    # The entry unloads while the catch-up waits for the first body.
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = stored_record(hass_storage, entry)
    body.release()
    await refresh
    await hass.async_block_till_done()

    assert events == []
    assert esendex.count(BODY) == 1  # the second was not even asked for
    assert stored_record(hass_storage, entry) == saved

    await setup(hass, entry)

    assert [event.data["text"] for event in events] == ["One", "Two"]


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
    esendex.receive(NEW_ID, "After", "2026-05-01T10:00:00Z")
    esendex.receive("5F1A2B3C-0000-4000-8000-000000000002", "Never read", "garbage")

    await next_period(hass, freezer)

    assert [event.data["text"] for event in events] == ["Before", "After"]


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
    await next_period(hass, freezer)
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
    assert [event.data["text"] for event in events] == ["new 0", "new 1", "new 2"]
    assert esendex.count(BODY) == 3


async def test_paging_goes_on_until_the_watermark(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    esendex.receive(OLD_ID, "Before", "2026-05-01T08:00:00Z")
    await next_period(hass, freezer)
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
    assert [event.data["text"] for event in events] == [
        f"new {second}" for second in range(count)
    ]


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

    await next_period(hass, freezer)

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
    monkeypatch.setattr(coordinator_module, "CATCH_UP_MAX_PAGES", 2)
    await setup(hass, entry)
    for second in range(CATCH_UP_PAGE_SIZE * 3):
        esendex.receive(
            f"44444444-0000-4000-8000-{second:012d}",
            f"new {second}",
            f"2026-05-01T10:{second // 60:02d}:{second % 60:02d}Z",
        )
    esendex.requests.clear()
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()

    size = CATCH_UP_PAGE_SIZE
    assert esendex.inbox_pages() == [("0", str(size)), (str(size), str(size))]
    # The newest two pages, oldest first; the rest is reported, not caught up.
    assert [event.data["text"] for event in events] == [
        f"new {second}" for second in range(size, size * 3)
    ]
    [warning] = [
        record
        for record in caplog.records
        if record.name == coordinator_module.__name__ and record.levelname == "WARNING"
    ]
    assert "EX998877 inbox has more than 100 messages" in warning.getMessage()


async def test_the_last_caught_up_message_stays_handled_after_quiet_days(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_storage: dict[str, Any],
) -> None:
    await setup(hass, entry)
    await unload(hass, entry)
    esendex.receive(NEW_ID, "Last SMS for a while", "2026-05-01T10:00:00Z")
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
    await entry.runtime_data.coordinator.async_refresh()  # the next periodic run

    assert [event.data["text"] for event in events] == ["Hello"]
