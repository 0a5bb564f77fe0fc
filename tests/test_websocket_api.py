"""The messages websocket API (websocket_api.py), as docs/websocket-api.md promises it.

Through Home Assistant's websocket server, as the messages card talks to it, with
entries set up for real: pushes posted to the webhook, SMS sent with the
`esendex.send_sms` action to the fake of Esendex's REST API.
"""

from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.esendex.const import DOMAIN
from custom_components.esendex.contacts import CONF_PHONE_NUMBER, SUBENTRY_TYPE_CONTACT
from custom_components.esendex.message_log import (
    CONF_HISTORY_MAX_MESSAGES,
    CONF_HISTORY_NON_ADMIN,
)

from .api_support import (
    API_ENTRY_ID,
    FakeEsendex,
    add_api_entry,
    inbound_push,
    receipt_push,
)
from .conftest import PostNotification
from .test_message_log import (
    ALICE,
    BOB,
    ENTRY_ID,
    FIRST_ID,
    NOW,
    message,
    processed,
    send_sms,
    set_up,
)

SUBSCRIBE = "esendex/messages/subscribe"
THREAD = "esendex/messages/thread"
MARK_READ = "esendex/messages/mark_read"
COMMANDS = [
    {"type": SUBSCRIBE},
    {"type": THREAD, "number": ALICE},
    {"type": MARK_READ, "number": ALICE},
]
COMMAND_IDS = ["subscribe", "thread", "mark_read"]


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture(autouse=True)
def now(freezer: FrozenDateTimeFactory) -> datetime:
    """The frozen time the tests start at; before anything, the users' tokens too."""
    freezer.move_to(NOW)
    return dt_util.utcnow()


@pytest.fixture(autouse=True)
async def websocket_api(hass: HomeAssistant, now: datetime) -> None:
    """The websocket API, set up before any HTTP client freezes the server's routes."""
    assert await async_setup_component(hass, "websocket_api", {})


@pytest.fixture
async def api_entry(
    hass: HomeAssistant, esendex: FakeEsendex, now: datetime
) -> MockConfigEntry:
    """An entry with API credentials, set up."""
    return await set_up(hass, add_api_entry(hass))


async def call(client: MockHAClientWebSocket, **command: Any) -> dict[str, Any]:
    """Send a command and return its answer."""
    await client.send_json_auto_id(command)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def result(client: MockHAClientWebSocket, **command: Any) -> Any:
    """Send a command, check that it succeeded and return its result."""
    answer = await call(client, **command)
    assert answer["success"], answer
    return answer["result"]


async def error(client: MockHAClientWebSocket, **command: Any) -> str:
    """Send a command, check that it failed and return the error's code."""
    answer = await call(client, **command)
    assert answer["type"] == "result"
    assert not answer["success"], answer
    code: str = answer["error"]["code"]
    return code


async def subscribe(
    client: MockHAClientWebSocket, **target: Any
) -> tuple[int, dict[str, Any]]:
    """Subscribe; return the subscription's id and its first event (the threads)."""
    answer = await call(client, type=SUBSCRIBE, **target)
    assert answer["success"], answer
    assert answer["result"] is None
    return answer["id"], await next_event(client, answer["id"])


async def next_event(client: MockHAClientWebSocket, subscription: int) -> Any:
    received = await client.receive_json()
    assert received["type"] == "event", received
    assert received["id"] == subscription
    return received["event"]


async def assert_no_event(client: MockHAClientWebSocket) -> None:
    """Check that nothing was sent meanwhile: the next message answers a ping."""
    await client.send_json_auto_id({"type": "ping"})
    received = await client.receive_json()
    assert received["type"] == "pong", received


async def mark_read_while_subscribed(
    client: MockHAClientWebSocket, subscription: int, **target: Any
) -> Any:
    """Mark Alice's thread read on the connection that subscribed; return the event.

    The command's result and the subscription's event may come in either order.
    """
    await client.send_json_auto_id({"type": MARK_READ, "number": ALICE, **target})
    received = [await client.receive_json(), await client.receive_json()]
    [answer] = [item for item in received if item["type"] == "result"]
    [event] = [item for item in received if item["type"] == "event"]
    assert answer["success"], answer
    assert answer["result"] is None
    assert event["id"] == subscription
    return event["event"]


def thread(
    number: str, last: dict[str, Any], unread: int, contact: str | None = None
) -> dict[str, Any]:
    return {"number": number, "contact": contact, "last": last, "unread": unread}


def device_id_of(hass: HomeAssistant, entry_id: str) -> str:
    """Return the id of the entry's device, as the card editor's picker gives it."""
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert device.identifiers == {(DOMAIN, entry_id)}
    return device.id


@pytest.fixture
async def contact_entry(
    hass: HomeAssistant, esendex: FakeEsendex, now: datetime
) -> MockConfigEntry:
    """An entry with API credentials and Alice as a contact, set up."""
    entry = add_api_entry(hass)
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({CONF_NAME: "Alice", CONF_PHONE_NUMBER: f"+{ALICE}"}),
            subentry_type=SUBENTRY_TYPE_CONTACT,
            title="Alice",
            unique_id=ALICE,
        ),
    )
    return await set_up(hass, entry)


@pytest.fixture
async def receive_only(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, now: datetime
) -> MockConfigEntry:
    """The receive-only entry, set up, at the frozen time."""
    return loaded_entry


# --- subscribe ----------------------------------------------------------------------


async def test_subscribe_sends_the_threads_newest_first_with_contacts(
    hass: HomeAssistant,
    contact_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
) -> None:
    await processed(post_notification, inbound_push("ID-A", "From Alice"))
    freezer.tick(timedelta(minutes=1))
    await processed(post_notification, inbound_push("ID-B", "From Bob", sender=BOB))
    later = "2026-11-25T10:01:00+00:00"
    client = await hass_ws_client(hass)

    _, threads = await subscribe(client, entry_id=API_ENTRY_ID)

    assert threads == {
        "type": "threads",
        "entry_id": API_ENTRY_ID,
        "can_send": True,
        "threads": [
            thread(BOB, message("id-b", number=BOB, text="From Bob", time=later), 1),
            thread(ALICE, message("id-a", text="From Alice"), 1, contact="Alice"),
        ],
    }


async def test_a_receive_only_entry_cannot_send(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client = await hass_ws_client(hass)

    _, threads = await subscribe(client, entry_id=ENTRY_ID)

    assert threads == {
        "type": "threads",
        "entry_id": ENTRY_ID,
        "can_send": False,
        "threads": [],
    }


async def test_a_push_arrives_as_a_message_with_its_thread(
    hass: HomeAssistant,
    contact_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    subscription, _ = await subscribe(client, entry_id=API_ENTRY_ID)

    await processed(post_notification, inbound_push("ID-A", "Gate code please"))

    pushed = message("id-a")
    assert await next_event(client, subscription) == {
        "type": "message",
        "message": pushed,
        "thread": thread(ALICE, pushed, 1, contact="Alice"),
    }


async def test_a_sent_sms_and_its_receipt_arrive_as_messages(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    subscription, _ = await subscribe(client, entry_id=API_ENTRY_ID)

    await send_sms(hass, to="+447700900123", message="Gate open")
    sent = message(FIRST_ID.lower(), direction="out", text="Gate open")
    assert await next_event(client, subscription) == {
        "type": "message",
        "message": sent,
        "thread": thread(ALICE, sent, 0),
    }
    await processed(
        post_notification, receipt_push(FIRST_ID, occurred_at="2026-11-25T10:00:05")
    )

    delivered = {
        **sent,
        "status": "delivered",
        "status_time": "2026-11-25T10:00:05+00:00",
    }
    assert await next_event(client, subscription) == {
        "type": "message",
        "message": delivered,
        "thread": thread(ALICE, delivered, 0),
    }


async def test_unsubscribing_stops_the_events(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    subscription, _ = await subscribe(client, entry_id=ENTRY_ID)

    await result(client, type="unsubscribe_events", subscription=subscription)
    await processed(post_notification, inbound_push("ID-A", "Hello"))
    await result(client, type=MARK_READ, entry_id=ENTRY_ID, number=ALICE)

    await assert_no_event(client)


async def test_a_reload_closes_the_subscription(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    subscription, _ = await subscribe(client, entry_id=ENTRY_ID)

    assert await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()

    assert await next_event(client, subscription) == {"type": "closed"}
    # Nothing more: the entry's new history has its own subscribers.
    await processed(post_notification, inbound_push("ID-A", "Hello"))
    await assert_no_event(client)
    # Subscribing again gets it.
    _, threads = await subscribe(client, entry_id=ENTRY_ID)
    assert [item["last"]["id"] for item in threads["threads"]] == ["id-a"]
    # Unsubscribing from the closed one is harmless.
    await result(client, type="unsubscribe_events", subscription=subscription)


async def test_with_the_history_off_there_are_no_threads(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
    now: datetime,
) -> None:
    await set_up(hass, add_api_entry(hass, options={CONF_HISTORY_MAX_MESSAGES: 0}))
    client = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "Hello"))

    _, threads = await subscribe(client, entry_id=API_ENTRY_ID)

    assert threads["threads"] == []
    assert await result(client, type=THREAD, entry_id=API_ENTRY_ID, number=ALICE) == {
        "messages": [],
        "has_more": False,
    }
    await processed(post_notification, inbound_push("ID-B", "Hello"))
    await assert_no_event(client)


# --- thread -------------------------------------------------------------------------


async def test_a_thread_comes_in_pages_oldest_first(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
) -> None:
    for number in range(5):
        await processed(post_notification, inbound_push(f"ID-{number}", str(number)))
        freezer.tick(timedelta(minutes=1))
    await processed(post_notification, inbound_push("ID-BOB", "Bob", sender=BOB))
    client = await hass_ws_client(hass)

    async def page(**paging: Any) -> tuple[list[str], bool]:
        answer = await result(
            client, type=THREAD, entry_id=ENTRY_ID, number=ALICE, **paging
        )
        return [item["id"] for item in answer["messages"]], answer["has_more"]

    assert await page() == (["id-0", "id-1", "id-2", "id-3", "id-4"], False)
    assert await page(limit=2) == (["id-3", "id-4"], True)
    assert await page(limit=2, before="id-3") == (["id-1", "id-2"], True)
    assert await page(limit=2, before="ID-1") == (["id-0"], False)
    assert await page(limit=2, before="id-0") == ([], False)
    # An id of another thread, or none at all, is not in this one.
    assert await page(limit=2, before="id-bob") == ([], False)
    # Whole messages, as subscribe sends them.
    answer = await result(client, type=THREAD, entry_id=ENTRY_ID, number=BOB)
    assert answer == {
        "messages": [
            message("id-bob", number=BOB, text="Bob", time="2026-11-25T10:05:00+00:00")
        ],
        "has_more": False,
    }


async def test_an_unknown_number_is_an_empty_page(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "Hello"))

    answer = await result(client, type=THREAD, entry_id=ENTRY_ID, number=BOB)

    assert answer == {"messages": [], "has_more": False}


async def test_the_default_page_is_50_messages(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
) -> None:
    for number in range(51):
        await processed(post_notification, inbound_push(f"id-{number:02}", "Hi"))
        freezer.tick(timedelta(seconds=1))
    client = await hass_ws_client(hass)

    answer = await result(client, type=THREAD, entry_id=ENTRY_ID, number=ALICE)

    assert len(answer["messages"]) == 50
    assert answer["messages"][0]["id"] == "id-01"
    assert answer["has_more"]


@pytest.mark.parametrize("limit", [0, 201, -1, "many"])
async def test_a_limit_out_of_range_is_refused(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    limit: object,
) -> None:
    client = await hass_ws_client(hass)

    code = await error(
        client, type=THREAD, entry_id=ENTRY_ID, number=ALICE, limit=limit
    )

    assert code == "invalid_format"


@pytest.mark.parametrize("limit", [1, 200])
async def test_the_limits_of_the_range_are_accepted(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
    limit: int,
) -> None:
    client = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "Hello"))

    answer = await result(
        client, type=THREAD, entry_id=ENTRY_ID, number=ALICE, limit=limit
    )

    assert [item["id"] for item in answer["messages"]] == ["id-a"]


# --- mark_read ----------------------------------------------------------------------


async def test_mark_read_sends_the_thread_with_nothing_unread(
    hass: HomeAssistant,
    contact_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    other = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "One"))
    await processed(post_notification, inbound_push("ID-B", "Two"))
    subscription, threads = await subscribe(client, entry_id=API_ENTRY_ID)
    assert threads["threads"][0]["unread"] == 2

    # From another connection (another browser), as the card marks what it shows.
    assert (
        await result(other, type=MARK_READ, entry_id=API_ENTRY_ID, number=ALICE) is None
    )

    assert await next_event(client, subscription) == {
        "type": "thread",
        "thread": thread(ALICE, message("id-b", text="Two"), 0, contact="Alice"),
    }
    # Read it stays, for every subscriber from now on.
    _, threads = await subscribe(other, entry_id=API_ENTRY_ID)
    assert threads["threads"][0]["unread"] == 0


async def test_mark_read_of_a_read_or_unknown_thread_tells_nobody(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "One"))
    await result(client, type=MARK_READ, entry_id=ENTRY_ID, number=ALICE)
    await subscribe(client, entry_id=ENTRY_ID)

    assert await result(client, type=MARK_READ, entry_id=ENTRY_ID, number=ALICE) is None
    assert await result(client, type=MARK_READ, entry_id=ENTRY_ID, number=BOB) is None

    await assert_no_event(client)


# --- naming the entry ---------------------------------------------------------------


async def test_every_command_takes_the_entrys_device(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    post_notification: PostNotification,
) -> None:
    client = await hass_ws_client(hass)
    await processed(post_notification, inbound_push("ID-A", "Hello"))
    device_id = device_id_of(hass, ENTRY_ID)

    subscription, threads = await subscribe(client, device_id=device_id)
    page = await result(client, type=THREAD, device_id=device_id, number=ALICE)
    event = await mark_read_while_subscribed(client, subscription, device_id=device_id)

    assert threads["entry_id"] == ENTRY_ID
    assert [item["number"] for item in threads["threads"]] == [ALICE]
    assert [item["id"] for item in page["messages"]] == ["id-a"]
    assert event["thread"]["unread"] == 0


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
async def test_an_unknown_entry_or_device_is_not_found(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    command: dict[str, Any],
) -> None:
    other = MockConfigEntry(domain="sms", entry_id="01JOTHERINTEGRATION000000")
    other.add_to_hass(hass)
    other_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("sms", "modem")}
    )
    client = await hass_ws_client(hass)

    for target in (
        {"entry_id": "01JNOSUCHENTRY00000000000"},
        {"entry_id": other.entry_id},
        {"device_id": "no-such-device"},
        {"device_id": other_device.id},
        {},
    ):
        assert await error(client, **command, **target) == "not_found", target


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
async def test_an_entry_that_is_not_loaded_is_not_found(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    command: dict[str, Any],
) -> None:
    client = await hass_ws_client(hass)
    device_id = device_id_of(hass, ENTRY_ID)
    assert await hass.config_entries.async_unload(ENTRY_ID)

    assert await error(client, **command, entry_id=ENTRY_ID) == "not_found"
    assert await error(client, **command, device_id=device_id) == "not_found"


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
async def test_an_entry_and_a_device_at_once_are_refused(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    command: dict[str, Any],
) -> None:
    client = await hass_ws_client(hass)
    device_id = device_id_of(hass, ENTRY_ID)

    code = await error(client, **command, entry_id=ENTRY_ID, device_id=device_id)

    assert code == "invalid_format"


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
async def test_other_users_are_unauthorized(
    hass: HomeAssistant,
    receive_only: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    *,
    post_notification: PostNotification,
    command: dict[str, Any],
) -> None:
    reader = await hass_ws_client(hass, access_token=hass_read_only_access_token)
    await processed(post_notification, inbound_push("ID-A", "Hello"))

    assert await error(reader, **command, entry_id=ENTRY_ID) == "unauthorized"
    assert (
        await error(reader, **command, device_id=device_id_of(hass, ENTRY_ID))
        == "unauthorized"
    )
    # Nothing was marked read for them.
    [thread_now] = receive_only.runtime_data.history.threads_payload()
    assert thread_now["unread"] == 1


async def test_other_users_may_read_where_the_options_allow_it(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    *,
    post_notification: PostNotification,
    now: datetime,
) -> None:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_HISTORY_NON_ADMIN: True}
    )
    await set_up(hass, config_entry)
    reader = await hass_ws_client(hass, access_token=hass_read_only_access_token)
    await processed(post_notification, inbound_push("ID-A", "Hello"))

    subscription, threads = await subscribe(reader, entry_id=ENTRY_ID)
    page = await result(reader, type=THREAD, entry_id=ENTRY_ID, number=ALICE)
    event = await mark_read_while_subscribed(reader, subscription, entry_id=ENTRY_ID)

    assert [item["number"] for item in threads["threads"]] == [ALICE]
    assert [item["id"] for item in page["messages"]] == ["id-a"]
    assert event["thread"]["unread"] == 0


async def test_the_non_admin_option_is_per_entry(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    esendex: FakeEsendex,
    hass_ws_client: WebSocketGenerator,
    *,
    hass_read_only_access_token: str,
    now: datetime,
) -> None:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_HISTORY_NON_ADMIN: True}
    )
    await set_up(hass, config_entry)
    await set_up(hass, add_api_entry(hass, webhook_id="a" * 64))
    reader = await hass_ws_client(hass, access_token=hass_read_only_access_token)

    await subscribe(reader, entry_id=ENTRY_ID)

    assert await error(reader, type=SUBSCRIBE, entry_id=API_ENTRY_ID) == (
        "unauthorized"
    )
