"""Assist over SMS: a trusted contact texts the home, Assist answers by SMS.

Through a loaded entry with API credentials whose own client reaches the fake of
Esendex's REST API (tests/api_support.py): pushes are posted to the webhook, each
is verified against the fake's inbox, Home Assistant's conversation integration
with its built-in agent answers as a real Home Assistant user, and the answer is
sent to the fake's message dispatcher. The clock is frozen: the loop guard and the
rate limits count time, and it only moves when a test ticks it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from http import HTTPStatus
import sys
from types import MappingProxyType, ModuleType, SimpleNamespace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryData,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.setup import async_setup_component
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

from custom_components.esendex import assist as assist_module
from custom_components.esendex.assist import (
    EVENT_ASSIST_ANSWERED,
    TYPING_CHARS_PER_SECOND,
    TYPING_MIN_SECONDS,
    AssistResponder,
    Limit,
    assist_issue_id,
    assist_issue_ids,
    conversation_id_for,
    typing_seconds,
)
from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
    EVENT_MESSAGE_DELIVERED,
)
from custom_components.esendex.logbook import async_describe_events
from custom_components.esendex.receiver import opted_out_key
from custom_components.esendex.services import async_send_sms

from .api_support import (
    ACCOUNT_ID,
    ACCOUNT_REFERENCE,
    ACCOUNTS,
    API_ENTRY_ID,
    DISPATCH,
    HEADER,
    PASSWORD,
    USERNAME,
    VIRTUAL_NUMBER,
    FakeEsendex,
    async_settle,
    inbound_push,
    receipt_push,
)
from .conftest import WEBHOOK_ID, PostNotification

ALICE = "447700900123"
BOB = "447700900456"
CAROL = "447700900789"  # a contact without Assist
STRANGER = "447700900000"
LIGHT = "light.kitchen_light"
LOCK = "lock.back_door"
READ_ONLY_REFUSAL = "An unexpected error occurred"

type Text = Callable[..., Awaitable[str]]


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture
async def home(hass: HomeAssistant) -> None:
    """Assist with HA's own agent, a kitchen light and an exposed back door lock."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "light": [{"name": "Kitchen light", "turn_on": [], "turn_off": []}],
                    "lock": [
                        {
                            "name": "Back door",
                            "lock": [],
                            "unlock": [],
                            "optimistic": True,
                        }
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()
    # Locks are not exposed to Assist by default; this one is.
    async_expose_entity(hass, conversation.DOMAIN, LOCK, True)


@pytest.fixture
async def owner(hass: HomeAssistant) -> User:
    """An administrator: Assist acts for Alice as this user.

    Not Home Assistant's owner (the first user), who cannot be removed.
    """
    await hass.auth.async_create_user("Home owner", group_ids=["system-admin"])
    return await hass.auth.async_create_user("Owner", group_ids=["system-admin"])


@pytest.fixture
async def reader(hass: HomeAssistant) -> User:
    """A user of HA's read-only group: Assist acts for Bob as this user."""
    return await hass.auth.async_create_user("Reader", group_ids=["system-read-only"])


def contact(
    name: str, number: str, *, assist: bool = False, user: User | None = None
) -> ConfigSubentryData:
    data: dict[str, Any] = {"name": name, "phone_number": f"+{number}"}
    if assist:
        data |= {"assist": True, "assist_user_id": user.id if user else None}
    return ConfigSubentryData(
        data=data, subentry_type="contact", title=name, unique_id=number
    )


@pytest.fixture
def options() -> dict[str, Any]:
    """The entry's extra options (tests override it)."""
    return {}


@pytest.fixture
def account_unreadable() -> bool:
    """Whether Esendex fails the account read at setup (tests override it)."""
    return False


@pytest.fixture
async def api_entry(
    hass: HomeAssistant,
    account_unreadable: bool,
    esendex: FakeEsendex,
    home: None,
    *,
    owner: User,
    reader: User,
    options: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """An API entry with Alice (Assist as the owner), Bob (read-only) and Carol."""
    freezer.move_to("2026-05-04T09:00:00+00:00")
    if account_unreadable:
        esendex.fail(ACCOUNTS, HTTPStatus.INTERNAL_SERVER_ERROR)
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
        options={CONF_ACCOUNT_ID: ACCOUNT_ID, **options},
        entry_id=API_ENTRY_ID,
        subentries_data=[
            contact("Alice", ALICE, assist=True, user=owner),
            contact("Bob", BOB, assist=True, user=reader),
            contact("Carol", CAROL),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    return entry


@pytest.fixture
def responder(hass: HomeAssistant, api_entry: MockConfigEntry) -> AssistResponder:
    """The entry's responder, listening to its receiver as __init__.py wires it.

    Until the entry has one of its own (entry.runtime_data.assist), one is made
    here and registered with the receiver, removed at unload.
    """
    existing: AssistResponder | None = getattr(api_entry.runtime_data, "assist", None)
    if existing is not None:
        return existing
    made = AssistResponder(hass, api_entry, async_send_sms)
    api_entry.async_on_unload(
        api_entry.runtime_data.receiver.async_listen_inbound(made.async_on_inbound)
    )
    return made


@pytest.fixture
def answered(hass: HomeAssistant) -> list[Event[dict[str, Any]]]:
    events: list[Event[dict[str, Any]]] = async_capture_events(
        hass, EVENT_ASSIST_ANSWERED
    )
    return events


@pytest.fixture
def text(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    responder: AssistResponder,
    freezer: FrozenDateTimeFactory,
) -> Text:
    """Text the home: the SMS lands in the account's inbox, and is pushed.

    The clock moves on a minute first, as a person would take; returns the id.
    """
    counter = iter(range(1, 10_000))

    async def send(
        body: str,
        *,
        sender: str = ALICE,
        recipient: str = VIRTUAL_NUMBER,
        in_inbox: bool = True,
        settle: bool = True,
        wait: timedelta = timedelta(minutes=1),
    ) -> str:
        # What runs meanwhile (the inbox catch-up every 30 minutes) runs first.
        freezer.tick(wait)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        message_id = f"D6258601-3442-484F-B2AC-{next(counter):012X}"
        if in_inbox:
            esendex.receive(message_id, body, "2026-05-04T09:00:00Z", sender=sender)
        response = await post_notification(
            inbound_push(message_id, body, sender=sender, recipient=recipient)
        )
        assert response.status == HTTPStatus.OK
        if settle:
            await async_settle(hass)
        return message_id

    return send


def replies(esendex: FakeEsendex) -> list[dict[str, str | None]]:
    """Return every SMS dispatched, in order."""
    return [message for dispatch in esendex.dispatches for message in dispatch.messages]


# --- answering ---------------------------------------------------------------


async def test_a_contact_turns_on_the_kitchen_light_and_gets_the_answer(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    owner: User,
    answered: list[Event[dict[str, Any]]],
) -> None:
    message_id = await text("turn on the kitchen light")

    light = hass.states.get(LIGHT)
    assert light is not None
    assert light.state == "on"
    # As the contact's user: HA records who did it.
    assert light.context.user_id == owner.id
    assert replies(esendex) == [{"to": f"+{ALICE}", "body": "Turned on the light"}]
    (event,) = answered
    reply_id = event.data["message_ids"][0]
    assert event.data == {
        "config_entry_id": API_ENTRY_ID,
        "message_id": message_id.lower(),
        "from": ALICE,
        "contact": "Alice",
        "question": "turn on the kitchen light",
        "answer": "Turned on the light",
        "agent_id": None,
        "message_ids": [reply_id],
        "conversation_id": conversation_id_for(API_ENTRY_ID, ALICE),
    }
    assert event.context.user_id == owner.id


async def test_exactly_one_reply_for_a_question(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    post_notification: PostNotification,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """End to end: one question, one reply, even when Esendex pushes it twice."""
    message_id = await text("is the back door locked?")
    # Esendex's retry of the same push: a duplicate, not answered again.
    again = await post_notification(
        inbound_push(message_id, "is the back door locked?")
    )
    assert again.status == HTTPStatus.OK
    await async_settle(hass)

    assert esendex.count(DISPATCH) == 1
    assert len(answered) == 1
    (reply,) = replies(esendex)
    assert reply["to"] == f"+{ALICE}"
    assert reply["body"] is not None
    assert reply["body"].startswith("No, ")


async def test_the_reply_is_recorded_as_sent_and_marked_as_assist(
    hass: HomeAssistant,
    text: Text,
    post_notification: PostNotification,
    responder: AssistResponder,
    *,
    api_entry: MockConfigEntry,
    owner: User,
    answered: list[Event[dict[str, Any]]],
) -> None:
    delivered = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    await text("turn on the kitchen light")
    (reply_id,) = answered[0].data["message_ids"]

    record = api_entry.runtime_data.receiver.sent.get(reply_id)
    assert record is not None
    assert record.recipient == f"+{ALICE}"
    assert record.text == "Turned on the light"
    assert record.user_id == owner.id
    assert responder.is_assist_reply(reply_id.upper())
    assert not responder.is_assist_reply("1183C73D-2E62-4F60-B610-00000000FFFF")
    # Its receipt is matched back to it.
    response = await post_notification(receipt_push(reply_id.upper()))
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    (receipt,) = delivered
    assert receipt.data["contact"] == "Alice"
    assert receipt.data["text"] == "Turned on the light"
    assert receipt.context.parent_id == answered[0].context.id


async def test_the_answer_does_not_hold_up_the_webhook(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Esendex gets its 200 while the check and the conversation are still to come."""
    hold = esendex.hold(HEADER)

    await text("turn on the kitchen light", settle=False)

    await hold.reached.wait()
    assert esendex.count(DISPATCH) == 0
    assert hass.states.get(LIGHT).state != "on"  # type: ignore[union-attr]
    hold.release()
    await async_settle(hass)
    assert esendex.count(DISPATCH) == 1
    assert hass.states.get(LIGHT).state == "on"  # type: ignore[union-attr]


async def test_a_read_only_users_command_is_refused_by_home_assistant(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Bob's user is read-only: HA refuses, and the refusal is what Bob gets."""
    await text("unlock the back door", sender=BOB)
    await text("turn on the kitchen light", sender=BOB)

    assert hass.states.get(LOCK).state != "unlocked"  # type: ignore[union-attr]
    assert hass.states.get(LIGHT).state != "on"  # type: ignore[union-attr]
    assert replies(esendex) == [
        {"to": f"+{BOB}", "body": READ_ONLY_REFUSAL},
        {"to": f"+{BOB}", "body": READ_ONLY_REFUSAL},
    ]
    assert [event.data["answer"] for event in answered] == [READ_ONLY_REFUSAL] * 2
    assert all("error" not in event.data for event in answered)


async def test_a_read_only_user_may_still_ask(
    hass: HomeAssistant, esendex: FakeEsendex, text: Text
) -> None:
    await text("is the back door locked?", sender=BOB)

    (reply,) = replies(esendex)
    assert reply["body"] is not None
    assert reply["body"].startswith("No, ")


async def test_a_sender_keeps_one_conversation(
    hass: HomeAssistant, text: Text, answered: list[Event[dict[str, Any]]]
) -> None:
    """The same conversation id for every SMS of a sender, another per sender.

    The id is the one Home Assistant answered with: HA kept it, so follow-ups
    continue the conversation.
    """
    await text("turn on the kitchen light")
    await text("is the back door locked?")
    await text("is the back door locked?", sender=BOB)

    ids = [event.data["conversation_id"] for event in answered]
    assert ids[0] == ids[1] == conversation_id_for(API_ENTRY_ID, ALICE)
    assert ids[2] == conversation_id_for(API_ENTRY_ID, BOB)
    assert ids[0] != ids[2]


async def test_calls_for_one_sender_are_serialised(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HA refuses a busy conversation: a second SMS waits for the first's answer."""
    real = conversation.async_converse
    running: list[str] = []
    most = 0
    gate = asyncio.Event()

    async def held(*args: Any, **kwargs: Any) -> conversation.ConversationResult:
        nonlocal most
        running.append(args[1])
        most = max(most, len(running))
        await gate.wait()
        try:
            return await real(*args, **kwargs)
        finally:
            running.remove(args[1])

    monkeypatch.setattr(conversation, "async_converse", held)
    await text("turn on the kitchen light", settle=False)
    await text("is the back door locked?", settle=False)
    for _ in range(20):
        await hass.async_block_till_done()
    gate.set()
    await async_settle(hass)

    assert most == 1
    assert esendex.count(DISPATCH) == 2


async def test_an_agent_error_sends_the_agents_own_error_text(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    await text("make me a sandwich")

    (reply,) = replies(esendex)
    assert reply["body"] == answered[0].data["answer"]
    assert reply["body"]
    assert answered[0].data["message_ids"]


# --- the reply's text --------------------------------------------------------


def agent_saying(
    speech: str,
) -> Callable[..., Awaitable[conversation.ConversationResult]]:
    async def converse(
        hass: HomeAssistant,
        text: str,
        conversation_id: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> conversation.ConversationResult:
        response = intent.IntentResponse(language="en")
        response.async_set_speech(speech)
        return conversation.ConversationResult(response, conversation_id)

    return converse


@pytest.mark.parametrize("options", [{"assist_max_parts": 1}])
async def test_the_reply_is_plain_gsm7_and_capped(
    esendex: FakeEsendex,
    text: Text,
    monkeypatch: pytest.MonkeyPatch,
    answered: list[Event[dict[str, Any]]],
) -> None:
    speech = "**Heating**: it\u2019s set to 20\u00a0degrees \u2013 " + "and more " * 40
    monkeypatch.setattr(conversation, "async_converse", agent_saying(speech))

    await text("how warm is it?")

    (reply,) = replies(esendex)
    body = reply["body"]
    assert body is not None
    assert body.startswith("Heating: it's set to 20 degrees - and more")
    assert body.endswith(("more...", "and..."))
    assert len(body) <= 160
    assert answered[0].data["answer"] == body


async def test_an_answer_with_no_text_is_not_sent(
    esendex: FakeEsendex,
    text: Text,
    monkeypatch: pytest.MonkeyPatch,
    answered: list[Event[dict[str, Any]]],
) -> None:
    monkeypatch.setattr(conversation, "async_converse", agent_saying("<b></b> "))

    await text("anything?")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "empty_answer"
    assert answered[0].data["answer"] == ""


# --- the pipeline --------------------------------------------------------------


@pytest.fixture
def pipelines(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """assist_pipeline loaded, with a stand-in for its pipeline lookup.

    Its module cannot be imported here: it needs `pymicro_vad`, a voice requirement
    that pytest-homeassistant-custom-component does not install.
    """
    asked: list[str | None] = []

    def async_get_pipeline(hass: HomeAssistant, pipeline_id: str | None = None) -> Any:
        asked.append(pipeline_id)
        if pipeline_id == "gone":
            raise LookupError("Pipeline gone not found")
        return SimpleNamespace(
            conversation_engine="conversation.home_assistant",
            conversation_language="en",
        )

    module = ModuleType("homeassistant.components.assist_pipeline.pipeline")
    module.async_get_pipeline = async_get_pipeline  # type: ignore[attr-defined]
    package = ModuleType("homeassistant.components.assist_pipeline")
    package.pipeline = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, package.__name__, package)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    hass.config.components.add("assist_pipeline")
    return asked


async def test_the_preferred_pipelines_agent_and_language_answer(
    hass: HomeAssistant,
    pipelines: list[str | None],
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    await text("turn on the kitchen light")

    assert pipelines == [None]
    assert answered[0].data["agent_id"] == "conversation.home_assistant"
    assert answered[0].data["answer"] == "Turned on the light"


@pytest.mark.parametrize("options", [{"assist_pipeline": "01JPIPELINE"}])
async def test_the_pipeline_of_the_options_answers(
    pipelines: list[str | None],
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    await text("turn on the kitchen light")

    assert pipelines == ["01JPIPELINE"]
    assert answered[0].data["message_ids"]


@pytest.mark.parametrize("options", [{"assist_pipeline": "gone"}])
async def test_a_missing_pipeline_sends_nothing_and_says_why(
    esendex: FakeEsendex,
    pipelines: list[str | None],
    text: Text,
    answered: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "failed"
    assert answered[0].data["error_detail"] == "Pipeline gone not found"
    assert "Assist could not answer" in caplog.text


@pytest.mark.parametrize("options", [{"assist_pipeline": "01JPIPELINE"}])
async def test_a_chosen_pipeline_needs_assist_pipeline(
    esendex: FakeEsendex, text: Text, answered: list[Event[dict[str, Any]]]
) -> None:
    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "failed"
    assert "assist_pipeline" in answered[0].data["error_detail"]


async def test_without_conversation_nothing_is_sent(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    hass.config.components.remove("conversation")

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "failed"
    assert "conversation" in answered[0].data["error_detail"]


# --- integration failures ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (HTTPStatus.INTERNAL_SERVER_ERROR, "not reachable"),
        (HTTPStatus.PAYMENT_REQUIRED, "no credits"),
    ],
)
async def test_a_failed_send_is_logged_and_told(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
    *,
    caplog: pytest.LogCaptureFixture,
    status: HTTPStatus,
    detail: str,
) -> None:
    esendex.fail(DISPATCH, status, "No")

    await text("turn on the kitchen light")

    (event,) = answered
    assert event.data["error"] == "failed"
    assert detail in event.data["error_detail"]
    assert event.data["answer"] == "Turned on the light"
    assert "message_ids" not in event.data
    assert "Assist could not answer" in caplog.text


async def test_a_guard_that_fails_does_not_fail_the_webhook(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(assist_module, "contact_for_number", broken)

    await text("turn on the kitchen light")  # asserts the 200

    assert esendex.count(DISPATCH) == 0
    assert "Could not check an SMS for Assist" in caplog.text


# --- who never gets an answer --------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        pytest.param("HomeAlarm", VIRTUAL_NUMBER, id="alphanumeric"),
        pytest.param(STRANGER, VIRTUAL_NUMBER, id="not-a-contact"),
        pytest.param(CAROL, VIRTUAL_NUMBER, id="contact-without-assist"),
        # The account's address (from the account read) texting the account.
        pytest.param(VIRTUAL_NUMBER, "447860000001", id="account-address"),
        # The number the SMS was sent to, texting itself.
        pytest.param("447860000001", "447860000001", id="own-number"),
    ],
)
async def test_who_never_gets_an_answer(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    *,
    owner: User,
    answered: list[Event[dict[str, Any]]],
    sender: str,
    recipient: str,
) -> None:
    # Even as Assist-enabled contacts: the account's own numbers.
    for number in (VIRTUAL_NUMBER, "447860000001"):
        hass.config_entries.async_add_subentry(
            api_entry,
            ConfigSubentry(
                data=MappingProxyType(
                    {
                        "name": f"Own {number}",
                        "phone_number": f"+{number}",
                        "assist": True,
                        "assist_user_id": owner.id,
                    }
                ),
                subentry_type="contact",
                title=f"Own {number}",
                unique_id=number,
            ),
        )

    await text("turn on the kitchen light", sender=sender, recipient=recipient)

    assert esendex.count(DISPATCH) == 0
    assert answered == []
    assert hass.states.get(LIGHT).state != "on"  # type: ignore[union-attr]


async def test_an_opted_out_contact_gets_no_answer(
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    answered: list[Event[dict[str, Any]]],
) -> None:
    api_entry.runtime_data.receiver.opted_out[opted_out_key(ALICE)] = "2026-05-04"

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered == []


async def test_a_contact_with_assist_turned_off_gets_no_answer(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Turned off again, its user still set: off counts, at once."""
    (alice,) = (
        subentry
        for subentry in api_entry.subentries.values()
        if subentry.title == "Alice"
    )
    hass.config_entries.async_update_subentry(
        api_entry, alice, data={**alice.data, "assist": False}
    )

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered == []
    assert hass.states.get(LIGHT).state != "on"  # type: ignore[union-attr]


async def test_a_contact_with_assist_but_no_user_gets_no_answer(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    answered: list[Event[dict[str, Any]]],
) -> None:
    (carol,) = (
        subentry
        for subentry in api_entry.subentries.values()
        if subentry.title == "Carol"
    )
    hass.config_entries.async_update_subentry(
        api_entry, carol, data={**carol.data, "assist": True}
    )

    await text("turn on the kitchen light", sender=CAROL)

    assert esendex.count(DISPATCH) == 0
    assert answered == []


@pytest.mark.parametrize("inactive", [True, False])
async def test_a_missing_or_inactive_user_gets_no_answer(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    owner: User,
    *,
    answered: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
    inactive: bool,
) -> None:
    if inactive:
        await hass.auth.async_deactivate_user(owner)
    else:
        await hass.auth.async_remove_user(owner)

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "no_user"
    assert "its user is missing or inactive" in caplog.text


async def test_an_sms_caught_up_from_the_inbox_is_not_answered(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    api_entry: MockConfigEntry,
    responder: AssistResponder,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Only pushes are answered: an inbox message is late by the time it is read."""
    esendex.receive(
        "5F1A2B3C-0000-4000-8000-000000000009",
        "unlock the back door",
        "2026-05-04T10:00:00Z",
        sender=ALICE,
    )
    catch_up = api_entry.runtime_data.catch_up
    assert catch_up is not None

    await catch_up.async_run()
    await async_settle(hass)

    assert esendex.count(DISPATCH) == 0
    assert answered == []
    assert hass.states.get(LOCK).state != "unlocked"  # type: ignore[union-attr]


async def test_a_forged_push_is_not_answered(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Esendex has no such message: a push from someone who knows the URL."""
    await text("unlock the back door", in_inbox=False)

    assert esendex.count(DISPATCH) == 0
    assert hass.states.get(LOCK).state != "unlocked"  # type: ignore[union-attr]
    assert answered[0].data["error"] == "unverified"
    assert "answer" in answered[0].data
    assert answered[0].data["answer"] is None


async def test_a_push_that_cannot_be_checked_is_not_answered(
    esendex: FakeEsendex, text: Text, answered: list[Event[dict[str, Any]]]
) -> None:
    """The API is unreachable: not verified, so not answered."""
    esendex.fail(HEADER, HTTPStatus.INTERNAL_SERVER_ERROR, times=5)

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "unverified"


async def test_without_a_verifier_nothing_is_answered(
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """As for a receive-only entry, which cannot check a push."""
    api_entry.runtime_data.verifier = None

    await text("turn on the kitchen light")

    assert esendex.count(DISPATCH) == 0
    assert answered[0].data["error"] == "unverified"


# --- no reply loops ------------------------------------------------------------


def test_typing_seconds() -> None:
    assert typing_seconds("") == TYPING_MIN_SECONDS
    assert typing_seconds("x" * 30) == TYPING_MIN_SECONDS + 30 / TYPING_CHARS_PER_SECOND


async def test_a_sender_faster_than_a_person_is_not_answered(
    esendex: FakeEsendex, text: Text, answered: list[Event[dict[str, Any]]]
) -> None:
    """An auto-responder answering the answer at once gets nothing back."""
    question = "is the back door locked?"  # 24 characters: 4.4 s to type
    await text(question)
    await text(question, wait=timedelta(seconds=4))
    # A person's pace again.
    await text(question, wait=timedelta(seconds=5))

    assert [event.data.get("error") for event in answered] == [
        None,
        "too_fast",
        None,
    ]
    assert esendex.count(DISPATCH) == 2


async def test_the_pace_is_per_sender(
    esendex: FakeEsendex, text: Text, answered: list[Event[dict[str, Any]]]
) -> None:
    await text("is the back door locked?")
    await text("is the back door locked?", sender=BOB, wait=timedelta(seconds=1))

    assert [event.data.get("error") for event in answered] == [None, None]


async def test_a_later_sms_checked_first_makes_the_earlier_one_too_fast(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Two SMS a second apart whose checks end out of order: one answer only."""
    second_answered = asyncio.Event()

    @callback
    def record(_event: Event[dict[str, Any]]) -> None:
        second_answered.set()

    hass.bus.async_listen_once(EVENT_ASSIST_ANSWERED, record)
    first_hold = esendex.hold(HEADER)
    await text("is the back door locked?", settle=False)
    await first_hold.reached.wait()
    await text("is the back door locked?", wait=timedelta(seconds=1), settle=False)
    # The second is checked and answered while the first's check is held.
    await second_answered.wait()
    assert [event.data.get("error") for event in answered] == [None]
    first_hold.release()
    await async_settle(hass)

    assert [event.data.get("error") for event in answered] == [None, "too_fast"]
    assert esendex.count(DISPATCH) == 1


# --- rate limits ---------------------------------------------------------------


def issue(hass: HomeAssistant, kind: Limit) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, assist_issue_id(kind, API_ENTRY_ID)
    )


def placeholders(hass: HomeAssistant, kind: Limit) -> dict[str, str]:
    found = issue(hass, kind)
    assert found is not None
    assert found.translation_placeholders is not None
    return found.translation_placeholders


@pytest.mark.parametrize("options", [{"assist_contact_hourly_limit": 2}])
async def test_the_contact_limit_stops_answers_until_its_hour_clears(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    freezer: FrozenDateTimeFactory,
    answered: list[Event[dict[str, Any]]],
) -> None:
    await text("is the back door locked?")  # 09:01, answered
    await text("is the back door locked?", wait=timedelta(minutes=20))  # 09:21
    await text("is the back door locked?", wait=timedelta(minutes=20))  # 09:41

    assert [event.data.get("error") for event in answered] == [
        None,
        None,
        "contact_limit",
    ]
    assert esendex.count(DISPATCH) == 2
    found = issue(hass, Limit.CONTACT)
    assert found is not None
    assert found.translation_key == "assist_contact_limit"
    assert found.translation_placeholders == {
        "title": "Esendex SMS",
        "contact": "Alice",
        "limit": "2",
        # An hour after the first answer, in local time.
        "clears_at": dt_util.as_local(
            dt_util.parse_datetime("2026-05-04T10:01:00+00:00")  # type: ignore[arg-type]
        ).strftime("%Y-%m-%d %H:%M"),
    }
    # Other contacts are still answered.
    await text("is the back door locked?", sender=BOB)
    assert esendex.count(DISPATCH) == 3
    # Still full at 09:59 (and asking again does not move the clearing time).
    await text("is the back door locked?", wait=timedelta(minutes=17))
    assert answered[-1].data["error"] == "contact_limit"
    assert placeholders(hass, Limit.CONTACT) == found.translation_placeholders
    # 10:01: the first answer leaves the window; the issue goes.
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert issue(hass, Limit.CONTACT) is None
    await text("is the back door locked?", wait=timedelta(seconds=30))
    assert answered[-1].data.get("error") is None
    assert esendex.count(DISPATCH) == 4


@pytest.mark.parametrize("options", [{"assist_entry_daily_limit": 2}])
async def test_the_entry_limit_stops_every_answer_until_its_day_clears(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    text: Text,
    freezer: FrozenDateTimeFactory,
    answered: list[Event[dict[str, Any]]],
) -> None:
    await text("is the back door locked?")  # 09:01
    await text("is the back door locked?", sender=BOB, wait=timedelta(hours=2))
    await text("is the back door locked?", wait=timedelta(hours=2))  # 13:01
    await text("is the back door locked?", sender=BOB)

    assert [event.data.get("error") for event in answered] == [
        None,
        None,
        "entry_limit",
        "entry_limit",
    ]
    assert esendex.count(DISPATCH) == 2
    found = issue(hass, Limit.ENTRY)
    assert found is not None
    assert found.translation_key == "assist_entry_limit"
    assert placeholders(hass, Limit.ENTRY)["limit"] == "2"
    assert placeholders(hass, Limit.ENTRY)["clears_at"] == dt_util.as_local(
        dt_util.parse_datetime("2026-05-05T09:01:00+00:00")  # type: ignore[arg-type]
    ).strftime("%Y-%m-%d %H:%M")
    # The next day, a minute after the first answer: one answer is free again.
    freezer.move_to("2026-05-05T09:01:30+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert issue(hass, Limit.ENTRY) is None
    await text("is the back door locked?")
    await text("is the back door locked?", sender=BOB)
    assert [event.data.get("error") for event in answered[4:]] == [
        None,
        "entry_limit",
    ]


@pytest.mark.parametrize("options", [{"assist_entry_daily_limit": 1}])
async def test_unloading_cancels_the_issue_timers(
    hass: HomeAssistant,
    text: Text,
    api_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await text("is the back door locked?")
    await text("is the back door locked?")
    assert issue(hass, Limit.ENTRY) is not None

    assert await hass.config_entries.async_unload(api_entry.entry_id)
    freezer.tick(timedelta(days=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    # Left for the entry's removal (assist_issue_ids), not cleared by a timer.
    assert issue(hass, Limit.ENTRY) is not None
    assert assist_issue_id(Limit.ENTRY, API_ENTRY_ID) in assist_issue_ids(API_ENTRY_ID)
    assert assist_issue_ids(API_ENTRY_ID) == [
        f"assist_contact_limit_{API_ENTRY_ID}",
        f"assist_entry_limit_{API_ENTRY_ID}",
    ]


# --- diagnostics -------------------------------------------------------------


@pytest.mark.parametrize(
    "options", [{"assist_max_parts": 3, "assist_contact_hourly_limit": 1}]
)
async def test_diagnostics_show_settings_and_counters_not_texts(
    esendex: FakeEsendex, text: Text, responder: AssistResponder
) -> None:
    await text("turn on the kitchen light")
    await text("is the back door locked?")  # the contact's limit
    await text("is the back door locked?", in_inbox=False, sender=BOB)

    diagnostics = responder.diagnostics()

    assert diagnostics == {
        "settings": {
            "pipeline_id": None,
            "max_parts": 3,
            "contact_hourly_limit": 1,
            "entry_daily_limit": 50,
        },
        "assist_contacts": 2,
        "counters": {
            "answered": 1,
            "unverified": 1,
            "too_fast": 0,
            "contact_limit": 1,
            "entry_limit": 0,
            "no_user": 0,
            "empty_answer": 0,
            "failed": 0,
        },
        "answers_last_day": 1,
    }
    assert "kitchen" not in repr(diagnostics)
    assert ALICE not in repr(diagnostics)


@pytest.mark.parametrize("account_unreadable", [True])
async def test_an_unreadable_account_does_not_stop_answers(
    esendex: FakeEsendex,
    text: Text,
    api_entry: MockConfigEntry,
    answered: list[Event[dict[str, Any]]],
) -> None:
    """Without the account's address, the SMS's own `to` is still refused."""
    coordinator = api_entry.runtime_data.coordinator
    assert coordinator is not None
    assert coordinator.data is None

    await text("is the back door locked?")

    assert answered[0].data["message_ids"]


# --- the logbook ---------------------------------------------------------------

type Describer = Callable[[Event[Mapping[str, Any]]], dict[str, str]]


def assist_line(hass: HomeAssistant, **data: Any) -> dict[str, str]:
    found: dict[str, Describer] = {}

    def describe(domain: str, event_type: str, describer: Describer) -> None:
        found[event_type] = describer

    async_describe_events(hass, describe)
    return found[EVENT_ASSIST_ANSWERED](Event(EVENT_ASSIST_ANSWERED, data))


async def test_the_logbook_line_of_an_answer(hass: HomeAssistant) -> None:
    line = assist_line(
        hass, **{"from": ALICE, "contact": "Alice", "answer": "Turned on the light"}
    )

    assert line == {
        "name": "Esendex SMS",
        "message": "Assist answered Alice: Turned on the light",
        "icon": "mdi:message-reply-text",
    }
    long = assist_line(hass, **{"from": ALICE, "contact": None, "answer": "y" * 300})
    assert long["message"] == f"Assist answered +{ALICE}: " + "y" * 99 + "…"


async def test_the_logbook_line_of_no_answer(hass: HomeAssistant) -> None:
    line = assist_line(
        hass,
        **{"from": ALICE, "contact": "Alice", "answer": None, "error": "too_fast"},
    )

    assert line["message"] == "Assist did not answer Alice: too_fast"
    assert line["icon"] == "mdi:message-alert"
