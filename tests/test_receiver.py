"""Receiver details not reached through the webhook."""

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.esendex.const import SEEN_SAVE_DELAY_SECONDS
from custom_components.esendex.receiver import NotificationReceiver


async def test_the_inbox_position_never_moves_back(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    receiver = NotificationReceiver(hass, config_entry)
    receiver.accepting = True
    later = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    earlier = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    receiver.async_set_inbox_position(later, ["A"])
    receiver.async_set_inbox_position(earlier, ["b"])
    receiver.async_set_inbox_position(later, ["c"])

    assert receiver.inbox_newest == later
    assert receiver.inbox_newest_ids == {"a", "c"}
    assert receiver.inbox_message_handled("C")


async def test_nothing_is_saved_once_closed(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    receiver = NotificationReceiver(hass, config_entry)
    receiver.accepting = True
    await receiver.async_close()
    key = f"esendex.{config_entry.entry_id}.seen"
    saved = hass_storage[key]["data"]

    # A catch-up finishing after the unload must not overwrite the next load's record.
    receiver.async_set_inbox_position(datetime(2026, 11, 25, tzinfo=UTC), ["x"])
    freezer.tick(timedelta(seconds=SEEN_SAVE_DELAY_SECONDS + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert hass_storage[key]["data"] == saved
    assert saved["inbox_newest"] is None
