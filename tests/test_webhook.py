"""The webhook through HA's real HTTP stack: statuses, events, states, dedupe, order."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
import logging
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)
from custom_components.esendex.event import DeliveryStatusEvent, InboundMessageEvent
from custom_components.esendex.protocol import (
    MAX_BODY_BYTES,
    UnknownNotification,
    parse_notification,
)
from custom_components.esendex.receiver import Outcome
from custom_components.esendex.sensor import (
    LastDeliveryStatusSensor,
    LastInboundMessageSensor,
)
from custom_components.esendex.webhook_handler import (
    RETRY_AFTER_SECONDS,
    EsendexWebhook,
)

from .conftest import WEBHOOK_ID, PostNotification, fixture_bytes

INBOUND_SENSOR = "sensor.esendex_sms_last_inbound_message"
STATUS_SENSOR = "sensor.esendex_sms_last_delivery_status"
INBOUND_EVENT_ENTITY = "event.esendex_sms_inbound_message"
STATUS_EVENT_ENTITY = "event.esendex_sms_delivery_status"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
ENTRY_ID = "01JESENDEXTESTENTRY000000"
OPT_OUT_ID = "06293e3a-be47-49de-b181-d2ea85413e71"


def delivery(
    notification_id: str, occurred_at: str, root: str = "MessageDelivered"
) -> str:
    return (
        f"<{root}><Id>{notification_id}</Id>"
        "<MessageId>ee931a29-d176-42bb-b2a1-a66871e8c118</MessageId>"
        f"<AccountId>{ACCOUNT_ID}</AccountId>"
        f"<OccurredAt>{occurred_at}</OccurredAt></{root}>"
    )


def inbound(notification_id: str, text: str, account_id: str = ACCOUNT_ID) -> str:
    return (
        f"<InboundMessage><Id>{notification_id}</Id>"
        # Each SMS has its own MessageId; the inbound dedupe relies on it.
        f"<MessageId>message-{notification_id}</MessageId>"
        f"<AccountId>{account_id}</AccountId><MessageText>{text}</MessageText>"
        "<From>447700900123</From><To>447860000000</To></InboundMessage>"
    )


@pytest.mark.usefixtures("loaded_entry")
async def test_inbound_message_fires_event_and_updates_entities(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    assert len(events) == 1
    data = events[0].data
    assert data == {
        "config_entry_id": ENTRY_ID,
        "notification_id": "4b912ad6-5ba1-4fdb-addc-007fb212ebae",
        "message_id": "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90",
        "account_id": ACCOUNT_ID,
        "from": "447700900123",
        "contact": None,
        "to": "447860000000",
        "text": "Gate code please",
        "received_at": data["received_at"],
        # Unknown: a receive-only entry cannot ask Esendex.
        "verified": None,
    }
    assert data["received_at"].endswith("+00:00")

    sensor = hass.states.get(INBOUND_SENSOR)
    assert sensor is not None
    assert sensor.state == "Gate code please"
    assert sensor.attributes["from"] == "447700900123"
    assert sensor.attributes["to"] == "447860000000"
    assert sensor.attributes["text"] == "Gate code please"
    assert sensor.attributes["message_id"] == data["message_id"]
    assert sensor.attributes["notification_id"] == data["notification_id"]
    assert sensor.attributes["received_at"] == data["received_at"]
    # The bus event and the entity updates belong to one context, for the logbook.
    assert sensor.context.id == events[0].context.id

    event_entity = hass.states.get(INBOUND_EVENT_ENTITY)
    assert event_entity is not None
    assert event_entity.state != STATE_UNKNOWN
    assert event_entity.attributes["event_type"] == "received"
    assert event_entity.attributes["text"] == "Gate code please"
    assert event_entity.attributes["from"] == "447700900123"


@pytest.mark.usefixtures("loaded_entry")
async def test_long_text_is_cut_in_the_state_and_kept_whole_in_attributes(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    text = "x" * 300

    response = await post_notification(inbound("id-long", text))

    assert response.status == HTTPStatus.OK
    sensor = hass.states.get(INBOUND_SENSOR)
    assert sensor is not None
    assert sensor.state == "x" * 255
    assert sensor.attributes["text"] == text


@pytest.mark.usefixtures("loaded_entry")
async def test_empty_message_text_is_accepted(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    response = await post_notification(fixture_bytes("inbound_message_empty_text.xml"))

    assert response.status == HTTPStatus.OK
    assert events[0].data["text"] == ""


@pytest.mark.usefixtures("loaded_entry")
async def test_delivered_and_failed_reports(
    hass: HomeAssistant,
    post_notification: PostNotification,
) -> None:
    delivered = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    failed = async_capture_events(hass, EVENT_MESSAGE_FAILED)

    response = await post_notification(fixture_bytes("message_delivered.xml"))
    assert response.status == HTTPStatus.OK
    assert delivered[0].data == {
        "config_entry_id": ENTRY_ID,
        "notification_id": "bece4d20-779c-4778-b08c-438a13cca5c9",
        "message_id": "ee931a29-d176-42bb-b2a1-a66871e8c118",
        "account_id": ACCOUNT_ID,
        "occurred_at": "2014-07-31T21:42:46+00:00",
    }
    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor is not None
    assert sensor.state == "delivered"
    assert sensor.attributes["occurred_at"] == "2014-07-31T21:42:46+00:00"
    assert sensor.attributes["options"] == ["delivered", "failed"]

    response = await post_notification(fixture_bytes("message_failed_with_reason.xml"))
    assert response.status == HTTPStatus.OK
    assert failed[0].data == {
        "config_entry_id": ENTRY_ID,
        "notification_id": "e9263c9c-6fe5-4afa-ae6f-c246b5ca5cc8",
        "message_id": "a2a16c94-1f8d-4fde-919c-d0bc02665284",
        "account_id": ACCOUNT_ID,
        "occurred_at": "2015-11-09T15:18:19.407000+00:00",
        "failure_code": 142,
        "failure_detail": "Message broken",
        "failure_permanent": True,
    }
    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor is not None
    assert sensor.state == "failed"
    assert sensor.attributes["failure_detail"] == "Message broken"
    assert sensor.attributes["message_id"] == "a2a16c94-1f8d-4fde-919c-d0bc02665284"
    event_entity = hass.states.get(STATUS_EVENT_ENTITY)
    assert event_entity is not None
    assert event_entity.attributes["event_type"] == "failed"
    assert event_entity.attributes["failure_code"] == 142


@pytest.mark.usefixtures("loaded_entry")
async def test_failed_without_reason_has_no_failure_keys(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    failed = async_capture_events(hass, EVENT_MESSAGE_FAILED)

    await post_notification(fixture_bytes("message_failed.xml"))

    assert "failure_code" not in failed[0].data
    assert failed[0].data["occurred_at"] == "2015-11-09T15:18:19+00:00"


@pytest.mark.usefixtures("loaded_entry")
async def test_missing_occurred_at_uses_arrival_time(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    delivered = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    body = delivery("id-no-time", "2020-01-01T00:00:00").replace(
        "<OccurredAt>2020-01-01T00:00:00</OccurredAt>", ""
    )

    response = await post_notification(body)

    assert response.status == HTTPStatus.OK
    assert delivered[0].data["occurred_at"] >= "2026"


@pytest.mark.usefixtures("loaded_entry")
async def test_retry_with_same_id_is_acknowledged_once(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")

    first = await post_notification(body)
    second = await post_notification(body)
    # GUIDs compare case-insensitively.
    third = await post_notification(body.replace(b"4b912ad6", b"4B912AD6"))

    assert [first.status, second.status, third.status] == [HTTPStatus.OK] * 3
    assert await second.text() == "duplicate"
    assert await third.text() == "duplicate"
    assert len(events) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "well-formed"),
        (b"<InboundMessage><Id>x</Id>", "well-formed"),
        (
            b"<MessageDelivered><Id>a</Id><AccountId>b</AccountId></MessageDelivered>",
            "MessageId",
        ),
        (
            (
                b"<InboundMessage><Id>a</Id><MessageId>b</MessageId><AccountId>c"
                b"</AccountId><From>1</From><To> </To></InboundMessage>"
            ),
            "To",
        ),
        (
            fixture_bytes("opt_out_missing_from.xml"),
            "OptOut is missing required field From",
        ),
        (
            fixture_bytes("opt_out.xml").replace(
                f"<Id>{OPT_OUT_ID}</Id>".encode(), b""
            ),
            "OptOut is missing required field Id",
        ),
        (
            fixture_bytes("opt_out.xml").replace(
                f"<AccountId>{ACCOUNT_ID}</AccountId>".encode(), b"<AccountId/>"
            ),
            "OptOut is missing required field AccountId",
        ),
        (fixture_bytes("billion_laughs.xml"), "DTD"),
        (fixture_bytes("quadratic_blowup.xml"), "DTD"),
        (fixture_bytes("external_entity_file.xml"), "DTD"),
        (fixture_bytes("external_dtd.xml"), "DTD"),
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_invalid_bodies_get_400_and_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    body: bytes,
    reason: str,
) -> None:
    events = [
        *async_capture_events(hass, EVENT_INBOUND_MESSAGE),
        *async_capture_events(hass, EVENT_MESSAGE_DELIVERED),
        *async_capture_events(hass, EVENT_OPTED_OUT),
    ]
    before = hass.states.get(INBOUND_SENSOR)
    before_entity = hass.states.get(INBOUND_EVENT_ENTITY)

    response = await post_notification(body)

    assert response.status == HTTPStatus.BAD_REQUEST
    assert reason in await response.text()
    assert events == []
    assert hass.states.get(INBOUND_SENSOR) == before
    assert hass.states.get(INBOUND_EVENT_ENTITY) == before_entity
    assert loaded_entry.runtime_data.receiver.opted_out == {}


@pytest.mark.usefixtures("loaded_entry")
async def test_unknown_notification_type_is_acknowledged_without_effect(
    hass: HomeAssistant,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = [
        *async_capture_events(hass, EVENT_INBOUND_MESSAGE),
        *async_capture_events(hass, EVENT_OPTED_OUT),
    ]
    caplog.set_level(logging.DEBUG, logger="custom_components.esendex")
    # A type Esendex might add one day, shaped like the ones it has.
    body = (
        f"<FutureNotification><Id>{OPT_OUT_ID}</Id><AccountId>{ACCOUNT_ID}"
        "</AccountId><From>447700900123</From></FutureNotification>"
    )

    response = await post_notification(body)

    assert response.status == HTTPStatus.OK
    assert (
        await response.text()
        == "ignored: FutureNotification notifications are not used"
    )
    assert events == []
    assert "Ignoring a FutureNotification notification" in caplog.text


OPT_OUT_FIXTURES = {
    # The documented shape: <ReceviedAt>, and <From><PhoneNumber>.
    "opt_out.xml": (OPT_OUT_ID, "447700900123", "2015-11-09T15:18:19+00:00"),
    "opt_out_received_at.xml": (
        "7d1c5f0e-2b3a-4c8d-9e6f-0a1b2c3d4e5f",
        "447700900456",
        "2026-11-25T09:30:15.407000+00:00",
    ),
    # <From> as text, and no date: the time it arrived (None here).
    "opt_out_from_text.xml": (
        "b4e8a2c6-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
        "447700900123",
        None,
    ),
    "opt_out_namespaced.xml": (
        "e2f4a6b8-c0d2-4e4f-8a6b-c8d0e2f4a6b8",
        "447700900789",
        "2015-11-09T14:18:19+00:00",
    ),
}


@pytest.mark.parametrize("name", list(OPT_OUT_FIXTURES))
async def test_an_opt_out_fires_its_event_and_is_remembered(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    name: str,
) -> None:
    notification_id, number, received_at = OPT_OUT_FIXTURES[name]
    opted_out = async_capture_events(hass, EVENT_OPTED_OUT)
    others = [
        *async_capture_events(hass, EVENT_INBOUND_MESSAGE),
        *async_capture_events(hass, EVENT_MESSAGE_DELIVERED),
        *async_capture_events(hass, EVENT_MESSAGE_FAILED),
    ]
    receiver = loaded_entry.runtime_data.receiver
    remembered_when_fired: list[dict[str, str]] = []

    @callback
    def remember(event: Event) -> None:
        # A callback runs as the event fires; a plain function would run later,
        # in the executor, and race the assertions below.
        remembered_when_fired.append(dict(receiver.opted_out))

    hass.bus.async_listen(EVENT_OPTED_OUT, remember)

    before = dt_util.utcnow()
    response = await post_notification(fixture_bytes(name))
    after = dt_util.utcnow()

    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    if received_at is None:
        received_at = opted_out[0].data["received_at"]
        assert before <= datetime.fromisoformat(received_at) <= after
    assert [event.data for event in opted_out] == [
        {
            "config_entry_id": ENTRY_ID,
            "notification_id": notification_id,
            "account_id": ACCOUNT_ID,
            "from": number,
            # Not one of the entry's contacts.
            "contact": None,
            "received_at": received_at,
        }
    ]
    assert others == []
    # Remembered by the time the event's listeners run (an automation may send).
    assert receiver.opted_out == {number: received_at}
    assert remembered_when_fired == [{number: received_at}]


@pytest.mark.usefixtures("loaded_entry")
async def test_an_opt_out_retried_by_esendex_fires_once(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_OPTED_OUT)
    body = fixture_bytes("opt_out.xml")

    first = await post_notification(body)
    second = await post_notification(body)
    # GUIDs compare case-insensitively.
    third = await post_notification(body.replace(b"06293e3a", b"06293E3A"))

    assert [first.status, second.status, third.status] == [HTTPStatus.OK] * 3
    assert [await r.text() for r in (first, second, third)] == [
        "processed",
        "duplicate",
        "duplicate",
    ]
    assert len(events) == 1


async def test_an_opt_out_from_a_sender_that_is_no_phone_number_is_processed(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    """Kept as written, rather than answered with an error Esendex would retry."""
    events = async_capture_events(hass, EVENT_OPTED_OUT)
    body = fixture_bytes("opt_out_from_text.xml").replace(
        b"<From>447700900123</From>", b"<From> Alarm Co </From>"
    )

    response = await post_notification(body)

    assert await response.text() == "processed"
    assert [event.data["from"] for event in events] == ["Alarm Co"]
    assert list(loaded_entry.runtime_data.receiver.opted_out) == ["Alarm Co"]


async def test_an_opt_out_that_cannot_be_shown_gets_503_and_the_retry_publishes_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = async_capture_events(hass, EVENT_OPTED_OUT)
    receiver = loaded_entry.runtime_data.receiver
    body = fixture_bytes("opt_out.xml")

    with raising_once(InboundMessageEvent, "_trigger_event"):
        refused = await post_notification(body)

        assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert f"Could not publish Esendex notification {OPT_OUT_ID}" in caplog.text
        assert events == []
        assert OPT_OUT_ID not in receiver.seen

        retried = await post_notification(body)

    assert await retried.text() == "processed"
    assert len(events) == 1
    assert receiver.opted_out == {"447700900123": "2015-11-09T15:18:19+00:00"}
    assert await (await post_notification(body)).text() == "duplicate"
    assert len(events) == 1


async def test_an_opt_out_of_another_account_is_ignored_and_not_remembered(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
) -> None:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ACCOUNT_ID: "00000000-0000-0000-0000-000000000001"}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    events = async_capture_events(hass, EVENT_OPTED_OUT)

    response = await post_notification(fixture_bytes("opt_out.xml"))

    assert response.status == HTTPStatus.OK
    assert "another Esendex account" in await response.text()
    assert events == []
    assert config_entry.runtime_data.receiver.opted_out == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/xml"},
        {"Content-Type": "application/xml; charset=utf-8"},
        {"Content-Type": "application/json"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {},
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_content_type_is_ignored(
    hass: HomeAssistant, post_notification: PostNotification, headers: dict[str, str]
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    response = await post_notification(
        fixture_bytes("inbound_message.xml"), headers=headers
    )

    assert response.status == HTTPStatus.OK
    assert len(events) == 1


@pytest.mark.usefixtures("loaded_entry")
async def test_only_post_is_allowed(
    hass: HomeAssistant, hass_client_no_auth: object
) -> None:
    client = await hass_client_no_auth()  # type: ignore[operator]

    response = await client.get(f"/api/webhook/{ENTRY_ID}")
    assert response.status == HTTPStatus.OK  # unknown ids reveal nothing
    response = await client.put(
        "/api/webhook/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    )
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.usefixtures("loaded_entry")
async def test_declared_oversized_body_gets_413_unread(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    body = fixture_bytes("inbound_message.xml") + b" " * MAX_BODY_BYTES

    response = await post_notification(body)

    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


@pytest.mark.usefixtures("loaded_entry")
async def test_chunked_oversized_body_gets_413(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        # Far more than the limit; the handler must stop reading well before the end.
        for _ in range(1024):
            sent += 1
            yield b"<a>" + b"x" * 8192

    response = await post_notification(endless())

    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert sent < 1024


@pytest.mark.usefixtures("loaded_entry")
async def test_body_at_the_limit_is_read(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    xml = fixture_bytes("inbound_message.xml")
    body = xml + b" " * (MAX_BODY_BYTES - len(xml))

    response = await post_notification(body)

    assert response.status == HTTPStatus.OK
    assert len(events) == 1


@pytest.mark.usefixtures("loaded_entry")
async def test_unexpected_error_answers_503_so_esendex_retries(
    hass: HomeAssistant,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")

    # HA's webhook view would answer 200 for a handler that raises.
    with patch(
        "custom_components.esendex.webhook_handler.parse_notification",
        side_effect=RuntimeError("boom"),
    ):
        response = await post_notification(body)

    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Esendex retries" in caplog.text
    assert events == []
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    assert len(events) == 1


async def test_a_notification_that_cannot_be_published_spares_the_others(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    receiver = loaded_entry.runtime_data.receiver
    publish = receiver._publish_inbound

    def fail_on_first(message: Any, notification_id: str | None) -> Any:
        if notification_id == "id-first":
            raise RuntimeError("boom")
        return publish(message, notification_id)

    with patch.object(receiver, "_publish_inbound", side_effect=fail_on_first):
        process_in_one_pass(
            loaded_entry, [inbound("id-first", "one"), inbound("id-second", "two")]
        )
        await hass.async_block_till_done()

    assert [e.data["text"] for e in events] == ["two"]
    assert "Could not publish Esendex notification id-first" in caplog.text
    entity = hass.states.get(INBOUND_EVENT_ENTITY)
    assert entity is not None
    assert entity.attributes["text"] == "two"


async def test_other_accounts_are_ignored_and_reported_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ACCOUNT_ID: ACCOUNT_ID}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    other = "00000000-0000-0000-0000-000000000001"

    first = await post_notification(inbound("id-1", "hi", account_id=other))
    second = await post_notification(inbound("id-2", "hi", account_id=other))
    mine = await post_notification(inbound("id-3", "mine", ACCOUNT_ID.upper()))

    assert [first.status, second.status, mine.status] == [HTTPStatus.OK] * 3
    assert "another Esendex account" in await first.text()
    assert len(events) == 1
    assert events[0].data["text"] == "mine"
    assert caplog.text.count("for Esendex account") == 1
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"foreign_account_{config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": "Esendex SMS",
        "configured_account_id": ACCOUNT_ID,
        "received_account_id": other,
    }

    # Changing the options reloads the entry, which clears the stale issue.
    hass.config_entries.async_update_entry(config_entry, options={})
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"foreign_account_{config_entry.entry_id}"
        )
        is None
    )


def process_in_one_pass(entry: MockConfigEntry, bodies: list[str]) -> list[Outcome]:
    """Hand notifications to the receiver within one pass of the event loop."""
    receiver = entry.runtime_data.receiver
    return [
        receiver.async_process(parse_notification(body.encode())) for body in bodies
    ]


@dataclass(frozen=True, slots=True)
class Shown:
    """A notification, and what publishing it shows."""

    body: bytes
    event_type: str
    sensor_id: str
    sensor_state: str
    entity_id: str
    entity_event: str


INBOUND_SHOWN = Shown(
    fixture_bytes("inbound_message.xml"),
    EVENT_INBOUND_MESSAGE,
    INBOUND_SENSOR,
    "Gate code please",
    INBOUND_EVENT_ENTITY,
    "received",
)
DELIVERED_SHOWN = Shown(
    fixture_bytes("message_delivered.xml"),
    EVENT_MESSAGE_DELIVERED,
    STATUS_SENSOR,
    "delivered",
    STATUS_EVENT_ENTITY,
    "delivered",
)
FAILED_SHOWN = Shown(
    fixture_bytes("message_failed_with_reason.xml"),
    EVENT_MESSAGE_FAILED,
    STATUS_SENSOR,
    "failed",
    STATUS_EVENT_ENTITY,
    "failed",
)


@pytest.mark.parametrize(
    "shown",
    [INBOUND_SHOWN, DELIVERED_SHOWN, FAILED_SHOWN],
    ids=["inbound", "delivered", "failed"],
)
async def test_the_answer_comes_after_the_entities_and_the_bus_event(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    shown: Shown,
) -> None:
    """A 200 means published: Esendex never sends that notification again."""
    order: list[str] = []
    contexts: list[str] = []
    seen_by_automation: dict[str, State | None] = {}

    @callback
    def automation(event: Event) -> None:
        order.append("bus event")
        contexts.append(event.context.id)
        for entity_id in (shown.sensor_id, shown.entity_id):
            seen_by_automation[entity_id] = hass.states.get(entity_id)

    hass.bus.async_listen(shown.event_type, automation)
    answer = EsendexWebhook.__call__

    async def answer_and_note(handler: EsendexWebhook, *args: Any) -> web.Response:
        response = await answer(handler, *args)
        order.append(f"answer {response.status}")
        return response

    with patch.object(EsendexWebhook, "__call__", answer_and_note):
        response = await post_notification(shown.body)

    assert response.status == HTTPStatus.OK
    assert order == ["bus event", "answer 200"]
    # The automation found both entities already written, in the event's context.
    sensor = seen_by_automation[shown.sensor_id]
    assert sensor is not None
    assert sensor.state == shown.sensor_state
    assert sensor.context.id == contexts[0]
    entity = seen_by_automation[shown.entity_id]
    assert entity is not None
    assert entity.attributes["event_type"] == shown.entity_event
    assert entity.context.id == contexts[0]
    # Nothing left to wait for once the answer is in.
    assert hass.states.get(shown.sensor_id) == sensor
    assert hass.states.get(shown.entity_id) == entity


async def test_a_notification_is_published_before_async_process_returns(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Nothing is deferred to a later pass of the event loop (the old behaviour)."""
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    receiver = loaded_entry.runtime_data.receiver
    notification = parse_notification(inbound("id-now", "hello").encode())

    outcome = receiver.async_process(notification)

    assert outcome is Outcome.PROCESSED
    assert [e.data["text"] for e in events] == ["hello"]
    sensor = hass.states.get(INBOUND_SENSOR)
    assert sensor is not None
    assert sensor.state == "hello"
    entity = hass.states.get(INBOUND_EVENT_ENTITY)
    assert entity is not None
    assert entity.attributes["text"] == "hello"
    # Recorded too: a retry is a duplicate, and publishes nothing more.
    assert receiver.async_process(notification) is Outcome.DUPLICATE
    assert len(events) == 1


@contextmanager
def raising_once(owner: type, name: str) -> Iterator[None]:
    """Make `owner.name` raise on its first call, as a broken entity would."""
    original = getattr(owner, name)
    calls = 0

    def first_call_raises(self: object, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the entity could not be written")
        return original(self, *args, **kwargs)

    with patch.object(owner, name, first_call_raises):
        yield
    assert calls >= 1


@pytest.mark.parametrize(
    "broken",
    [
        (INBOUND_SHOWN, LastInboundMessageSensor, "_async_show"),
        (INBOUND_SHOWN, InboundMessageEvent, "_trigger_event"),
        (DELIVERED_SHOWN, LastDeliveryStatusSensor, "_async_show"),
        (FAILED_SHOWN, DeliveryStatusEvent, "_trigger_event"),
    ],
    ids=["inbound-sensor", "inbound-event-entity", "delivered-sensor", "failed-event"],
)
async def test_an_entity_that_cannot_be_written_gets_503_and_the_retry_publishes_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
    broken: tuple[Shown, type, str],
) -> None:
    shown, owner, method = broken
    events = async_capture_events(hass, shown.event_type)
    receiver = loaded_entry.runtime_data.receiver
    notification = parse_notification(shown.body)
    assert not isinstance(notification, UnknownNotification)

    with raising_once(owner, method):
        refused = await post_notification(shown.body)

        assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert await refused.text() == Outcome.PUBLISH_FAILED.value
        assert "Esendex retries it" in caplog.text
        # No bus event, and nothing recorded: the retry is new.
        assert events == []
        assert notification.notification_id not in receiver.seen
        assert notification.message_id not in receiver.inbound_ids

        retried = await post_notification(shown.body)

    assert retried.status == HTTPStatus.OK
    assert await retried.text() == "processed"
    assert len(events) == 1
    assert notification.notification_id in receiver.seen
    for entity_id, state in (
        (shown.sensor_id, shown.sensor_state),
        (shown.entity_id, None),
    ):
        written = hass.states.get(entity_id)
        assert written is not None
        if state is not None:
            assert written.state == state
        else:
            assert written.attributes["event_type"] == shown.entity_event
    # Esendex's next retry (our 200 lost on the way) publishes nothing more.
    assert await (await post_notification(shown.body)).text() == "duplicate"
    assert len(events) == 1


async def test_an_unload_right_after_a_notification_still_shows_it(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    state_changes = async_capture_events(hass, "state_changed")

    process_in_one_pass(loaded_entry, [inbound("id-last", "the last one")])
    # In the same pass of the event loop: no chance for anything deferred to run.
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)

    shown = {
        e.data["entity_id"]: e.data["new_state"]
        for e in state_changes
        if e.data["new_state"] is not None
        and e.data["new_state"].state != "unavailable"
    }
    assert shown[INBOUND_EVENT_ENTITY].attributes["text"] == "the last one"
    assert shown[INBOUND_SENSOR].state == "the last one"
    # ...and recorded by the unload's save, so that a retry is a duplicate.
    record = hass_storage[f"esendex.{ENTRY_ID}.message_record"]["data"]
    assert "id-last" in record["seen"]
    assert "message-id-last" in record["inbound"]


@pytest.mark.usefixtures("loaded_entry")
async def test_cloudhook_requests_are_handled(hass: HomeAssistant) -> None:
    """Nabu Casa relays cloudhook POSTs to the webhook as HA's MockRequest."""
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    request = MockRequest(
        fixture_bytes("inbound_message.xml"), mock_source="cloudhook", method="POST"
    )

    response = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)

    assert response.status == HTTPStatus.OK
    assert response.text == "processed"
    assert len(events) == 1
    assert events[0].data["text"] == "Gate code please"


@pytest.mark.usefixtures("loaded_entry")
async def test_cloudhook_requests_with_a_declared_length_are_handled(
    hass: HomeAssistant,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")
    request = MockRequest(
        body, "cloudhook", method="POST", headers={"Content-Length": str(len(body))}
    )

    response = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)

    assert response.status == HTTPStatus.OK
    assert [e.data["text"] for e in events] == ["Gate code please"]


@pytest.mark.usefixtures("loaded_entry")
async def test_oversized_cloudhook_request_gets_413(hass: HomeAssistant) -> None:
    request = MockRequest(b"<a>" + b"x" * MAX_BODY_BYTES, "cloudhook", method="POST")

    response = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)

    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


@pytest.mark.usefixtures("loaded_entry")
async def test_the_same_sms_under_another_notification_id_fires_once(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    body = fixture_bytes("inbound_message.xml")

    await post_notification(body)
    response = await post_notification(
        body.replace(b"4b912ad6-5ba1-4fdb-addc-007fb212ebae", b"another-push-id")
    )

    assert await response.text() == "duplicate"
    assert len(events) == 1
