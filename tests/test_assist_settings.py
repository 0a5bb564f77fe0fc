"""assist_settings.py: an entry's Assist options, with their defaults."""

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.esendex.assist_settings import (
    CONF_ASSIST_CONTACT_HOURLY_LIMIT,
    CONF_ASSIST_ENTRY_DAILY_LIMIT,
    CONF_ASSIST_MAX_PARTS,
    CONF_ASSIST_PIPELINE,
    DEFAULT_ASSIST_CONTACT_HOURLY_LIMIT,
    DEFAULT_ASSIST_ENTRY_DAILY_LIMIT,
    DEFAULT_ASSIST_MAX_PARTS,
    AssistSettings,
    assist_settings,
)
from custom_components.esendex.const import CONF_ACCOUNT_ID, DOMAIN

DEFAULTS = AssistSettings(
    pipeline_id=None, max_parts=2, contact_hourly_limit=10, entry_daily_limit=50
)


def entry_with(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, options=options)
    entry.add_to_hass(hass)
    return entry


def test_the_defaults_are_those_the_issue_asks_for() -> None:
    assert (
        DEFAULT_ASSIST_MAX_PARTS,
        DEFAULT_ASSIST_CONTACT_HOURLY_LIMIT,
        DEFAULT_ASSIST_ENTRY_DAILY_LIMIT,
    ) == (2, 10, 50)


@pytest.mark.parametrize(
    "options", [{}, {CONF_ACCOUNT_ID: "6145d724-98cb-41a2-8c4e-4b81ef694897"}]
)
def test_an_entry_without_assist_options_has_the_defaults(
    hass: HomeAssistant, options: dict[str, Any]
) -> None:
    """The preferred pipeline, 2 parts, 10 answers a contact an hour, 50 a day."""
    assert assist_settings(entry_with(hass, options)) == DEFAULTS


def test_an_entry_has_the_assist_settings_of_its_options(
    hass: HomeAssistant,
) -> None:
    entry = entry_with(
        hass,
        {
            CONF_ASSIST_PIPELINE: "01jpipeline",
            CONF_ASSIST_MAX_PARTS: 6,
            CONF_ASSIST_CONTACT_HOURLY_LIMIT: 1,
            CONF_ASSIST_ENTRY_DAILY_LIMIT: 1000,
        },
    )

    assert assist_settings(entry) == AssistSettings(
        pipeline_id="01jpipeline",
        max_parts=6,
        contact_hourly_limit=1,
        entry_daily_limit=1000,
    )


@pytest.mark.parametrize("pipeline", ["", None])
def test_an_empty_pipeline_is_the_preferred_one(
    hass: HomeAssistant, pipeline: str | None
) -> None:
    entry = entry_with(hass, {CONF_ASSIST_PIPELINE: pipeline})

    assert assist_settings(entry).pipeline_id is None


def test_each_number_falls_back_to_its_own_default(hass: HomeAssistant) -> None:
    entry = entry_with(hass, {CONF_ASSIST_CONTACT_HOURLY_LIMIT: 3})

    assert assist_settings(entry) == AssistSettings(
        pipeline_id=None, max_parts=2, contact_hourly_limit=3, entry_daily_limit=50
    )


def test_numbers_are_whole(hass: HomeAssistant) -> None:
    """Stored by an older form, or by hand, as floats: still whole numbers."""
    entry = entry_with(
        hass,
        {
            CONF_ASSIST_MAX_PARTS: 3.0,
            CONF_ASSIST_CONTACT_HOURLY_LIMIT: 4.0,
            CONF_ASSIST_ENTRY_DAILY_LIMIT: 5.0,
        },
    )

    settings = assist_settings(entry)

    assert (settings.max_parts, settings.contact_hourly_limit) == (3, 4)
    assert type(settings.entry_daily_limit) is int


def test_the_settings_are_read_when_asked(hass: HomeAssistant) -> None:
    """Not cached: the options as they are now."""
    entry = entry_with(hass, {})
    assert assist_settings(entry).max_parts == 2

    hass.config_entries.async_update_entry(entry, options={CONF_ASSIST_MAX_PARTS: 4})

    assert assist_settings(entry).max_parts == 4


def test_the_settings_cannot_be_changed_by_who_reads_them(hass: HomeAssistant) -> None:
    settings = assist_settings(entry_with(hass, {}))

    with pytest.raises(AttributeError):
        settings.max_parts = 6  # type: ignore[misc]
