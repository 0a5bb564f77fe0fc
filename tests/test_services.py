"""`esendex.send_sms`: what Esendex receives, validation, API errors, receipts."""

import asyncio
from collections.abc import Awaitable
from http import HTTPStatus
from typing import Any

from aiohttp import ClientConnectionError
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex.const import (
    CONF_DEFAULT_RECIPIENT,
    DOMAIN,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
)
from custom_components.esendex.services import async_send_sms

from .api_support import (
    ACCOUNT_ID,
    ACCOUNT_REFERENCE,
    ACCOUNTS,
    API_ENTRY_ID,
    DISPATCH,
    ESENDEX_NS,
    FakeEsendex,
    Hold,
    add_api_entry,
    async_settle,
    receipt_push,
)
from .conftest import PostNotification

CREDITS_SENSOR = "sensor.esendex_sms_credits_remaining"
STATUS_SENSOR = "sensor.esendex_sms_last_delivery_status"
# The ids the fake hands out, in the upper case Esendex writes them in.
FIRST_ID = "1183C73D-2E62-4F60-B610-000000000001"
SECOND_ID = "1183C73D-2E62-4F60-B610-000000000002"
NOW = "2026-05-04T09:00:00+00:00"
# Turns of the event loop a call and the held request get to be done with. Nothing
# between Esendex accepting a message and the call returning waits for I/O, so a
# call still pending after them is waiting for the held answer.
IDLE_TURNS = 100


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


async def send_sms(
    hass: HomeAssistant, context: Context | None = None, **data: Any
) -> Any:
    """Call the action as an automation would, returning its response."""
    return await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": API_ENTRY_ID, **data},
        blocking=True,
        return_response=True,
        context=context,
    )


async def returns_while_held[T](hold: Hold, call: Awaitable[T]) -> T:
    """Await the call while the hold keeps the request it is set on unanswered.

    Fails if the call waits for that answer (the hold is then released to end
    it), or if the held request is not made meanwhile.
    """
    task = asyncio.ensure_future(call)
    reached = asyncio.ensure_future(hold.reached.wait())
    await asyncio.wait({task, reached}, return_when=asyncio.FIRST_COMPLETED)
    for _ in range(IDLE_TURNS):
        if task.done() and reached.done():
            break
        await asyncio.sleep(0)
    reached.cancel()
    if not task.done():
        hold.release()
        await task
        pytest.fail("the call returned only once the held request was answered")
    result = task.result()
    if not hold.reached.is_set():
        pytest.fail("the held request was not made")
    assert not hold.released.is_set()
    return result


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["handler"] == DOMAIN
        and flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]


# --- success -------------------------------------------------------------


@pytest.mark.usefixtures("api_entry")
async def test_send_to_one_number(hass: HomeAssistant, esendex: FakeEsendex) -> None:
    response = await send_sms(hass, to="+44 (0)7700 900123", message="Gate open")

    # The id comes back lower-cased: receipts are matched case-insensitively.
    assert response == {
        "messages": [{"to": "+447700900123", "message_id": FIRST_ID.lower()}]
    }
    [dispatch] = esendex.dispatches
    assert dispatch.root.tag == f"{{{ESENDEX_NS}}}messages"
    assert dispatch.account_reference == ACCOUNT_REFERENCE
    assert dispatch.originator is None
    assert dispatch.validity is None
    assert dispatch.messages == [{"to": "+447700900123", "body": "Gate open"}]
    [request] = [r for r in esendex.requests if r.route == DISPATCH]
    assert request.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert esendex.unexpected == []


@pytest.mark.usefixtures("api_entry")
async def test_send_to_a_list_with_originator_and_validity(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    text = 'Bins out <tonight> & "recycling", 5 € café'

    response = await send_sms(
        hass,
        to=["+447700900123", "07700 900456"],
        message=text,
        **{"from": " Home ", "validity": "24"},
    )

    assert response == {
        "messages": [
            {"to": "+447700900123", "message_id": FIRST_ID.lower()},
            {"to": "07700900456", "message_id": SECOND_ID.lower()},
        ]
    }
    [dispatch] = esendex.dispatches
    assert dispatch.account_reference == ACCOUNT_REFERENCE
    assert dispatch.originator == "Home"
    assert dispatch.validity == "24"
    # One document, one <message> per recipient; the text is escaped, not markup.
    assert dispatch.messages == [
        {"to": "+447700900123", "body": text},
        {"to": "07700900456", "body": text},
    ]


@pytest.mark.parametrize(
    "originator", ["ElevenChars", "My Home 24", "1" * 20, "+447700900123"]
)
@pytest.mark.usefixtures("api_entry")
async def test_originators_esendex_accepts(
    hass: HomeAssistant, esendex: FakeEsendex, originator: str
) -> None:
    await send_sms(hass, to="447700900123", message="Hi", **{"from": originator})

    assert esendex.dispatches[0].originator == originator


@pytest.mark.parametrize("validity", [1, 72])
@pytest.mark.usefixtures("api_entry")
async def test_validity_bounds_are_accepted(
    hass: HomeAssistant, esendex: FakeEsendex, validity: int
) -> None:
    await send_sms(hass, to="447700900123", message="Hi", validity=validity)

    assert esendex.dispatches[0].validity == str(validity)


@pytest.mark.usefixtures("api_entry")
async def test_send_without_asking_for_the_response(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    result = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": API_ENTRY_ID, "to": "447700900123", "message": "Hi"},
        blocking=True,
    )

    assert result is None
    assert len(esendex.dispatches) == 1


@pytest.mark.usefixtures("api_entry")
async def test_credits_are_read_again_after_a_send(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    accounts_reads = esendex.count("accounts")

    await send_sms(hass, to=["447700900123", "447700900456"], message="Hi")
    await hass.async_block_till_done()

    assert esendex.count("accounts") == accounts_reads + 1
    assert hass.states.get(CREDITS_SENSOR).state == "17"


@pytest.mark.usefixtures("api_entry")
async def test_send_returns_once_accepted_while_the_credits_read_is_slow(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    account_read = esendex.hold(ACCOUNTS)

    response = await returns_while_held(
        account_read, send_sms(hass, to="447700900123", message="Gate open")
    )

    # Esendex accepted it: the caller has its message id, credits or not.
    assert response == {
        "messages": [{"to": "447700900123", "message_id": FIRST_ID.lower()}]
    }
    assert len(esendex.dispatches) == 1
    # The credits are being read meanwhile, not skipped; shown once answered.
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    account_read.release()
    await async_settle(hass)
    assert hass.states.get(CREDITS_SENSOR).state == "18"


@pytest.mark.usefixtures("api_entry")
async def test_concurrent_sends_do_not_queue_behind_one_credits_read(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    account_read = esendex.hold(ACCOUNTS)
    reads = esendex.count(ACCOUNTS)

    responses = await returns_while_held(
        account_read,
        asyncio.gather(
            send_sms(hass, to="447700900123", message="Front door"),
            send_sms(hass, to="447700900456", message="Back door"),
        ),
    )

    assert sorted(r["messages"][0]["to"] for r in responses) == [
        "447700900123",
        "447700900456",
    ]
    assert len(esendex.dispatches) == 2
    # One account read for both so far; its answer counts both messages.
    assert esendex.count(ACCOUNTS) == reads + 1
    account_read.release()
    await async_settle(hass)
    assert hass.states.get(CREDITS_SENSOR).state == "17"


# --- validation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "bad", "key"),
    [
        ("call me", "call me", "invalid_recipient_characters"),
        ("1234", "1234", "invalid_recipient_too_short"),
        ("+0044 7700 900123", "+0044 7700 900123", "invalid_recipient_country_code"),
        ("+44 7700 900123 4567", "+44 7700 900123 4567", "invalid_recipient_too_long"),
        (
            ["+447700900123", " 07700-CALL-ME "],
            "07700-CALL-ME",
            "invalid_recipient_characters",
        ),
    ],
    ids=["letters", "too-short", "plus-zero", "too-long", "one-of-a-list"],
)
@pytest.mark.usefixtures("api_entry")
async def test_invalid_recipient_is_refused_before_sending(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    to: str | list[str],
    bad: str,
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, to=to, message="Hi")

    # Each problem has its own message, naming the number that was refused.
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == key
    assert raised.value.translation_placeholders == {"value": bad}
    assert esendex.dispatches == []


@pytest.mark.parametrize(
    "originator",
    ["TwelveLetter", "1" * 21, "Home!", "+ABC", "   "],
    ids=["12-letters", "21-digits", "punctuation", "plus-letters", "blank"],
)
@pytest.mark.usefixtures("api_entry")
async def test_invalid_originator_is_refused_before_sending(
    hass: HomeAssistant, esendex: FakeEsendex, originator: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, to="447700900123", message="Hi", **{"from": originator})

    assert raised.value.translation_key == "invalid_originator"
    assert raised.value.translation_placeholders == {"value": originator.strip()}
    assert esendex.dispatches == []


@pytest.mark.parametrize(
    ("recipient", "originator", "message"),
    [
        (
            "07700 CALL ME",
            None,
            (
                "Esendex cannot send to “07700 CALL ME”: a phone number has only "
                "digits, with an optional leading + and spaces, dashes, dots or "
                "parentheses."
            ),
        ),
        (
            "1234",
            None,
            "Esendex cannot send to “1234”: a phone number has at least 5 digits.",
        ),
        (
            "1234567890123456",
            None,
            (
                "Esendex cannot send to “1234567890123456”: a phone number has at most "
                "15 digits."
            ),
        ),
        (
            "+0447700900123",
            None,
            (
                "Esendex cannot send to “+0447700900123”: after the +, a number starts "
                "with its country code, and no country code starts with 0."
            ),
        ),
        (
            "447700900123",
            "Home Alarm!",
            (
                "“Home Alarm!” cannot be the sender: use up to 11 letters, digits and "
                "spaces (including a letter), or a number of up to 20 digits."
            ),
        ),
    ],
    ids=["characters", "too-short", "too-long", "country-code", "originator"],
)
@pytest.mark.usefixtures("api_entry")
async def test_each_validation_problem_reads_as_its_own_sentence(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    recipient: str,
    originator: str | None,
    message: str,
) -> None:
    """The whole message is translated: no English reason is put into it."""
    data = {} if originator is None else {"from": originator}
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, to=recipient, message="Hi", **data)

    # Home Assistant drops the full stop of an exception message.
    assert str(raised.value) == message.removesuffix(".")
    assert esendex.dispatches == []


@pytest.mark.usefixtures("api_entry")
async def test_empty_originator_means_the_account_default(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    await send_sms(hass, to="447700900123", message="Hi", **{"from": ""})

    assert esendex.dispatches[0].originator is None


@pytest.mark.parametrize(
    "data",
    [
        {"validity": 0},
        {"validity": 73},
        {"validity": "a day"},
        {"message": ""},
        {"to": []},
        {"unknown_field": 1},
    ],
    ids=[
        "validity-0",
        "validity-73",
        "validity-text",
        "empty-message",
        "no-to",
        "extra",
    ],
)
@pytest.mark.usefixtures("api_entry")
async def test_schema_refuses_bad_fields(
    hass: HomeAssistant, esendex: FakeEsendex, data: dict[str, Any]
) -> None:
    with pytest.raises(probatio.Invalid):
        await send_sms(hass, **{"to": "447700900123", "message": "Hi", **data})

    assert esendex.dispatches == []


@pytest.mark.usefixtures("api_entry")
async def test_unknown_entry_id(hass: HomeAssistant, esendex: FakeEsendex) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(
            hass, config_entry_id="no-such-entry", to="447700900123", message="Hi"
        )

    # Home Assistant's own error, as for any action that takes a config entry.
    assert raised.value.translation_domain == HOMEASSISTANT_DOMAIN
    assert raised.value.translation_key == "service_config_entry_not_found"
    assert raised.value.translation_placeholders == {
        "domain": DOMAIN,
        "entry_id": "no-such-entry",
    }
    assert esendex.dispatches == []


@pytest.mark.usefixtures("api_entry")
async def test_entry_of_another_integration_is_not_found(
    hass: HomeAssistant, esendex: FakeEsendex
) -> None:
    other = MockConfigEntry(
        domain="sms", title="GSM modem", entry_id="01JOTHERINTEGRATION000000"
    )
    other.add_to_hass(hass)

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(
            hass, config_entry_id=other.entry_id, to="447700900123", message="Hi"
        )

    assert raised.value.translation_domain == HOMEASSISTANT_DOMAIN
    assert raised.value.translation_key == "service_config_entry_wrong_domain"
    assert raised.value.translation_placeholders == {
        "domain": DOMAIN,
        "entry_title": "GSM modem",
    }
    assert esendex.dispatches == []


async def test_entry_not_loaded(
    hass: HomeAssistant, api_entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    assert await hass.config_entries.async_unload(api_entry.entry_id)

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")

    assert raised.value.translation_domain == HOMEASSISTANT_DOMAIN
    assert raised.value.translation_key == "service_config_entry_not_loaded"
    assert raised.value.translation_placeholders == {
        "domain": DOMAIN,
        "entry_title": "Esendex SMS",
    }
    assert esendex.dispatches == []


async def test_receive_only_entry_cannot_send(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(
            hass, config_entry_id=loaded_entry.entry_id, to="447700900123", message="Hi"
        )

    assert raised.value.translation_key == "no_credentials"
    assert raised.value.translation_placeholders == {"title": "Esendex SMS"}
    # The shared helper refuses it too, whoever calls it.
    with pytest.raises(ServiceValidationError) as raised:
        await async_send_sms(loaded_entry, ["447700900123"], "Hi")
    assert raised.value.translation_key == "no_credentials"
    assert aioclient_mock.call_count == 0


# --- API errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "translation_key"),
    [
        ((HTTPStatus.PAYMENT_REQUIRED, "Insufficient credits"), "no_credits"),
        ((HTTPStatus.INTERNAL_SERVER_ERROR, "Server Error"), "service_unavailable"),
        (
            (HTTPStatus.SERVICE_UNAVAILABLE, "Service Unavailable"),
            "service_unavailable",
        ),
        ((HTTPStatus.REQUEST_TIMEOUT, "Request Timeout"), "service_unavailable"),
        ((HTTPStatus.BAD_REQUEST, "Bad Request"), "request_refused"),
        ((HTTPStatus.NOT_FOUND, "Not Found"), "request_refused"),
        (
            (HTTPStatus.OK, "<html><body>Maintenance</body></html>"),
            "unexpected_response",
        ),
        ((HTTPStatus.OK, "not xml at all"), "unexpected_response"),
    ],
)
async def test_api_errors_become_translated_errors(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    answer: tuple[int, str],
    translation_key: str,
) -> None:
    esendex.fail(DISPATCH, *answer)
    accounts_reads = esendex.count("accounts")

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")

    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == translation_key
    assert reauth_flows(hass, api_entry) == []
    # Nothing was sent: no credits to re-read, nothing to match receipts with.
    assert esendex.count("accounts") == accounts_reads
    assert api_entry.runtime_data.receiver.sent.as_list() == []


async def test_request_refused_tells_what_esendex_said(
    hass: HomeAssistant, api_entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    esendex.fail(DISPATCH, HTTPStatus.BAD_REQUEST, "Invalid\r\n  recipient")

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")

    assert raised.value.translation_key == "request_refused"
    assert raised.value.translation_placeholders == {
        "error": "HTTP 400: Invalid recipient"
    }


async def test_out_of_credits_as_esendex_reports_it(
    hass: HomeAssistant, api_entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    esendex.messages_remaining = 1

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to=["447700900123", "447700900456"], message="Hi")

    assert raised.value.translation_key == "no_credits"


@pytest.mark.parametrize(
    "exc",
    [TimeoutError(), ClientConnectionError("Connection reset by peer")],
    ids=["timeout", "connection-error"],
)
async def test_unreachable_esendex_is_service_unavailable(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    exc: BaseException,
) -> None:
    esendex.fail(DISPATCH, exc=exc)

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")

    assert raised.value.translation_key == "service_unavailable"
    assert reauth_flows(hass, api_entry) == []


async def test_fewer_ids_than_messages_is_an_unexpected_response(
    hass: HomeAssistant, api_entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    esendex.fail(
        DISPATCH,
        text=f'<messageheaders xmlns="{ESENDEX_NS}"><messageheader id="{FIRST_ID}"/>'
        "</messageheaders>",
    )

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to=["447700900123", "447700900456"], message="Hi")

    assert raised.value.translation_key == "unexpected_response"


@pytest.mark.parametrize("status", [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN])
async def test_refused_credentials_start_reauth(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    status: int,
) -> None:
    esendex.fail(DISPATCH, status, "Unauthorised")

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")
    await hass.async_block_till_done()

    assert raised.value.translation_key == "auth_failed"
    assert len(reauth_flows(hass, api_entry)) == 1


async def test_changed_password_starts_reauth(
    hass: HomeAssistant, api_entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    # The owner changed the API password at Esendex: every call gets a 401.
    esendex.password = "a new password"  # noqa: S105 - a made-up login

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, to="447700900123", message="Hi")
    await hass.async_block_till_done()

    assert raised.value.translation_key == "auth_failed"
    assert len(reauth_flows(hass, api_entry)) == 1


# --- receipts ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        ("MessageDelivered", EVENT_MESSAGE_DELIVERED, "delivered"),
        ("MessageFailed", EVENT_MESSAGE_FAILED, "failed"),
    ],
    ids=["delivered", "failed"],
)
@pytest.mark.parametrize(
    "receipt_id", [FIRST_ID, FIRST_ID.lower()], ids=["as-returned", "lower-case"]
)
@pytest.mark.usefixtures("api_entry")
async def test_receipt_is_matched_to_the_sent_message(
    hass: HomeAssistant,
    post_notification: PostNotification,
    freezer: FrozenDateTimeFactory,
    kind: tuple[str, str, str],
    receipt_id: str,
) -> None:
    root, event_type, status = kind
    freezer.move_to(NOW)
    events = async_capture_events(hass, event_type)
    context = Context()
    await send_sms(hass, context, to="+447700900123", message="Gate open")

    response = await post_notification(receipt_push(receipt_id, root=root))

    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    [event] = events
    # Lower case, as send_sms answered, whatever case the receipt used.
    assert event.data["message_id"] == FIRST_ID.lower()
    assert event.data["recipient"] == "+447700900123"
    assert event.data["text"] == "Gate open"
    assert event.data["sent_at"] == NOW
    # The logbook shows the receipt as triggered by the action that sent it.
    assert event.context.parent_id == context.id
    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor.state == status
    assert sensor.attributes["recipient"] == "+447700900123"
    assert sensor.attributes["text"] == "Gate open"
    assert sensor.attributes["sent_at"] == NOW
    assert sensor.context.parent_id == context.id


@pytest.mark.usefixtures("api_entry")
async def test_each_recipient_of_a_list_gets_its_own_receipt(
    hass: HomeAssistant, esendex: FakeEsendex, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    await send_sms(hass, to=["447700900123", "447700900456"], message="Hi all")

    await post_notification(receipt_push(SECOND_ID, notification_id="n-2"))
    await post_notification(receipt_push(FIRST_ID, notification_id="n-1"))

    assert [event.data["recipient"] for event in events] == [
        "447700900456",
        "447700900123",
    ]


@pytest.mark.usefixtures("api_entry")
async def test_receipt_for_a_message_not_sent_from_home_assistant(
    hass: HomeAssistant, esendex: FakeEsendex, post_notification: PostNotification
) -> None:
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    await send_sms(hass, to="447700900123", message="Gate open")

    response = await post_notification(
        receipt_push("ee931a29-d176-42bb-b2a1-a66871e8c118")
    )

    assert await response.text() == "processed"
    [event] = events
    assert {"recipient", "text", "sent_at"}.isdisjoint(event.data)
    assert event.context.parent_id is None
    sensor = hass.states.get(STATUS_SENSOR)
    assert sensor.state == "delivered"
    assert {"recipient", "text", "sent_at"}.isdisjoint(sensor.attributes)


async def test_sent_record_survives_a_reload(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    events = async_capture_events(hass, EVENT_MESSAGE_FAILED)
    context = Context()
    await send_sms(hass, context, to="447700900123", message="Gate open")

    assert await hass.config_entries.async_reload(api_entry.entry_id)
    await async_settle(hass)
    stored = hass_storage[f"{DOMAIN}.{api_entry.entry_id}.message_record"]["data"][
        "sent"
    ]
    assert [item["message_id"] for item in stored] == [FIRST_ID.lower()]
    response = await post_notification(receipt_push(FIRST_ID, root="MessageFailed"))

    assert await response.text() == "processed"
    [event] = events
    assert event.data["recipient"] == "447700900123"
    assert event.data["text"] == "Gate open"
    assert event.data["sent_at"] == NOW
    assert event.context.parent_id == context.id


async def test_account_filter_still_applies_to_receipts(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    await send_sms(hass, to="447700900123", message="Hi")

    response = await post_notification(
        receipt_push(FIRST_ID).replace(
            ACCOUNT_ID, "b7a8e4c2-5d1f-4e6a-9c3b-2f1e0d9c8b7a"
        )
    )

    assert (await response.text()).startswith("ignored")
    assert events == []


# --- recipients that opted out ---------------------------------------------

OPTED_OUT = "447700900123"
OPTED_OUT_SHOWN = "+447700900123"
OPTED_OUT_MESSAGE = (
    "+447700900123 has opted out of messages from this account (they replied STOP), "
    "so the SMS was not sent"
)
OPTED_OUT_AT = "2026-05-04T08:00:00+00:00"


def opt_out_push(number: str = OPTED_OUT, notification_id: str = "opt-out-1") -> str:
    """An OptOut push, as Esendex posts it when a recipient replies STOP."""
    return (
        f"<OptOut><Id>{notification_id}</Id><AccountId>{ACCOUNT_ID}</AccountId>"
        "<ReceviedAt>2026-05-04T08:00:00Z</ReceviedAt>"
        f"<From><PhoneNumber>{number}</PhoneNumber></From></OptOut>"
    )


async def opt_out(post_notification: PostNotification, number: str = OPTED_OUT) -> None:
    response = await post_notification(opt_out_push(number))
    assert await response.text() == "processed"


async def assert_refused_without_asking_esendex(
    esendex: FakeEsendex, call: Awaitable[object]
) -> None:
    """The call is refused for the opted-out number before any request is made."""
    requests_before = len(esendex.requests)

    with pytest.raises(ServiceValidationError) as raised:
        await call

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "recipient_opted_out"
    assert raised.value.translation_placeholders == {"number": OPTED_OUT_SHOWN}
    # Translated, naming the number and the reason (HA drops the full stop).
    assert str(raised.value) == OPTED_OUT_MESSAGE
    assert esendex.dispatches == []
    assert esendex.requests[requests_before:] == []


@pytest.mark.parametrize(
    "to",
    [
        "+447700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "+44-7700-900.123",
        "447700900123",
        " 447700900123 ",
        ["+447700900456", "+44 7700 900123"],
    ],
    ids=[
        "e164",
        "spaced",
        "trunk-zero",
        "dashes-dots",
        "as-esendex-writes-it",
        "padded",
        "one-of-a-list",
    ],
)
@pytest.mark.usefixtures("api_entry")
async def test_sending_to_a_number_that_opted_out_is_refused_before_esendex_is_asked(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    to: str | list[str],
) -> None:
    await opt_out(post_notification)

    await assert_refused_without_asking_esendex(
        esendex, send_sms(hass, to=to, message="Gate open")
    )


@pytest.mark.usefixtures("api_entry")
async def test_a_number_that_did_not_opt_out_is_still_sent_to(
    hass: HomeAssistant, esendex: FakeEsendex, post_notification: PostNotification
) -> None:
    await opt_out(post_notification)

    response = await send_sms(hass, to="+44 7700 900456", message="Gate open")

    assert response == {
        "messages": [{"to": "+447700900456", "message_id": FIRST_ID.lower()}]
    }
    assert [dispatch.messages for dispatch in esendex.dispatches] == [
        [{"to": "+447700900456", "body": "Gate open"}]
    ]


async def test_the_notify_entity_refuses_a_default_recipient_that_opted_out(
    hass: HomeAssistant, esendex: FakeEsendex, post_notification: PostNotification
) -> None:
    entry = add_api_entry(hass, options={CONF_DEFAULT_RECIPIENT: "+44 7700 900123"})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    await opt_out(post_notification)

    await assert_refused_without_asking_esendex(
        esendex,
        hass.services.async_call(
            NOTIFY_DOMAIN,
            SERVICE_SEND_MESSAGE,
            {ATTR_ENTITY_ID: "notify.esendex_sms", ATTR_MESSAGE: "Boiler pressure low"},
            blocking=True,
        ),
    )


async def test_an_opt_out_is_remembered_across_a_reload(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    hass_storage: dict[str, Any],
) -> None:
    await opt_out(post_notification)

    assert await hass.config_entries.async_reload(api_entry.entry_id)
    await async_settle(hass)

    record = hass_storage[f"{DOMAIN}.{api_entry.entry_id}.message_record"]["data"]
    assert record["opted_out"] == {OPTED_OUT: OPTED_OUT_AT}
    await assert_refused_without_asking_esendex(
        esendex, send_sms(hass, to="+447700900123", message="Gate open")
    )


async def test_an_opt_out_recorded_before_a_restart_is_still_refused(
    hass: HomeAssistant, esendex: FakeEsendex, hass_storage: dict[str, Any]
) -> None:
    key = f"{DOMAIN}.{API_ENTRY_ID}.message_record"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 3,
        "key": key,
        "data": {"seen": {}, "opted_out": {OPTED_OUT: OPTED_OUT_AT}},
    }
    entry = add_api_entry(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)

    await assert_refused_without_asking_esendex(
        esendex, send_sms(hass, to="+44 7700 900123", message="Gate open")
    )
    assert entry.runtime_data.receiver.opted_out == {OPTED_OUT: OPTED_OUT_AT}
