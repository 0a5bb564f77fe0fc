"""Diagnostics: useful, with secrets and personal data redacted."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

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
