"""Automation triggers: an SMS received, a delivery report, an opt-out.

Listed in the automation editor under "Esendex SMS" (described in triggers.yaml), and
written in YAML as `trigger: esendex.message_received` with `options:`. Each trigger
listens to the bus event the receiver fires and filters it:

- `message_received` (`esendex_inbound_message`): by entry, sender (numbers or
  contact names), contacts only, the text (`any`, `contains`, `equals`,
  `starts_with`, `regex`) and, for entries with API credentials, verified only.
- `message_status` (`esendex_message_delivered`, `esendex_message_failed`): by entry,
  status and recipient (numbers or contact names).
- `opted_out` (`esendex_opted_out`): by entry and sender.

The entry is chosen with the `config_entry_id` option (a config entry selector, as
`send_sms` has), not a target: a trigger's target picks entities, devices, areas,
floors or labels, none of which is an account. Contact names are resolved against the
contacts of the event's entry at each event, so a contact added, renamed or removed
counts at once; a name that no longer resolves matches nobody.
"""

import asyncio
from collections.abc import Callable, Mapping
from enum import StrEnum
import re
from typing import Any, Final, override

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_OPTIONS
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.trigger import (
    NotTriggeredInfo,
    Trigger,
    TriggerActionRunner,
    TriggerConfig,
    TriggerNotTriggeredReporter,
)
from homeassistant.helpers.typing import ConfigType
import probatio

from .api import InvalidAddressError
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONTACT,
    ATTR_FROM,
    ATTR_MESSAGE_ID,
    ATTR_RECIPIENT,
    ATTR_TEXT,
    ATTR_VERIFIED,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
    STATUS_DELIVERED,
    STATUS_FAILED,
)
from .contacts import (
    async_contacts,
    number_key,
    number_key_or_none,
    resolve_recipient,
)
from .verify import InboundVerifier

CONF_FROM: Final = "from"
CONF_TO: Final = "to"
CONF_CONTACTS_ONLY: Final = "contacts_only"
CONF_MATCH: Final = "match"
CONF_TEXT: Final = "text"
CONF_CASE_SENSITIVE: Final = "case_sensitive"
CONF_VERIFIED_ONLY: Final = "verified_only"
CONF_STATUS: Final = "status"

# Trigger variables beyond the event's data.
VAR_GROUPS: Final = "groups"
VAR_MATCH_GROUPS: Final = "match_groups"
VAR_STATUS: Final = "status"

# How long a verified_only trigger waits for the check of an SMS against the inbox.
VERIFY_TIMEOUT_SECONDS: Final = 30.0

# Why a message_received trigger did not fire for an SMS from an accepted sender,
# shown in the automation's traces.
REASON_TEXT_NOT_MATCHED: Final = "text_not_matched"
REASON_NOT_VERIFIED: Final = "not_verified"


class TextMatch(StrEnum):
    """How the `text` option is compared with an SMS."""

    ANY = "any"
    CONTAINS = "contains"
    EQUALS = "equals"
    STARTS_WITH = "starts_with"
    REGEX = "regex"


# The groups of a regex match: named ones, then all by number (0 the whole match).
type Groups = tuple[dict[str, str | None], list[str | None]]
type TextTest = Callable[[str], Groups | None]

_NUMBERS = probatio.All(probatio.EnsureList(), [cv.string])
_ENTRY = probatio.Optional(ATTR_CONFIG_ENTRY_ID)


def _regex_flags(case_sensitive: bool) -> re.RegexFlag:
    return re.NOFLAG if case_sensitive else re.IGNORECASE


def _validate_text(options: dict[str, Any]) -> dict[str, Any]:
    """Refuse a match without text, and a regex that does not compile."""
    match = TextMatch(options[CONF_MATCH])
    text = options[CONF_TEXT].strip()
    if match is not TextMatch.ANY and not text:
        raise probatio.Invalid(
            f"a text is needed to match with `{match}`; "
            "leave `match` at `any` to accept every text",
            path=[CONF_TEXT],
        )
    if match is TextMatch.REGEX:
        try:
            re.compile(text, _regex_flags(options[CONF_CASE_SENSITIVE]))
        except re.error as err:
            raise probatio.Invalid(
                f"{text!r} is not a valid regular expression: {err}",
                path=[CONF_TEXT],
            ) from err
    return options


_MESSAGE_RECEIVED_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_OPTIONS, default=dict): probatio.All(
            {
                _ENTRY: cv.string,
                probatio.Optional(CONF_FROM, default=list): _NUMBERS,
                probatio.Optional(CONF_CONTACTS_ONLY, default=False): cv.boolean,
                probatio.Optional(CONF_MATCH, default=TextMatch.ANY): probatio.In(
                    [*TextMatch]
                ),
                probatio.Optional(CONF_TEXT, default=""): cv.string,
                probatio.Optional(CONF_CASE_SENSITIVE, default=False): cv.boolean,
                probatio.Optional(CONF_VERIFIED_ONLY, default=False): cv.boolean,
            },
            _validate_text,
        )
    }
)
_MESSAGE_STATUS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_OPTIONS, default=dict): {
            _ENTRY: cv.string,
            probatio.Optional(
                CONF_STATUS, default=[STATUS_DELIVERED, STATUS_FAILED]
            ): probatio.All(
                probatio.EnsureList(),
                [probatio.In([STATUS_DELIVERED, STATUS_FAILED])],
            ),
            probatio.Optional(CONF_TO, default=list): _NUMBERS,
        }
    }
)
_OPTED_OUT_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_OPTIONS, default=dict): {
            _ENTRY: cv.string,
            probatio.Optional(CONF_FROM, default=list): _NUMBERS,
        }
    }
)


def text_test(match: TextMatch, text: str, case_sensitive: bool) -> TextTest:
    """Return a test of an SMS's text: its groups when it matches, else None.

    Surrounding whitespace is ignored on both sides. A regex is searched for
    anywhere in the text (anchor it with ^ and $ for the whole text).
    """
    wanted = text.strip()
    if match is TextMatch.REGEX:
        pattern = re.compile(wanted, _regex_flags(case_sensitive))

        def search(value: str) -> Groups | None:
            if (found := pattern.search(value.strip())) is None:
                return None
            return found.groupdict(), [found.group(0), *found.groups()]

        return search

    def fold(value: str) -> str:
        return value.strip() if case_sensitive else value.strip().casefold()

    wanted = fold(wanted)
    compare: Callable[[str], bool] = {
        TextMatch.ANY: lambda value: True,
        TextMatch.CONTAINS: lambda value: wanted in value,
        TextMatch.EQUALS: lambda value: value == wanted,
        TextMatch.STARTS_WITH: lambda value: value.startswith(wanted),
    }[match]

    def test(value: str) -> Groups | None:
        return ({}, []) if compare(fold(value)) else None

    return test


def _is_number(value: str) -> bool:
    try:
        number_key(value)
    except InvalidAddressError:
        return False
    return True


def _validate_entry(hass: HomeAssistant, options: dict[str, Any]) -> list[ConfigEntry]:
    """Return the entries whose contacts count: the chosen one, else all.

    Refuses a config_entry_id that is not an Esendex SMS entry.
    """
    if (entry_id := options.get(ATTR_CONFIG_ENTRY_ID)) is None:
        return hass.config_entries.async_entries(DOMAIN)
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise probatio.Invalid(
            f"{entry_id!r} is not an Esendex SMS entry",
            path=[CONF_OPTIONS, ATTR_CONFIG_ENTRY_ID],
        )
    return [entry]


def _validate_numbers(
    entries: list[ConfigEntry], options: dict[str, Any], field: str
) -> None:
    """Refuse an item of a numbers option that is neither a number nor a contact."""
    names = {
        contact.name.casefold()
        for entry in entries
        for contact in async_contacts(entry)
    }
    whose = (
        "a contact of that entry" if ATTR_CONFIG_ENTRY_ID in options else "a contact"
    )
    for value in options[field]:
        if not _is_number(value) and value.strip().casefold() not in names:
            raise probatio.Invalid(
                f"{value!r} is neither a phone number nor the name of {whose}",
                path=[CONF_OPTIONS, field],
            )


def _event_entry(hass: HomeAssistant, data: Mapping[str, Any]) -> ConfigEntry | None:
    """Return the Esendex SMS entry an event names, or None."""
    entry_id = data.get(ATTR_CONFIG_ENTRY_ID)
    if not isinstance(entry_id, str):
        return None
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        return None
    return entry


def _number_keys(entry: ConfigEntry | None, values: list[str]) -> set[str]:
    """Return the numbers the values stand for now; a stale name stands for none."""
    keys: set[str] = set()
    for value in values:
        try:
            number = value if entry is None else resolve_recipient(entry, value)
            keys.add(number_key(number))
        except InvalidAddressError:
            continue
    return keys


def _sender_key(number: object) -> str | None:
    # None for an alphanumeric sender, which no number or contact matches.
    return number_key_or_none(number) if isinstance(number, str) else None


class _EsendexTrigger(Trigger):
    """An Esendex event filtered by entry and by numbers (or contact names)."""

    _SCHEMA: probatio.Schema
    # The numbers option, and the event data it is compared with.
    _NUMBERS_OPTION: str
    _NUMBER_FIELD: str

    @override
    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Validate the options, the entry and the numbers against the contacts."""
        config = cls._SCHEMA(config)
        options: dict[str, Any] = config[CONF_OPTIONS]
        entries = _validate_entry(hass, options)
        _validate_numbers(entries, options, cls._NUMBERS_OPTION)
        return config

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Keep the validated options."""
        super().__init__(hass, config)
        # Validated: the options are there, with their defaults.
        self._options: dict[str, Any] = config.options or {}
        self._entry_id: str | None = self._options.get(ATTR_CONFIG_ENTRY_ID)
        self._numbers: list[str] = self._options[self._NUMBERS_OPTION]

    @callback
    def _accepts(self, data: Mapping[str, Any]) -> bool:
        """Return whether the event is of the entry and of an accepted number."""
        if self._entry_id is not None and data.get(ATTR_CONFIG_ENTRY_ID) != (
            self._entry_id
        ):
            return False
        if not self._numbers:
            return True
        number = _sender_key(data.get(self._NUMBER_FIELD))
        keys = _number_keys(_event_entry(self._hass, data), self._numbers)
        return number is not None and number in keys


class MessageReceivedTrigger(_EsendexTrigger):
    """An SMS received, filtered by sender, text and verification."""

    _SCHEMA = _MESSAGE_RECEIVED_SCHEMA
    _NUMBERS_OPTION = CONF_FROM
    _NUMBER_FIELD = ATTR_FROM

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Compile the text test."""
        super().__init__(hass, config)
        options = self._options
        self._contacts_only: bool = options[CONF_CONTACTS_ONLY]
        self._verified_only: bool = options[CONF_VERIFIED_ONLY]
        self._test = text_test(
            TextMatch(options[CONF_MATCH]),
            options[CONF_TEXT],
            options[CONF_CASE_SENSITIVE],
        )

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Run the action for each matching SMS (once verified, if asked)."""
        pending: set[asyncio.Task[None]] = set()

        @callback
        def not_triggered(reason: str, context: Context, **data: Any) -> None:
            if did_not_trigger is not None:
                did_not_trigger(NotTriggeredInfo(reason, data), context)

        async def async_run_verified(
            verifier: InboundVerifier,
            message_id: str,
            variables: dict[str, Any],
            description: str,
            context: Context,
        ) -> None:
            verified = await verifier.async_wait(message_id, VERIFY_TIMEOUT_SECONDS)
            if verified is not True:
                not_triggered(REASON_NOT_VERIFIED, context, verified=verified)
                return
            run_action({**variables, ATTR_VERIFIED: True}, description, context)

        @callback
        def async_message(event: Event[Mapping[str, Any]]) -> None:
            data = event.data
            if not self._accepts(data):
                return
            contact = data.get(ATTR_CONTACT)
            if self._contacts_only and contact is None:
                return
            text = data.get(ATTR_TEXT)
            if (groups := self._test(text if isinstance(text, str) else "")) is None:
                not_triggered(REASON_TEXT_NOT_MATCHED, event.context, text=text)
                return
            variables = {
                **data,
                ATTR_CONTACT: contact,
                ATTR_VERIFIED: data.get(ATTR_VERIFIED),
                VAR_GROUPS: groups[0],
                VAR_MATCH_GROUPS: groups[1],
            }
            description = f"SMS from {contact or data.get(ATTR_FROM)}"
            if not self._verified_only:
                run_action(variables, description, event.context)
                return
            entry = _event_entry(self._hass, data)
            message_id = data.get(ATTR_MESSAGE_ID)
            if (
                entry is None
                or entry.state is not ConfigEntryState.LOADED
                or (verifier := entry.runtime_data.verifier) is None
                or not isinstance(message_id, str)
            ):
                # Receive-only, not loaded, or not an SMS it received: nothing can
                # verify it.
                not_triggered(REASON_NOT_VERIFIED, event.context, verified=None)
                return
            # Not started eagerly: the receiver starts the check right after it
            # fires the event, and the wait must come after that.
            task = entry.async_create_background_task(
                self._hass,
                async_run_verified(
                    verifier, message_id, variables, description, event.context
                ),
                f"{DOMAIN} verified_only trigger",
                eager_start=False,
            )
            pending.add(task)
            task.add_done_callback(pending.discard)

        remove_listener = self._hass.bus.async_listen(
            EVENT_INBOUND_MESSAGE, async_message
        )

        @callback
        def async_remove() -> None:
            remove_listener()
            for task in pending:
                task.cancel()

        return async_remove


class MessageStatusTrigger(_EsendexTrigger):
    """A delivery or failure report, filtered by status and recipient."""

    _SCHEMA = _MESSAGE_STATUS_SCHEMA
    _NUMBERS_OPTION = CONF_TO
    _NUMBER_FIELD = ATTR_RECIPIENT

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Run the action for each matching report."""
        statuses: list[str] = self._options[CONF_STATUS] or [
            STATUS_DELIVERED,
            STATUS_FAILED,
        ]
        removes = [
            self._hass.bus.async_listen(event_type, self._listener(status, run_action))
            for status, event_type in (
                (STATUS_DELIVERED, EVENT_MESSAGE_DELIVERED),
                (STATUS_FAILED, EVENT_MESSAGE_FAILED),
            )
            if status in statuses
        ]

        @callback
        def async_remove() -> None:
            for remove in removes:
                remove()

        return async_remove

    def _listener(
        self, status: str, run_action: TriggerActionRunner
    ) -> Callable[[Event[Mapping[str, Any]]], None]:
        """Return the listener to the reports of one status."""

        @callback
        def async_report(event: Event[Mapping[str, Any]]) -> None:
            data = event.data
            if not self._accepts(data):
                return
            contact = data.get(ATTR_CONTACT)
            whom = contact or data.get(ATTR_RECIPIENT)
            what = f"SMS to {whom}" if whom else f"SMS {data.get(ATTR_MESSAGE_ID)}"
            run_action(
                {**data, ATTR_CONTACT: contact, VAR_STATUS: status},
                f"{what} {status}",
                event.context,
            )

        return async_report


class OptedOutTrigger(_EsendexTrigger):
    """A recipient who replied STOP, filtered by sender."""

    _SCHEMA = _OPTED_OUT_SCHEMA
    _NUMBERS_OPTION = CONF_FROM
    _NUMBER_FIELD = ATTR_FROM

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Run the action for each matching opt-out."""

        @callback
        def async_opt_out(event: Event[Mapping[str, Any]]) -> None:
            data = event.data
            if not self._accepts(data):
                return
            contact = data.get(ATTR_CONTACT)
            run_action(
                {**data, ATTR_CONTACT: contact},
                f"{contact or data.get(ATTR_FROM)} opted out",
                event.context,
            )

        return self._hass.bus.async_listen(EVENT_OPTED_OUT, async_opt_out)


TRIGGERS: dict[str, type[Trigger]] = {
    "message_received": MessageReceivedTrigger,
    "message_status": MessageStatusTrigger,
    "opted_out": OptedOutTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the Esendex SMS triggers."""
    return TRIGGERS
