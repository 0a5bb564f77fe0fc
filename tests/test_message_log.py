"""The message history of a set-up entry (message_log.py): what it keeps, and saves.

Through real entries: pushes posted to the webhook, SMS sent with the
`esendex.send_sms` action to the fake of Esendex's REST API (tests/api_support.py),
the inbox catch-up, Assist's answers; and Home Assistant's storage as
`hass_storage` holds it.
"""

from datetime import datetime, timedelta
from http import HTTPStatus
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentryData,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex import message_log as message_log_module
from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
)
from custom_components.esendex.history import DEFAULT_MAX_DAYS, DEFAULT_MAX_MESSAGES
from custom_components.esendex.message_log import (
    CONF_HISTORY_MAX_DAYS,
    CONF_HISTORY_MAX_MESSAGES,
    CONF_HISTORY_NON_ADMIN,
    SAVE_DELAY_SECONDS,
    HistorySettings,
    MessageLog,
    history_settings,
    history_storage_key,
)
from custom_components.esendex.sensor import (
    LastDeliveryStatusSensor,
    LastInboundMessageSensor,
)
from custom_components.esendex.services import async_send_sms

from .api_support import (
    ACCOUNT_ID,
    ACCOUNT_REFERENCE,
    API_ENTRY_ID,
    PASSWORD,
    USERNAME,
    FakeEsendex,
    add_api_entry,
    async_settle,
    inbound_push,
    receipt_push,
)
from .conftest import WEBHOOK_ID, PostNotification, fixture_bytes
from .test_webhook import raising_once

ENTRY_ID = "01JESENDEXTESTENTRY000000"
NOW = "2026-11-25T10:00:00+00:00"
ALICE = "447700900123"
BOB = "447700900456"
# The ids the fake hands out to sent SMS, in the upper case Esendex writes them in.
FIRST_ID = "1183C73D-2E62-4F60-B610-000000000001"
SECOND_ID = "1183C73D-2E62-4F60-B610-000000000002"
# inbound_message.xml
FIXTURE_MESSAGE_ID = "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90"
# The account of the fixtures' pushes (the API entry's is api_support.ACCOUNT_ID).
FIXTURE_ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
INBOX_ID = "D6258601-3442-484F-B2AC-300088A8A4D4"
PUSH_ID = "0E5B2F8A-1C3D-4E5F-A6B7-C8D9E0F1A2B3"


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture
def now(freezer: FrozenDateTimeFactory) -> datetime:
    """The frozen time the tests start at."""
    freezer.move_to(NOW)
    return dt_util.utcnow()


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Set an entry up; for an API entry, wait for its first inbox catch-up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    return entry


@pytest.fixture
async def api_entry(
    hass: HomeAssistant, esendex: FakeEsendex, now: datetime
) -> MockConfigEntry:
    """An entry with API credentials, set up, its first inbox catch-up done."""
    return await set_up(hass, add_api_entry(hass))


def log_of(entry: MockConfigEntry) -> MessageLog:
    log: MessageLog = entry.runtime_data.history
    return log


def thread_messages(entry: MockConfigEntry, number: str) -> list[dict[str, Any]]:
    """Return every message of a thread, oldest first, as the websocket API has it."""
    messages, _ = log_of(entry).history.page(number, 200)
    return [message.as_dict() for message in messages]


def all_messages(entry: MockConfigEntry) -> list[dict[str, Any]]:
    return [
        message
        for thread in log_of(entry).history.threads()
        for message in thread_messages(entry, thread.number)
    ]


def message(
    message_id: str,
    *,
    direction: str = "in",
    number: str = ALICE,
    text: str = "Gate code please",
    time: str = NOW,
    status: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Return a message as the websocket API sends it."""
    return {
        "id": message_id,
        "direction": direction,
        "kind": "sms",
        "number": number,
        "text": text,
        "time": time,
        "status": status or ("received" if direction == "in" else "sent"),
        "status_time": None,
        "failure_reason": None,
        "assist": False,
        **changes,
    }


def stored(hass_storage: dict[str, Any], entry_id: str = ENTRY_ID) -> Any:
    return hass_storage[history_storage_key(entry_id)]["data"]


def store_history(
    hass_storage: dict[str, Any], data: object, entry_id: str = ENTRY_ID
) -> None:
    """Put a history in storage, as an earlier run saved it."""
    key = history_storage_key(entry_id)
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": data}


async def save_delay_passes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 0
) -> None:
    freezer.tick(timedelta(seconds=seconds or SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def send_sms(hass: HomeAssistant, **data: Any) -> Any:
    """Call the action as an automation would, returning its response."""
    return await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": API_ENTRY_ID, **data},
        blocking=True,
        return_response=True,
    )


async def processed(post_notification: PostNotification, body: object) -> None:
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"


def failed_push(message_id: str, reason: str) -> str:
    return (
        "<MessageFailed><Id>6c27a10d-015a-418c-8dfa-69e1446a124e</Id>"
        f"<MessageId>{message_id}</MessageId><AccountId>{ACCOUNT_ID}</AccountId>"
        f"<OccurredAt>2026-11-25T10:00:07</OccurredAt>{reason}</MessageFailed>"
    )


# --- the settings -------------------------------------------------------------------


def test_the_settings_default_to_500_messages_30_days_admins_only(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    assert history_settings(config_entry) == HistorySettings(
        max_messages=DEFAULT_MAX_MESSAGES, max_days=DEFAULT_MAX_DAYS, non_admin=False
    )
    assert (DEFAULT_MAX_MESSAGES, DEFAULT_MAX_DAYS) == (500, 30)


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        (
            {
                CONF_HISTORY_MAX_MESSAGES: 20,
                CONF_HISTORY_MAX_DAYS: 7,
                CONF_HISTORY_NON_ADMIN: True,
            },
            HistorySettings(max_messages=20, max_days=7, non_admin=True),
        ),
        ({CONF_HISTORY_MAX_MESSAGES: 0}, HistorySettings(0, 30, non_admin=False)),
        ({CONF_HISTORY_MAX_MESSAGES: 20.0}, HistorySettings(20, 30, non_admin=False)),
    ],
    ids=["set", "off", "float"],
)
def test_the_settings_come_from_the_options(
    hass: HomeAssistant, options: dict[str, Any], settings: HistorySettings
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, options=options)

    assert history_settings(entry) == settings


# --- what is kept -------------------------------------------------------------------


@pytest.mark.usefixtures("now")
async def test_a_pushed_sms_is_kept(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    await processed(post_notification, fixture_bytes("inbound_message.xml"))

    assert thread_messages(loaded_entry, ALICE) == [message(FIXTURE_MESSAGE_ID)]
    [thread] = log_of(loaded_entry).threads_payload()
    assert thread == {
        "number": ALICE,
        "contact": None,
        "last": message(FIXTURE_MESSAGE_ID),
        "unread": 1,
    }


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize(
    ("sender", "number"),
    [("447700900123", ALICE), ("+44 7700 900123", ALICE), ("Alarm Co", "Alarm Co")],
    ids=["as-esendex-writes-it", "spaced", "alphanumeric"],
)
async def test_a_pushed_sms_is_kept_under_its_senders_number(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    sender: str,
    number: str,
) -> None:
    await processed(post_notification, inbound_push(PUSH_ID, "Hello", sender=sender))

    # The id as send_sms and the events write it: lower case.
    assert thread_messages(loaded_entry, number) == [
        message(PUSH_ID.lower(), number=number, text="Hello")
    ]


async def test_a_pushed_sms_with_its_own_time_keeps_it(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    now: datetime,
) -> None:
    body = inbound_push(PUSH_ID, "Hello").replace(
        "</To>", "</To><ReceivedAt>2026-11-25T09:58:00Z</ReceivedAt>"
    )

    await processed(post_notification, body)

    [kept] = thread_messages(loaded_entry, ALICE)
    assert kept["time"] == "2026-11-25T09:58:00+00:00"


async def test_a_sent_sms_is_kept_and_moves_on_with_its_receipt(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    await send_sms(hass, to="+44 (0)7700 900123", message="Gate open")

    sent = message(FIRST_ID.lower(), direction="out", text="Gate open")
    assert thread_messages(api_entry, ALICE) == [sent]

    await processed(
        post_notification, receipt_push(FIRST_ID, occurred_at="2026-11-25T10:00:05")
    )

    assert thread_messages(api_entry, ALICE) == [
        {**sent, "status": "delivered", "status_time": "2026-11-25T10:00:05+00:00"}
    ]
    [thread] = log_of(api_entry).threads_payload()
    assert thread["last"]["status"] == "delivered"
    # Sent from here: nothing to read.
    assert thread["unread"] == 0


async def test_each_recipient_of_a_send_gets_its_own_message(
    hass: HomeAssistant, api_entry: MockConfigEntry
) -> None:
    await send_sms(hass, to=["+447700900123", "07700 900456"], message="Bins out")

    assert thread_messages(api_entry, ALICE) == [
        message(FIRST_ID.lower(), direction="out", text="Bins out")
    ]
    # As the number was sent to, its digits: what a reply from it would carry.
    assert thread_messages(api_entry, "07700900456") == [
        message(
            SECOND_ID.lower(), direction="out", number="07700900456", text="Bins out"
        )
    ]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (
            (
                "<FailureReason><Code>142</Code><Detail>Message broken</Detail>"
                "<PermanentFailure>true</PermanentFailure></FailureReason>"
            ),
            "Message broken",
        ),
        (
            (
                "<FailureReason><Code>21</Code>"
                "<Description>Absent subscriber</Description></FailureReason>"
            ),
            "Absent subscriber",
        ),
        ("<FailureReason><Code>142</Code></FailureReason>", "code 142"),
        ("<FailureReason>Number unreachable</FailureReason>", "Number unreachable"),
        ("<FailureReason />", None),
        ("", None),
    ],
    ids=["detail", "description", "code-only", "bare-text", "empty", "no-reason"],
)
async def test_a_failed_sms_keeps_esendexs_reason(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    reason: str,
    expected: str | None,
) -> None:
    await send_sms(hass, to="+447700900123", message="Gate open")

    await processed(post_notification, failed_push(FIRST_ID, reason))

    assert thread_messages(api_entry, ALICE) == [
        message(
            FIRST_ID.lower(),
            direction="out",
            text="Gate open",
            status="failed",
            status_time="2026-11-25T10:00:07+00:00",
            failure_reason=expected,
        )
    ]


async def test_a_late_older_receipt_does_not_undo_a_newer_one(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    await send_sms(hass, to="+447700900123", message="Gate open")
    await processed(
        post_notification,
        failed_push(
            FIRST_ID, "<FailureReason><Detail>Expired</Detail></FailureReason>"
        ),
    )

    await processed(
        post_notification, receipt_push(FIRST_ID, occurred_at="2026-11-25T10:00:01")
    )

    [kept] = thread_messages(api_entry, ALICE)
    assert (kept["status"], kept["failure_reason"]) == ("failed", "Expired")


async def test_a_receipt_for_a_message_sent_elsewhere_adds_nothing(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events: list[dict[str, Any]] = []
    log_of(api_entry).async_subscribe(events.append)

    await processed(
        post_notification, receipt_push("EE931A29-D176-42BB-B2A1-A66871E8C118")
    )

    assert all_messages(api_entry) == []
    assert events == []


async def test_a_receipt_for_an_inbound_id_changes_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    await processed(post_notification, inbound_push(PUSH_ID, "Hello"))
    before = all_messages(loaded_entry)

    await processed(post_notification, receipt_push(PUSH_ID))

    assert all_messages(loaded_entry) == before
    assert before[0]["status"] == "received"


async def test_an_opt_out_is_kept_as_an_opt_out(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    now: datetime,
) -> None:
    await processed(post_notification, fixture_bytes("opt_out_received_at.xml"))

    assert thread_messages(loaded_entry, BOB) == [
        {
            "id": "opt-out-7d1c5f0e-2b3a-4c8d-9e6f-0a1b2c3d4e5f",
            "direction": "in",
            "kind": "opt_out",
            "number": BOB,
            "text": "",
            # Esendex's time for it.
            "time": "2026-11-25T09:30:15.407000+00:00",
            "status": "received",
            "status_time": None,
            "failure_reason": None,
            "assist": False,
        }
    ]


async def test_an_sms_caught_up_from_the_inbox_is_kept(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Its push was missed; the next periodic catch-up finds it in the inbox.
    esendex.receive(INBOX_ID, "Parcel at number 12", "2026-11-25T09:59:00Z")
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await async_settle(hass)

    caught_up = message(
        INBOX_ID.lower(), text="Parcel at number 12", time="2026-11-25T09:59:00+00:00"
    )
    assert thread_messages(api_entry, ALICE) == [caught_up]
    # Its late push is a duplicate: still one message.
    response = await post_notification(inbound_push(INBOX_ID, "Parcel at number 12"))
    assert await response.text() == "duplicate"
    assert thread_messages(api_entry, ALICE) == [caught_up]


async def test_an_answer_of_assist_is_marked_as_such(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    now: datetime,
) -> None:
    """End to end: a contact with Assist texts, Assist's answer goes in the thread."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    owner = await hass.auth.async_create_user("Owner", group_ids=["system-admin"])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        unique_id=ACCOUNT_ID,
        data={
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_CLOUDHOOK: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_ACCOUNT_REFERENCE: ACCOUNT_REFERENCE,
        },
        options={CONF_ACCOUNT_ID: ACCOUNT_ID},
        entry_id=API_ENTRY_ID,
        subentries_data=[
            ConfigSubentryData(
                data={
                    "name": "Alice",
                    "phone_number": f"+{ALICE}",
                    "assist": True,
                    "assist_user_id": owner.id,
                },
                subentry_type="contact",
                title="Alice",
                unique_id=ALICE,
            )
        ],
    )
    entry.add_to_hass(hass)
    await set_up(hass, entry)
    # In the inbox too: Assist answers only an SMS that Esendex confirms.
    esendex.receive(INBOX_ID, "what is the meaning of life", NOW)

    await processed(
        post_notification, inbound_push(INBOX_ID, "what is the meaning of life")
    )
    await async_settle(hass)

    [dispatch] = esendex.dispatches
    [answer] = dispatch.messages
    assert answer["body"]
    assert thread_messages(entry, ALICE) == [
        message(INBOX_ID.lower(), text="what is the meaning of life"),
        message(
            FIRST_ID.lower(), direction="out", text=answer["body"] or "", assist=True
        ),
    ]


async def test_async_send_sms_for_assist_marks_the_message(
    hass: HomeAssistant, api_entry: MockConfigEntry
) -> None:
    await async_send_sms(api_entry, ["+447700900123"], "Lights off", assist=True)
    await async_send_sms(api_entry, ["+447700900123"], "Lights on")

    assert [kept["assist"] for kept in thread_messages(api_entry, ALICE)] == [
        True,
        False,
    ]


@pytest.mark.usefixtures("now")
async def test_a_push_sent_twice_is_kept_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events: list[dict[str, Any]] = []
    log_of(loaded_entry).async_subscribe(events.append)
    body = fixture_bytes("inbound_message.xml")
    await processed(post_notification, body)

    again = await post_notification(body)
    # The same SMS under another notification id (Esendex's own double).
    other = await post_notification(
        inbound_push(FIXTURE_MESSAGE_ID.upper(), "Gate code please")
    )

    assert await again.text() == "duplicate"
    assert await other.text() == "duplicate"
    assert thread_messages(loaded_entry, ALICE) == [message(FIXTURE_MESSAGE_ID)]
    assert [event["type"] for event in events] == ["message"]


@pytest.mark.usefixtures("now")
async def test_a_push_that_an_entity_failed_and_its_retry_are_kept_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    events: list[dict[str, Any]] = []
    log_of(loaded_entry).async_subscribe(events.append)
    body = fixture_bytes("inbound_message.xml")

    with raising_once(LastInboundMessageSensor, "_async_show"):
        refused = await post_notification(body)
        assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
        retried = await post_notification(body)

    assert await retried.text() == "processed"
    assert thread_messages(loaded_entry, ALICE) == [message(FIXTURE_MESSAGE_ID)]
    assert [event["type"] for event in events] == ["message"]
    [thread] = log_of(loaded_entry).threads_payload()
    assert thread["unread"] == 1


async def test_a_receipt_that_an_entity_failed_and_its_retry_apply_once(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    await send_sms(hass, to="+447700900123", message="Gate open")
    body = receipt_push(FIRST_ID, occurred_at="2026-11-25T10:00:05")

    with raising_once(LastDeliveryStatusSensor, "_async_show"):
        refused = await post_notification(body)
        assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
        await processed(post_notification, body)

    assert thread_messages(api_entry, ALICE) == [
        message(
            FIRST_ID.lower(),
            direction="out",
            text="Gate open",
            status="delivered",
            status_time="2026-11-25T10:00:05+00:00",
        )
    ]


@pytest.mark.usefixtures("now")
async def test_the_entry_bounds_apply(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
) -> None:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_HISTORY_MAX_MESSAGES: 2, CONF_HISTORY_MAX_DAYS: 1}
    )
    await set_up(hass, config_entry)
    for number in range(3):
        freezer.tick(timedelta(minutes=1))
        await processed(post_notification, inbound_push(f"id-{number}", "Hi"))

    assert [kept["id"] for kept in thread_messages(config_entry, ALICE)] == [
        "id-1",
        "id-2",
    ]
    # Over a day later, they are gone from what subscribers are sent.
    freezer.tick(timedelta(days=1, seconds=1))
    assert log_of(config_entry).threads_payload() == []


# --- what subscribers are told ------------------------------------------------------


@pytest.mark.usefixtures("now")
async def test_subscribers_are_told_each_change_until_they_unsubscribe(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    log = log_of(loaded_entry)
    events: list[dict[str, Any]] = []
    unsubscribe = log.async_subscribe(events.append)

    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    log.async_mark_read(ALICE)
    # Nothing more to read: nobody is told.
    log.async_mark_read(ALICE)
    log.async_mark_read(BOB)
    unsubscribe()
    unsubscribe()
    await processed(post_notification, inbound_push(PUSH_ID, "Hello"))

    assert events == [
        {
            "type": "message",
            "message": message(FIXTURE_MESSAGE_ID),
            "thread": {
                "number": ALICE,
                "contact": None,
                "last": message(FIXTURE_MESSAGE_ID),
                "unread": 1,
            },
        },
        {
            "type": "thread",
            "thread": {
                "number": ALICE,
                "contact": None,
                "last": message(FIXTURE_MESSAGE_ID),
                "unread": 0,
            },
        },
    ]


async def test_subscribers_are_told_when_the_entry_unloads(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    events: list[dict[str, Any]] = []
    log_of(loaded_entry).async_subscribe(events.append)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)

    assert events == [{"type": "closed"}]


# --- saving -------------------------------------------------------------------------


@pytest.mark.usefixtures("now")
async def test_the_history_is_saved_once_per_delay_not_per_message(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    key = history_storage_key(ENTRY_ID)
    half = SAVE_DELAY_SECONDS / 2 + 1

    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    await save_delay_passes(hass, freezer, half)
    await processed(post_notification, inbound_push(PUSH_ID, "Hello"))
    assert key not in hass_storage
    await save_delay_passes(hass, freezer, half)

    # Written SAVE_DELAY_SECONDS after the first, with both: a bound, not a quiet
    # period that steady traffic would never reach.
    saved = hass_storage[key]
    assert (saved["version"], saved["minor_version"]) == (1, 1)
    assert [kept["id"] for kept in saved["data"]["messages"]] == [
        FIXTURE_MESSAGE_ID,
        PUSH_ID.lower(),
    ]
    assert saved["data"]["read"] == {}
    # And once: nothing more is pending.
    del hass_storage[key]
    await save_delay_passes(hass, freezer)
    assert key not in hass_storage


@pytest.mark.usefixtures("now")
async def test_a_read_mark_is_saved(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    await save_delay_passes(hass, freezer)
    assert stored(hass_storage)["read"] == {}

    log_of(loaded_entry).async_mark_read(ALICE)
    await save_delay_passes(hass, freezer)

    assert stored(hass_storage)["read"] == {ALICE: 1}


@pytest.mark.usefixtures("now")
async def test_the_history_survives_a_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    log_of(loaded_entry).async_mark_read(ALICE)
    freezer.tick(timedelta(minutes=1))
    await processed(post_notification, inbound_push(PUSH_ID, "Hello", sender=BOB))
    before = log_of(loaded_entry)

    # Saved at the unload, without waiting for the delay.
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert [kept["id"] for kept in stored(hass_storage)["messages"]] == [
        FIXTURE_MESSAGE_ID,
        PUSH_ID.lower(),
    ]
    await set_up(hass, loaded_entry)

    after = log_of(loaded_entry)
    assert after is not before
    assert after.threads_payload() == [
        {
            "number": BOB,
            "contact": None,
            "last": message(
                PUSH_ID.lower(),
                number=BOB,
                text="Hello",
                time="2026-11-25T10:01:00+00:00",
            ),
            "unread": 1,
        },
        {
            "number": ALICE,
            "contact": None,
            "last": message(FIXTURE_MESSAGE_ID),
            "unread": 0,
        },
    ]


async def test_the_history_of_a_delayed_save_is_read_after_a_restart(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await processed(post_notification, inbound_push(PUSH_ID, "Open the gate"))
    log_of(api_entry).async_mark_read(ALICE)
    await send_sms(hass, to="+447700900123", message="Gate open")
    await processed(
        post_notification, receipt_push(FIRST_ID, occurred_at="2026-11-25T10:00:05")
    )
    expected = all_messages(api_entry)
    await save_delay_passes(hass, freezer)
    # What a restart finds: the delayed save, with no unload to write it again.
    written = hass_storage[history_storage_key(API_ENTRY_ID)]
    assert await hass.config_entries.async_unload(api_entry.entry_id)
    hass_storage[history_storage_key(API_ENTRY_ID)] = written

    await set_up(hass, api_entry)

    assert all_messages(api_entry) == expected
    assert expected[-1]["status"] == "delivered"
    [thread] = log_of(api_entry).threads_payload()
    assert thread["unread"] == 0


async def test_a_closed_log_saves_nothing_more(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """As the receiver's record: what the unload saved is what the next load reads."""
    log = log_of(api_entry)
    assert await hass.config_entries.async_unload(api_entry.entry_id)
    saved = stored(hass_storage, API_ENTRY_ID)

    # Say a send that was under way when the entry unloaded.
    log.async_record_sent(FIRST_ID, "+447700900123", "Gate open")
    await save_delay_passes(hass, freezer)

    assert stored(hass_storage, API_ENTRY_ID) == saved == {"messages": [], "read": {}}


# --- the history off, removed, unreadable -------------------------------------------


@pytest.mark.usefixtures("now")
async def test_with_the_history_off_nothing_is_kept_and_the_stored_one_goes(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    key = history_storage_key(API_ENTRY_ID)
    store_history(
        hass_storage, {"messages": [message("old")], "read": {}}, API_ENTRY_ID
    )
    entry = add_api_entry(hass, options={CONF_HISTORY_MAX_MESSAGES: 0})

    await set_up(hass, entry)

    assert key not in hass_storage
    assert not log_of(entry).enabled
    await processed(post_notification, inbound_push(PUSH_ID, "Hello"))
    await processed(
        post_notification,
        fixture_bytes("opt_out_received_at.xml").replace(
            FIXTURE_ACCOUNT_ID.encode(), ACCOUNT_ID.encode()
        ),
    )
    await send_sms(hass, to="+447700900123", message="Gate open")
    await processed(post_notification, receipt_push(FIRST_ID))
    assert all_messages(entry) == []
    assert log_of(entry).threads_payload() == []
    await save_delay_passes(hass, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert key not in hass_storage


async def test_removing_the_entry_deletes_its_history(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert history_storage_key(ENTRY_ID) in hass_storage

    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert history_storage_key(ENTRY_ID) not in hass_storage


@pytest.mark.parametrize(
    "data",
    [
        {"messages": [message("m-1", time="2026-11-25T10:00:00")], "read": {}},
        {"messages": [message("m-1", direction="sideways")], "read": {}},
        {"messages": [message("m-1")]},
        {"messages": [message("m-1")], "read": {ALICE: "all"}},
        {"messages": "nonsense", "read": {}},
        ["not", "a", "history"],
        "nonsense",
    ],
    ids=[
        "naive-time",
        "direction",
        "no-read",
        "read-position",
        "messages-not-a-list",
        "a-list",
        "a-string",
    ],
)
@pytest.mark.usefixtures("now")
async def test_an_unreadable_stored_history_is_logged_and_ignored(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    *,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    data: object,
) -> None:
    store_history(hass_storage, data)

    with caplog.at_level(logging.WARNING, logger=message_log_module.__name__):
        await set_up(hass, config_entry)

    assert "Ignoring the unreadable message history of Esendex SMS" in caplog.text
    assert log_of(config_entry).threads_payload() == []
    # It goes on: new messages are kept, and saved over the unreadable one.
    await processed(post_notification, fixture_bytes("inbound_message.xml"))
    await save_delay_passes(hass, freezer)
    assert stored(hass_storage) == {
        "messages": [message(FIXTURE_MESSAGE_ID)],
        "read": {},
    }


@pytest.mark.usefixtures("now")
async def test_a_stored_history_beyond_the_days_kept_is_forgotten_at_load(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    store_history(
        hass_storage,
        {
            "messages": [
                message("31-days", time="2026-10-25T10:00:00+00:00"),
                message("29-days", time="2026-10-27T10:00:00+00:00"),
            ],
            "read": {ALICE: 1},
        },
    )

    await set_up(hass, config_entry)

    assert [kept["id"] for kept in thread_messages(config_entry, ALICE)] == ["29-days"]
    # Read up to the forgotten one: the other is unread.
    [thread] = log_of(config_entry).threads_payload()
    assert thread["unread"] == 1


# --- not in the entities ------------------------------------------------------------


@pytest.mark.usefixtures("now")
async def test_no_entity_attribute_carries_the_history(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    entity_registry: er.EntityRegistry,
) -> None:
    await processed(post_notification, inbound_push(PUSH_ID, "First question"))
    await send_sms(hass, to="+447700900123", message="First answer")
    await processed(post_notification, inbound_push(INBOX_ID, "Second question"))
    await send_sms(hass, to="+447700900123", message="Second answer")
    await processed(post_notification, receipt_push(SECOND_ID))
    assert len(all_messages(api_entry)) == 4

    entities = er.async_entries_for_config_entry(entity_registry, API_ENTRY_ID)
    assert entities
    for entity in entities:
        state = hass.states.get(entity.entity_id)
        assert state is not None
        written = json.dumps(dict(state.attributes), default=str)
        # Only the last message is shown, as before: the earlier ones are not there.
        assert "First question" not in written
        assert "First answer" not in written
        assert not {"history", "messages", "threads"} & set(state.attributes)
