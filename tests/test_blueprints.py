"""The automation blueprints in blueprints/automation/esendex/, run for real.

Each blueprint is checked against Home Assistant's blueprint schemas, imported from
its `source_url` the way the UI does it (`blueprint/import`, then `blueprint/save`),
and the imported file is used by an automation (`use_blueprint`) that notifications
POSTed to the webhook set off. The blueprints use the Esendex triggers. The entries
have one contact, Alice. The phone of the blueprints that notify is a mocked notify
action, checked with the notify schema; replies by SMS go to a mocked Esendex REST
API, which also answers the reads that verify each SMS pushed to an entry with API
credentials.
"""

from collections.abc import Awaitable, Callable, Generator, Mapping
from http import HTTPStatus
import json
import logging
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from defusedxml.ElementTree import fromstring
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.components.notify.const import NOTIFY_SERVICE_SCHEMA
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_VERIFIED,
)

from .api_support import InboxItem
from .conftest import WEBHOOK_ID, PostNotification

BLUEPRINT_DIR = Path(__file__).parent.parent / "blueprints" / "automation" / "esendex"
HACS_JSON = Path(__file__).parent.parent / "hacs.json"
REPOSITORY = "esendex-sms/home-assistant-esendex"
SOURCE_URL = (
    f"https://github.com/{REPOSITORY}/blob/main/blueprints/automation/esendex/{{}}"
)
RAW_URL = (
    f"https://raw.githubusercontent.com/{REPOSITORY}/main/"
    "blueprints/automation/esendex/{}"
)
FORWARD = "forward_sms_to_phone.yaml"
KEYWORD = "sms_keyword_action.yaml"
AUTO_REPLY = "auto_reply_sms.yaml"
FAILED_ALERT = "failed_message_alert.yaml"
BLUEPRINTS = (FORWARD, KEYWORD, AUTO_REPLY, FAILED_ALERT)
# The one trigger of each: the integration's own.
TRIGGERS = {
    FORWARD: f"{DOMAIN}.message_received",
    KEYWORD: f"{DOMAIN}.message_received",
    AUTO_REPLY: f"{DOMAIN}.message_received",
    FAILED_ALERT: f"{DOMAIN}.message_status",
}

SENDER = "447700900123"  # the contact Alice
OTHER_SENDER = "447700900999"  # no contact
OUR_NUMBER = "447860000000"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
ALICE = ConfigSubentryData(
    data={"name": "Alice", "phone_number": f"+{SENDER}"},
    subentry_type="contact",
    title="Alice",
    unique_id=SENDER,
)

# The Esendex REST API for an entry with credentials (shapes of tests/fixtures/api).
ENTRY_ID = "01JESENDEXTESTENTRY000000"
ACCOUNT_REFERENCE = "EX0123456"
API = "https://api.esendex.com/v1.0"
DISPATCHER_URL = f"{API}/messagedispatcher"
NS = "{http://api.esendex.com/ns/}"
ACCOUNTS_ANSWER = f"""<?xml version="1.0" encoding="utf-8"?>
<accounts xmlns="http://api.esendex.com/ns/">
  <account id="{ACCOUNT_ID}" uri="{API}/accounts/{ACCOUNT_ID}">
    <reference>{ACCOUNT_REFERENCE}</reference>
    <label>Home</label>
    <address>{OUR_NUMBER}</address>
    <type>Professional</type>
    <messagesremaining>250</messagesremaining>
    <expireson>2099-09-04T00:00:00</expireson>
    <role>PowerUser</role>
    <defaultdialcode>44</defaultdialcode>
    <settings uri="{API}/accounts/{ACCOUNT_ID}/settings" />
  </account>
</accounts>"""
EMPTY_INBOX = (
    '<?xml version="1.0" encoding="utf-8"?><messageheaders startindex="0" count="0"'
    ' totalcount="0" xmlns="http://api.esendex.com/ns/"/>'
)
SENT_MESSAGE_ID = "1183c73d-2e62-4f60-b610-30f160bdfbd5"
DISPATCHER_ANSWER = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<messageheaders batchid="F8BF9867-FF81-49E4-ACC5-774DE793B776" '
    'xmlns="http://api.esendex.com/ns/">'
    f'<messageheader uri="{API}/messageheaders/{SENT_MESSAGE_ID.upper()}" '
    f'id="{SENT_MESSAGE_ID.upper()}" /></messageheaders>'
)

PHONE_ACTION = "mobile_app_my_phone"
# Where automations, their actions and templates log what goes wrong.
AUTOMATION_LOGGERS = (
    "homeassistant.components.automation",
    "homeassistant.components.blueprint",
    "homeassistant.helpers.script",
    "homeassistant.helpers.template",
)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration directory of the test's own, to copy blueprints into."""
    return hass_tmp_config_dir


@pytest.fixture(autouse=True)
def no_warnings_logged(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Fail a test that logs a warning or an error.

    A blueprint's action failed, or a template used a key the event lacks.
    """
    yield
    problems = [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.get_records("call")
        if record.levelno >= logging.ERROR
        or (
            record.levelno >= logging.WARNING
            and record.name.startswith(AUTOMATION_LOGGERS)
        )
    ]
    assert not problems, problems


type ImportBlueprint = Callable[[str], Awaitable[str]]


@pytest.fixture
async def import_blueprint(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    aioclient_mock: AiohttpClientMocker,
) -> ImportBlueprint:
    """Import a blueprint from its source URL and save it, as the UI does.

    Returns the path automations use it by. Automations are set up afterwards.
    """
    assert await async_setup_component(hass, "blueprint", {})
    async_get_blueprints(hass)  # what setting up automations registers
    client = await hass_ws_client(hass)

    async def import_one(name: str) -> str:
        raw = (BLUEPRINT_DIR / name).read_text(encoding="utf-8")
        aioclient_mock.get(RAW_URL.format(name), text=raw)
        await client.send_json_auto_id(
            {"type": "blueprint/import", "url": SOURCE_URL.format(name)}
        )
        imported = await client.receive_json()
        assert imported["success"], imported
        assert imported["result"]["validation_errors"] is None
        path = imported["result"]["suggested_filename"]
        await client.send_json_auto_id(
            {
                "type": "blueprint/save",
                "domain": "automation",
                "path": path,
                "yaml": imported["result"]["raw_data"],
                "source_url": SOURCE_URL.format(name),
            }
        )
        saved = await client.receive_json()
        assert saved["success"], saved
        return f"{path}.yaml"

    return import_one


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
def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """The phone's notify action, validating its data as notify actions do."""
    return async_mock_service(
        hass, "notify", PHONE_ACTION, schema=NOTIFY_SERVICE_SCHEMA
    )


@pytest.fixture
async def api_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> MockConfigEntry:
    """An entry with API credentials and Alice, set up; Esendex accepts every send."""
    aioclient_mock.get(f"{API}/accounts", text=ACCOUNTS_ANSWER)
    aioclient_mock.get(f"{API}/inbox/{ACCOUNT_REFERENCE}/messages", text=EMPTY_INBOX)
    aioclient_mock.post(DISPATCHER_URL, text=DISPATCHER_ANSWER)
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
        options={CONF_ACCOUNT_ID: ACCOUNT_ID},
        entry_id=ENTRY_ID,
        subentries_data=[ALICE],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def inbound(
    notification_id: str, text: str, sender: str = SENDER, to: str = OUR_NUMBER
) -> str:
    """An InboundMessage push notification."""
    return (
        f"<InboundMessage><Id>{notification_id}</Id>"
        f"<MessageId>message-{notification_id}</MessageId>"
        f"<AccountId>{ACCOUNT_ID}</AccountId><MessageText>{text}</MessageText>"
        f"<From>{sender}</From><To>{to}</To></InboundMessage>"
    )


def opt_out(notification_id: str, sender: str = SENDER) -> str:
    """An OptOut push notification."""
    return (
        f"<OptOut><Id>{notification_id}</Id><AccountId>{ACCOUNT_ID}</AccountId>"
        "<ReceviedAt>2026-10-20T08:15:09Z</ReceviedAt>"
        f"<From><PhoneNumber>{sender}</PhoneNumber></From></OptOut>"
    )


def delivered(notification_id: str, message_id: str) -> str:
    """A MessageDelivered push notification."""
    return (
        f"<MessageDelivered><Id>{notification_id}</Id>"
        f"<MessageId>{message_id}</MessageId><AccountId>{ACCOUNT_ID}</AccountId>"
        "<OccurredAt>2026-10-20T08:15:09</OccurredAt></MessageDelivered>"
    )


def failed(notification_id: str, message_id: str, reason: bool = True) -> str:
    """A MessageFailed push notification, with or without a FailureReason."""
    failure = (
        "<FailureReason><Code>142</Code><Detail>Message broken</Detail>"
        "<PermanentFailure>true</PermanentFailure></FailureReason>"
        if reason
        else ""
    )
    return (
        f"<MessageFailed><Id>{notification_id}</Id>"
        f"<MessageId>{message_id}</MessageId><AccountId>{ACCOUNT_ID}</AccountId>"
        f"<OccurredAt>2026-10-20T08:15:09</OccurredAt>{failure}</MessageFailed>"
    )


async def post(
    hass: HomeAssistant, post_notification: PostNotification, body: str
) -> None:
    """POST a notification that must be processed, and let automations run."""
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    await hass.async_block_till_done()


async def push(
    hass: HomeAssistant,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
    notification_id: str,
    text: str,
    *,
    sender: str = SENDER,
) -> None:
    """POST an SMS to the API entry, which Esendex has; wait for its verification.

    Esendex answers the reads of the SMS (GET /v1.0/messageheaders/{id} and its
    /body) with the same sender, number and text: the SMS is verified.
    """
    url = f"{API}/messageheaders/message-{notification_id}"
    item = InboxItem(f"message-{notification_id}", sender, text, None)
    aioclient_mock.get(url, text=item.header(ACCOUNT_REFERENCE, root=True))
    aioclient_mock.get(
        f"{url}/body",
        text=f'<messagebody xmlns="http://api.esendex.com/ns/">'
        f"<bodytext>{escape(text)}</bodytext>"
        "<characterset>GSM</characterset></messagebody>",
    )
    await post(hass, post_notification, inbound(notification_id, text, sender))
    await hass.async_block_till_done(wait_background_tasks=True)


async def set_up_automation(
    hass: HomeAssistant, path: str, inputs: Mapping[str, Any]
) -> str:
    """Set up an automation from the blueprint at `path`; return its state."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": path,
                "use_blueprint": {"path": path, "input": dict(inputs)},
            }
        },
    )
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == 1
    return states[0].state


async def use_blueprint(
    hass: HomeAssistant,
    import_blueprint: ImportBlueprint,
    name: str,
    inputs: Mapping[str, Any],
) -> None:
    """Import the blueprint, set up an automation from it, check that it is on."""
    path = await import_blueprint(name)
    # An automation whose blueprint or generated config is invalid is unavailable.
    assert await set_up_automation(hass, path, inputs) == "on"


def sent_sms(aioclient_mock: AiohttpClientMocker) -> list[tuple[str, str]]:
    """Return (to, body) of every SMS POSTed to Esendex's messagedispatcher."""
    sent: list[tuple[str, str]] = []
    for method, url, data, _headers in aioclient_mock.mock_calls:
        if method.upper() != "POST" or str(url) != DISPATCHER_URL:
            continue
        root = fromstring(data)
        assert root.findtext(f"{NS}accountreference") == ACCOUNT_REFERENCE
        sent.extend(
            (message.findtext(f"{NS}to"), message.findtext(f"{NS}body"))
            for message in root.iterfind(f"{NS}message")
        )
    return sent


def test_the_blueprints_are_tested() -> None:
    """Every blueprint in the folder is one these tests run, and only those."""
    assert {path.name for path in BLUEPRINT_DIR.iterdir()} == set(BLUEPRINTS)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_blueprint_schema(name: str) -> None:
    """Each file is a valid automation blueprint that can be imported from GitHub."""
    data = yaml_util.load_yaml_dict(BLUEPRINT_DIR / name)
    # What the import accepts, then what automations load.
    Blueprint(data, path=name, expected_domain="automation", schema=BLUEPRINT_SCHEMA)
    blueprint = Blueprint(
        data,
        path=name,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )

    assert blueprint.validate() is None  # this Home Assistant is new enough
    metadata = blueprint.metadata
    # The Esendex triggers need the Home Assistant the integration needs.
    hacs = json.loads(HACS_JSON.read_text(encoding="utf-8"))
    assert metadata["homeassistant"]["min_version"] == hacs["homeassistant"]
    assert metadata["source_url"] == SOURCE_URL.format(name)
    assert metadata["name"].endswith("(Esendex SMS)")
    assert metadata["description"]
    assert blueprint.inputs
    for key, spec in blueprint.inputs.items():
        assert spec["name"], key
        assert spec["description"], key
        assert "selector" in spec, key
    assert blueprint.data["mode"] == "queued"
    assert [trigger["trigger"] for trigger in blueprint.data["triggers"]] == [
        TRIGGERS[name]
    ]


@pytest.mark.parametrize("name", BLUEPRINTS)
async def test_blueprint_import(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    aioclient_mock: AiohttpClientMocker,
    name: str,
) -> None:
    """The blueprint imports from its source URL, as the UI does, and saves."""
    raw = (BLUEPRINT_DIR / name).read_text(encoding="utf-8")
    aioclient_mock.get(RAW_URL.format(name), text=raw)
    assert await async_setup_component(hass, "automation", {})
    client = await hass_ws_client(hass)

    await client.send_json_auto_id(
        {"type": "blueprint/import", "url": SOURCE_URL.format(name)}
    )
    imported = await client.receive_json()

    assert imported["success"], imported
    result = imported["result"]
    stem = name.removesuffix(".yaml")
    assert result["suggested_filename"] == f"esendex-sms/{stem}"
    assert result["raw_data"] == raw
    assert result["validation_errors"] is None
    assert result["exists"] is False
    assert result["blueprint"]["metadata"]["domain"] == "automation"
    assert result["blueprint"]["metadata"]["source_url"] == SOURCE_URL.format(name)

    await client.send_json_auto_id(
        {
            "type": "blueprint/save",
            "domain": "automation",
            "path": result["suggested_filename"],
            "yaml": result["raw_data"],
            "source_url": SOURCE_URL.format(name),
        }
    )
    saved = await client.receive_json()

    assert saved["success"], saved
    # The file written is a blueprint automations load, with the same inputs.
    domain_blueprints = async_get_blueprints(hass)
    await domain_blueprints.async_reset_cache()
    reloaded = await domain_blueprints.async_get_blueprint(f"esendex-sms/{name}")
    original = Blueprint(
        yaml_util.load_yaml_dict(BLUEPRINT_DIR / name),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert reloaded.inputs == original.inputs
    assert reloaded.data == original.data


def test_the_keyword_blueprint_leaves_the_filtering_to_the_trigger() -> None:
    """Sender, contacts and keyword are the trigger's options: no conditions left.

    Contacts only is on unless turned off; the keyword is matched as `contains`.
    """
    blueprint = Blueprint(
        yaml_util.load_yaml_dict(BLUEPRINT_DIR / KEYWORD),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert "conditions" not in blueprint.data
    assert blueprint.inputs["contacts_only"]["default"] is True
    assert blueprint.inputs["sender"]["default"] == []
    (trigger,) = blueprint.data["triggers"]
    assert trigger["options"]["match"] == "contains"
    for name in (FORWARD, FAILED_ALERT):
        assert "conditions" not in yaml_util.load_yaml_dict(BLUEPRINT_DIR / name)


@pytest.mark.usefixtures("loaded_entry")
async def test_forward_sms_to_phone(
    hass: HomeAssistant,
    import_blueprint: ImportBlueprint,
    phone: list[ServiceCall],
    post_notification: PostNotification,
) -> None:
    """Every inbound SMS is forwarded, titled with the contact; nothing else is."""
    await use_blueprint(
        hass, import_blueprint, FORWARD, {"notify_action": f"notify.{PHONE_ACTION}"}
    )

    await post(hass, post_notification, inbound("sms-1", "Gate code please"))
    await post(hass, post_notification, inbound("sms-2", "", sender="Amazon"))
    await post(hass, post_notification, delivered("report-1", SENT_MESSAGE_ID))
    await post(hass, post_notification, failed("report-2", SENT_MESSAGE_ID))
    await post(hass, post_notification, opt_out("opt-out-1"))
    await post(hass, post_notification, inbound("sms-3", "1234", OTHER_SENDER))

    assert [call.data for call in phone] == [
        {"title": "SMS from Alice", "message": "Gate code please"},
        {"title": "SMS from Amazon", "message": "(empty SMS)"},
        {"title": f"SMS from {OTHER_SENDER}", "message": "1234"},
    ]


@pytest.mark.usefixtures("loaded_entry")
async def test_sms_keyword_action_takes_contacts_only_by_default(
    hass: HomeAssistant,
    import_blueprint: ImportBlueprint,
    post_notification: PostNotification,
) -> None:
    """The keyword, in any case, from a contact runs the action; nothing else."""
    calls: list[ServiceCall] = async_mock_service(hass, "cover", "open_cover")
    log_calls: list[ServiceCall] = async_mock_service(hass, "logbook", "log")
    await use_blueprint(
        hass,
        import_blueprint,
        KEYWORD,
        {
            "keyword": " Open Gate ",
            "keyword_action": [
                {
                    "action": "cover.open_cover",
                    "target": {"entity_id": "cover.driveway_gate"},
                    "data": {},
                },
                {
                    "action": "logbook.log",
                    "data": {
                        "name": "Gate",
                        "message": "{{ trigger.contact }}: {{ trigger.text }}",
                    },
                },
            ],
        },
    )

    await post(hass, post_notification, inbound("other-text", "Gate code please"))
    await post(hass, post_notification, inbound("half", "open the gate"))
    await post(
        hass, post_notification, inbound("other-sender", "OPEN GATE", OTHER_SENDER)
    )
    await post(hass, post_notification, inbound("name", "open gate", "Gate"))
    await post(hass, post_notification, opt_out("opt-out"))
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, {"config_entry_id": ENTRY_ID})
    await hass.async_block_till_done()
    assert calls == []
    assert log_calls == []

    await post(hass, post_notification, inbound("keyword", "Please OPEN gate now"))

    assert [call.data for call in calls] == [{"entity_id": ["cover.driveway_gate"]}]
    assert [call.data for call in log_calls] == [
        {"name": "Gate", "message": "Alice: Please OPEN gate now"}
    ]


@pytest.mark.parametrize(
    ("sender", "contacts_only", "runs_for"),
    [
        # A number however written, a contact by name, the old blueprint's string.
        (["+44 (0)7700 900-123"], True, [SENDER]),
        (["alice"], True, [SENDER]),
        ("+447700900123", True, [SENDER]),
        # Not a contact: only with contacts only off.
        ([f"+{OTHER_SENDER}"], True, []),
        ([f"+{OTHER_SENDER}"], False, [OTHER_SENDER]),
        # Off and no sender: anyone, a sender name included.
        ([], False, [SENDER, OTHER_SENDER, "Gate"]),
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_sms_keyword_action_senders_and_contacts_only(
    hass: HomeAssistant,
    *,
    import_blueprint: ImportBlueprint,
    post_notification: PostNotification,
    sender: list[str] | str,
    contacts_only: bool,
    runs_for: list[str],
) -> None:
    """Senders narrow it down; contacts only keeps out whoever is no contact."""
    calls: list[ServiceCall] = async_mock_service(hass, "script", "gate")
    await use_blueprint(
        hass,
        import_blueprint,
        KEYWORD,
        {
            "keyword": "open gate",
            "sender": sender,
            "contacts_only": contacts_only,
            "keyword_action": [
                {"action": "script.gate", "data": {"from": "from {{ trigger.from }}"}}
            ],
        },
    )

    for number in (SENDER, OTHER_SENDER, "Gate"):
        await post(
            hass, post_notification, inbound(f"from-{number}", "Open gate", number)
        )

    assert [call.data["from"] for call in calls] == [f"from {n}" for n in runs_for]


@pytest.mark.usefixtures("loaded_entry")
async def test_sms_keyword_action_refuses_a_sender_that_is_no_contact(
    hass: HomeAssistant,
    import_blueprint: ImportBlueprint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sender that is neither a number nor a contact: the automation is not set up.

    (The earlier blueprint took sender names such as "ParcelCo"; the trigger cannot.)
    """
    path = await import_blueprint(KEYWORD)

    state = await set_up_automation(
        hass,
        path,
        {
            "keyword": "delivered",
            "sender": ["ParcelCo"],
            "keyword_action": [{"action": "script.parcel"}],
        },
    )

    assert state == STATE_UNAVAILABLE
    assert "is neither a phone number nor the name of a contact" in caplog.text
    caplog.clear()  # the error expected, not a problem of the blueprint


async def test_auto_reply_sms(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    import_blueprint: ImportBlueprint,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """SMS with the keyword from the sender are answered through Esendex."""
    hass.states.async_set("cover.driveway_gate", "closed")
    verified = async_capture_events(hass, EVENT_MESSAGE_VERIFIED)
    await use_blueprint(
        hass,
        import_blueprint,
        AUTO_REPLY,
        {
            "esendex_entry": api_entry.entry_id,
            "reply_text": "Gate {{ states('cover.driveway_gate') }}.",
            "keyword": "status",
            "sender": ["+447700900123"],
        },
    )

    await push(hass, post_notification, aioclient_mock, "question", "Gate code please")
    await push(
        hass,
        post_notification,
        aioclient_mock,
        "stranger",
        "STATUS",
        sender=OTHER_SENDER,
    )
    assert sent_sms(aioclient_mock) == []

    await push(hass, post_notification, aioclient_mock, "status", "Status?")

    assert sent_sms(aioclient_mock) == [(SENDER, "Gate closed.")]
    assert [event.data["verified"] for event in verified] == [True] * 3


async def test_auto_reply_sms_without_filters(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    import_blueprint: ImportBlueprint,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Without filters every number is answered, but not its own SMS or a name.

    Only SMS received by the chosen entry are answered.
    """
    await use_blueprint(
        hass,
        import_blueprint,
        AUTO_REPLY,
        {
            "esendex_entry": api_entry.entry_id,
            "reply_text": "Thanks, we got: {{ trigger.text }}",
        },
    )

    await push(
        hass,
        post_notification,
        aioclient_mock,
        "name",
        "Your parcel",
        sender="ParcelCo",
    )
    await push(
        hass, post_notification, aioclient_mock, "self", "Loop", sender=OUR_NUMBER
    )
    hass.bus.async_fire(
        EVENT_INBOUND_MESSAGE,
        {
            "config_entry_id": "01JANOTHERESENDEXENTRY000",
            "from": SENDER,
            "to": "447860000001",
            "text": "Other account",
        },
    )
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, {"config_entry_id": ENTRY_ID})
    await hass.async_block_till_done()
    assert sent_sms(aioclient_mock) == []

    await push(hass, post_notification, aioclient_mock, "one", "Hello")
    await push(
        hass, post_notification, aioclient_mock, "two", "Hi", sender=OTHER_SENDER
    )

    assert sent_sms(aioclient_mock) == [
        (SENDER, "Thanks, we got: Hello"),
        (OTHER_SENDER, "Thanks, we got: Hi"),
    ]


async def test_auto_reply_sms_to_contacts_only(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    import_blueprint: ImportBlueprint,
    post_notification: PostNotification,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """With contacts only, Alice is answered and a stranger is not."""
    await use_blueprint(
        hass,
        import_blueprint,
        AUTO_REPLY,
        {
            "esendex_entry": api_entry.entry_id,
            "reply_text": "Hello {{ trigger.contact }}",
            "contacts_only": True,
        },
    )

    await push(
        hass, post_notification, aioclient_mock, "stranger", "Hi", sender=OTHER_SENDER
    )
    assert sent_sms(aioclient_mock) == []

    await push(hass, post_notification, aioclient_mock, "alice", "Hi")

    assert sent_sms(aioclient_mock) == [(SENDER, "Hello Alice")]


async def test_failed_message_alert(
    hass: HomeAssistant,
    api_entry: MockConfigEntry,
    import_blueprint: ImportBlueprint,
    phone: list[ServiceCall],
    post_notification: PostNotification,
) -> None:
    """A failure alerts, naming the recipient of a message sent from HA.

    The recipient is shown by the contact's name; a delivery alerts nobody.
    """
    await use_blueprint(
        hass,
        import_blueprint,
        FAILED_ALERT,
        {"notify_action": f"notify.{PHONE_ACTION}"},
    )
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": ENTRY_ID, "to": "Alice", "message": "Gate opened"},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "messages": [{"to": "+447700900123", "message_id": SENT_MESSAGE_ID}]
    }
    await hass.async_block_till_done()
    other_id = "20fb2083-c5b6-44c2-ac72-24a21db02c9e"

    await post(hass, post_notification, delivered("delivered", SENT_MESSAGE_ID))
    await post(hass, post_notification, opt_out("opt-out", OTHER_SENDER))
    assert phone == []

    await post(hass, post_notification, failed("ours", SENT_MESSAGE_ID.upper()))
    await post(hass, post_notification, failed("theirs", other_id, reason=False))

    assert [call.data for call in phone] == [
        {
            "title": "SMS not delivered",
            "message": (
                'SMS to Alice ("Gate opened") failed: Message broken (code 142).'
            ),
        },
        {"title": "SMS not delivered", "message": f"Message {other_id} failed."},
    ]
