"""Diagnostics: useful, with secrets and personal data redacted."""

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
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

from .conftest import WEBHOOK_ID, PostNotification, fixture_bytes


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

    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)

    text = str(diagnostics)
    for secret in (WEBHOOK_ID, "447700900123", "447860000000", "Gate code please"):
        assert secret not in text
    assert diagnostics["receiver"]["seen_notifications"] == 2
    assert diagnostics == snapshot(exclude=props("created_at", "modified_at"))


async def test_diagnostics_redact_api_credentials(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
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
    with patch("custom_components.esendex.EsendexClient", autospec=True) as client:
        client.return_value.async_get_account.return_value = account
        client.return_value.async_get_inbox.return_value = InboxPage([], 0, 0, 0)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    text = str(diagnostics)
    for secret in ("owner@example.com", "api-password-secret", "447700900123"):
        assert secret not in text
    assert diagnostics["api"] == {"last_update_success": True, "messages_remaining": 19}
    assert diagnostics["entry"]["data"]["account_reference"] == "EX998877"
