"""Verify pushed SMS with Esendex's REST API: did Esendex receive each of them.

The webhook's secret URL is the only credential Esendex's pushes carry, so anyone
who learns it can post a fake SMS. Every SMS Esendex receives is also kept in the
account, so for entries with API credentials each pushed SMS is read back by its
MessageId (`EsendexClient.async_get_message`) and its sender, recipient and text
compared with the push:

- True: Esendex has that message, from that sender, to that number, with that text;
- False: Esendex has no message with that id, or it differs (the push is fake);
- None: unknown, because Esendex could not be asked or did not answer usably.

The check never holds anything up: the receiver publishes first and starts the
check afterwards, in the entry's background. When it ends, `esendex_message_verified`
is fired; a False is also logged as a warning and raised as a repair issue.

What this proves, and what not: that Esendex received an SMS with this sender,
recipient and text. Not who sent it: phone networks let a sender's number be
spoofed, so a verified SMS "from" a number may still come from someone else.
"""

import asyncio
from collections import OrderedDict
import logging
from typing import Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api import (
    EsendexError,
    MessageNotFoundError,
    StoredMessage,
)
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_MESSAGE_ID,
    ATTR_VERIFIED,
    DOMAIN,
    EVENT_MESSAGE_VERIFIED,
)
from .contacts import number_key_or_none
from .protocol import InboundMessage

_LOGGER = logging.getLogger(__name__)

# Results kept for waiters, newest last; a waiter asks within seconds of the push.
VERIFY_MAX_RESULTS: Final = 1_000
# Checks waiting or running at once; past this (a flood of pushes) the result of a
# new push is None at once rather than one more request queued for Esendex.
VERIFY_MAX_PENDING: Final = 200
# Requests to Esendex at once, of all the entry's checks.
VERIFY_CONCURRENCY: Final = 4

# What a check compares, as named in the log.
SENDER: Final = "sender"
RECIPIENT: Final = "recipient"
TEXT: Final = "text"
DIRECTION: Final = "direction"


class MessageReader(Protocol):
    """What the verifier needs of the REST client (EsendexClient has it)."""

    async def async_get_message(self, message_id: str) -> StoredMessage:
        """Return one message by its id, or raise MessageNotFoundError."""


def unverified_push_issue_id(entry_id: str) -> str:
    """Return the repair issue id raised when a push fails verification."""
    return f"unverified_push_{entry_id}"


def differences(message: InboundMessage, stored: StoredMessage) -> list[str]:
    """Return what differs between a push and Esendex's message: none, or names.

    Numbers are compared normalised (`+44 7700 900123` is `447700900123`), the
    text exactly (both without surrounding whitespace, as they are parsed).
    """
    differ = [
        name
        for name, pushed, kept in (
            (SENDER, message.sender, stored.sender),
            (RECIPIENT, message.recipient, stored.recipient),
        )
        if not same_number(pushed, kept)
    ]
    if message.text != stored.text:
        differ.append(TEXT)
    # A sent message's id in a fake "received" push.
    if stored.direction is not None and stored.direction.casefold() != "inbound":
        differ.append(DIRECTION)
    return differ


def same_number(first: str, second: str) -> bool:
    """Return whether two phone numbers (or sender names) are the same.

    Numbers are compared as digits, with or without their leading +; anything
    that is not a number (an alphanumeric sender) as written, case-insensitively.
    """
    first_key, second_key = number_key_or_none(first), number_key_or_none(second)
    if first_key is None or second_key is None:
        return first.strip().casefold() == second.strip().casefold()
    return first_key == second_key


class InboundVerifier:
    """Checks each pushed SMS of one entry against Esendex, in the background.

    Results are kept by lower-case message id, the newest VERIFY_MAX_RESULTS of
    them, for `async_wait`. Nothing is stored across restarts.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, client: MessageReader
    ) -> None:
        """Prepare the verifier of an entry with API credentials."""
        self.hass = hass
        self._entry = entry
        self._client = client
        self._results: OrderedDict[str, bool | None] = OrderedDict()
        self._pending: dict[str, asyncio.Future[bool | None]] = {}
        self._requests = asyncio.Semaphore(VERIFY_CONCURRENCY)
        # Pushes that failed verification since setup, for the repair issue.
        self.unverified_count = 0

    @callback
    def async_start(self, message: InboundMessage) -> None:
        """Start checking a pushed SMS; call it once the push is published.

        A second start for the same message id checks again; waiters from then on
        get the later result.
        """
        message_id = message.message_id.lower()
        if len(self._pending) >= VERIFY_MAX_PENDING:
            _LOGGER.debug(
                "Not verifying message %s of %s: %s checks are already waiting",
                message_id,
                self._entry.title,
                len(self._pending),
            )
            self._conclude(message_id, None)
            return
        future: asyncio.Future[bool | None] = self.hass.loop.create_future()
        self._pending[message_id] = future
        self._entry.async_create_background_task(
            self.hass,
            self._async_check(message, message_id, future),
            f"{DOMAIN} verify message {message_id}",
        )

    @callback
    def async_caught_up(self, message_id: str) -> None:
        """Record an SMS read from the account's inbox as verified, without a call.

        The inbox catch-up read it from Esendex itself, so it is True; the event
        is fired as for a check.
        """
        self._conclude(message_id.lower(), True)

    def result(self, message_id: str) -> bool | None:
        """Return the result of a check that ended, or None."""
        return self._results.get(message_id.lower())

    # The signature trigger.py calls; the timeout bounds a wait, not a request.
    async def async_wait(self, message_id: str, timeout: float) -> bool | None:  # noqa: ASYNC109
        """Return the result for a message, waiting for its check up to `timeout`.

        None when the check does not end in time, for an unknown message id, and
        for a check whose entry unloaded. An id not started yet is given one turn
        of the event loop: a waiter started from the inbound bus event runs before
        the receiver, which fires that event while publishing, starts the check.
        """
        message_id = message_id.lower()
        if message_id not in self._pending and message_id not in self._results:
            await asyncio.sleep(0)
        if (future := self._pending.get(message_id)) is None:
            return self._results.get(message_id)
        try:
            async with asyncio.timeout(timeout):
                # Shielded: a waiter that gives up leaves the check to the others.
                return await asyncio.shield(future)
        except TimeoutError:
            return None

    async def _async_check(
        self,
        message: InboundMessage,
        message_id: str,
        future: asyncio.Future[bool | None],
    ) -> None:
        try:
            verified = await self._async_verify(message, message_id)
            self._conclude(message_id, verified)
            future.set_result(verified)
        finally:
            # Cancelled with the entry's unload: waiters learn nothing more.
            if not future.done():
                future.set_result(None)
            if self._pending.get(message_id) is future:
                del self._pending[message_id]

    async def _async_verify(
        self, message: InboundMessage, message_id: str
    ) -> bool | None:
        async with self._requests:
            try:
                stored = await self._client.async_get_message(message.message_id)
            except MessageNotFoundError:
                self._report(message_id, "Esendex has no message with this id")
                return False
            except ValueError:
                # An id such as "." that no Esendex message has, nor a URL takes.
                self._report(message_id, "it is not an Esendex message id")
                return False
            except EsendexError as err:
                _LOGGER.debug(
                    "Could not verify message %s of %s with Esendex: %s",
                    message_id,
                    self._entry.title,
                    err,
                )
                return None
        if differ := differences(message, stored):
            self._report(message_id, f"Esendex's message differs: {', '.join(differ)}")
            return False
        return True

    def _conclude(self, message_id: str, verified: bool | None) -> None:
        """Keep the result, bounded, and tell the bus that the check ended."""
        self._results[message_id] = verified
        self._results.move_to_end(message_id)
        while len(self._results) > VERIFY_MAX_RESULTS:
            self._results.popitem(last=False)
        self.hass.bus.async_fire(
            EVENT_MESSAGE_VERIFIED,
            {
                ATTR_CONFIG_ENTRY_ID: self._entry.entry_id,
                ATTR_MESSAGE_ID: message_id,
                ATTR_VERIFIED: verified,
            },
        )

    def _report(self, message_id: str, reason: str) -> None:
        """Log a push that Esendex did not send, and raise (or update) the issue.

        Neither names the sender, the recipient or the text: issues end up in
        screenshots, and the push may be someone's real message resent.
        """
        self.unverified_count += 1
        _LOGGER.warning(
            "%s received a push for SMS %s that Esendex did not send (%s); it was "
            "published with verified: false. Someone who knows the webhook URL may "
            "be posting fake SMS: replace the URL with Reconfigure",
            self._entry.title,
            message_id,
            reason,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            unverified_push_issue_id(self._entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="unverified_push",
            translation_placeholders={
                "title": self._entry.title,
                "count": str(self.unverified_count),
                "message_id": message_id,
            },
        )
