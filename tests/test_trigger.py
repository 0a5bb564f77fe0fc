"""The automation triggers: esendex.message_received, message_status and opted_out.

Each is tested through Home Assistant's automation integration: an automation with
the trigger, whose action records the `trigger` variables through a mocked
`test.automation` action. The bus events are fired as the receiver fires them (and,
for each trigger, once through a notification posted to the webhook); only the
matching ones run the action. Options that cannot work are refused when the
automation is validated.
"""

import asyncio
from dataclasses import dataclass, field
from http import HTTPStatus
import logging
from types import MappingProxyType
from typing import Any

from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.config_entries import ConfigSubentry, ConfigSubentryData
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_WEBHOOK_ID,
    SERVICE_TURN_OFF,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Context, HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.trigger import (
    NotTriggeredInfo,
    async_get_all_descriptions,
    async_initialize_triggers,
    async_validate_trigger_config,
)
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex.const import (
    CONF_CLOUDHOOK,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)
from custom_components.esendex.trigger import (
    REASON_NOT_VERIFIED,
    REASON_TEXT_NOT_MATCHED,
    TRIGGERS,
    VERIFY_TIMEOUT_SECONDS,
    TextMatch,
)

from .api_support import FakeEsendex, add_api_entry, async_settle, inbound_push
from .conftest import PostNotification, fixture_bytes

ENTRY_ID = "01JESENDEXTESTENTRY000000"
OTHER_ENTRY_ID = "01JESENDEXOTHERENTRY00000"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
ALICE = "447700900123"
BOB = "447700900456"
HOME = "447860000000"
AUTOMATION = "automation.sms"

type Calls = list[ServiceCall]


@pytest.fixture
def calls(hass: HomeAssistant) -> Calls:
    """The runs of the automations' action, each with its `trigger` variables."""
    return async_mock_service(hass, "test", "automation")


@pytest.fixture
def contacts_entry(hass: HomeAssistant) -> MockConfigEntry:
    """A second Esendex entry, not set up, with Alice as a contact."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex with contacts",
        data={CONF_WEBHOOK_ID: "f" * 64, CONF_CLOUDHOOK: False},
        entry_id=OTHER_ENTRY_ID,
        subentries_data=[
            ConfigSubentryData(
                data={"name": "Alice", "phone_number": f"+{ALICE}"},
                subentry_type="contact",
                title="Alice",
                unique_id=ALICE,
            )
        ],
    )
    entry.add_to_hass(hass)
    return entry


async def setup_automation(
    hass: HomeAssistant, trigger: str, options: dict[str, Any] | None = None
) -> None:
    """Set up automation.sms with one trigger, recording `trigger` in its action."""
    config: dict[str, Any] = {"trigger": f"{DOMAIN}.{trigger}"}
    if options is not None:
        config["options"] = options
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "alias": "sms",
                "triggers": [config],
                "actions": [
                    {"action": "test.automation", "data": {"trigger": "{{ trigger }}"}}
                ],
            }
        },
    )
    await hass.async_block_till_done()


def inbound(
    text: str = "Open gate",
    sender: str = ALICE,
    entry_id: str = ENTRY_ID,
    **extra: Any,
) -> dict[str, Any]:
    """The data of an esendex_inbound_message event, as the receiver fires it."""
    return {
        "config_entry_id": entry_id,
        "notification_id": "n-1",
        "message_id": "m-1",
        "account_id": ACCOUNT_ID,
        "from": sender,
        "to": HOME,
        "text": text,
        "received_at": "2026-01-02T03:04:05+00:00",
        "contact": None,
        "verified": None,
        **extra,
    }


async def fire(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> None:
    hass.bus.async_fire(event_type, data)
    await hass.async_block_till_done(wait_background_tasks=True)


def variables(call: ServiceCall) -> dict[str, Any]:
    """The `trigger` variables of a run."""
    trigger = call.data["trigger"]
    assert isinstance(trigger, dict)
    return trigger


def last(calls: Calls) -> dict[str, Any]:
    """The `trigger` variables of the latest run."""
    return variables(calls[-1])


async def validate(
    hass: HomeAssistant, trigger: str, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """Validate one trigger as the automation integration does."""
    return await async_validate_trigger_config(
        hass,
        cv.TRIGGER_SCHEMA([{"trigger": f"{DOMAIN}.{trigger}", "options": options}]),
    )


# --- message_received -----------------------------------------------------------------


async def test_a_posted_sms_runs_the_automation_with_the_documented_variables(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    calls: Calls,
) -> None:
    await setup_automation(hass, "message_received")

    response = await post_notification(fixture_bytes("inbound_message.xml"))

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(calls) == 1
    trigger = last(calls)
    assert trigger["platform"] == "esendex.message_received"
    assert trigger["description"] == f"SMS from {ALICE}"
    assert trigger["from"] == ALICE
    assert trigger["to"] == HOME
    assert trigger["text"] == "Gate code please"
    assert trigger["message_id"] == "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90"
    assert trigger["notification_id"] == "4b912ad6-5ba1-4fdb-addc-007fb212ebae"
    assert trigger["account_id"] == ACCOUNT_ID
    assert trigger["config_entry_id"] == loaded_entry.entry_id
    assert trigger["received_at"].endswith("+00:00")
    # No contacts, nothing verified at publish time, no regex.
    assert trigger["contact"] is None
    assert trigger["verified"] is None
    assert trigger["groups"] == {}
    assert trigger["match_groups"] == []


async def test_a_posted_sms_from_a_contact_is_known_by_the_name(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    calls: Calls,
) -> None:
    hass.config_entries.async_add_subentry(
        loaded_entry,
        ConfigSubentry(
            data=MappingProxyType({"name": "Alice", "phone_number": f"+{ALICE}"}),
            subentry_type="contact",
            title="Alice",
            unique_id=ALICE,
        ),
    )
    await hass.async_block_till_done()
    await setup_automation(
        hass, "message_received", {"from": ["alice"], "contacts_only": True}
    )

    await post_notification(fixture_bytes("inbound_message.xml"))
    await hass.async_block_till_done()

    assert len(calls) == 1
    assert last(calls)["contact"] == "Alice"
    assert last(calls)["description"] == "SMS from Alice"


async def test_only_a_posted_sms_that_contains_the_text_runs_it(
    hass: HomeAssistant,
    post_notification: PostNotification,
    calls: Calls,
    loaded_entry: MockConfigEntry,
) -> None:
    await setup_automation(
        hass, "message_received", {"match": "contains", "text": "gate"}
    )
    body = fixture_bytes("inbound_message.xml").decode()

    await post_notification(body)
    await post_notification(
        body.replace("Gate code please", "Hello")
        .replace("4b912ad6", "00000001")
        .replace("09543bf1", "00000002")
    )
    await hass.async_block_till_done()

    assert [variables(call)["text"] for call in calls] == ["Gate code please"]


@pytest.mark.parametrize(
    "number",
    [ALICE, f"+{ALICE}", "+44 7700 900123", "+44 (0)7700-900.123", 447700900123],
)
async def test_from_matches_a_number_however_it_is_written(
    hass: HomeAssistant, calls: Calls, number: object
) -> None:
    await setup_automation(hass, "message_received", {"from": [number]})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=BOB))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE))

    assert [variables(call)["from"] for call in calls] == [ALICE]


async def test_from_takes_a_single_number(hass: HomeAssistant, calls: Calls) -> None:
    await setup_automation(hass, "message_received", {"from": f"+{BOB}"})
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=BOB))

    assert [variables(call)["from"] for call in calls] == [BOB]


async def test_an_empty_from_means_anyone(hass: HomeAssistant, calls: Calls) -> None:
    await setup_automation(hass, "message_received", {"from": []})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender="Amazon"))

    assert len(calls) == 1


@pytest.mark.parametrize("sender", ["Amazon", None, 447700900123])
async def test_a_sender_that_is_not_a_number_matches_no_from(
    hass: HomeAssistant, calls: Calls, sender: object
) -> None:
    await setup_automation(hass, "message_received", {"from": [ALICE]})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=sender))  # type: ignore[arg-type]

    assert calls == []


async def test_from_takes_contact_names_resolved_at_each_sms(
    hass: HomeAssistant, contacts_entry: MockConfigEntry, calls: Calls
) -> None:
    await setup_automation(
        hass,
        "message_received",
        {"config_entry_id": OTHER_ENTRY_ID, "from": ["alice"]},
    )
    from_alice = inbound(sender=ALICE, entry_id=OTHER_ENTRY_ID, contact="Alice")
    from_bob = inbound(sender=BOB, entry_id=OTHER_ENTRY_ID)

    await fire(hass, EVENT_INBOUND_MESSAGE, from_bob)
    await fire(hass, EVENT_INBOUND_MESSAGE, from_alice)
    assert [variables(call)["contact"] for call in calls] == ["Alice"]
    assert last(calls)["description"] == "SMS from Alice"

    # Alice's number changes to Bob's: at once, without a reload.
    (subentry,) = contacts_entry.subentries.values()
    hass.config_entries.async_update_subentry(
        contacts_entry, subentry, data={"name": "Alice", "phone_number": f"+{BOB}"}
    )
    await fire(hass, EVENT_INBOUND_MESSAGE, from_alice)
    await fire(hass, EVENT_INBOUND_MESSAGE, from_bob)
    assert [variables(call)["from"] for call in calls] == [ALICE, BOB]

    # Removed: the name stands for nobody, not for anyone.
    hass.config_entries.async_remove_subentry(contacts_entry, subentry.subentry_id)
    await fire(hass, EVENT_INBOUND_MESSAGE, from_alice)
    await fire(hass, EVENT_INBOUND_MESSAGE, from_bob)
    assert len(calls) == 2


async def test_a_contact_name_counts_for_its_own_entry_only(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    contacts_entry: MockConfigEntry,
    calls: Calls,
) -> None:
    """Alice is a contact of the other entry; to this one her name means nothing.

    Without an entry (an event fired by hand), only numbers count.
    """
    await setup_automation(hass, "message_received", {"from": ["Alice", BOB]})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE, entry_id=ENTRY_ID))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE, entry_id="nope"))
    without_entry = inbound(sender=BOB)
    del without_entry["config_entry_id"]
    await fire(hass, EVENT_INBOUND_MESSAGE, without_entry)
    await fire(
        hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE, entry_id=OTHER_ENTRY_ID)
    )

    assert [
        (variables(c).get("config_entry_id"), variables(c)["from"]) for c in calls
    ] == [
        (None, BOB),
        (OTHER_ENTRY_ID, ALICE),
    ]


async def test_an_entry_of_another_integration_has_no_contacts(
    hass: HomeAssistant, contacts_entry: MockConfigEntry, calls: Calls
) -> None:
    foreign = MockConfigEntry(domain="other", entry_id="01JFOREIGNENTRY0000000000")
    foreign.add_to_hass(hass)
    await setup_automation(hass, "message_received", {"from": ["Alice"]})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id=foreign.entry_id))

    assert calls == []


async def test_contacts_only_needs_a_contact(hass: HomeAssistant, calls: Calls) -> None:
    await setup_automation(hass, "message_received", {"contacts_only": True})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=BOB, contact=None))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(sender=ALICE, contact="Alice"))

    assert [variables(call)["contact"] for call in calls] == ["Alice"]


async def test_the_entry_option_limits_to_that_entry(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    contacts_entry: MockConfigEntry,
    calls: Calls,
) -> None:
    await setup_automation(hass, "message_received", {"config_entry_id": ENTRY_ID})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id=OTHER_ENTRY_ID))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id=ENTRY_ID))

    assert [variables(call)["config_entry_id"] for call in calls] == [ENTRY_ID]


def text_options(
    match: str, text: str, *, case_sensitive: bool = False
) -> dict[str, Any]:
    return {"match": match, "text": text, "case_sensitive": case_sensitive}


@pytest.mark.parametrize(
    ("options", "sms", "fires"),
    [
        (text_options("any", ""), "anything", True),
        (text_options("any", "ignored"), "anything", True),
        (text_options("contains", "gate"), "Please OPEN GATE now", True),
        (
            text_options("contains", "gate", case_sensitive=True),
            "Please OPEN GATE now",
            False,
        ),
        (
            text_options("contains", "GATE", case_sensitive=True),
            "Please OPEN GATE now",
            True,
        ),
        (text_options("contains", "door"), "Please OPEN GATE now", False),
        (text_options("equals", "open gate"), "  OPEN GATE \n", True),
        (text_options("equals", " open gate "), "OPEN GATE", True),
        (text_options("equals", "open gate"), "OPEN GATE NOW", False),
        (text_options("equals", "open gate", case_sensitive=True), "OPEN GATE", False),
        (text_options("equals", "Straße"), "STRASSE", True),
        (text_options("starts_with", "open"), " Open gate", True),
        (text_options("starts_with", "gate"), "Open gate", False),
        (text_options("starts_with", "Open", case_sensitive=True), "open gate", False),
        (text_options("regex", r"^open (gate|door)$"), "OPEN DOOR", True),
        (
            text_options("regex", r"^open (gate|door)$", case_sensitive=True),
            "OPEN DOOR",
            False,
        ),
        (text_options("regex", r"gate"), "the GATE, please", True),
        (text_options("regex", r"^\d{4}$"), " 1234 ", True),
        (text_options("regex", r"^\d{4}$"), "12345", False),
    ],
)
async def test_match_compares_the_text(
    hass: HomeAssistant, calls: Calls, options: dict[str, Any], sms: str, fires: bool
) -> None:
    await setup_automation(hass, "message_received", options)

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text=sms))

    assert len(calls) == int(fires)


async def test_an_sms_without_text_matches_only_any(
    hass: HomeAssistant, calls: Calls
) -> None:
    await setup_automation(hass, "message_received", {"match": "regex", "text": "^$"})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text=None))

    assert len(calls) == 1
    assert last(calls)["text"] is None


async def test_a_regex_gives_its_named_and_numbered_groups(
    hass: HomeAssistant, calls: Calls
) -> None:
    await setup_automation(
        hass,
        "message_received",
        {"match": "regex", "text": r"^open (?P<what>\w+)( now)?(?: in (\d+))?$"},
    )

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text="Open garage in 5"))

    trigger = last(calls)
    assert trigger["groups"] == {"what": "garage"}
    assert trigger["match_groups"] == ["Open garage in 5", "garage", None, "5"]


async def test_yaml_as_documented(hass: HomeAssistant, calls: Calls) -> None:
    """`trigger: esendex.message_received` with `options:`, written in YAML."""
    config = parse_yaml(
        """
        alias: sms
        triggers:
          - trigger: esendex.message_received
            options:
              from:
                - "+44 7700 900123"
              match: starts_with
              text: OPEN
          - trigger: esendex.message_status
            options:
              status: failed
          - trigger: esendex.opted_out
        actions:
          - action: test.automation
            data:
              trigger: "{{ trigger }}"
        """
    )
    assert await async_setup_component(
        hass, AUTOMATION_DOMAIN, {AUTOMATION_DOMAIN: config}
    )
    await hass.async_block_till_done()

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text="open the gate"))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text="close the gate"))
    await fire(hass, EVENT_MESSAGE_DELIVERED, status_data())
    await fire(hass, EVENT_MESSAGE_FAILED, status_data())
    await fire(hass, EVENT_OPTED_OUT, opt_out_data())

    assert [variables(call)["platform"] for call in calls] == [
        "esendex.message_received",
        "esendex.message_status",
        "esendex.opted_out",
    ]


# --- verified_only --------------------------------------------------------------------


@dataclass
class FakeVerifier:
    """Answers async_wait with `result`; held until `release` is set, if cleared."""

    result: bool | None
    release: asyncio.Event = field(default_factory=asyncio.Event)
    waits: list[tuple[str, float]] = field(default_factory=list)
    cancelled: bool = False

    def __post_init__(self) -> None:
        self.release.set()

    async def async_wait(self, message_id: str, timeout: float) -> bool | None:  # noqa: ASYNC109 - the verifier's API
        self.waits.append((message_id, timeout))
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return self.result


@pytest.mark.parametrize(
    ("result", "fires"), [(True, True), (False, False), (None, False)]
)
async def test_verified_only_fires_only_once_the_sms_is_verified(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    calls: Calls,
    result: bool | None,
    fires: bool,
) -> None:
    verifier = FakeVerifier(result)
    loaded_entry.runtime_data.verifier = verifier
    await setup_automation(hass, "message_received", {"verified_only": True})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound())

    assert verifier.waits == [("m-1", VERIFY_TIMEOUT_SECONDS)]
    assert len(calls) == int(fires)
    if fires:
        assert last(calls)["verified"] is True


async def test_verified_only_waits_for_the_check(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, calls: Calls
) -> None:
    verifier = FakeVerifier(True)
    verifier.release.clear()
    loaded_entry.runtime_data.verifier = verifier
    await setup_automation(hass, "message_received", {"verified_only": True})

    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound())
    await hass.async_block_till_done()
    assert verifier.waits == [("m-1", VERIFY_TIMEOUT_SECONDS)]
    assert calls == []

    verifier.release.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(calls) == 1


async def test_a_wait_ends_with_the_automation(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, calls: Calls
) -> None:
    verifier = FakeVerifier(True)
    verifier.release.clear()
    loaded_entry.runtime_data.verifier = verifier
    await setup_automation(hass, "message_received", {"verified_only": True})
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound())
    await hass.async_block_till_done()
    assert verifier.waits

    await hass.services.async_call(
        AUTOMATION_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: AUTOMATION}, blocking=True
    )
    await hass.async_block_till_done()
    verifier.release.set()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert verifier.cancelled
    assert calls == []


async def test_verified_only_needs_the_message_id(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, calls: Calls
) -> None:
    """An event fired by hand, without one, is not an SMS Esendex could confirm."""
    verifier = FakeVerifier(True)
    loaded_entry.runtime_data.verifier = verifier
    await setup_automation(hass, "message_received", {"verified_only": True})
    data = inbound()
    del data["message_id"]

    await fire(hass, EVENT_INBOUND_MESSAGE, data)

    assert verifier.waits == []
    assert calls == []


async def test_verified_only_never_fires_without_a_verifier(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    contacts_entry: MockConfigEntry,
    calls: Calls,
) -> None:
    """Receive-only (no verifier), an entry not loaded, an event of no entry."""
    assert loaded_entry.runtime_data.verifier is None
    await setup_automation(hass, "message_received", {"verified_only": True})

    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id=ENTRY_ID))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id=OTHER_ENTRY_ID))
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(entry_id="nope"))

    assert calls == []


async def test_verified_only_with_the_entrys_own_check_against_esendex(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    post_notification: PostNotification,
    calls: Calls,
) -> None:
    """An entry with API credentials: a real SMS runs it, a fake push does not."""
    esendex = FakeEsendex(aioclient_mock)
    entry = add_api_entry(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    await setup_automation(hass, "message_received", {"verified_only": True})
    real, fake = "d6258601-3442-484f-b2ac-300088a8a4d4", "0e5b2f8a-1c3d-4e5f-a6b7"
    esendex.receive(real, "OPEN GATE 4921", "2026-05-01T10:00:00Z")
    held = esendex.hold_header(real)

    await post_notification(inbound_push(real, "OPEN GATE 4921"))
    await held.reached.wait()
    await hass.async_block_till_done()
    assert calls == []
    held.release()
    await async_settle(hass)
    await post_notification(inbound_push(fake, "OPEN GATE 4921"))
    await async_settle(hass)

    assert [(last(calls)["message_id"], last(calls)["verified"])] == [(real, True)]
    assert len(calls) == 1


# --- Why it did not fire (the traces' not-triggered runs) -----------------------------


async def test_an_sms_from_an_accepted_sender_reports_why_it_did_not_fire(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A text that does not match, a check that is not True; not other senders."""
    loaded_entry.runtime_data.verifier = FakeVerifier(False)
    reports: list[tuple[NotTriggeredInfo, Context | None]] = []
    runs: list[dict[str, Any]] = []

    @callback
    def not_triggered(
        run_variables: dict[str, Any], info: NotTriggeredInfo, context: Context | None
    ) -> None:
        reports.append((info, context))

    @callback
    def action(run_variables: dict[str, Any], context: Context | None = None) -> None:
        runs.append(run_variables)

    config = await validate(
        hass,
        "message_received",
        {"from": [ALICE], "match": "equals", "text": "open", "verified_only": True},
    )
    remove = await async_initialize_triggers(
        hass,
        config,
        action,
        DOMAIN,
        "test",
        lambda *args, **kwargs: None,
        did_not_trigger=not_triggered,
    )
    assert remove is not None
    context = Context()

    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound("close", BOB), context=context)
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound("close"), context=context)
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound("open"), context=context)
    await hass.async_block_till_done(wait_background_tasks=True)
    remove()

    assert runs == []
    assert [(info.as_dict(), ctx) for info, ctx in reports] == [
        ({"reason": REASON_TEXT_NOT_MATCHED, "data": {"text": "close"}}, context),
        ({"reason": REASON_NOT_VERIFIED, "data": {"verified": False}}, context),
    ]


async def test_the_run_is_chained_to_the_sms(hass: HomeAssistant) -> None:
    runs: list[Context | None] = []

    @callback
    def action(run_variables: dict[str, Any], context: Context | None = None) -> None:
        runs.append(context)

    config = await validate(
        hass, "message_received", {"match": "contains", "text": "x"}
    )
    remove = await async_initialize_triggers(
        hass, config, action, DOMAIN, "test", lambda *args, **kwargs: None
    )
    assert remove is not None
    context = Context()
    # No did_not_trigger consumer: a mismatch is just not run.
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound("y"), context=context)
    hass.bus.async_fire(EVENT_INBOUND_MESSAGE, inbound("x"), context=context)
    await hass.async_block_till_done()
    remove()

    assert runs == [context]


# --- message_status -------------------------------------------------------------------


def status_data(recipient: str | None = ALICE, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "config_entry_id": ENTRY_ID,
        "notification_id": "n-2",
        "message_id": "m-2",
        "account_id": ACCOUNT_ID,
        "occurred_at": "2026-01-02T03:04:05+00:00",
        "contact": None,
        **extra,
    }
    if recipient is not None:
        data |= {
            "recipient": f"+{recipient}",
            "text": "Hi",
            "sent_at": "2026-01-02T03:00:00+00:00",
        }
    return data


async def test_a_posted_failure_report_runs_it_with_the_reason(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    calls: Calls,
) -> None:
    await setup_automation(hass, "message_status")

    await post_notification(fixture_bytes("message_failed_with_reason.xml"))
    await hass.async_block_till_done()

    trigger = last(calls)
    assert trigger["platform"] == "esendex.message_status"
    assert trigger["status"] == "failed"
    assert trigger["message_id"] == "a2a16c94-1f8d-4fde-919c-d0bc02665284"
    assert trigger["failure_code"] == 142
    assert trigger["failure_detail"] == "Message broken"
    assert trigger["failure_permanent"] is True
    assert trigger["config_entry_id"] == loaded_entry.entry_id
    # Not sent from Home Assistant: no recipient known.
    assert "recipient" not in trigger
    assert trigger["contact"] is None
    assert trigger["description"] == ("SMS a2a16c94-1f8d-4fde-919c-d0bc02665284 failed")


@pytest.mark.parametrize(
    ("status", "runs"),
    [
        (None, ["delivered", "failed"]),
        ([], ["delivered", "failed"]),
        (["delivered", "failed"], ["delivered", "failed"]),
        ("delivered", ["delivered"]),
        (["failed"], ["failed"]),
    ],
)
async def test_status_chooses_the_reports(
    hass: HomeAssistant, calls: Calls, status: object, runs: list[str]
) -> None:
    options = {} if status is None else {"status": status}
    await setup_automation(hass, "message_status", options)

    await fire(hass, EVENT_MESSAGE_DELIVERED, status_data())
    await fire(hass, EVENT_MESSAGE_FAILED, status_data(failure_code=1))

    assert [variables(call)["status"] for call in calls] == runs
    assert last(calls)["description"] == f"SMS to +{ALICE} {runs[-1]}"


async def test_to_matches_the_recipient(
    hass: HomeAssistant, contacts_entry: MockConfigEntry, calls: Calls
) -> None:
    await setup_automation(hass, "message_status", {"to": ["Alice"]})
    entry = {"config_entry_id": OTHER_ENTRY_ID}

    await fire(hass, EVENT_MESSAGE_DELIVERED, status_data(BOB, **entry))
    await fire(hass, EVENT_MESSAGE_DELIVERED, status_data(None, **entry))
    await fire(
        hass, EVENT_MESSAGE_DELIVERED, status_data(ALICE, **entry, contact="Alice")
    )

    assert [variables(call)["recipient"] for call in calls] == [f"+{ALICE}"]
    assert last(calls)["contact"] == "Alice"
    assert last(calls)["description"] == "SMS to Alice delivered"


async def test_status_for_that_entry_only(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    contacts_entry: MockConfigEntry,
    calls: Calls,
) -> None:
    await setup_automation(hass, "message_status", {"config_entry_id": OTHER_ENTRY_ID})

    await fire(hass, EVENT_MESSAGE_DELIVERED, status_data())
    await fire(
        hass, EVENT_MESSAGE_DELIVERED, status_data(config_entry_id=OTHER_ENTRY_ID)
    )

    assert [variables(call)["config_entry_id"] for call in calls] == [OTHER_ENTRY_ID]


# --- opted_out ------------------------------------------------------------------------


def opt_out_data(sender: str = ALICE, **extra: Any) -> dict[str, Any]:
    return {
        "config_entry_id": ENTRY_ID,
        "notification_id": "n-3",
        "account_id": ACCOUNT_ID,
        "from": sender,
        "received_at": "2026-01-02T03:04:05+00:00",
        "contact": None,
        **extra,
    }


async def test_a_posted_opt_out_runs_it(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post_notification: PostNotification,
    calls: Calls,
) -> None:
    await setup_automation(hass, "opted_out")

    response = await post_notification(fixture_bytes("opt_out.xml"))

    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    trigger = last(calls)
    assert trigger["platform"] == "esendex.opted_out"
    assert trigger["from"] == ALICE
    assert trigger["notification_id"] == "06293e3a-be47-49de-b181-d2ea85413e71"
    assert trigger["account_id"] == ACCOUNT_ID
    assert trigger["config_entry_id"] == loaded_entry.entry_id
    assert trigger["received_at"].startswith("2015-11-09T15:18:19")
    assert trigger["contact"] is None
    assert trigger["description"] == f"{ALICE} opted out"


async def test_opted_out_from_and_entry(
    hass: HomeAssistant, contacts_entry: MockConfigEntry, calls: Calls
) -> None:
    await setup_automation(
        hass, "opted_out", {"config_entry_id": OTHER_ENTRY_ID, "from": ["ALICE"]}
    )
    entry = {"config_entry_id": OTHER_ENTRY_ID}

    await fire(hass, EVENT_OPTED_OUT, opt_out_data(BOB, **entry))
    await fire(hass, EVENT_OPTED_OUT, opt_out_data(ALICE))
    await fire(hass, EVENT_OPTED_OUT, opt_out_data(ALICE, **entry, contact="Alice"))

    assert [variables(call)["contact"] for call in calls] == ["Alice"]
    assert last(calls)["description"] == "Alice opted out"


@pytest.mark.parametrize(
    ("trigger", "event_type", "data"),
    [
        ("message_received", EVENT_INBOUND_MESSAGE, inbound()),
        ("message_status", EVENT_MESSAGE_DELIVERED, status_data()),
        ("message_status", EVENT_MESSAGE_FAILED, status_data()),
        ("opted_out", EVENT_OPTED_OUT, opt_out_data()),
    ],
)
async def test_a_trigger_stops_with_its_automation(
    hass: HomeAssistant,
    calls: Calls,
    trigger: str,
    event_type: str,
    data: dict[str, Any],
) -> None:
    await setup_automation(hass, trigger)
    await fire(hass, event_type, data)
    assert len(calls) == 1

    await hass.services.async_call(
        AUTOMATION_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: AUTOMATION}, blocking=True
    )
    await fire(hass, event_type, data)

    assert len(calls) == 1
    # Nothing listens any more: the automation's listeners are all removed.
    assert hass.bus.async_listeners().get(event_type, 0) == 0


# --- Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "options", "message"),
    [
        (
            "message_received",
            {"match": "regex", "text": "OPEN("},
            (
                "'OPEN(' is not a valid regular expression: missing ), unterminated "
                "subpattern at position 4 @ data['options']['text']"
            ),
        ),
        (
            "message_received",
            {"match": "contains"},
            (
                "a text is needed to match with `contains`; leave `match` at `any` "
                "to accept every text @ data['options']['text']"
            ),
        ),
        (
            "message_received",
            {"match": "equals", "text": "  "},
            "a text is needed to match with `equals`",
        ),
        ("message_received", {"match": "like"}, "data['options']['match']"),
        (
            "message_received",
            {"from": ["Carol"]},
            (
                "'Carol' is neither a phone number nor the name of a contact "
                "@ data['options']['from']"
            ),
        ),
        ("message_received", {"from": [""]}, "'' is neither a phone number"),
        (
            "message_received",
            {"config_entry_id": OTHER_ENTRY_ID, "from": ["Alice"]},
            (
                f"'{OTHER_ENTRY_ID}' is not an Esendex SMS entry "
                "@ data['options']['config_entry_id']"
            ),
        ),
        ("message_received", {"contacts_only": "maybe"}, "contacts_only"),
        ("message_received", {"sender": ALICE}, "@ data['options']['sender']"),
        ("message_status", {"status": ["read"]}, "data['options']['status'][0]"),
        ("message_status", {"to": ["+44"]}, "'+44' is neither a phone number"),
        ("opted_out", {"from": ["Bob"]}, "'Bob' is neither a phone number"),
        (
            "opted_out",
            {"config_entry_id": "nope"},
            "'nope' is not an Esendex SMS entry",
        ),
    ],
)
async def test_invalid_options_are_refused(
    hass: HomeAssistant, trigger: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(probatio.Invalid) as raised:
        await validate(hass, trigger, options)

    assert message in _humanized(raised.value)


def _humanized(err: probatio.Invalid) -> str:
    return f"{err.msg} @ data{''.join(f'[{p!r}]' for p in err.path)}"


async def test_a_contact_of_the_chosen_entry_is_required(
    hass: HomeAssistant, config_entry: MockConfigEntry, contacts_entry: MockConfigEntry
) -> None:
    with pytest.raises(probatio.Invalid, match="name of a contact of that entry"):
        await validate(
            hass, "message_received", {"config_entry_id": ENTRY_ID, "from": ["Alice"]}
        )

    for options in (
        {"config_entry_id": OTHER_ENTRY_ID, "from": ["alice ", BOB]},
        {"from": ["Alice"]},
    ):
        await validate(hass, "message_received", options)


async def test_an_entry_of_another_integration_is_refused(hass: HomeAssistant) -> None:
    foreign = MockConfigEntry(domain="other", entry_id="01JFOREIGNENTRY0000000000")
    foreign.add_to_hass(hass)

    with pytest.raises(probatio.Invalid, match="is not an Esendex SMS entry"):
        await validate(hass, "opted_out", {"config_entry_id": foreign.entry_id})


async def test_the_options_get_their_defaults(hass: HomeAssistant) -> None:
    (received,) = await async_validate_trigger_config(
        hass, cv.TRIGGER_SCHEMA([{"trigger": "esendex.message_received"}])
    )
    (status,) = await validate(hass, "message_status", {})
    (opted_out,) = await validate(hass, "opted_out", {"from": 447700900123})

    assert received["options"] == {
        "from": [],
        "contacts_only": False,
        "match": "any",
        "text": "",
        "case_sensitive": False,
        "verified_only": False,
    }
    assert status["options"] == {"status": ["delivered", "failed"], "to": []}
    assert opted_out["options"] == {"from": ["447700900123"]}


async def test_an_automation_with_invalid_options_is_not_set_up(
    hass: HomeAssistant, calls: Calls, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        await setup_automation(
            hass, "message_received", {"match": "regex", "text": "[unclosed"}
        )

    assert "Automation with alias 'sms' failed to setup triggers" in caplog.text
    assert "'[unclosed' is not a valid regular expression" in caplog.text
    state = hass.states.get(AUTOMATION)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    await fire(hass, EVENT_INBOUND_MESSAGE, inbound(text="[unclosed"))
    assert calls == []


async def test_the_editor_refuses_to_save_invalid_options(hass: HomeAssistant) -> None:
    """What the automation editor's save calls: it raises, with the message."""
    config = {
        "alias": "sms",
        "triggers": [
            {
                "trigger": "esendex.message_received",
                "options": {"match": "starts_with", "text": ""},
            }
        ],
        "actions": [],
    }

    with pytest.raises(probatio.Invalid, match="a text is needed to match"):
        await async_validate_config_item(hass, "sms", config)


# --- The editor's descriptions --------------------------------------------------------


async def test_home_assistant_describes_each_trigger_with_its_options(
    hass: HomeAssistant,
) -> None:
    """triggers.yaml loads, and its fields are exactly each trigger's options."""
    await setup_automation(hass, "message_received")

    descriptions = await async_get_all_descriptions(hass)

    for key in TRIGGERS:
        description = descriptions[f"{DOMAIN}.{key}"]
        assert description is not None, key
        # The options as validated get a default each, except the entry's.
        (validated,) = await validate(hass, key, {})
        assert set(description["fields"]) == {"config_entry_id", *validated["options"]}
        assert description["fields"]["config_entry_id"]["selector"] == {
            "config_entry": {"integration": DOMAIN}
        }
    received = descriptions[f"{DOMAIN}.message_received"]
    assert received is not None
    match = received["fields"]["match"]["selector"]["select"]
    assert match["options"] == [*TextMatch]
    assert match["translation_key"] == "trigger_match"
    status = descriptions[f"{DOMAIN}.message_status"]
    assert status is not None
    assert status["fields"]["status"]["selector"]["select"]["translation_key"] == (
        "trigger_status"
    )


async def test_a_contact_added_through_home_assistant_counts(
    hass: HomeAssistant,
) -> None:
    """A contact added with Home Assistant's subentry API is known to validation."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_WEBHOOK_ID: "e" * 64, CONF_CLOUDHOOK: False},
        entry_id="01JESENDEXTHIRDENTRY00000",
    )
    entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({"name": "Carol", "phone_number": f"+{BOB}"}),
            subentry_type="contact",
            title="Carol",
            unique_id=BOB,
        ),
    )

    await validate(hass, "opted_out", {"from": ["carol"]})
