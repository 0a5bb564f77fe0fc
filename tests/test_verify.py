"""Verified messages: each pushed SMS is read back from Esendex and compared.

First with a fake REST client (what the verifier decides, waits for and keeps),
then through a loaded entry with API credentials, whose own client reaches the
stateful fake of Esendex's REST API in tests/api_support.py.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
import logging
from typing import Any

from aiohttp import ClientConnectionError
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex import verify as verify_module
from custom_components.esendex.api import (
    EsendexAuthError,
    EsendexClient,
    EsendexConnectionError,
    EsendexError,
    EsendexRequestError,
    EsendexResponseError,
    EsendexServerError,
    MessageNotFoundError,
    StoredMessage,
)
from custom_components.esendex.const import (
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_VERIFIED,
)
from custom_components.esendex.protocol import InboundMessage
from custom_components.esendex.receiver import ReceivedInbound
from custom_components.esendex.verify import (
    VERIFY_CONCURRENCY,
    VERIFY_MAX_RESULTS,
    InboundVerifier,
    differences,
    same_number,
    unverified_push_issue_id,
)

from .api_support import (
    ACCOUNT_ID,
    API_ENTRY_ID,
    HEADER,
    VIRTUAL_NUMBER,
    FakeEsendex,
    add_api_entry,
    async_settle,
    inbound_push,
)
from .conftest import PostNotification

VERIFY_LOGGER = verify_module.__name__
ENTRY_ID = "01JESENDEXVERIFYENTRY0000"
# As Esendex writes message ids, in upper case; results are kept in lower case.
MESSAGE_ID = "D6258601-3442-484F-B2AC-300088A8A4D4"
OTHER_ID = "0E5B2F8A-1C3D-4E5F-A6B7-C8D9E0F1A2B3"
SENDER = "447700900123"
TEXT = "OPEN GATE 4921"


def pushed(
    message_id: str = MESSAGE_ID,
    *,
    sender: str = SENDER,
    recipient: str = VIRTUAL_NUMBER,
    text: str = TEXT,
) -> InboundMessage:
    """An InboundMessage push, as protocol.py parses it."""
    return InboundMessage(
        notification_id=f"push-{message_id}",
        message_id=message_id,
        account_id=ACCOUNT_ID,
        sender=sender,
        recipient=recipient,
        text=text,
        received_at=None,
    )


def kept(
    message_id: str = MESSAGE_ID,
    *,
    sender: str = SENDER,
    recipient: str = VIRTUAL_NUMBER,
    text: str = TEXT,
    direction: str | None = "Inbound",
) -> StoredMessage:
    """The same SMS as Esendex keeps it (async_get_message's answer)."""
    return StoredMessage(
        message_id=message_id.lower(),
        sender=sender,
        recipient=recipient,
        text=text,
        direction=direction,
        received_at=datetime(2026, 5, 1, 10, tzinfo=UTC),
    )


class FakeReader:
    """A REST client that has `messages`, raises `errors`, and can be held.

    Every call waits for `gate` when one is set; the first calls also wait for
    one of `gates` each, in order.
    """

    def __init__(self) -> None:
        self.messages: dict[str, StoredMessage] = {}
        self.errors: dict[str, Exception] = {}
        self.calls: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.gate: asyncio.Event | None = None
        self.gates: list[asyncio.Event] = []

    def has(self, message: StoredMessage) -> None:
        self.messages[message.message_id] = message

    async def async_get_message(self, message_id: str) -> StoredMessage:
        self.calls.append(message_id)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gates:
                await self.gates.pop(0).wait()
            if self.gate is not None:
                await self.gate.wait()
            if (error := self.errors.get(message_id)) is not None:
                raise error
            if (message := self.messages.get(message_id.lower())) is None:
                raise MessageNotFoundError(HTTPStatus.NOT_FOUND, "Not Found")
            return message
        finally:
            self.in_flight -= 1


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """The entry the verifier belongs to; its background tasks run the checks."""
    entry = MockConfigEntry(domain=DOMAIN, title="Home SMS", entry_id=ENTRY_ID)
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
def reader() -> FakeReader:
    return FakeReader()


@pytest.fixture
def verifier(
    hass: HomeAssistant, entry: MockConfigEntry, reader: FakeReader
) -> InboundVerifier:
    return InboundVerifier(hass, entry, reader)


@pytest.fixture
def verified_events(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    events: list[Event[dict[str, Any]]] = async_capture_events(
        hass, EVENT_MESSAGE_VERIFIED
    )
    return events


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


def verify_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == VERIFY_LOGGER and record.levelno >= logging.WARNING
    ]


def verify_debug(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == VERIFY_LOGGER and record.levelno == logging.DEBUG
    ]


def event_data(events: list[Event[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [dict(event.data) for event in events]


# --- the comparison ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("447700900123", "447700900123"),
        ("+447700900123", "447700900123"),
        ("+44 7700 900123", "447700900123"),
        ("+44 (0)7700 900-123", "+447700900123"),
        ("MyBank", "MYBANK"),
        (" MyBank ", "mybank"),
    ],
)
def test_same_number(first: str, second: str) -> None:
    assert same_number(first, second)
    assert same_number(second, first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("447700900123", "447700900124"),
        ("447700900123", "4477009001230"),
        ("MyBank", "447700900123"),
        ("MyBank", "MyBank2"),
        ("07700900123", "447700900123"),  # a national number is another number
    ],
)
def test_different_numbers(first: str, second: str) -> None:
    assert not same_number(first, second)
    assert not same_number(second, first)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (kept(), []),
        (kept(sender="+44 7700 900123"), []),
        (kept(direction=None), []),
        (kept(direction="INBOUND"), []),
        (kept(sender="447700900999"), ["sender"]),
        (kept(recipient="447860000001"), ["recipient"]),
        (kept(text="OPEN GATE 4922"), ["text"]),
        # Exactly: case and inner spacing are part of the text.
        (kept(text="open gate 4921"), ["text"]),
        (kept(text="OPEN  GATE 4921"), ["text"]),
        (kept(direction="Outbound"), ["direction"]),
        (
            kept(sender="1", recipient="2", text="", direction="Outbound"),
            ["sender", "recipient", "text", "direction"],
        ),
    ],
)
def test_differences(stored: StoredMessage, expected: list[str]) -> None:
    assert differences(pushed(), stored) == expected


# --- a check and its result --------------------------------------------------


async def test_a_push_that_esendex_has_is_verified(
    hass: HomeAssistant,
    *,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reader.has(kept())

    verifier.async_start(pushed())
    await settle(hass)

    assert reader.calls == [MESSAGE_ID]
    assert event_data(verified_events) == [
        {
            "config_entry_id": ENTRY_ID,
            "message_id": MESSAGE_ID.lower(),
            "verified": True,
        }
    ]
    assert verifier.result(MESSAGE_ID) is True
    assert await verifier.async_wait(MESSAGE_ID, 30) is True
    assert await verifier.async_wait(MESSAGE_ID.lower(), 30) is True
    assert (
        issue_registry.async_get_issue(DOMAIN, unverified_push_issue_id(ENTRY_ID))
        is None
    )
    assert verify_warnings(caplog) == []
    assert verifier.unverified_count == 0


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        (None, "Esendex has no message with this id"),
        (kept(sender="447700900999"), "Esendex's message differs: sender"),
        (kept(recipient="447860000001"), "Esendex's message differs: recipient"),
        (kept(text="OPEN GATE 0000"), "Esendex's message differs: text"),
        (kept(direction="Outbound"), "Esendex's message differs: direction"),
    ],
    ids=["not found", "sender", "recipient", "text", "sent message"],
)
async def test_a_push_that_esendex_did_not_send(
    hass: HomeAssistant,
    *,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
    stored: StoredMessage | None,
    reason: str,
) -> None:
    if stored is not None:
        reader.has(stored)

    verifier.async_start(pushed())
    await settle(hass)

    assert event_data(verified_events) == [
        {
            "config_entry_id": ENTRY_ID,
            "message_id": MESSAGE_ID.lower(),
            "verified": False,
        }
    ]
    assert await verifier.async_wait(MESSAGE_ID, 30) is False
    [warning] = verify_warnings(caplog)
    assert warning.startswith(
        f"Home SMS received a push for SMS {MESSAGE_ID.lower()} that Esendex did not "
        f"send ({reason})"
    )
    issue = issue_registry.async_get_issue(DOMAIN, unverified_push_issue_id(ENTRY_ID))
    assert issue is not None
    assert issue.translation_key == "unverified_push"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.translation_placeholders == {
        "title": "Home SMS",
        "count": "1",
        "message_id": MESSAGE_ID.lower(),
    }
    # Nothing of the SMS itself: issues end up in screenshots (logs are shared).
    for secret in (TEXT, "OPEN GATE", SENDER, VIRTUAL_NUMBER, "447700900999"):
        assert secret not in str(issue.translation_placeholders)
        assert secret not in warning


async def test_each_unverified_push_is_counted_in_one_issue(
    hass: HomeAssistant,
    verifier: InboundVerifier,
    reader: FakeReader,
    issue_registry: ir.IssueRegistry,
) -> None:
    reader.has(kept())
    for message in (pushed(OTHER_ID), pushed(), pushed("A1"), pushed("B2")):
        verifier.async_start(message)
        await settle(hass)

    issues = [
        issue
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN
    ]
    assert [issue.issue_id for issue in issues] == [unverified_push_issue_id(ENTRY_ID)]
    assert issues[0].translation_placeholders == {
        "title": "Home SMS",
        "count": "3",
        "message_id": "b2",
    }
    assert verifier.unverified_count == 3


@pytest.mark.parametrize(
    "error",
    [
        EsendexConnectionError("cannot reach Esendex: refused"),
        EsendexServerError(HTTPStatus.SERVICE_UNAVAILABLE, "Service Unavailable"),
        EsendexAuthError(HTTPStatus.UNAUTHORIZED, "Unauthorised"),
        EsendexRequestError(HTTPStatus.TOO_MANY_REQUESTS, "Slow down"),
        EsendexResponseError("expected <messageheader> from Esendex, got <html>"),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_unknown_when_esendex_cannot_tell(
    hass: HomeAssistant,
    *,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
    error: EsendexError,
) -> None:
    caplog.set_level(logging.DEBUG, logger=VERIFY_LOGGER)
    reader.has(kept())
    reader.errors[MESSAGE_ID] = error

    verifier.async_start(pushed())
    await settle(hass)

    assert event_data(verified_events) == [
        {
            "config_entry_id": ENTRY_ID,
            "message_id": MESSAGE_ID.lower(),
            "verified": None,
        }
    ]
    assert await verifier.async_wait(MESSAGE_ID, 30) is None
    assert verify_warnings(caplog) == []
    message_id = MESSAGE_ID.lower()
    assert verify_debug(caplog) == [
        f"Could not verify message {message_id} of Home SMS with Esendex: {error}"
    ]
    assert (
        issue_registry.async_get_issue(DOMAIN, unverified_push_issue_id(ENTRY_ID))
        is None
    )
    assert verifier.unverified_count == 0


async def test_a_caught_up_message_is_verified_without_a_call(
    hass: HomeAssistant,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
) -> None:
    verifier.async_caught_up(MESSAGE_ID)

    assert reader.calls == []
    assert event_data(verified_events) == [
        {
            "config_entry_id": ENTRY_ID,
            "message_id": MESSAGE_ID.lower(),
            "verified": True,
        }
    ]
    assert await verifier.async_wait(MESSAGE_ID, 30) is True


# --- waiting -----------------------------------------------------------------


async def test_a_waiter_gets_the_result_of_the_running_check(
    hass: HomeAssistant, verifier: InboundVerifier, reader: FakeReader
) -> None:
    reader.has(kept())
    reader.gate = asyncio.Event()
    verifier.async_start(pushed())
    waiter = hass.async_create_background_task(
        verifier.async_wait(MESSAGE_ID.lower(), 30), "waiter"
    )
    await hass.async_block_till_done()
    assert not waiter.done()
    assert verifier.result(MESSAGE_ID) is None

    reader.gate.set()
    await settle(hass)

    assert await waiter is True


async def test_a_waiter_gives_up_at_its_timeout_and_the_check_goes_on(
    hass: HomeAssistant,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
) -> None:
    reader.has(kept())
    reader.gate = asyncio.Event()
    verifier.async_start(pushed())
    patient = hass.async_create_background_task(
        verifier.async_wait(MESSAGE_ID, 3600), "patient"
    )

    assert await verifier.async_wait(MESSAGE_ID, 0) is None

    # Another waiter, and the check, were not given up with it.
    reader.gate.set()
    await settle(hass)
    assert await patient is True
    assert [event.data["verified"] for event in verified_events] == [True]
    assert await verifier.async_wait(MESSAGE_ID, 0) is True


async def test_an_unknown_message_is_none(
    hass: HomeAssistant, verifier: InboundVerifier, reader: FakeReader
) -> None:
    reader.has(kept())
    verifier.async_start(pushed())
    await settle(hass)

    assert await verifier.async_wait(OTHER_ID, 30) is None
    assert verifier.result(OTHER_ID) is None


async def test_a_waiter_started_by_the_inbound_event_finds_the_check(
    hass: HomeAssistant, verifier: InboundVerifier, reader: FakeReader
) -> None:
    """The receiver fires the bus event, and only then starts the check."""
    reader.has(kept())
    waiters: list[asyncio.Task[bool | None]] = []

    @callback
    def inbound(event: Event[dict[str, Any]]) -> None:
        # Started eagerly, as hass.async_create_task does by default.
        waiters.append(
            hass.async_create_task(verifier.async_wait(event.data["message_id"], 30))
        )

    hass.bus.async_listen(EVENT_INBOUND_MESSAGE, inbound)
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, {"message_id": MESSAGE_ID.lower()})
    verifier.async_start(pushed())
    await settle(hass)

    assert [await waiter for waiter in waiters] == [True]


async def test_a_second_check_of_the_same_message_is_what_later_waiters_get(
    hass: HomeAssistant, verifier: InboundVerifier, reader: FakeReader
) -> None:
    reader.has(kept())
    first_call, second_call = reader.gates = [asyncio.Event(), asyncio.Event()]
    verifier.async_start(pushed())
    first = hass.async_create_background_task(
        verifier.async_wait(MESSAGE_ID, 30), "first"
    )
    verifier.async_start(pushed(text="CLOSE GATE"))
    second = hass.async_create_background_task(
        verifier.async_wait(MESSAGE_ID, 30), "second"
    )

    # The first check ends: a waiter from now on still waits for the second.
    first_call.set()
    await hass.async_block_till_done()
    assert await first is True
    later = hass.async_create_background_task(
        verifier.async_wait(MESSAGE_ID, 30), "later"
    )
    await hass.async_block_till_done()
    assert not later.done()

    second_call.set()
    await settle(hass)
    assert (await second, await later) == (False, False)
    assert verifier.result(MESSAGE_ID) is False
    assert reader.calls == [MESSAGE_ID, MESSAGE_ID]
    # Both checks ended; nothing is left waiting.
    assert verifier._pending == {}


# --- bounds ------------------------------------------------------------------


async def test_results_are_kept_for_the_newest_messages_only(
    hass: HomeAssistant, verifier: InboundVerifier
) -> None:
    ids = [f"00000000-0000-4000-8000-{number:012d}" for number in range(1, 4)]
    verifier.async_caught_up(ids[0])
    for number in range(VERIFY_MAX_RESULTS - 2):
        verifier.async_caught_up(f"filler-{number}")
    verifier.async_caught_up(ids[1])
    # Seen again: it is now among the newest.
    verifier.async_caught_up(ids[0])
    verifier.async_caught_up(ids[2])

    assert len(verifier._results) == VERIFY_MAX_RESULTS
    assert [verifier.result(message_id) for message_id in ids] == [True, True, True]
    assert verifier.result("filler-0") is None
    assert verifier.result("filler-1") is True


async def test_requests_to_esendex_are_limited(
    hass: HomeAssistant, verifier: InboundVerifier, reader: FakeReader
) -> None:
    reader.gate = asyncio.Event()
    ids = [f"message-{number}" for number in range(VERIFY_CONCURRENCY + 3)]
    for message_id in ids:
        reader.has(kept(message_id))
        verifier.async_start(pushed(message_id))
    await hass.async_block_till_done()

    assert reader.in_flight == VERIFY_CONCURRENCY

    reader.gate.set()
    await settle(hass)
    assert reader.most_in_flight == VERIFY_CONCURRENCY
    assert sorted(reader.calls) == sorted(ids)
    assert [verifier.result(message_id) for message_id in ids] == [True] * len(ids)


async def test_a_flood_of_pushes_is_not_queued_without_bound(
    hass: HomeAssistant,
    *,
    verifier: InboundVerifier,
    reader: FakeReader,
    verified_events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger=VERIFY_LOGGER)
    monkeypatch.setattr(verify_module, "VERIFY_MAX_PENDING", 2)
    reader.gate = asyncio.Event()
    for message_id in ("a1", "a2", "a3"):
        reader.has(kept(message_id))
        verifier.async_start(pushed(message_id))

    # The third is unknown at once, and Esendex is not asked about it.
    assert verifier.result("a3") is None
    assert [event.data["message_id"] for event in verified_events] == ["a3"]
    assert verify_debug(caplog) == [
        "Not verifying message a3 of Home SMS: 2 checks are already waiting"
    ]
    reader.gate.set()
    await settle(hass)
    assert reader.calls == ["a1", "a2"]
    assert [verifier.result(id_) for id_ in ("a1", "a2", "a3")] == [True, True, None]


# --- through a loaded entry with API credentials ------------------------------


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture
async def api_entry(hass: HomeAssistant, esendex: FakeEsendex) -> MockConfigEntry:
    """An entry with API credentials, set up, its first inbox catch-up done."""
    entry = add_api_entry(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    return entry


@pytest.fixture
def entry_verifier(hass: HomeAssistant, api_entry: MockConfigEntry) -> InboundVerifier:
    """The entry's verifier, fed by its receiver as __init__.py wires it.

    Until the entry has one of its own (entry.runtime_data.verifier), one is made
    here with the entry's login, started for each pushed SMS and told of each
    caught-up one.
    """
    existing: InboundVerifier | None = getattr(api_entry.runtime_data, "verifier", None)
    if existing is not None:
        return existing
    client = EsendexClient(
        async_get_clientsession(hass),
        api_entry.data[CONF_USERNAME],
        api_entry.data[CONF_PASSWORD],
    )
    verifier = InboundVerifier(hass, api_entry, client)

    @callback
    def published(received: ReceivedInbound) -> None:
        if received.event_data["notification_id"] is None:
            verifier.async_caught_up(received.message.message_id)
        else:
            verifier.async_start(received.message)

    api_entry.async_on_unload(
        api_entry.runtime_data.receiver.async_listen_inbound(published)
    )
    return verifier


async def post_push(post_notification: PostNotification, body: str) -> None:
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK


async def test_a_real_sms_is_verified_without_holding_up_its_publishing(
    hass: HomeAssistant,
    *,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
) -> None:
    inbound = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")
    held = esendex.hold_header(MESSAGE_ID)

    # Answered, and published, while Esendex has not answered the check yet.
    await post_push(post_notification, inbound_push(MESSAGE_ID.lower(), TEXT))
    await held.reached.wait()
    assert [event.data["text"] for event in inbound] == [TEXT]
    assert verified_events == []

    held.release()
    await async_settle(hass)
    assert event_data(verified_events) == [
        {
            "config_entry_id": API_ENTRY_ID,
            "message_id": MESSAGE_ID.lower(),
            "verified": True,
        }
    ]
    assert await entry_verifier.async_wait(MESSAGE_ID, 30) is True
    assert (esendex.header_reads(MESSAGE_ID), esendex.body_reads(MESSAGE_ID)) == (1, 1)
    assert esendex.unexpected == []
    assert (
        issue_registry.async_get_issue(DOMAIN, unverified_push_issue_id(API_ENTRY_ID))
        is None
    )


async def test_a_long_real_sms_is_compared_with_its_full_text(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
) -> None:
    text = "The parcel is with your neighbour at number 12, collect after six."
    esendex.receive(MESSAGE_ID, text, "2026-05-01T10:00:00Z", sender="447700900456")

    await post_push(
        post_notification,
        inbound_push(MESSAGE_ID, text, sender="+447700900456"),
    )
    await async_settle(hass)

    assert entry_verifier.result(MESSAGE_ID) is True


@pytest.mark.parametrize(
    "push",
    [
        # An SMS id that Esendex has never seen.
        inbound_push(OTHER_ID, TEXT),
        # A real SMS's id, with another text, sender or recipient.
        inbound_push(MESSAGE_ID, "OPEN GATE 0000"),
        inbound_push(MESSAGE_ID, TEXT, sender="447700900999"),
        inbound_push(MESSAGE_ID, TEXT, recipient="447860000001"),
    ],
    ids=["unknown id", "text", "sender", "recipient"],
)
async def test_a_forged_push_is_published_unverified_with_a_repair_issue(
    hass: HomeAssistant,
    *,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
    push: str,
) -> None:
    inbound = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")

    await post_push(post_notification, push)
    await async_settle(hass)

    assert len(inbound) == 1
    [verified] = verified_events
    assert verified.data["verified"] is False
    assert verified.data["message_id"] == inbound[0].data["message_id"]
    assert await entry_verifier.async_wait(verified.data["message_id"], 30) is False
    assert len(verify_warnings(caplog)) == 1
    issue = issue_registry.async_get_issue(
        DOMAIN, unverified_push_issue_id(API_ENTRY_ID)
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": "Esendex SMS",
        "count": "1",
        "message_id": verified.data["message_id"],
    }


async def test_an_id_no_esendex_message_can_have_is_not_asked_about(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await post_push(post_notification, inbound_push("..", TEXT))
    await async_settle(hass)

    assert entry_verifier.result("..") is False
    assert esendex.count(HEADER) == 0
    assert esendex.unexpected == []
    [warning] = verify_warnings(caplog)
    assert "(it is not an Esendex message id)" in warning


@pytest.mark.parametrize(
    "fail",
    [
        lambda esendex: esendex.fail_header(MESSAGE_ID, HTTPStatus.SERVICE_UNAVAILABLE),
        lambda esendex: esendex.fail_header(
            MESSAGE_ID, exc=ClientConnectionError("refused")
        ),
        lambda esendex: esendex.fail_body(MESSAGE_ID, HTTPStatus.INTERNAL_SERVER_ERROR),
        lambda esendex: esendex.fail(HEADER, HTTPStatus.OK, "<html>Maintenance</html>"),
        lambda esendex: setattr(esendex, "password", "changed"),
    ],
    ids=["header 503", "unreachable", "body 500", "not XML", "password changed"],
)
async def test_unknown_when_the_api_cannot_answer(
    hass: HomeAssistant,
    *,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    verified_events: list[Event[dict[str, Any]]],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
    fail: Callable[[FakeEsendex], None],
) -> None:
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")
    fail(esendex)

    await post_push(post_notification, inbound_push(MESSAGE_ID, TEXT))
    await async_settle(hass)

    assert [event.data["verified"] for event in verified_events] == [None]
    assert await entry_verifier.async_wait(MESSAGE_ID, 30) is None
    assert verify_warnings(caplog) == []
    assert (
        issue_registry.async_get_issue(DOMAIN, unverified_push_issue_id(API_ENTRY_ID))
        is None
    )


async def test_the_body_of_a_message_esendex_lost_is_not_found(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
) -> None:
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")
    esendex.fail_body(MESSAGE_ID, HTTPStatus.NOT_FOUND, "Not Found")

    await post_push(post_notification, inbound_push(MESSAGE_ID, TEXT))
    await async_settle(hass)

    assert entry_verifier.result(MESSAGE_ID) is False
    assert esendex.body_reads(MESSAGE_ID) == 1


async def test_a_duplicate_push_is_not_checked_again(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    verified_events: list[Event[dict[str, Any]]],
) -> None:
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")

    await post_push(post_notification, inbound_push(MESSAGE_ID, TEXT))
    await post_push(post_notification, inbound_push(MESSAGE_ID, TEXT))
    await async_settle(hass)

    assert len(verified_events) == 1
    assert esendex.header_reads(MESSAGE_ID) == 1


async def test_unloading_ends_a_running_check_for_its_waiters(
    hass: HomeAssistant,
    *,
    esendex: FakeEsendex,
    api_entry: MockConfigEntry,
    entry_verifier: InboundVerifier,
    post_notification: PostNotification,
    verified_events: list[Event[dict[str, Any]]],
) -> None:
    esendex.receive(MESSAGE_ID, TEXT, "2026-05-01T10:00:00Z")
    held = esendex.hold_header(MESSAGE_ID)
    await post_push(post_notification, inbound_push(MESSAGE_ID, TEXT))
    await held.reached.wait()
    waiter = hass.async_create_background_task(
        entry_verifier.async_wait(MESSAGE_ID, 3600), "waiter"
    )
    await hass.async_block_till_done()
    assert not waiter.done()

    assert await hass.config_entries.async_unload(api_entry.entry_id)
    await hass.async_block_till_done()

    # At once, not at the end of its timeout.
    assert waiter.done()
    assert waiter.result() is None
    assert verified_events == []
    assert entry_verifier.result(MESSAGE_ID) is None
    assert entry_verifier._pending == {}
