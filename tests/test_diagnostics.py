"""Diagnostics: useful, with secrets and personal data redacted."""

from http import HTTPStatus
import json
import re
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.diagnostics import REDACTED
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.esendex.api import Account, InboxPage
from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    CONF_DEFAULT_RECIPIENT,
    DOMAIN,
)
from custom_components.esendex.diagnostics import async_get_config_entry_diagnostics

from .api_support import (
    ACCOUNT_ID,
    ACCOUNT_REFERENCE,
    API_ENTRY_ID,
    BODY,
    PASSWORD,
    USERNAME,
    VIRTUAL_NUMBER,
    FakeEsendex,
    add_api_entry,
    async_settle,
    inbound_push,
    receipt_push,
)
from .conftest import WEBHOOK_ID, PostNotification, fixture_bytes

# The first id the fake Esendex hands out for a sent message.
FIRST_SENT_ID = "1183C73D-2E62-4F60-B610-000000000001"


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


async def test_diagnostics_redact_webhook_numbers_and_text(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    post_notification: PostNotification,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-11-25T10:00:00+00:00")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await post_notification(fixture_bytes("inbound_message.xml"))
    await post_notification(fixture_bytes("message_failed_with_reason.xml"))
    await post_notification(fixture_bytes("opt_out_received_at.xml"))

    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)

    text = str(diagnostics)
    for secret in (
        WEBHOOK_ID,
        "447700900123",
        "447860000000",
        # The number that opted out.
        "7700900456",
        "Gate code please",
        # The account the notifications came from identifies the customer.
        "6145d724-98cb-41a2-8c4e-4b81ef694897",
    ):
        assert secret not in text
    assert diagnostics["receiver"]["seen_notifications"] == 3
    # When it opted out tells nothing about whom.
    assert diagnostics["receiver"]["opted_out"] == [
        {"number": REDACTED, "at": "2026-11-25T09:30:15.407000+00:00"}
    ]
    assert diagnostics == snapshot(exclude=props("created_at", "modified_at"))


async def test_diagnostics_redact_api_credentials(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        unique_id="597e91b3-cf71-4950-8b4f-8728fe13793f",
        data={
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_CLOUDHOOK: False,
            CONF_USERNAME: "owner@example.com",
            CONF_PASSWORD: "api-password-secret",
            CONF_ACCOUNT_REFERENCE: "EX998877",
        },
        options={
            CONF_ACCOUNT_ID: "597e91b3-cf71-4950-8b4f-8728fe13793f",
            CONF_DEFAULT_RECIPIENT: "+447700900123",
        },
    )
    entry.add_to_hass(hass)
    account = Account(
        id="597e91b3-cf71-4950-8b4f-8728fe13793f",
        reference="EX998877",
        label="Primary",
        address="447860000000",
        messages_remaining=19,
        expires_on=None,
    )
    with patch(
        "custom_components.esendex.rest_client.EsendexClient", autospec=True
    ) as client:
        client.return_value.async_get_account.return_value = account
        client.return_value.async_get_inbox.return_value = InboxPage([], 0, 0, 0)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await async_settle(hass)

        diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    text = str(diagnostics)
    for secret in (
        "owner@example.com",
        "api-password-secret",
        "447700900123",
        "597e91b3-cf71-4950-8b4f-8728fe13793f",
        "EX998877",
    ):
        assert secret not in text
    assert diagnostics["api"] == {
        "last_update_success": True,
        "messages_remaining": 19,
        "last_catch_up_success": True,
    }
    assert diagnostics["entry"]["unique_id"] == REDACTED
    assert diagnostics["entry"]["data"] == {
        CONF_WEBHOOK_ID: REDACTED,
        CONF_CLOUDHOOK: False,
        CONF_USERNAME: REDACTED,
        CONF_PASSWORD: REDACTED,
        CONF_ACCOUNT_REFERENCE: REDACTED,
    }
    assert diagnostics["entry"]["options"] == {
        CONF_ACCOUNT_ID: REDACTED,
        CONF_DEFAULT_RECIPIENT: REDACTED,
    }
    # The filter is on, without telling which account it lets through.
    assert diagnostics["receiver"]["account_filter"] is True


async def test_download_holds_no_secret_nor_personal_data(
    hass: HomeAssistant,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    hass_client: ClientSessionGenerator,
) -> None:
    """Everything the owner could attach to an issue, after sending and receiving."""
    assert await async_setup_component(hass, "diagnostics", {})
    entry = add_api_entry(hass, options={CONF_DEFAULT_RECIPIENT: "+44 7700 900789"})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    # Sent by the action and by the notify entity; a receipt for the first.
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": API_ENTRY_ID,
            "to": "+44 7700 900123",
            "message": "Gate left open",
        },
        blocking=True,
    )
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        SERVICE_SEND_MESSAGE,
        {
            ATTR_ENTITY_ID: "notify.esendex_sms",
            ATTR_TITLE: "Heating",
            ATTR_MESSAGE: "Boiler pressure low",
        },
        blocking=True,
    )
    await post_notification(receipt_push(FIRST_SENT_ID))
    # Received by push, and one in the inbox whose text cannot be read yet.
    await post_notification(
        inbound_push(
            "09543bf1-8f47-4afa-9fe8-cb36bd0e6e90",
            "Parcel code 4321",
            sender="447700900321",
        )
    )
    # A recipient replied STOP.
    await post_notification(
        f"<OptOut><Id>opt-out-1</Id><AccountId>{ACCOUNT_ID}</AccountId>"
        "<ReceviedAt>2026-11-25T10:01:00Z</ReceviedAt>"
        "<From><PhoneNumber>447700900654</PhoneNumber></From></OptOut>"
    )
    esendex.receive(
        "C0FFEE00-8F47-4AFA-9FE8-CB36BD0E6E90",
        "Meet at the café at noon",
        "2026-11-25T10:05:00Z",
        sender="447700900456",
    )
    esendex.fail(BODY, HTTPStatus.INTERNAL_SERVER_ERROR, "Server Error")
    await entry.runtime_data.catch_up.async_run()
    await async_settle(hass)

    client = await hass_client()
    response = await client.get(f"/api/diagnostics/config_entry/{entry.entry_id}")
    assert response.status == HTTPStatus.OK
    raw = await response.text()
    download = json.loads(raw)
    # Unescaped, so that a non-ASCII secret is searched for as written; and
    # without separators, so that a number is found however it is formatted.
    unescaped = json.dumps(download, ensure_ascii=False).lower()
    texts = (raw.lower(), unescaped, re.sub(r"[\s().-]", "", unescaped))

    secrets = {
        "account GUID": ACCOUNT_ID,
        "account reference": ACCOUNT_REFERENCE,
        "username": USERNAME,
        "password": PASSWORD,
        "webhook id": WEBHOOK_ID,
        # Numbers by their national digits, whatever their formatting.
        "default recipient": "7700900789",
        "recipient": "7700900123",
        "push sender": "7700900321",
        "inbox sender": "7700900456",
        "opted-out number": "7700900654",
        "virtual number": VIRTUAL_NUMBER.removeprefix("44"),
        "sent text": "Gate left open",
        "notify title": "Heating",
        "notify text": "Boiler pressure low",
        "received text": "Parcel code 4321",
        "unreadable message's summary": "Meet at the caf",
    }
    leaks = [
        name
        for name, secret in secrets.items()
        if any(secret.lower() in text for text in texts)
    ]
    assert leaks == []
    # ...and still useful.
    data = download["data"]
    assert data["receiver"] == {
        "account_filter": True,
        "seen_notifications": 3,
        "seen_inbound_messages": 1,
        "sent_messages": 2,
        "inbox_caught_up_to": data["receiver"]["inbox_caught_up_to"],
        "inbox_messages_unreadable": 1,
        "opted_out": [{"number": REDACTED, "at": "2026-11-25T10:01:00+00:00"}],
    }
    assert data["receiver"]["inbox_caught_up_to"] is not None
    # The credits as last read (the second send's read waits out a cooldown).
    assert data["api"] == {
        "last_update_success": True,
        "messages_remaining": esendex.messages_remaining + 1,
        "last_catch_up_success": True,
    }
    states = {entity["key"]: entity["state"] for entity in data["entities"]}
    assert states["credits_remaining"] == str(esendex.messages_remaining + 1)
    assert states["last_delivery_status"] == "delivered"
    assert states["last_inbound_message"] == REDACTED


async def test_disabled_entity_is_listed_without_a_state(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    entity_registry.async_update_entity(
        "sensor.esendex_sms_last_inbound_message",
        disabled_by=er.RegistryEntryDisabler.USER,
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)

    [disabled] = [entity for entity in diagnostics["entities"] if entity["disabled"]]
    assert disabled == {
        "key": "last_inbound_message",
        "entity_id": "sensor.esendex_sms_last_inbound_message",
        "disabled": True,
        "state": None,
        "attributes": None,
    }


async def test_contacts_are_redacted_but_the_entry_title_is_kept(
    hass: HomeAssistant,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False},
        subentries_data=[
            ConfigSubentryData(
                data={"name": "Caretaker Anne", "phone_number": "+447700900555"},
                subentry_type="contact",
                title="Caretaker Anne",
                unique_id="447700900555",
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    dumped = json.dumps(diagnostics)
    assert "Caretaker Anne" not in dumped
    assert "447700900555" not in dumped
    assert diagnostics["entry"]["title"] == "Esendex SMS"
    (contact,) = diagnostics["entry"]["subentries"]
    assert contact["title"] == REDACTED
    assert contact["data"] == {"name": REDACTED, "phone_number": REDACTED}
