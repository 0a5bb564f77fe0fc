"""An entry's Assist settings: the pipeline SMS questions go to, and the limits.

The options flow's "sending" step (entries with API credentials) stores them in the
entry's options. An option not set, or cleared, means its default: the preferred
pipeline, two SMS parts per answer, 10 answers per contact an hour and 50 per entry
a day. Which contacts Assist answers, and as which user, is each contact's own
setting (contacts.py).
"""

from dataclasses import dataclass
from typing import Final

from homeassistant.config_entries import ConfigEntry

CONF_ASSIST_PIPELINE: Final = "assist_pipeline"
CONF_ASSIST_MAX_PARTS: Final = "assist_max_parts"
CONF_ASSIST_CONTACT_HOURLY_LIMIT: Final = "assist_contact_hourly_limit"
CONF_ASSIST_ENTRY_DAILY_LIMIT: Final = "assist_entry_daily_limit"

DEFAULT_ASSIST_MAX_PARTS: Final = 2
DEFAULT_ASSIST_CONTACT_HOURLY_LIMIT: Final = 10
DEFAULT_ASSIST_ENTRY_DAILY_LIMIT: Final = 50

# What the options form allows; every limit is at least 1.
MAX_ASSIST_MAX_PARTS: Final = 6
MAX_ASSIST_CONTACT_HOURLY_LIMIT: Final = 100
MAX_ASSIST_ENTRY_DAILY_LIMIT: Final = 1000

# The number options, their defaults and their maximum, in the form's order.
ASSIST_NUMBER_OPTIONS: Final = {
    CONF_ASSIST_MAX_PARTS: (DEFAULT_ASSIST_MAX_PARTS, MAX_ASSIST_MAX_PARTS),
    CONF_ASSIST_CONTACT_HOURLY_LIMIT: (
        DEFAULT_ASSIST_CONTACT_HOURLY_LIMIT,
        MAX_ASSIST_CONTACT_HOURLY_LIMIT,
    ),
    CONF_ASSIST_ENTRY_DAILY_LIMIT: (
        DEFAULT_ASSIST_ENTRY_DAILY_LIMIT,
        MAX_ASSIST_ENTRY_DAILY_LIMIT,
    ),
}


@dataclass(frozen=True, slots=True)
class AssistSettings:
    """How an entry answers SMS with Assist.

    pipeline_id is None for the preferred pipeline. max_parts caps an answer's SMS
    parts; the limits count answers sent, per contact in an hour and per entry in a
    day.
    """

    pipeline_id: str | None
    max_parts: int
    contact_hourly_limit: int
    entry_daily_limit: int


def assist_settings(entry: ConfigEntry) -> AssistSettings:
    """Return the entry's Assist settings, defaults for what is not set."""
    options = entry.options

    def number(key: str) -> int:
        default, _maximum = ASSIST_NUMBER_OPTIONS[key]
        return int(options.get(key) or default)

    return AssistSettings(
        pipeline_id=options.get(CONF_ASSIST_PIPELINE) or None,
        max_parts=number(CONF_ASSIST_MAX_PARTS),
        contact_hourly_limit=number(CONF_ASSIST_CONTACT_HOURLY_LIMIT),
        entry_daily_limit=number(CONF_ASSIST_ENTRY_DAILY_LIMIT),
    )
