"""Publish each accepted notification exactly once: dedupe, account filter, publish.

Publishing is synchronous and complete before `async_process` returns, so the
webhook answers 200 only for a notification whose entities are written and whose
bus event is fired; if that fails, nothing is recorded and Esendex's retry
publishes it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_ACCOUNT_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONTACT,
    ATTR_FAILURE_CODE,
    ATTR_FAILURE_DETAIL,
    ATTR_FAILURE_PERMANENT,
    ATTR_FROM,
    ATTR_MESSAGE_ID,
    ATTR_NOTIFICATION_ID,
    ATTR_OCCURRED_AT,
    ATTR_RECEIVED_AT,
    ATTR_RECIPIENT,
    ATTR_SENT_AT,
    ATTR_TEXT,
    ATTR_TEXT_IS_SUMMARY,
    ATTR_TO,
    ATTR_VERIFIED,
    CONF_ACCOUNT_ID,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
    SEEN_MAX_IDS,
    SEEN_RETENTION_SECONDS,
    SEEN_SAVE_DELAY_SECONDS,
    SENT_MAX_MESSAGES,
    SENT_RETENTION_SECONDS,
    STATUS_DELIVERED,
    STATUS_FAILED,
)
from .contacts import contact_for_number, number_key_or_none
from .dedupe import SeenNotifications
from .protocol import (
    InboundMessage,
    MessageDelivered,
    MessageFailed,
    Notification,
    OptOut,
)
from .receipts import SentMessageLedger, SentRecord
from .store import (
    InboxState,
    MessageRecordStore,
    StoredRecord,
    UnreadableInboxMessage,
    async_load_record,
    storage_key,
)
from .verify import InboundVerifier

_LOGGER = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of a well-formed notification, as told to Esendex."""

    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    OTHER_ACCOUNT = "ignored: notification for another Esendex account"
    # The two below are answered 503, so that Esendex retries.
    UNAVAILABLE = "unavailable: the integration is not loaded"
    PUBLISH_FAILED = "temporarily unable to publish the notification"

    @property
    def retry(self) -> bool:
        """Return whether Esendex must retry: nothing of it was recorded."""
        return self in (Outcome.UNAVAILABLE, Outcome.PUBLISH_FAILED)


@dataclass(frozen=True, slots=True)
class ReceivedInbound:
    """An inbound SMS as entities see it."""

    message: InboundMessage
    received_at: datetime
    event_data: dict[str, Any]
    context: Context


@dataclass(frozen=True, slots=True)
class ReceivedStatus:
    """A delivery or failure report as entities see it."""

    message: MessageDelivered | MessageFailed
    status: str
    occurred_at: datetime
    event_data: dict[str, Any]
    context: Context


@dataclass(frozen=True, slots=True)
class ReceivedOptOut:
    """An opt-out as entities see it."""

    opt_out: OptOut
    received_at: datetime
    event_data: dict[str, Any]
    context: Context


type InboundListener = Callable[[ReceivedInbound], None]
type StatusListener = Callable[[ReceivedStatus], None]
type OptOutListener = Callable[[ReceivedOptOut], None]


def opted_out_key(number: str) -> str:
    """Return how an opted-out number is remembered: its digits, without the +.

    Esendex writes `447700900123` in its notifications, for the `+447700900123`
    (or `+44 7700 900123`) given to send_sms: both must give the same key.
    """
    return number_key_or_none(number) or number.strip()


def foreign_account_issue_id(entry_id: str) -> str:
    """Return the repair issue id raised when another account's pushes arrive."""
    return f"foreign_account_{entry_id}"


class NotificationReceiver:
    """Deduplicates, filters and publishes the notifications of one config entry.

    Entities listen through `async_listen_inbound` and `async_listen_status` rather
    than the dispatcher: the dispatcher logs and swallows a listener's exception,
    and a notification whose entity could not be written must not be acknowledged.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Prepare the receiver; call `async_load` before use."""
        self.hass = hass
        self.entry = entry
        self.entry_id = entry.entry_id
        self.title = entry.title
        account_id: str | None = entry.options.get(CONF_ACCOUNT_ID)
        self.account_id = account_id.lower() if account_id else None
        self.seen = SeenNotifications(SEEN_RETENTION_SECONDS, SEEN_MAX_IDS)
        # Inbound SMS by MessageId: the inbox catch-up and a late push of the same
        # SMS carry different notification ids (or none) but the same MessageId.
        self.inbound_ids = SeenNotifications(SEEN_RETENTION_SECONDS, SEEN_MAX_IDS)
        self.sent = SentMessageLedger(SENT_RETENTION_SECONDS, SENT_MAX_MESSAGES)
        # Kept here to be saved with the rest; the inbox catch-up reads and moves it.
        self.inbox = InboxState()
        self._clock = clock
        self._store = MessageRecordStore(hass, storage_key(entry.entry_id))
        self._foreign_account_reported = False
        self._save_scheduled = False
        # False until the entities listen, and again once the entry unloads.
        self.accepting = False
        self._inbound_listeners: list[InboundListener] = []
        self._status_listeners: list[StatusListener] = []
        self._opt_out_listeners: list[OptOutListener] = []
        # Entries with API credentials check each pushed SMS against the account,
        # after publishing it (see verify.py); set at setup.
        self.verifier: InboundVerifier | None = None
        # Numbers that replied STOP (as opted_out_key writes them) -> when.
        self.opted_out: dict[str, str] = {}

    async def async_load(self) -> None:
        """Load what was recorded before the last restart or reload."""
        stored = await async_load_record(self.hass, self.entry_id)
        if not stored:
            return
        now = self._clock()
        try:
            self.seen.load(
                ((str(key), float(at)) for key, at in stored["seen"].items()), now
            )
            self.inbound_ids.load(
                (
                    (str(key), float(at))
                    for key, at in stored.get("inbound", {}).items()
                ),
                now,
            )
            self.sent.load(stored.get("sent", []), now)
            if newest := stored.get("inbox_newest"):
                self.inbox.newest = dt_util.parse_datetime(str(newest))
                self.inbox.newest_ids = {
                    str(message_id).lower()
                    for message_id in stored.get("inbox_newest_ids", [])
                }
            self.opted_out = {
                str(number): str(at)
                for number, at in stored.get("opted_out", {}).items()
            }
            self.inbox.unreadable = {
                str(message_id).lower(): UnreadableInboxMessage.from_dict(message)
                for message_id, message in stored.get("inbox_unreadable", {}).items()
            }
        except AttributeError, KeyError, TypeError, ValueError:
            _LOGGER.warning(
                "Ignoring an unreadable record of seen notifications for %s",
                self.title,
            )

    async def async_save(self) -> None:
        """Write the record now (at unload, once nothing more is accepted)."""
        await self._store.async_save(self._data_to_store())

    def _data_to_store(self) -> StoredRecord:
        self._save_scheduled = False
        return {
            "seen": self.seen.as_dict(),
            "inbound": self.inbound_ids.as_dict(),
            "sent": self.sent.as_list(),
            "inbox_newest": self.inbox.newest.isoformat()
            if self.inbox.newest
            else None,
            "inbox_newest_ids": sorted(self.inbox.newest_ids),
            "inbox_unreadable": {
                message_id: message.as_dict()
                for message_id, message in self.inbox.unreadable.items()
            },
            "opted_out": dict(self.opted_out),
        }

    @callback
    def async_schedule_save(self) -> None:
        """Write the record within SEEN_SAVE_DELAY_SECONDS."""
        # Once closed, the record was saved for the next load: a late save from
        # here (a catch-up still finishing) would overwrite that load's record.
        if not self.accepting:
            return
        # Store.async_delay_save postpones the write on every call, so under steady
        # traffic it would never write; asking once per save makes it a throttle.
        if not self._save_scheduled:
            self._save_scheduled = True
            self._store.async_delay_save(self._data_to_store, SEEN_SAVE_DELAY_SECONDS)

    @callback
    def async_listen_inbound(self, listener: InboundListener) -> CALLBACK_TYPE:
        """Call `listener` with each inbound SMS published; return the remover."""
        return _add_listener(self._inbound_listeners, listener)

    @callback
    def async_listen_status(self, listener: StatusListener) -> CALLBACK_TYPE:
        """Call `listener` with each delivery report published; return the remover."""
        return _add_listener(self._status_listeners, listener)

    @callback
    def async_listen_opt_out(self, listener: OptOutListener) -> CALLBACK_TYPE:
        """Call `listener` with each opt-out published; return the remover."""
        return _add_listener(self._opt_out_listeners, listener)

    @callback
    def async_record_sent(self, message_id: str, record: SentRecord) -> None:
        """Remember a message sent from Home Assistant, to match its receipts."""
        self.sent.add(message_id, record, self._clock())
        self.async_schedule_save()

    @callback
    def async_process(self, notification: Notification) -> Outcome:
        """Publish a notification unless it is a duplicate or another account's.

        Runs without awaiting, so no concurrent retry of the same notification can
        slip in between the duplicate check, the publishing and the record.
        """
        if not self.accepting:
            return Outcome.UNAVAILABLE
        if (
            self.account_id is not None
            and notification.account_id.lower() != self.account_id
        ):
            self._report_foreign_account(notification.account_id)
            return Outcome.OTHER_ACCOUNT
        # Inbound SMS are also known by MessageId (caught up, or pushed twice).
        inbound_id = (
            notification.message_id
            if isinstance(notification, InboundMessage)
            else None
        )
        if notification.notification_id in self.seen or (
            inbound_id is not None and inbound_id in self.inbound_ids
        ):
            _LOGGER.debug(
                "Ignoring duplicate notification %s", notification.notification_id
            )
            return Outcome.DUPLICATE
        try:
            if isinstance(notification, InboundMessage):
                self._publish_inbound(notification, notification.notification_id)
            elif isinstance(notification, OptOut):
                self._publish_opt_out(notification)
            else:
                self._publish_status(notification)
        except Exception:
            _LOGGER.exception(
                "Could not publish Esendex notification %s; answering 503 so that "
                "Esendex retries it",
                notification.notification_id,
            )
            return Outcome.PUBLISH_FAILED
        now = self._clock()
        self.seen.add(notification.notification_id, now)
        if inbound_id is not None:
            self.inbound_ids.add(inbound_id, now)
        self.async_schedule_save()
        if isinstance(notification, InboundMessage) and self.verifier is not None:
            self.verifier.async_start(notification)
        return Outcome.PROCESSED

    @callback
    def async_process_caught_up(
        self, message: InboundMessage, *, text_is_summary: bool = False
    ) -> bool:
        """Publish an inbound SMS found in the inbox, unless it was handled.

        Returns whether it was published. It has no push notification id. A
        failure to publish is logged; the message is then not recorded, and the
        caller tries again on a later run.
        """
        if not self.accepting or message.message_id in self.inbound_ids:
            return False
        try:
            self._publish_inbound(
                message, None, text_is_summary=text_is_summary, verified=True
            )
        except Exception:
            _LOGGER.exception(
                "Could not publish the Esendex inbox message %s", message.message_id
            )
            return False
        self.inbound_ids.add(message.message_id, self._clock())
        self.async_schedule_save()
        if self.verifier is not None:
            # Read from the account's own inbox: Esendex has it by definition.
            self.verifier.async_caught_up(message.message_id)
        return True

    def inbox_message_handled(self, message_id: str) -> bool:
        """Return whether an inbox message was published, by push or catch-up."""
        return (
            message_id in self.inbound_ids
            or message_id.lower() in self.inbox.newest_ids
        )

    @callback
    def async_set_inbox_position(
        self, newest: datetime, message_ids: Iterable[str]
    ) -> None:
        """Record how far the inbox has been caught up, and what is at that time."""
        inbox = self.inbox
        if inbox.newest is not None and newest < inbox.newest:
            return
        if newest != inbox.newest:
            inbox.newest_ids = set()
        inbox.newest = newest
        inbox.newest_ids.update(message_id.lower() for message_id in message_ids)
        self.async_schedule_save()

    def _publish_inbound(
        self,
        message: InboundMessage,
        notification_id: str | None,
        *,
        text_is_summary: bool = False,
        verified: bool | None = None,
    ) -> None:
        """Write the entities, then fire the bus event: its listeners see them.

        A push's `verified` is not known yet: for entries with API credentials its
        check ends with an esendex_message_verified event. A message read from the
        account's own inbox is verified by definition.
        """
        context = Context()
        received_at = message.received_at or dt_util.utcnow()
        event_data: dict[str, Any] = {
            ATTR_CONFIG_ENTRY_ID: self.entry_id,
            ATTR_NOTIFICATION_ID: notification_id,
            # GUIDs come in either case; lower case matches send_sms's answer.
            ATTR_MESSAGE_ID: message.message_id.lower(),
            ATTR_ACCOUNT_ID: message.account_id,
            ATTR_FROM: message.sender,
            ATTR_CONTACT: self._contact_name(message.sender),
            ATTR_TO: message.recipient,
            ATTR_TEXT: message.text,
            ATTR_RECEIVED_AT: received_at.isoformat(),
            ATTR_VERIFIED: verified,
        }
        if text_is_summary:
            event_data[ATTR_TEXT_IS_SUMMARY] = True
        received = ReceivedInbound(message, received_at, event_data, context)
        for listener in tuple(self._inbound_listeners):
            listener(received)
        self.hass.bus.async_fire(EVENT_INBOUND_MESSAGE, event_data, context=context)

    def _publish_opt_out(self, opt_out: OptOut) -> None:
        """Remember the number, write the entities, then fire the bus event."""
        context = Context()
        received_at = opt_out.received_at or dt_util.utcnow()
        event_data: dict[str, Any] = {
            ATTR_CONFIG_ENTRY_ID: self.entry_id,
            ATTR_NOTIFICATION_ID: opt_out.notification_id,
            ATTR_ACCOUNT_ID: opt_out.account_id,
            ATTR_FROM: opt_out.sender,
            ATTR_CONTACT: self._contact_name(opt_out.sender),
            ATTR_RECEIVED_AT: received_at.isoformat(),
        }
        received = ReceivedOptOut(opt_out, received_at, event_data, context)
        for listener in tuple(self._opt_out_listeners):
            listener(received)
        self.opted_out[opted_out_key(opt_out.sender)] = received_at.isoformat()
        self.hass.bus.async_fire(EVENT_OPTED_OUT, event_data, context=context)

    def _publish_status(self, message: MessageDelivered | MessageFailed) -> None:
        """Write the entities, then fire the bus event: its listeners see them."""
        occurred_at = message.occurred_at or dt_util.utcnow()
        event_data: dict[str, Any] = {
            ATTR_CONFIG_ENTRY_ID: self.entry_id,
            ATTR_NOTIFICATION_ID: message.notification_id,
            # GUIDs come in either case; lower case matches send_sms's answer.
            ATTR_MESSAGE_ID: message.message_id.lower(),
            ATTR_ACCOUNT_ID: message.account_id,
            ATTR_OCCURRED_AT: occurred_at.isoformat(),
        }
        if (sent := self.sent.get(message.message_id)) is not None:
            event_data[ATTR_RECIPIENT] = sent.recipient
            event_data[ATTR_CONTACT] = self._contact_name(sent.recipient)
            event_data[ATTR_TEXT] = sent.text
            event_data[ATTR_SENT_AT] = sent.sent_at
            # Chained to the action that sent it, for the logbook's "triggered by".
            context = Context(parent_id=sent.context_id)
        else:
            context = Context()
        if isinstance(message, MessageFailed):
            event_type, status = EVENT_MESSAGE_FAILED, STATUS_FAILED
            if (reason := message.failure_reason) is not None:
                event_data.update(
                    (key, value)
                    for key, value in (
                        (ATTR_FAILURE_CODE, reason.code),
                        (ATTR_FAILURE_DETAIL, reason.detail),
                        (ATTR_FAILURE_PERMANENT, reason.permanent),
                    )
                    if value is not None
                )
        else:
            event_type, status = EVENT_MESSAGE_DELIVERED, STATUS_DELIVERED
        received = ReceivedStatus(message, status, occurred_at, event_data, context)
        for listener in tuple(self._status_listeners):
            listener(received)
        self.hass.bus.async_fire(event_type, event_data, context=context)

    def _contact_name(self, number: str) -> str | None:
        # Read at each notification: contacts change without a reload.
        contact = contact_for_number(self.entry, number)
        return contact.name if contact is not None else None

    def _report_foreign_account(self, account_id: str) -> None:
        if self._foreign_account_reported:
            return
        self._foreign_account_reported = True
        _LOGGER.warning(
            "%s received a notification for Esendex account %s, but is set up for "
            "account %s only; ignoring notifications for other accounts",
            self.title,
            account_id,
            self.account_id,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            foreign_account_issue_id(self.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="foreign_account",
            translation_placeholders={
                "title": self.title,
                "configured_account_id": self.account_id or "",
                "received_account_id": account_id,
            },
        )


def _add_listener[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    listeners.append(listener)

    @callback
    def remove() -> None:
        listeners.remove(listener)

    return remove
