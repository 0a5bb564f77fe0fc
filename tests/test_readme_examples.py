"""The documents' examples, run for real: a broken example fails these tests.

The documents are README.md and docs/*.md. Code blocks are found by the HTML comment
right before their fence:
`<!-- example: NAME -->` (automations), `<!-- card: NAME -->` (dashboard cards),
`<!-- curl: NAME -->` (shell commands), `<!-- payload: EVENT -->` (event data),
`<!-- steps: NAME -->` (script steps) and `<!-- response: NAME -->` (the response of
the steps of the same name). Each test names the document its block lives in, and
`test_documents_have_the_examples` checks that no marked block goes untested.

The entries have one contact, Alice, for the number the examples' SMS come from.
Examples that send, and those that need verified SMS, run against an entry with API
credentials, with HA's `aioclient_mock` answering as the Esendex REST API does: it
keeps a copy of each SMS pushed to that entry (or not, for a fake push), which the
entry reads back to verify the push.
"""

from collections.abc import Mapping
from http import HTTPStatus
import json
from pathlib import Path
import re
import textwrap
from typing import Any
from xml.sax.saxutils import escape

from defusedxml.ElementTree import fromstring
import homeassistant.components.homeassistant
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    EntityCategory,
)
from homeassistant.core import Context, Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.script import Script, async_validate_actions_config
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    CONF_DEFAULT_RECIPIENT,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_MESSAGE_VERIFIED,
    EVENT_OPTED_OUT,
    SERVICE_SEND_SMS,
)
from custom_components.esendex.logbook import async_describe_events
from custom_components.esendex.trigger import VERIFY_TIMEOUT_SECONDS
from custom_components.esendex.verify import (
    VERIFY_MAX_PENDING,
    unverified_push_issue_id,
)

from .api_support import InboxItem
from .conftest import WEBHOOK_ID, PostNotification

REPO = Path(__file__).parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
TRANSLATIONS = REPO / "custom_components" / "esendex" / "translations"
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)<!-- (?P<kind>[a-z]+): (?P<name>[\w-]+) -->\n"
    r"(?P=indent)```(?P<lang>\w+)\n(?P<body>.*?)\n(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
DOCUMENTED_ENTITY_ID = re.compile(
    r"\b(?:sensor|event|notify)\.esendex_sms(?:_[a-z0-9_]+)?\b"
)

SENDER = "447700900123"
# Numbers that are no contact.
STRANGER = "447700900999"
OTHER = "447700900456"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
# The entries' one contact: the documents' SMS come from her number.
ALICE = ConfigSubentryData(
    data={"name": "Alice", "phone_number": f"+{SENDER}"},
    subentry_type="contact",
    title="Alice",
    unique_id=SENDER,
)
ENTITY_IDS = {
    "sensor.esendex_sms_last_inbound_message",
    "sensor.esendex_sms_last_delivery_status",
    "event.esendex_sms_inbound_message",
    "event.esendex_sms_delivery_status",
}
# Only entries with API credentials have these.
API_ENTITY_IDS = {
    "sensor.esendex_sms_credits_remaining",
    "notify.esendex_sms",
}

# The notifications the documents' examples and payloads are written for. Inline
# rather than from tests/fixtures/, so that the documents stay tied to exactly these.
INBOUND_XML = f"""<InboundMessage>
  <Id>4b912ad6-5ba1-4fdb-addc-007fb212ebae</Id>
  <MessageId>09543bf1-8f47-4afa-9fe8-cb36bd0e6e90</MessageId>
  <AccountId>{ACCOUNT_ID}</AccountId>
  <MessageText>Gate code please</MessageText>
  <From>{SENDER}</From>
  <To>447860000000</To>
</InboundMessage>"""
DELIVERED_XML = f"""<MessageDelivered>
  <Id>bece4d20-779c-4778-b08c-438a13cca5c9</Id>
  <MessageId>ee931a29-d176-42bb-b2a1-a66871e8c118</MessageId>
  <AccountId>{ACCOUNT_ID}</AccountId>
  <OccurredAt>2014-07-31T21:42:46</OccurredAt>
</MessageDelivered>"""
FAILED_WITH_REASON_XML = f"""<MessageFailed>
  <Id>e9263c9c-6fe5-4afa-ae6f-c246b5ca5cc8</Id>
  <MessageId>a2a16c94-1f8d-4fde-919c-d0bc02665284</MessageId>
  <AccountId>{ACCOUNT_ID}</AccountId>
  <OccurredAt>2015-11-09T15:18:19.4070000+01:00</OccurredAt>
  <FailureReason>
    <Code>142</Code>
    <Detail>Message broken</Detail>
    <PermanentFailure>true</PermanentFailure>
  </FailureReason>
</MessageFailed>"""
FAILED_XML = f"""<MessageFailed>
  <Id>6c27a10d-015a-418c-8dfa-69e1446a124e</Id>
  <MessageId>20fb2083-c5b6-44c2-ac72-24a21db02c9e</MessageId>
  <AccountId>{ACCOUNT_ID}</AccountId>
  <OccurredAt>2015-11-09T15:18:19</OccurredAt>
</MessageFailed>"""
# The shape a public integration documents, misspelt `ReceviedAt` included.
OPT_OUT_ID = "436332c6-8755-41bf-abde-cc48eafacba0"
OPT_OUT_XML = f"""<OptOut>
  <Id>{OPT_OUT_ID}</Id>
  <AccountId>{ACCOUNT_ID}</AccountId>
  <AccountReference>EX0123456</AccountReference>
  <ReceviedAt>2015-11-09T15:18:19Z</ReceviedAt>
  <From>
     <PhoneNumber>{SENDER}</PhoneNumber>
  </From>
  <Link rel="optout" href="https://api.esendex.com/v1.0/optouts/{OPT_OUT_ID}" />
</OptOut>"""

# The Esendex REST API, as the examples that send see it: an entry with credentials
# for one account, and the XML Esendex answers with (the shapes of tests/fixtures/api).
ENTRY_ID = "01JESENDEXTESTENTRY000000"
ACCOUNT_REFERENCE = "EX0123456"
API = "https://api.esendex.com/v1.0"
ACCOUNTS_URL = f"{API}/accounts"
DISPATCHER_URL = f"{API}/messagedispatcher"
INBOX_URL = f"{API}/inbox/{ACCOUNT_REFERENCE}/messages"
NS = "{http://api.esendex.com/ns/}"
CREDITS = 250
ACCOUNTS_ANSWER = f"""<?xml version="1.0" encoding="utf-8"?>
<accounts xmlns="http://api.esendex.com/ns/">
  <account id="{ACCOUNT_ID}" uri="{API}/accounts/{ACCOUNT_ID}">
    <reference>{ACCOUNT_REFERENCE}</reference>
    <label>Home</label>
    <address>447860000000</address>
    <type>Professional</type>
    <messagesremaining>{CREDITS}</messagesremaining>
    <expireson>2099-09-04T00:00:00</expireson>
    <role>PowerUser</role>
    <defaultdialcode>44</defaultdialcode>
    <settings uri="{API}/accounts/{ACCOUNT_ID}/settings" />
  </account>
</accounts>"""
EMPTY_INBOX = """<?xml version="1.0" encoding="utf-8"?>
<messageheaders startindex="0" count="0" totalcount="0" \
xmlns="http://api.esendex.com/ns/"/>"""
# The ids the documented response and delivered payload show, in the order sent.
MESSAGE_IDS = (
    "1183c73d-2e62-4f60-b610-30f160bdfbd5",
    "2a0c7ab4-7f3e-4d8e-9b1a-6c5d4e3f2a1b",
)


def dispatcher_answer(count: int = 1) -> str:
    """Esendex's answer to a send: one header per message, ids in upper case."""
    headers = "".join(
        f'<messageheader uri="{API}/messageheaders/{message_id.upper()}" '
        f'id="{message_id.upper()}" />'
        for message_id in MESSAGE_IDS[:count]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<messageheaders batchid="F8BF9867-FF81-49E4-ACC5-774DE793B776" '
        f'xmlns="http://api.esendex.com/ns/">{headers}</messageheaders>'
    )


def documents() -> list[Path]:
    """Return README.md and the docs/*.md files."""
    return [README, *sorted(DOCS.glob("*.md"))]


def document_name(path: Path) -> str:
    """Return a document's path in the repository, e.g. `docs/sending.md`."""
    return path.relative_to(REPO).as_posix()


def all_blocks() -> dict[tuple[str, str], tuple[str, str, str]]:
    """Return {(kind, name): (document, language, dedented body)} of every document."""
    blocks: dict[tuple[str, str], tuple[str, str, str]] = {}
    for path in documents():
        for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
            key = (match["kind"], match["name"])
            assert key not in blocks, (
                f"two `{key[0]}: {key[1]}` blocks, in {blocks[key][0]} and "
                f"{document_name(path)}"
            )
            body = textwrap.dedent(match["indent"] + match["body"])
            blocks[key] = (document_name(path), match["lang"], body)
    return blocks


def doc_block(document: str, kind: str, name: str) -> tuple[str, str]:
    """Return (language, body) of the block `<!-- KIND: NAME -->` of one document."""
    blocks = all_blocks()
    assert (kind, name) in blocks, f"no `<!-- {kind}: {name} -->` block in any document"
    found_in, lang, body = blocks[kind, name]
    assert found_in == document, f"`{kind}: {name}` is in {found_in}, not {document}"
    return lang, body


def doc_yaml(document: str, kind: str, name: str) -> Any:
    """Load one YAML block of a document with Home Assistant's own loader."""
    lang, body = doc_block(document, kind, name)
    assert lang == "yaml"
    return parse_yaml(body)


async def run_steps(
    hass: HomeAssistant,
    document: str,
    name: str,
    response_variable: str | None = None,
) -> Any:
    """Run documented script steps; return the response variable's value at the end."""
    steps = doc_yaml(document, "steps", name)
    sequence = steps if isinstance(steps, list) else [steps]
    if response_variable is not None:
        sequence = [
            *sequence,
            {"stop": "steps done", "response_variable": response_variable},
        ]
    validated = await async_validate_actions_config(hass, cv.SCRIPT_SCHEMA(sequence))
    script = Script(hass, validated, f"{document} {name}", DOMAIN)
    result = await script.async_run(context=Context())
    await hass.async_block_till_done()
    return None if result is None else result.service_response


def sent_sms(aioclient_mock: AiohttpClientMocker) -> list[tuple[str, str]]:
    """Return (to, body) of every SMS POSTed to Esendex's messagedispatcher."""
    sent: list[tuple[str, str]] = []
    for method, url, data, _headers in aioclient_mock.mock_calls:
        if method.upper() != "POST":
            continue
        assert str(url) == DISPATCHER_URL
        root = fromstring(data)
        assert root.tag == f"{NS}messages"
        assert root.findtext(f"{NS}accountreference") == ACCOUNT_REFERENCE
        sent.extend(
            (message.findtext(f"{NS}to"), message.findtext(f"{NS}body"))
            for message in root.iterfind(f"{NS}message")
        )
    return sent


async def send_sms(hass: HomeAssistant, to: str, message: str) -> Mapping[str, Any]:
    """Send with the action, as an automation would, and return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND_SMS,
        {"config_entry_id": ENTRY_ID, "to": to, "message": message},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    await hass.async_block_till_done()
    return response


@pytest.fixture
def config_entry(hass: HomeAssistant) -> MockConfigEntry:
    """The receive-only entry (`loaded_entry` sets it up), with Alice as a contact."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False},
        entry_id=ENTRY_ID,
        subentries_data=[ALICE],
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def api_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> MockConfigEntry:
    """An entry with API credentials, a default recipient and Alice, set up.

    Esendex answers the account and an empty inbox; each test adds its send answer,
    and Esendex's copy of each SMS it pushes (`push`).
    """
    aioclient_mock.get(ACCOUNTS_URL, text=ACCOUNTS_ANSWER)
    aioclient_mock.get(INBOX_URL, text=EMPTY_INBOX)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        unique_id=ACCOUNT_ID,
        data={
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_CLOUDHOOK: False,
            CONF_USERNAME: "home@example.com",
            CONF_PASSWORD: "api-password",
            CONF_ACCOUNT_REFERENCE: ACCOUNT_REFERENCE,
        },
        options={
            CONF_ACCOUNT_ID: ACCOUNT_ID,
            CONF_DEFAULT_RECIPIENT: "+447700900123",
        },
        entry_id=ENTRY_ID,
        subentries_data=[ALICE],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    # The first inbox catch-up runs in the background after setup.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert any(str(call[1]).startswith(INBOX_URL) for call in aioclient_mock.mock_calls)
    return entry


async def setup_example(hass: HomeAssistant, document: str, name: str) -> None:
    """Set a documented automation up, and check Home Assistant accepted it."""
    config = doc_yaml(document, "example", name)
    automations = config if isinstance(config, list) else [config]
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == len(automations)
    assert all(state.state == "on" for state in states), states


def inbound(notification_id: str, text: str, sender: str = SENDER) -> str:
    """An InboundMessage push notification."""
    return (
        f"<InboundMessage><Id>{notification_id}</Id>"
        # Each SMS has its own MessageId; the inbound dedupe relies on it.
        f"<MessageId>message-{notification_id}</MessageId>"
        f"<AccountId>{ACCOUNT_ID}</AccountId><MessageText>{text}</MessageText>"
        f"<From>{sender}</From><To>447860000000</To></InboundMessage>"
    )


def opt_out(notification_id: str, sender: str = SENDER) -> str:
    """An OptOut push notification, as the documented one but for its Id and sender."""
    return OPT_OUT_XML.replace(OPT_OUT_ID, notification_id).replace(SENDER, sender)


async def post(
    hass: HomeAssistant, post_notification: PostNotification, body: object
) -> None:
    """POST a notification that must be processed, and let automations run."""
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    await hass.async_block_till_done()


def esendex_keeps(
    aioclient_mock: AiohttpClientMocker,
    message_id: str,
    text: str,
    sender: str = SENDER,
    *,
    status: HTTPStatus = HTTPStatus.OK,
) -> None:
    """Esendex answers the reads of one SMS: its header and body, or `status`.

    What an entry with API credentials reads to verify a push of that MessageId.
    """
    url = f"{API}/messageheaders/{message_id}"
    if status is not HTTPStatus.OK:
        aioclient_mock.get(url, status=status, text=status.phrase)
        return
    item = InboxItem(message_id, sender, text, "2026-10-20T08:15:02.481Z")
    aioclient_mock.get(url, text=item.header(ACCOUNT_REFERENCE, root=True))
    aioclient_mock.get(
        f"{url}/body",
        text=f'<messagebody xmlns="http://api.esendex.com/ns/">'
        f"<bodytext>{escape(text)}</bodytext>"
        "<characterset>GSM</characterset></messagebody>",
    )


async def push(
    hass: HomeAssistant,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
    notification_id: str,
    text: str,
    *,
    sender: str = SENDER,
    esendex_has_it: bool = True,
) -> None:
    """POST an SMS to the API entry; wait for its verification and what follows.

    Esendex keeps its copy of the SMS, unless `esendex_has_it` is false: a fake push.
    """
    esendex_keeps(
        aioclient_mock,
        f"message-{notification_id}",
        text,
        sender,
        status=HTTPStatus.OK if esendex_has_it else HTTPStatus.NOT_FOUND,
    )
    await post(hass, post_notification, inbound(notification_id, text, sender))
    await hass.async_block_till_done(wait_background_tasks=True)


def test_documents_have_the_examples() -> None:
    """Every block the tests below run is where they look for it, and only those."""
    found = {key: document for key, (document, _, _) in all_blocks().items()}
    assert found == {
        # The README's examples: one per trigger, then forwarding every SMS.
        ("example", "keyword-open-gate"): "README.md",
        ("example", "forward-sms"): "README.md",
        ("example", "failed-message-alert"): "README.md",
        ("example", "opted-out-alert"): "README.md",
        ("example", "keyword-open-gate-reply"): "docs/examples.md",
        ("example", "sms-status-reply"): "docs/examples.md",
        ("example", "unlock-with-code"): "docs/examples.md",
        ("example", "forward-sms-bus-event"): "docs/examples.md",
        ("example", "forward-sms-event-entity"): "docs/examples.md",
        # tools/demo.py puts this card on the demo dashboard, from the README.
        ("card", "last-sms"): "README.md",
        ("curl", "inbound"): "docs/simulator.md",
        ("payload", EVENT_INBOUND_MESSAGE): "docs/reference.md",
        ("payload", EVENT_MESSAGE_VERIFIED): "docs/reference.md",
        ("payload", EVENT_MESSAGE_DELIVERED): "docs/reference.md",
        ("payload", EVENT_MESSAGE_FAILED): "docs/reference.md",
        ("payload", EVENT_OPTED_OUT): "docs/reference.md",
        ("steps", "notify-send-message"): "docs/sending.md",
        ("steps", "send-sms"): "docs/sending.md",
        ("response", "send-sms"): "docs/sending.md",
    }


def test_the_readme_leads_with_the_esendex_triggers() -> None:
    """The README's examples use the three triggers, in YAML as the editor writes.

    The automation section names the editor path to each, by its translated name.
    """
    triggers = {
        trigger["trigger"]
        for name in ("keyword-open-gate", "failed-message-alert", "opted-out-alert")
        for trigger in doc_yaml("README.md", "example", name)["triggers"]
    }
    assert triggers == {
        f"{DOMAIN}.message_received",
        f"{DOMAIN}.message_status",
        f"{DOMAIN}.opted_out",
    }
    strings = translations(TRANSLATIONS / "en.json")
    section = README.read_text(encoding="utf-8").split("## Automation examples")[1]
    section = " ".join(section.split("### Dashboard card")[0].split())
    assert "**Add trigger → Esendex SMS → Message received**" in section
    for key in ("message_status", "opted_out"):
        assert f"**{strings['triggers'][key]['name']}**" in section


@pytest.mark.parametrize(
    ("document", "example", "title"),
    [
        ("README.md", "forward-sms", "SMS from Alice"),
        ("docs/examples.md", "forward-sms-bus-event", "SMS from Alice"),
        ("docs/examples.md", "forward-sms-event-entity", f"SMS from {SENDER}"),
    ],
)
async def test_forward_every_sms(
    hass: HomeAssistant,
    *,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    document: str,
    example: str,
    title: str,
) -> None:
    """Each SMS is forwarded once; an opt-out or a reload forwards nothing.

    The trigger and the bus event name a contact; the event entity gives the number.
    """
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, document, example)

    await post(hass, post_notification, INBOUND_XML)

    assert [call.data for call in calls] == [
        {"title": title, "message": "Gate code please"}
    ]

    await post(hass, post_notification, opt_out("opt-out"))
    assert len(calls) == 1
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(calls) == 1

    await post(hass, post_notification, inbound("second-sms", "Back home", STRANGER))

    assert len(calls) == 2
    assert calls[1].data == {"title": f"SMS from {STRANGER}", "message": "Back home"}


@pytest.mark.usefixtures("loaded_entry")
async def test_keyword_from_a_contact_opens_the_gate(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Only the keyword, in any case and anywhere in the text, from a contact."""
    calls: list[ServiceCall] = async_mock_service(hass, "cover", "open_cover")
    await setup_example(hass, "README.md", "keyword-open-gate")

    await post(hass, post_notification, inbound("other-text", "Gate code please"))
    await post(hass, post_notification, inbound("half", "open the gate"))
    await post(hass, post_notification, inbound("stranger", "OPEN GATE", STRANGER))
    await post(hass, post_notification, inbound("name", "open gate", "Gate"))
    await post(hass, post_notification, opt_out("opt-out"))
    assert calls == []

    await post(hass, post_notification, inbound("keyword", "  Open gate "))
    await post(hass, post_notification, inbound("inside", "Please OPEN GATE now"))

    assert [call.data for call in calls] == [
        {"entity_id": ["cover.driveway_gate"]},
        {"entity_id": ["cover.driveway_gate"]},
    ]


@pytest.mark.usefixtures("loaded_entry")
async def test_failed_message_alert(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Failures alert, with the detail when there is one; nothing else does."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, "README.md", "failed-message-alert")

    await post(hass, post_notification, DELIVERED_XML)
    await post(hass, post_notification, INBOUND_XML)
    await post(hass, post_notification, opt_out("opt-out"))
    assert calls == []

    await post(hass, post_notification, FAILED_WITH_REASON_XML)
    await post(hass, post_notification, FAILED_XML)

    assert [call.data for call in calls] == [
        {
            "title": "SMS not delivered",
            "message": (
                "Message a2a16c94-1f8d-4fde-919c-d0bc02665284 failed: Message broken."
            ),
        },
        {
            "title": "SMS not delivered",
            "message": "Message 20fb2083-c5b6-44c2-ac72-24a21db02c9e failed.",
        },
    ]


@pytest.mark.usefixtures("loaded_entry")
async def test_opted_out_alert(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Each opt-out alerts once, naming a contact; an SMS saying STOP does not."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, "README.md", "opted-out-alert")

    await post(hass, post_notification, inbound("stop-sms", "STOP"))
    await post(hass, post_notification, FAILED_XML)
    assert calls == []

    await post(hass, post_notification, OPT_OUT_XML)
    retry = await post_notification(OPT_OUT_XML)
    assert await retry.text() == "duplicate"
    await post(hass, post_notification, opt_out("stranger-stop", STRANGER))

    assert [call.data for call in calls] == [
        {
            "title": "SMS opt-out",
            "message": "Alice will get no more SMS from us.",
        },
        {
            "title": "SMS opt-out",
            "message": f"{STRANGER} will get no more SMS from us.",
        },
    ]


async def test_sending_to_an_opted_out_number_is_refused_as_documented(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """After an opt-out, nothing is sent to that number, by name or number.

    docs/sending.md, Opt-outs: the inbound event entity shows `opted_out`, and every
    send to the number is refused before anything is sent (to the others of the call
    too), from `esendex.send_sms` and the notify entity alike.
    """
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())

    await post(hass, post_notification, OPT_OUT_XML)

    event_entity = hass.states.get("event.esendex_sms_inbound_message")
    assert event_entity is not None
    assert event_entity.attributes["event_type"] == "opted_out"
    assert event_entity.attributes["contact"] == "Alice"
    for to in ("Alice", ["+447700900456", "+44 7700 900123"]):
        with pytest.raises(ServiceValidationError) as refused:
            await hass.services.async_call(
                DOMAIN,
                SERVICE_SEND_SMS,
                {"config_entry_id": ENTRY_ID, "to": to, "message": "Hello"},
                blocking=True,
            )
        assert refused.value.translation_key == "recipient_opted_out"
        assert refused.value.translation_placeholders == {"number": f"+{SENDER}"}
    with pytest.raises(ServiceValidationError):
        # The notify entity texts the default recipient, Alice's number.
        await run_steps(hass, "docs/sending.md", "notify-send-message")
    assert sent_sms(aioclient_mock) == []

    await send_sms(hass, "+447700900456", "Hello")

    assert sent_sms(aioclient_mock) == [("+447700900456", "Hello")]


def named_entity_ids(path: Path) -> set[str]:
    """Return the entity ids a document names for an entry titled "Esendex SMS"."""
    named = set(DOCUMENTED_ENTITY_ID.findall(path.read_text(encoding="utf-8")))
    # The example of an entry titled with an Account ID is not this entry's.
    return {entity_id for entity_id in named if "6145d724" not in entity_id}


def test_documents_name_the_entity_ids() -> None:
    """The README names exactly the entity ids of an entry titled "Esendex SMS".

    The docs/ files name only those, and their reference lists every one of them.
    """
    assert named_entity_ids(README) == ENTITY_IDS | API_ENTITY_IDS
    assert named_entity_ids(DOCS / "reference.md") == ENTITY_IDS | API_ENTITY_IDS
    for path in documents():
        assert named_entity_ids(path) <= ENTITY_IDS | API_ENTITY_IDS, path


@pytest.mark.usefixtures("loaded_entry")
async def test_readme_entity_ids_exist(hass: HomeAssistant) -> None:
    """A receive-only entry has the four entities, and not the sending ones."""
    entity_ids = set(hass.states.async_entity_ids())
    assert entity_ids >= ENTITY_IDS
    assert not entity_ids & API_ENTITY_IDS


@pytest.mark.usefixtures("api_entry")
async def test_api_entry_entity_ids_exist(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """An entry with credentials also has the credits sensor and notify entity."""
    assert set(hass.states.async_entity_ids()) >= ENTITY_IDS | API_ENTITY_IDS
    credits_sensor = hass.states.get("sensor.esendex_sms_credits_remaining")
    assert credits_sensor is not None
    assert credits_sensor.state == str(CREDITS)
    registry_entry = entity_registry.async_get("sensor.esendex_sms_credits_remaining")
    assert registry_entry is not None
    assert registry_entry.entity_category is EntityCategory.DIAGNOSTIC


async def test_notify_send_message(
    hass: HomeAssistant, api_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """notify.send_message texts the default recipient, the title on its own line."""
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())

    await run_steps(hass, "docs/sending.md", "notify-send-message")

    assert sent_sms(aioclient_mock) == [
        ("+447700900123", "Gate\nThe gate has been open for 10 minutes.")
    ]


@pytest.mark.usefixtures("api_entry")
async def test_send_sms_steps_and_response(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The action example sends to both numbers and answers as documented."""
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer(2))
    logbook_calls: list[ServiceCall] = async_mock_service(hass, "logbook", "log")

    response = await run_steps(
        hass, "docs/sending.md", "send-sms", response_variable="sent"
    )

    text = "Bin day tomorrow: the green bin."
    assert sent_sms(aioclient_mock) == [("+447700900123", text), ("07700900456", text)]
    dispatch = next(call for call in aioclient_mock.mock_calls if call[0] == "POST")
    root = fromstring(dispatch[2])
    assert root.findtext(f"{NS}from") == "Home"
    assert root.findtext(f"{NS}validity") == "12"
    assert response == doc_yaml("docs/sending.md", "response", "send-sms")
    ids = ", ".join(MESSAGE_IDS)
    assert [call.data for call in logbook_calls] == [
        {"name": "Esendex SMS", "message": f"Bin day SMS sent as {ids}"}
    ]


@pytest.mark.usefixtures("loaded_entry")
async def test_dashboard_card(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """The card parses, names real entities and renders the last SMS and status."""
    card = doc_yaml("README.md", "card", "last-sms")
    assert card["type"] == "markdown"
    content = card["content"]
    assert set(DOCUMENTED_ENTITY_ID.findall(content)) == {
        "sensor.esendex_sms_last_inbound_message",
        "sensor.esendex_sms_last_delivery_status",
    }

    before = Template(content, hass).async_render(parse_result=False)
    assert "No SMS received yet." in before
    assert "Last delivery report" not in before

    await post(hass, post_notification, INBOUND_XML)
    await post(hass, post_notification, DELIVERED_XML)

    after = Template(content, hass).async_render(parse_result=False)
    assert "No SMS received yet." not in after
    assert re.search(rf"\*\*{SENDER}\*\*, \d\d [A-Z][a-z]{{2}} \d\d:\d\d\n", after)
    assert "\nGate code please\n" in after
    # 2014-07-31T21:42:46 UTC, in the test instance's time zone (US/Pacific).
    assert "Last delivery report: **Delivered**, 31 Jul 14:42" in after


@pytest.mark.usefixtures("loaded_entry")
async def test_curl_test_notification(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """The simulator page's curl command posts a notification that is processed."""
    lang, script = doc_block("docs/simulator.md", "curl", "inbound")
    assert lang == "sh"
    command = next(line for line in script.splitlines() if line.startswith("curl "))
    assert '"$WEBHOOK_URL"' in command
    assert "--data-binary @-" in command
    assert command.endswith("<<EOF")
    heredoc = script.split("<<EOF\n", 1)[1]
    body, _, rest = heredoc.partition("\nEOF")
    assert rest.strip() == ""
    # The shell expands the one command substitution in the unquoted heredoc.
    assert body.count("$") == 1
    body = body.replace("$(date +%s)", "1760000000")
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)

    await post(hass, post_notification, body)

    assert len(events) == 1
    assert events[0].data["notification_id"] == "test-1760000000"
    assert events[0].data["text"] == "Hello from curl"
    sensor = hass.states.get("sensor.esendex_sms_last_inbound_message")
    assert sensor is not None
    assert sensor.state == "Hello from curl"


@pytest.mark.parametrize(
    ("event_type", "notification"),
    [
        (EVENT_INBOUND_MESSAGE, INBOUND_XML),
        (EVENT_MESSAGE_FAILED, FAILED_WITH_REASON_XML),
        (EVENT_OPTED_OUT, OPT_OUT_XML),
    ],
    ids=[EVENT_INBOUND_MESSAGE, EVENT_MESSAGE_FAILED, EVENT_OPTED_OUT],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_documented_event_payloads(
    hass: HomeAssistant,
    post_notification: PostNotification,
    event_type: str,
    notification: str,
) -> None:
    """The documented payloads are what these notifications produce."""
    lang, block = doc_block("docs/reference.md", "payload", event_type)
    assert lang == "json"
    documented = json.loads(block)
    events = async_capture_events(hass, event_type)

    await post(hass, post_notification, notification)

    assert len(events) == 1
    data = dict(events[0].data)
    if "received_at" in documented:
        # The arrival time: only its shape can match.
        assert data["received_at"].endswith("+00:00")
        data["received_at"] = documented["received_at"]
    assert data == documented


async def test_documented_verified_payload(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A push is published with `verified: null`, then verified as documented.

    docs/security.md, Verified messages: the SMS's own event comes first; once
    Esendex has answered with the same SMS, `esendex_message_verified` says `true`.
    """
    lang, block = doc_block("docs/reference.md", "payload", EVENT_MESSAGE_VERIFIED)
    assert lang == "json"
    documented = json.loads(block)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    verified = async_capture_events(hass, EVENT_MESSAGE_VERIFIED)
    esendex_keeps(aioclient_mock, documented["message_id"], "Gate code please")

    await post(hass, post_notification, INBOUND_XML)

    assert len(events) == 1
    assert events[0].data["verified"] is None
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event.data for event in verified] == [documented]
    assert events[0].time_fired <= verified[0].time_fired


@pytest.mark.parametrize(
    ("esendex_has", "result"),
    [
        # Esendex has no message with that id.
        ({"status": HTTPStatus.NOT_FOUND}, False),
        # It has one, but from another sender, or with another text.
        ({"sender": STRANGER}, False),
        ({"text": "Hi there"}, False),
        # It cannot be asked.
        ({"status": HTTPStatus.SERVICE_UNAVAILABLE}, None),
    ],
    ids=["missing", "other-sender", "other-text", "unreachable"],
)
async def test_a_push_esendex_does_not_have_as_documented(
    hass: HomeAssistant,
    *,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    esendex_has: dict[str, Any],
    result: bool | None,
) -> None:
    """A push Esendex does not have is `false`, with a repair issue; no answer, null.

    docs/security.md, Verified messages: either way the SMS was published.
    """
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    verified = async_capture_events(hass, EVENT_MESSAGE_VERIFIED)

    await push(hass, post_notification, aioclient_mock, "real", "Gate code please")
    esendex_keeps(aioclient_mock, "message-other", **{"text": "Hi", **esendex_has})
    await post(hass, post_notification, inbound("other", "Hi"))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [event.data["text"] for event in events] == ["Gate code please", "Hi"]
    assert [event.data["verified"] for event in verified] == [True, result]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, unverified_push_issue_id(ENTRY_ID)
    )
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and "Esendex did not send" in record.message
    ]
    if result is False:
        assert issue is not None
        assert issue.translation_key == "unverified_push"
        assert len(warnings) == 1
    else:
        assert issue is None
        assert warnings == []


async def test_keyword_open_gate_reply(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The keyword from the given number opens the gate, then answers the sender."""
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())
    gate_calls: list[ServiceCall] = async_mock_service(hass, "cover", "open_cover")
    verified = async_capture_events(hass, EVENT_MESSAGE_VERIFIED)
    await setup_example(hass, "docs/examples.md", "keyword-open-gate-reply")

    await push(hass, post_notification, aioclient_mock, "other", "Gate code please")
    await push(hass, post_notification, aioclient_mock, "half", "Open gate please")
    await push(
        hass,
        post_notification,
        aioclient_mock,
        "stranger",
        "OPEN GATE",
        sender=STRANGER,
    )
    assert gate_calls == []
    assert sent_sms(aioclient_mock) == []

    await push(hass, post_notification, aioclient_mock, "keyword", "  Open gate ")

    assert [call.data for call in gate_calls] == [
        {"entity_id": ["cover.driveway_gate"]}
    ]
    assert sent_sms(aioclient_mock) == [(SENDER, "Gate opened")]
    assert [event.data["verified"] for event in verified] == [True] * 4


async def test_sms_status_reply(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """STATUS from the contact or the listed number is answered with the house."""
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())
    hass.states.async_set("cover.driveway_gate", "closed")
    hass.states.async_set("alarm_control_panel.home", "armed_away")
    await setup_example(hass, "docs/examples.md", "sms-status-reply")

    await push(hass, post_notification, aioclient_mock, "question", "Status?")
    await push(
        hass,
        post_notification,
        aioclient_mock,
        "stranger",
        "STATUS",
        sender=STRANGER,
    )
    assert sent_sms(aioclient_mock) == []

    await push(hass, post_notification, aioclient_mock, "status", " status\n")
    await push(hass, post_notification, aioclient_mock, "other", "STATUS", sender=OTHER)

    assert sent_sms(aioclient_mock) == [
        (SENDER, "Gate closed, alarm armed away."),
        (OTHER, "Gate closed, alarm armed away."),
    ]


async def test_unlock_with_code(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Only the code, from a contact, in an SMS Esendex confirms, unlocks the door."""
    calls: list[ServiceCall] = async_mock_service(hass, "lock", "unlock")
    await setup_example(hass, "docs/examples.md", "unlock-with-code")

    await push(hass, post_notification, aioclient_mock, "wrong", "unlock 1111")
    await push(hass, post_notification, aioclient_mock, "door", "unlock")
    await push(
        hass,
        post_notification,
        aioclient_mock,
        "stranger",
        "unlock 4831",
        sender=STRANGER,
    )
    await push(
        hass,
        post_notification,
        aioclient_mock,
        "fake",
        "unlock 4831",
        esendex_has_it=False,
    )
    assert calls == []
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, unverified_push_issue_id(ENTRY_ID)
    )

    await push(hass, post_notification, aioclient_mock, "code", "Unlock 4831 ")

    assert [call.data for call in calls] == [{"entity_id": ["lock.front_door"]}]


@pytest.mark.usefixtures("loaded_entry")
async def test_unlock_with_code_never_runs_for_a_receive_only_entry(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """A receive-only entry cannot verify, so `verified_only` never fires."""
    calls: list[ServiceCall] = async_mock_service(hass, "lock", "unlock")
    await setup_example(hass, "docs/examples.md", "unlock-with-code")

    await post(hass, post_notification, inbound("code", "unlock 4831"))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert calls == []


async def test_failed_message_alert_names_the_recipient(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A failure of a message sent from HA names its recipient and text."""
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, "README.md", "failed-message-alert")

    response = await send_sms(hass, "+447700900123", "Gate opened")
    assert response == {
        "messages": [{"to": "+447700900123", "message_id": MESSAGE_IDS[0]}]
    }
    # A delivery report is no failure.
    await post(hass, post_notification, DELIVERED_XML)
    assert calls == []
    # Esendex writes GUIDs in either case; the report still matches.
    await post(
        hass,
        post_notification,
        FAILED_WITH_REASON_XML.replace(
            "a2a16c94-1f8d-4fde-919c-d0bc02665284", MESSAGE_IDS[0].upper()
        ),
    )

    assert [call.data for call in calls] == [
        {
            "title": "SMS not delivered",
            # The recipient's number is the contact Alice's.
            "message": 'SMS to Alice ("Gate opened") failed: Message broken.',
        }
    ]


async def test_documented_receipt_payload(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """The delivered payload of a message sent from HA is what the reference shows.

    It was sent to the contact by name: `to` of `esendex.send_sms` takes one.
    """
    aioclient_mock.post(DISPATCHER_URL, text=dispatcher_answer())
    lang, block = doc_block("docs/reference.md", "payload", EVENT_MESSAGE_DELIVERED)
    assert lang == "json"
    documented = json.loads(block)
    events = async_capture_events(hass, EVENT_MESSAGE_DELIVERED)
    sensor_id = "sensor.esendex_sms_last_delivery_status"

    response = await send_sms(hass, documented["contact"], documented["text"])
    assert response["messages"][0]["to"] == documented["recipient"]
    message_id = response["messages"][0]["message_id"]
    await post(
        hass,
        post_notification,
        DELIVERED_XML.replace(
            "ee931a29-d176-42bb-b2a1-a66871e8c118", message_id
        ).replace("2014-07-31T21:42:46", "2026-10-20T08:15:09"),
    )

    assert len(events) == 1
    data = dict(events[0].data)
    # When it was sent: only its shape can match.
    assert data["sent_at"].endswith("+00:00")
    data["sent_at"] = documented["sent_at"]
    assert data == documented
    sensor = hass.states.get(sensor_id)
    assert sensor is not None
    assert sensor.state == "delivered"
    assert sensor.attributes["recipient"] == documented["recipient"]
    assert sensor.attributes["contact"] == documented["contact"]
    assert sensor.attributes["text"] == documented["text"]


FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*#*$", re.MULTILINE)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """Return the anchors GitHub gives a document's headings."""
    anchors: set[str] = set()
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for match in HEADING.finditer(text):
        slug = re.sub(r"[^\w\- ]", "", match["title"].lower()).replace(" ", "-")
        number, unique = 0, slug
        while unique in anchors:
            number += 1
            unique = f"{slug}-{number}"
        anchors.add(unique)
    return anchors


@pytest.mark.parametrize("path", documents(), ids=document_name)
def test_document_links_resolve(path: Path) -> None:
    """Every relative link of a document names a file there, and a heading in it.

    Sections moved between README.md and docs/ must not leave links behind.
    """
    broken = []
    for match in LINK.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        target = match["target"]
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto: and the like
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        heading_missing = (
            fragment and linked.suffix == ".md" and fragment not in anchors(linked)
        )
        if not linked.exists() or heading_missing:
            broken.append(target)
    assert not broken


def translations(path: Path) -> Any:
    """Return a translations file, parsed."""
    return json.loads(path.read_text(encoding="utf-8"))


def without_optional(label: str) -> str:
    """Return a field label as the documents quote it, without " (optional)"."""
    return label.removesuffix(" (optional)")


def test_documents_quote_the_translated_messages() -> None:
    """The messages each document quotes are the ones users see.

    Line breaks in a document are only wrapping; placeholders are written "…".
    """
    strings = translations(TRANSLATIONS / "en.json")
    # Home Assistant's own messages, for what its helpers answer on our behalf.
    core = translations(
        Path(homeassistant.components.homeassistant.__file__).parent
        / "translations"
        / "en.json"
    )
    config = strings["config"]
    # One message per kind of bad number, in the options and from the action.
    assert any(key.startswith("invalid_recipient_") for key in strings["exceptions"])
    assert any(
        key.startswith("invalid_recipient_") for key in strings["options"]["error"]
    )
    user_menu = config["step"]["user"]["menu_options"].values()
    reconfigure_menu = config["step"]["reconfigure"]["menu_options"]
    regenerate_url = config["step"]["reconfigure_url"]["data"]["regenerate_url"]
    contact = strings["config_subentries"]["contact"]
    triggers = strings["triggers"]
    trigger_names = [trigger["name"] for trigger in triggers.values()]
    unverified_push = strings["issues"]["unverified_push"]["title"]
    quoted = {
        "README.md": [
            *user_menu,
            reconfigure_menu["reconfigure_url"],
            regenerate_url,
            *trigger_names,
            contact["initiate_flow"]["user"],
        ],
        "docs/reference.md": [
            *trigger_names,
            *(
                field["name"]
                for trigger in triggers.values()
                for field in trigger["fields"].values()
            ),
        ],
        "docs/security.md": [unverified_push, *trigger_names[:1]],
        "docs/troubleshooting.md": [
            core["config"]["abort"]["cloud_not_connected"],
            unverified_push,
        ],
        "docs/configuration.md": [
            *user_menu,
            *reconfigure_menu.values(),
            regenerate_url,
            without_optional(config["step"]["receive_only"]["data"]["account_id"]),
            *config["step"]["api_access"]["data"].values(),
            config["step"]["reauth_confirm"]["title"],
            config["abort"]["already_configured"],
            config["abort"]["wrong_account"],
            *(
                config["error"][key]
                for key in (
                    "invalid_auth",
                    "account_not_found",
                    "cannot_connect",
                    "unexpected_answer",
                    "invalid_username",
                    "invalid_account_id",
                    "account_already_configured",
                )
            ),
            without_optional(
                strings["options"]["step"]["sending"]["data"]["default_recipient"]
            ),
            *contact["initiate_flow"].values(),
            *contact["step"]["user"]["data"].values(),
            *(
                message
                for key, message in contact["error"].items()
                if not key.startswith("invalid_recipient_")
            ),
            *(
                message
                for key, message in strings["options"]["error"].items()
                if key.startswith("invalid_recipient_")
            ),
        ],
        "docs/sending.md": [
            *(
                core["exceptions"][key]["message"].replace("{domain}", DOMAIN)
                for key in (
                    "service_config_entry_not_found",
                    "service_config_entry_wrong_domain",
                    "service_config_entry_not_loaded",
                )
            ),
            *(
                strings["exceptions"][key]["message"]
                for key in strings["exceptions"]
                if key.startswith("invalid_recipient_")
            ),
            *(
                strings["exceptions"][key]["message"]
                for key in (
                    "no_credentials",
                    "no_default_recipient",
                    "invalid_originator",
                    "recipient_opted_out",
                    "no_credits",
                    "auth_failed",
                    "service_unavailable",
                    "request_refused",
                    "unexpected_response",
                )
            ),
        ],
    }
    missing: dict[str, list[str]] = {}
    for document, messages in quoted.items():
        text = " ".join((REPO / document).read_text(encoding="utf-8").split())
        for message in messages:
            for part in (part.strip() for part in re.split(r"\{\w+\}", message)):
                if part and part not in text:
                    missing.setdefault(document, []).append(part)
    assert not missing


INBOX_SMS_ID = "d6258601-3442-484f-b2ac-300088a8a4d4"


def answer_inbox_sms(aioclient_mock: AiohttpClientMocker, body_status: int) -> None:
    """Esendex's inbox holds one SMS that never came by push; its body answers so."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(ACCOUNTS_URL, text=ACCOUNTS_ANSWER)
    aioclient_mock.get(
        INBOX_URL,
        text=f"""<?xml version="1.0" encoding="utf-8"?>
<messageheaders startindex="0" count="1" totalcount="1" \
xmlns="http://api.esendex.com/ns/">
  <messageheader id="{INBOX_SMS_ID.upper()}" \
uri="{API}/messageheaders/{INBOX_SMS_ID}">
    <reference>{ACCOUNT_REFERENCE}</reference>
    <status>Submitted</status>
    <receivedat>2026-10-20T08:14:00.407Z</receivedat>
    <type>SMS</type>
    <to><phonenumber>447860000000</phonenumber></to>
    <from><phonenumber>{SENDER}</phonenumber></from>
    <summary>Gate code</summary>
    <body id="{INBOX_SMS_ID}" uri="{API}/messageheaders/{INBOX_SMS_ID}/body" />
    <direction>Inbound</direction>
    <parts>1</parts>
    <readat>0001-01-01T00:00:00Z</readat>
  </messageheader>
</messageheaders>""",
    )
    aioclient_mock.get(
        f"{API}/messageheaders/{INBOX_SMS_ID}/body",
        status=body_status,
        text='<messagebody xmlns="http://api.esendex.com/ns/">'
        "<bodytext>Gate code please</bodytext>"
        "<characterset>GSM</characterset></messagebody>",
    )


async def test_inbox_catch_up_as_documented(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """An SMS missed by the webhook is published once from the inbox, as described.

    docs/sending.md, Inbox catch-up: its `notification_id` is null, its
    `received_at` Esendex's time, its text the full body, with no `text_is_summary`.

    The first catch-up (at setup) recorded where the empty inbox stood; the next one
    finds an SMS that never came by push, and a late push of it is a duplicate.
    """
    inbox_id = INBOX_SMS_ID
    answer_inbox_sms(aioclient_mock, body_status=HTTPStatus.OK)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    verified = async_capture_events(hass, EVENT_MESSAGE_VERIFIED)
    catch_up = api_entry.runtime_data.catch_up
    assert catch_up is not None

    await catch_up.async_run()
    await hass.async_block_till_done()
    await catch_up.async_run()  # the next catch-up finds nothing new
    await hass.async_block_till_done()

    assert [event.data for event in events] == [
        {
            "config_entry_id": ENTRY_ID,
            "notification_id": None,
            "message_id": inbox_id,
            "account_id": ACCOUNT_ID,
            "from": SENDER,
            "contact": "Alice",
            "to": "447860000000",
            "text": "Gate code please",
            "received_at": "2026-10-20T08:14:00.407000+00:00",
            # Read from Esendex itself: verified at once.
            "verified": True,
        }
    ]
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event.data for event in verified] == [
        {"config_entry_id": ENTRY_ID, "message_id": inbox_id, "verified": True}
    ]
    # Without reading the message again to verify it.
    assert not any(
        str(call[1]).lower() == f"{API}/messageheaders/{inbox_id}"
        for call in aioclient_mock.mock_calls
    )
    late_push = INBOUND_XML.replace("09543bf1-8f47-4afa-9fe8-cb36bd0e6e90", inbox_id)
    response = await post_notification(late_push)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "duplicate"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(events) == 1
    assert len(verified) == 1


async def test_inbox_sms_without_its_text_as_documented(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """An SMS whose text cannot be read is published with the summary, as described.

    docs/sending.md, Inbox catch-up: tried at up to 3 runs, then published with the
    inbox's summary text and `text_is_summary: true`.
    """
    answer_inbox_sms(aioclient_mock, body_status=HTTPStatus.INTERNAL_SERVER_ERROR)
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    catch_up = api_entry.runtime_data.catch_up
    assert catch_up is not None

    for _ in range(2):
        await catch_up.async_run()
        await hass.async_block_till_done()
    assert events == []

    await catch_up.async_run()
    await hass.async_block_till_done()
    await catch_up.async_run()  # published: not again
    await hass.async_block_till_done()

    assert len(events) == 1
    assert events[0].data["message_id"] == INBOX_SMS_ID
    assert events[0].data["text"] == "Gate code"
    assert events[0].data["text_is_summary"] is True
    assert events[0].data["verified"] is True


def test_documents_describe_every_trigger_option() -> None:
    """The reference has a row for every option of every trigger, and its defaults.

    The figures the documents give are the code's: how long `verified_only` waits,
    and how many checks may wait at once.
    """
    triggers = parse_yaml(
        (REPO / "custom_components" / "esendex" / "triggers.yaml").read_text(
            encoding="utf-8"
        )
    )
    reference = (DOCS / "reference.md").read_text(encoding="utf-8")
    section = reference.split("## Triggers")[1].split("\n## ")[0]
    for name, trigger in triggers.items():
        if name.startswith("."):
            continue  # a YAML anchor
        assert f"`{DOMAIN}.{name}`" in section
        for field, spec in trigger["fields"].items():
            assert f"`{field}`" in section, (name, field)
            default = spec.get("default")
            if isinstance(default, bool):
                assert f"| `{field}`" in section
                assert re.search(
                    rf"\| `{field}` [^|]*\| `{str(default).lower()}` \|", section
                ), (name, field)
    timeout = f"{VERIFY_TIMEOUT_SECONDS:g} seconds"
    for document in ("docs/reference.md", "docs/security.md", "docs/examples.md"):
        assert timeout in " ".join((REPO / document).read_text().split()), document
    security = " ".join((DOCS / "security.md").read_text(encoding="utf-8").split())
    assert f"{VERIFY_MAX_PENDING} checks were already waiting" in security


@pytest.mark.usefixtures("loaded_entry")
async def test_documented_logbook_lines(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """The reference's logbook lines are those of these notifications.

    A contact is shown by name, another number as +digits.
    """
    describers: dict[str, Any] = {}

    def describe(domain: str, event_type: str, describer: Any) -> None:
        assert domain == DOMAIN
        describers[event_type] = describer

    async_describe_events(hass, describe)
    captured = [async_capture_events(hass, event_type) for event_type in describers]

    await post(hass, post_notification, INBOUND_XML)
    await post(hass, post_notification, inbound("other", "Gate code please", OTHER))
    await post(hass, post_notification, DELIVERED_XML)
    await post(hass, post_notification, FAILED_WITH_REASON_XML)
    await post(hass, post_notification, opt_out("other-stop", OTHER))
    await post(hass, post_notification, OPT_OUT_XML)

    fired: list[Event] = [event for events in captured for event in events]
    assert len(fired) == 6
    lines = [describers[event.event_type](event)["message"] for event in fired]
    logbook = (DOCS / "reference.md").read_text(encoding="utf-8")
    logbook = logbook.split("## Logbook")[1].split("\n## ")[0]
    documented = re.findall(r"`([^`]+)`", logbook)
    assert sorted(lines) == sorted(documented)
