"""Assist over SMS: a trusted contact texts a question, Assist answers by SMS.

Only entries with API credentials answer (a reply must be sent), and only contacts
with Assist turned on, as the Home Assistant user set for them: Assist can do, and
tell, only what that user may. An inbound SMS is answered when all of these hold:

- it was pushed (a message caught up from the inbox is minutes old at best, and
  "unlock the door" must not be done late);
- its sender is a phone number, not a name; not one of the account's own numbers
  (the account's address, the number the SMS was sent to); not opted out;
- the sender is a contact with Assist on and an active user;
- Esendex has the message (verify.py: a forged push is never answered, nor one
  that could not be checked, as on an API outage);
- the sender is not faster than a person: an SMS that arrives sooner after the
  sender's previous SMS, or after the previous answer to it, than the sender could
  have typed it (TYPING_MIN_SECONDS, plus one second per TYPING_CHARS_PER_SECOND
  characters) is not answered. Two auto-responders answering each other go
  quiet at the first exchange;
- the rate limits are not hit: answers per contact in the last hour and per entry
  in the last day (sliding windows). When one is hit, a repair issue says which
  and when it clears; nothing is sent until then.

The webhook's 200 never waits: the listener only checks what is known at once and
starts a background task of the entry for the rest. Calls for one sender are
serialised (Home Assistant refuses a busy conversation), with a conversation id
stable per entry and sender, so a follow-up within Home Assistant's session
timeout continues the conversation.

Every Assist-enabled contact's SMS that reaches the background task ends with an
`esendex_assist_answered` event: with the reply's `message_ids`, or an `error`
saying why there was none. The counts (never the texts) are in the diagnostics.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from typing import Any, Final, Protocol

from homeassistant.components import conversation
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .api import SentMessage
from .assist_settings import AssistSettings, assist_settings
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONTACT,
    ATTR_FROM,
    ATTR_MESSAGE_ID,
    ATTR_NOTIFICATION_ID,
    DOMAIN,
)
from .contacts import (
    Contact,
    async_contacts,
    contact_for_number,
    number_key_or_none,
)
from .models import EsendexConfigEntry
from .receiver import ReceivedInbound, opted_out_key
from .sms_text import sms_answer, sms_parts

_LOGGER = logging.getLogger(__name__)

EVENT_ASSIST_ANSWERED: Final = "esendex_assist_answered"
ATTR_QUESTION: Final = "question"
ATTR_ANSWER: Final = "answer"
ATTR_AGENT_ID: Final = "agent_id"
ATTR_MESSAGE_IDS: Final = "message_ids"
ATTR_ERROR: Final = "error"
ATTR_ERROR_DETAIL: Final = "error_detail"
ATTR_CONVERSATION_ID: Final = "conversation_id"

# How long an SMS waits for its check against Esendex before it goes unanswered.
VERIFY_WAIT_SECONDS: Final = 60
# A person needs this long to read an answer and start typing, and types no
# faster than this on a phone.
TYPING_MIN_SECONDS: Final = 2.0
TYPING_CHARS_PER_SECOND: Final = 10.0
CONTACT_WINDOW: Final = timedelta(hours=1)
ENTRY_WINDOW: Final = timedelta(days=1)
# Answers remembered as Assist replies (by message id), newest last.


class Limit(StrEnum):
    """A rate limit: answers per contact an hour, or per entry a day."""

    CONTACT = "contact"
    ENTRY = "entry"


class NoAnswer(StrEnum):
    """Why an Assist-enabled contact's SMS got no answer (the event's `error`)."""

    UNVERIFIED = "unverified"
    TOO_FAST = "too_fast"
    CONTACT_LIMIT = "contact_limit"
    ENTRY_LIMIT = "entry_limit"
    NO_USER = "no_user"
    EMPTY_ANSWER = "empty_answer"
    FAILED = "failed"


class AssistUnavailableError(Exception):
    """The Assist pipeline chosen cannot be used."""


class SendSms(Protocol):
    """What the responder sends with: services.async_send_sms."""

    def __call__(
        self,
        entry: EsendexConfigEntry,
        recipients: Sequence[str],
        text: str,
        *,
        context: Context | None = None,
        assist: bool = False,
    ) -> Awaitable[list[SentMessage]]:
        """Send text to each recipient; return once Esendex accepts."""


def assist_issue_id(limit: Limit, entry_id: str) -> str:
    """Return the id of the repair issue raised when an entry hits a limit."""
    return f"assist_{limit}_limit_{entry_id}"


def assist_issue_ids(entry_id: str) -> list[str]:
    """Return the ids of every repair issue the responder may raise for an entry."""
    return [assist_issue_id(limit, entry_id) for limit in Limit]


def conversation_id_for(entry_id: str, sender_key: str) -> str:
    """Return the conversation id of a sender: the same for every SMS of theirs.

    Not a ULID, so Home Assistant keeps it rather than starting a new conversation.
    """
    return f"{DOMAIN}-{entry_id}-{sender_key}"


def typing_seconds(text: str) -> float:
    """Return the least time a person needs to type text, after reading."""
    return TYPING_MIN_SECONDS + len(text) / TYPING_CHARS_PER_SECOND


@dataclass(slots=True)
class _Question:
    """An SMS that passed the guards known at once."""

    received: ReceivedInbound
    contact: Contact
    user_id: str
    sender_key: str
    arrived: datetime


class SlidingWindow:
    """Times of answers within a window, to count and to say when one expires."""

    __slots__ = ("_times", "_window")

    def __init__(self, window: timedelta) -> None:
        """Count answers within `window` of now."""
        self._window = window
        self._times: deque[datetime] = deque()

    def count(self, now: datetime) -> int:
        """Return how many answers are within the window."""
        while self._times and self._times[0] <= now - self._window:
            self._times.popleft()
        return len(self._times)

    def add(self, now: datetime) -> None:
        """Count an answer now."""
        self._times.append(now)

    def clears_at(self, limit: int) -> datetime:
        """Return when fewer than `limit` answers are left in the window.

        Call it with the window full (count(now) >= limit).
        """
        return self._times[len(self._times) - limit] + self._window


class AssistResponder:
    """Answers an entry's Assist-enabled contacts by SMS; see the module's doc."""

    def __init__(
        self, hass: HomeAssistant, entry: EsendexConfigEntry, send: SendSms
    ) -> None:
        """Prepare the responder of an entry with API credentials."""
        self.hass = hass
        self._entry = entry
        self._send = send
        self._locks: dict[str, asyncio.Lock] = {}
        self._contact_windows: dict[str, SlidingWindow] = {}
        self._entry_window = SlidingWindow(ENTRY_WINDOW)
        # Per sender: the last SMS (that passed verification) or answer, when.
        self._last_exchange: dict[str, datetime] = {}
        self._issue_timers: dict[str, CALLBACK_TYPE] = {}
        self.counters: dict[str, int] = dict.fromkeys(
            ("answered", *(reason.value for reason in NoAnswer)), 0
        )
        entry.async_on_unload(self._async_cancel_timers)

    def is_assist_reply(self, message_id: str) -> bool:
        """Return whether a message sent from here was an Assist answer."""
        sent = self._entry.runtime_data.receiver.sent.get(message_id)
        return sent is not None and sent.assist

    def diagnostics(self) -> dict[str, Any]:
        """Return the settings and the counters since setup; never texts or numbers."""
        settings = assist_settings(self._entry)
        now = dt_util.utcnow()
        return {
            "settings": {
                "pipeline_id": settings.pipeline_id,
                "max_parts": settings.max_parts,
                "contact_hourly_limit": settings.contact_hourly_limit,
                "entry_daily_limit": settings.entry_daily_limit,
            },
            "assist_contacts": sum(
                contact.assist for contact in async_contacts(self._entry)
            ),
            "counters": dict(self.counters),
            "answers_last_day": self._entry_window.count(now),
        }

    @callback
    def async_on_inbound(self, received: ReceivedInbound) -> None:
        """Answer an inbound SMS if it passes the guards; never raises, never waits.

        Registered with the receiver's async_listen_inbound: it runs while the
        webhook's request is answered, so all it does is check what is known at
        once and hand the rest to a background task of the entry.
        """
        try:
            question = self._question(received)
        except Exception:  # a listener that raises would make Esendex retry
            _LOGGER.exception("Could not check an SMS for Assist")
            return
        if question is None:
            return
        self._entry.async_create_background_task(
            self.hass,
            self._async_answer(question),
            f"{DOMAIN} assist answer {received.message.message_id}",
        )

    def _question(self, received: ReceivedInbound) -> _Question | None:
        """Return the SMS as a question for Assist, or None (logged) if it is not."""
        message = received.message
        sender_key = number_key_or_none(message.sender)
        contact = contact_for_number(self._entry, message.sender)
        receiver = self._entry.runtime_data.receiver
        if received.event_data.get(ATTR_NOTIFICATION_ID) is None:
            reason = "it was caught up from the inbox, not pushed"
        elif sender_key is None:
            reason = "its sender is not a phone number"
        elif sender_key in self._own_numbers(message.recipient):
            reason = "it is from one of the account's own numbers"
        elif opted_out_key(message.sender) in receiver.opted_out:
            reason = "its sender opted out"
        elif contact is None:
            reason = "its sender is not a contact"
        elif not contact.assist or not contact.assist_user_id:
            reason = "its contact does not have Assist on"
        else:
            return _Question(
                received, contact, contact.assist_user_id, sender_key, dt_util.utcnow()
            )
        _LOGGER.debug(
            "Not answering SMS %s with Assist: %s", message.message_id, reason
        )
        return None

    def _own_numbers(self, recipient: str) -> set[str]:
        """Return the keys of the account's numbers: its address, the SMS's `to`."""
        numbers = [recipient]
        coordinator = self._entry.runtime_data.coordinator
        if coordinator is not None and coordinator.data is not None:
            numbers.append(coordinator.data.address or "")
        return {key for number in numbers if (key := number_key_or_none(number))}

    async def _async_answer(self, question: _Question) -> None:
        """Verify, check the pace and the limits, ask Assist, send the answer."""
        received = question.received
        conversation_id = conversation_id_for(self._entry.entry_id, question.sender_key)
        event_data: dict[str, Any] = {
            ATTR_CONFIG_ENTRY_ID: self._entry.entry_id,
            ATTR_MESSAGE_ID: received.message.message_id.lower(),
            ATTR_FROM: received.message.sender,
            ATTR_CONTACT: question.contact.name,
            ATTR_QUESTION: received.message.text,
            ATTR_ANSWER: None,
            ATTR_AGENT_ID: None,
            ATTR_CONVERSATION_ID: conversation_id,
        }
        context = Context(user_id=question.user_id, parent_id=received.context.id)
        reason = await self._async_refusal(question)
        if reason is not None:
            self._finish(event_data, context, error=reason)
            return
        lock = self._locks.setdefault(question.sender_key, asyncio.Lock())
        async with lock:
            await self._async_converse_and_send(
                question, event_data, context, conversation_id
            )

    async def _async_refusal(self, question: _Question) -> NoAnswer | None:
        """Return why the question gets no answer, or None and count the answer."""
        verifier = self._entry.runtime_data.verifier
        message = question.received.message
        if verifier is None or (
            await verifier.async_wait(message.message_id, VERIFY_WAIT_SECONDS)
            is not True
        ):
            _LOGGER.info(
                "Not answering SMS %s with Assist: Esendex did not confirm it",
                message.message_id,
            )
            return NoAnswer.UNVERIFIED
        previous = self._last_exchange.get(question.sender_key)
        self._exchanged(question.sender_key, question.arrived)
        if previous is not None and (
            question.arrived - previous
        ).total_seconds() < typing_seconds(message.text):
            _LOGGER.info(
                "Not answering SMS %s of %s with Assist: it came faster than a "
                "person types",
                message.message_id,
                question.contact.name,
            )
            return NoAnswer.TOO_FAST
        user = await self.hass.auth.async_get_user(question.user_id)
        if user is None or not user.is_active:
            _LOGGER.warning(
                "Not answering %s with Assist: its user is missing or inactive; "
                "choose another user in the contact's settings",
                question.contact.name,
            )
            return NoAnswer.NO_USER
        return self._check_limits(question)

    def _check_limits(self, question: _Question) -> NoAnswer | None:
        """Count an answer unless a limit is hit; raise the issue if one is."""
        settings = assist_settings(self._entry)
        now = dt_util.utcnow()
        contact_window = self._contact_windows.setdefault(
            question.sender_key, SlidingWindow(CONTACT_WINDOW)
        )
        if contact_window.count(now) >= settings.contact_hourly_limit:
            self._raise_limit_issue(
                Limit.CONTACT,
                contact_window.clears_at(settings.contact_hourly_limit),
                settings.contact_hourly_limit,
                question.contact.name,
            )
            return NoAnswer.CONTACT_LIMIT
        if self._entry_window.count(now) >= settings.entry_daily_limit:
            self._raise_limit_issue(
                Limit.ENTRY,
                self._entry_window.clears_at(settings.entry_daily_limit),
                settings.entry_daily_limit,
                question.contact.name,
            )
            return NoAnswer.ENTRY_LIMIT
        contact_window.add(now)
        self._entry_window.add(now)
        return None

    def _raise_limit_issue(
        self, kind: Limit, clears_at: datetime, limit: int, contact: str
    ) -> None:
        """Say which limit was hit and when it clears; the issue goes then."""
        issue_id = assist_issue_id(kind, self._entry.entry_id)
        _LOGGER.warning(
            "%s: Assist's %s of %s answers is reached; no answers until %s",
            self._entry.title,
            "hourly limit per contact" if kind is Limit.CONTACT else "daily limit",
            limit,
            clears_at.isoformat(),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"assist_{kind}_limit",
            translation_placeholders={
                "title": self._entry.title,
                "contact": contact,
                "limit": str(limit),
                "clears_at": dt_util.as_local(clears_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        if (cancel := self._issue_timers.pop(issue_id, None)) is not None:
            cancel()

        @callback
        def clear(_now: datetime) -> None:
            self._issue_timers.pop(issue_id, None)
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

        self._issue_timers[issue_id] = async_track_point_in_utc_time(
            self.hass, clear, clears_at
        )

    @callback
    def _async_cancel_timers(self) -> None:
        for cancel in self._issue_timers.values():
            cancel()
        self._issue_timers.clear()

    def _exchanged(self, sender_key: str, at: datetime) -> None:
        """Remember the latest SMS from, or answer to, a sender."""
        previous = self._last_exchange.get(sender_key)
        if previous is None or at > previous:
            self._last_exchange[sender_key] = at

    async def _async_converse_and_send(
        self,
        question: _Question,
        event_data: dict[str, Any],
        context: Context,
        conversation_id: str,
    ) -> None:
        """Ask the pipeline's agent; send its speech, its error speech included."""
        settings = assist_settings(self._entry)
        try:
            agent_id, language = self._agent(settings)
            event_data[ATTR_AGENT_ID] = agent_id
            result = await conversation.async_converse(
                self.hass,
                question.received.message.text,
                conversation_id,
                context,
                language=language,
                agent_id=agent_id,
            )
            # HA's, as the follow-ups use it (ours unless HA started a new one).
            event_data[ATTR_CONVERSATION_ID] = result.conversation_id or conversation_id
            answer = sms_answer(_speech(result.response), settings.max_parts)
            event_data[ATTR_ANSWER] = answer
            if not answer:
                self._finish(event_data, context, error=NoAnswer.EMPTY_ANSWER)
                return
            sent = await self._send(
                self._entry,
                [question.contact.number],
                answer,
                context=context,
                assist=True,
            )
        except Exception as err:  # noqa: BLE001 - whatever fails, nothing is sent
            _LOGGER.warning(
                "Assist could not answer SMS %s of %s: %s",
                question.received.message.message_id,
                question.contact.name,
                err,
            )
            self._finish(
                event_data,
                context,
                error=NoAnswer.FAILED,
                detail=str(err) or type(err).__name__,
            )
            return
        message_ids = [message.message_id.lower() for message in sent]
        self._exchanged(question.sender_key, dt_util.utcnow())
        _LOGGER.debug(
            "Assist answered SMS %s of %s in %s part(s)",
            question.received.message.message_id,
            question.contact.name,
            sms_parts(answer),
        )
        self.counters["answered"] += 1
        event_data[ATTR_MESSAGE_IDS] = message_ids
        self.hass.bus.async_fire(EVENT_ASSIST_ANSWERED, event_data, context=context)

    def _agent(self, settings: AssistSettings) -> tuple[str | None, str | None]:
        """Return the pipeline's conversation agent and language.

        Without the assist_pipeline integration there is no preferred pipeline:
        Home Assistant's own agent answers, in Home Assistant's language. A
        pipeline chosen in the options needs it, and fails without it.
        """
        if "conversation" not in self.hass.config.components:
            raise AssistUnavailableError("the conversation integration is not loaded")
        if "assist_pipeline" not in self.hass.config.components:
            if settings.pipeline_id is None:
                return None, None
            raise AssistUnavailableError(
                f"pipeline {settings.pipeline_id} needs the assist_pipeline integration"
            )
        # Imported once loaded: assist_pipeline is optional, and its voice
        # requirements are only installed with it.
        from homeassistant.components.assist_pipeline.pipeline import (  # noqa: PLC0415
            async_get_pipeline,
        )

        pipeline = async_get_pipeline(self.hass, settings.pipeline_id)
        return pipeline.conversation_engine, pipeline.conversation_language

    def _finish(
        self,
        event_data: dict[str, Any],
        context: Context,
        *,
        error: NoAnswer,
        detail: str | None = None,
    ) -> None:
        """Count and tell why there was no answer."""
        self.counters[error.value] += 1
        event_data[ATTR_ERROR] = error.value
        if detail is not None:
            event_data[ATTR_ERROR_DETAIL] = detail
        self.hass.bus.async_fire(EVENT_ASSIST_ANSWERED, event_data, context=context)


def _speech(response: intent.IntentResponse) -> str:
    """Return the plain speech of an agent's response (its error text included)."""
    speech: str = response.speech.get("plain", {}).get("speech", "")
    return speech
