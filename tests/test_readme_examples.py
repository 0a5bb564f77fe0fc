"""The README's examples, run for real: a broken example fails these tests.

Code blocks are found by the HTML comment right before their fence:
`<!-- example: NAME -->` (automations), `<!-- card: NAME -->` (dashboard cards),
`<!-- curl: NAME -->` (shell commands) and `<!-- payload: EVENT -->` (event data).
"""

from http import HTTPStatus
import json
from pathlib import Path
import re
import textwrap
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_FAILED,
)

from .conftest import PostNotification

README = Path(__file__).parent.parent / "README.md"
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)<!-- (?P<kind>[a-z]+): (?P<name>[\w-]+) -->\n"
    r"(?P=indent)```(?P<lang>\w+)\n(?P<body>.*?)\n(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
README_ENTITY_ID = re.compile(r"\b(?:sensor|event)\.esendex_sms_[a-z0-9_]+")

SENDER = "447700900123"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
ENTITY_IDS = {
    "sensor.esendex_sms_last_inbound_message",
    "sensor.esendex_sms_last_delivery_status",
    "event.esendex_sms_inbound_message",
    "event.esendex_sms_delivery_status",
}

# The notifications the README's examples and payloads are written for. Inline rather
# than from tests/fixtures/, so that the README stays tied to exactly these.
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


def readme_blocks(kind: str) -> dict[str, tuple[str, str]]:
    """Return {name: (language, dedented body)} of the README blocks of one kind."""
    blocks: dict[str, tuple[str, str]] = {}
    for match in BLOCK.finditer(README.read_text(encoding="utf-8")):
        if match["kind"] != kind:
            continue
        assert match["name"] not in blocks, f"two README blocks named {match['name']}"
        body = textwrap.dedent(match["indent"] + match["body"])
        blocks[match["name"]] = (match["lang"], body)
    return blocks


def readme_yaml(kind: str, name: str) -> Any:
    """Load one README YAML block with Home Assistant's own loader."""
    lang, body = readme_blocks(kind)[name]
    assert lang == "yaml"
    return parse_yaml(body)


async def setup_example(hass: HomeAssistant, name: str) -> None:
    """Set the README automation up, and check Home Assistant accepted it."""
    config = readme_yaml("example", name)
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


async def post(
    hass: HomeAssistant, post_notification: PostNotification, body: object
) -> None:
    """POST a notification that must be processed, and let automations run."""
    response = await post_notification(body)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    await hass.async_block_till_done()


def test_readme_has_the_examples() -> None:
    """Every example the tests below run is still in the README, and only those."""
    assert set(readme_blocks("example")) == {
        "forward-sms",
        "forward-sms-event-entity",
        "keyword-open-gate",
        "failed-message-alert",
    }
    assert set(readme_blocks("card")) == {"last-sms"}
    assert set(readme_blocks("curl")) == {"inbound"}
    assert set(readme_blocks("payload")) == {
        EVENT_INBOUND_MESSAGE,
        EVENT_MESSAGE_FAILED,
    }


@pytest.mark.parametrize("example", ["forward-sms", "forward-sms-event-entity"])
async def test_forward_every_sms(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    example: str,
) -> None:
    """Each SMS is forwarded once; a reload (restored states) forwards nothing."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, example)

    await post(hass, post_notification, INBOUND_XML)

    assert [call.data for call in calls] == [
        {"title": f"SMS from {SENDER}", "message": "Gate code please"}
    ]

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(calls) == 1

    await post(hass, post_notification, inbound("second-sms", "Back home"))

    assert len(calls) == 2
    assert calls[1].data == {"title": f"SMS from {SENDER}", "message": "Back home"}


@pytest.mark.usefixtures("loaded_entry")
async def test_keyword_from_one_sender_opens_the_gate(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Only the keyword, in any case, from the given number runs the action."""
    calls: list[ServiceCall] = async_mock_service(hass, "cover", "open_cover")
    await setup_example(hass, "keyword-open-gate")

    await post(hass, post_notification, inbound("other-text", "Gate code please"))
    await post(hass, post_notification, inbound("inside-text", "please open gate"))
    await post(
        hass, post_notification, inbound("other-sender", "OPEN GATE", "447700900999")
    )
    assert calls == []

    await post(hass, post_notification, inbound("keyword", "  Open gate "))

    assert len(calls) == 1
    assert calls[0].data == {"entity_id": ["cover.driveway_gate"]}


@pytest.mark.usefixtures("loaded_entry")
async def test_failed_message_alert(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """Failures alert, with the detail when there is one; deliveries do not."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_my_phone")
    await setup_example(hass, "failed-message-alert")

    await post(hass, post_notification, DELIVERED_XML)
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
async def test_readme_entity_ids_exist(hass: HomeAssistant) -> None:
    """The entity ids the README names are the ones the integration creates."""
    named = set(README_ENTITY_ID.findall(README.read_text(encoding="utf-8")))
    # The example of an entry titled with an Account ID is not this entry's.
    named = {entity_id for entity_id in named if "6145d724" not in entity_id}
    assert named == ENTITY_IDS
    assert set(hass.states.async_entity_ids()) >= ENTITY_IDS


@pytest.mark.usefixtures("loaded_entry")
async def test_dashboard_card(
    hass: HomeAssistant, post_notification: PostNotification
) -> None:
    """The card parses, names real entities and renders the last SMS and status."""
    card = readme_yaml("card", "last-sms")
    assert card["type"] == "markdown"
    content = card["content"]
    assert set(README_ENTITY_ID.findall(content)) == {
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
    """The troubleshooting curl command posts a notification that is processed."""
    lang, script = readme_blocks("curl")["inbound"]
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
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_documented_event_payloads(
    hass: HomeAssistant,
    post_notification: PostNotification,
    event_type: str,
    notification: str,
) -> None:
    """The README's example payloads are what these notifications produce."""
    lang, block = readme_blocks("payload")[event_type]
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
