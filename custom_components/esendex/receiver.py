"""Turn parsed notifications into events and entity updates, exactly once."""

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.signal_type import SignalType

from .const import (
    ATTR_ACCOUNT_ID,
    ATTR_CONFIG_ENTRY_ID,
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
    ATTR_TO,
    CONF_ACCOUNT_ID,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    SEEN_MAX_IDS,
    SEEN_RETENTION_SECONDS,
    SEEN_SAVE_DELAY_SECONDS,
    SENT_MAX_MESSAGES,
    SENT_RETENTION_SECONDS,
    STATUS_DELIVERED,
    STATUS_FAILED,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from .dedupe import SeenNotifications
from .outbox import SentMessages, SentRecord
from .protocol import InboundMessage, MessageDelivered, MessageFailed, Notification

_LOGGER = logging.getLogger(__name__)

type StoredRecord = dict[str, Any]


class Outcome(StrEnum):
    """What became of a well-formed notification; each is answered with 200."""

    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    OTHER_ACCOUNT = "ignored: notification for another Esendex account"
    # Answered 503, so that Esendex retries: the entry is loading or unloading.
    UNAVAILABLE = "unavailable: the integration is starting or reloading"


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


def inbound_signal(entry_id: str) -> SignalType[tuple[ReceivedInbound, ...]]:
    """Return the dispatcher signal for an entry's inbound messages, oldest first."""
    return SignalType(f"{DOMAIN}_{entry_id}_inbound")


def status_signal(entry_id: str) -> SignalType[tuple[ReceivedStatus, ...]]:
    """Return the dispatcher signal for an entry's delivery reports, oldest first."""
    return SignalType(f"{DOMAIN}_{entry_id}_status")


def foreign_account_issue_id(entry_id: str) -> str:
    """Return the repair issue id raised when another account's pushes arrive."""
    return f"foreign_account_{entry_id}"


class SeenStore(Store[StoredRecord]):
    """The stored record of an entry, migrated from the shapes of older versions."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: StoredRecord
    ) -> StoredRecord:
        if old_major_version == 1 and old_minor_version == 1:
            # Up to 0.2.0, ids were [id, seen_at] pairs; now {id: seen_at}.
            for key in ("seen", "inbound"):
                if key in old_data:
                    # A malformed record stays as it was: the load reports it.
                    with suppress(TypeError, ValueError):
                        old_data[key] = dict(old_data[key])
        return old_data


class NotificationReceiver:
    """Deduplicates, filters and publishes the notifications of one config entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Prepare the receiver; call `async_load` before use."""
        self.hass = hass
        self.entry_id = entry.entry_id
        self.title = entry.title
        account_id: str | None = entry.options.get(CONF_ACCOUNT_ID)
        self.account_id = account_id.lower() if account_id else None
        self.seen = SeenNotifications(SEEN_RETENTION_SECONDS, SEEN_MAX_IDS)
        # Inbound SMS by MessageId: the inbox catch-up and a late push of the same
        # SMS carry different notification ids (or none) but the same MessageId.
        self.inbound_ids = SeenNotifications(SEEN_RETENTION_SECONDS, SEEN_MAX_IDS)
        self.sent = SentMessages(SENT_RETENTION_SECONDS, SENT_MAX_MESSAGES)
        # receivedat of the newest inbox message handled; None before the first
        # catch-up, which only records where the inbox stands.
        self.inbox_newest: datetime | None = None
        # Ids of the inbox messages at exactly that time, already handled.
        self.inbox_newest_ids: set[str] = set()
        self._clock = clock
        self._store = SeenStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry.entry_id}.seen",
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._foreign_account_reported = False
        self._save_scheduled = False
        # False until the entities listen, and again once the entry unloads.
        self.accepting = False
        self._inbound_signal = inbound_signal(entry.entry_id)
        self._status_signal = status_signal(entry.entry_id)
        # Accepted notifications wait here for the next pass of the event loop, so
        # that Esendex gets its answer first. They are then published together: a
        # bus event for each, in order, then one dispatch per signal with all of
        # them (the sensors show only the latest; event entities show each).
        self._unpublished: list[tuple[Notification, str | None]] = []
        self._publish_scheduled = False

    async def async_load(self) -> None:
        """Load what was recorded before the last restart or reload."""
        stored = await self._store.async_load()
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
                self.inbox_newest = dt_util.parse_datetime(str(newest))
                self.inbox_newest_ids = {
                    str(message_id).lower()
                    for message_id in stored.get("inbox_newest_ids", [])
                }
        except AttributeError, KeyError, TypeError, ValueError:
            _LOGGER.warning(
                "Ignoring an unreadable record of seen notifications for %s",
                self.title,
            )

    async def async_close(self) -> None:
        """Refuse further notifications, then write the record.

        A request still being read when the entry unloads would otherwise be
        recorded here, after the save, and the next load would not know its id.
        """
        self.accepting = False
        # Before the entities go: they must know (and restore) the last ones.
        self._async_publish()
        await self._store.async_save(self._data_to_store())

    async def async_remove(self) -> None:
        """Delete the stored record of this entry."""
        await self._store.async_remove()

    def _data_to_store(self) -> StoredRecord:
        self._save_scheduled = False
        return {
            "seen": self.seen.as_dict(),
            "inbound": self.inbound_ids.as_dict(),
            "sent": self.sent.as_list(),
            "inbox_newest": self.inbox_newest.isoformat()
            if self.inbox_newest
            else None,
            "inbox_newest_ids": sorted(self.inbox_newest_ids),
        }

    @callback
    def _async_schedule_save(self) -> None:
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
    def async_record_sent(self, message_id: str, record: SentRecord) -> None:
        """Remember a message sent from Home Assistant, to match its receipts."""
        self.sent.add(message_id, record, self._clock())
        self._async_schedule_save()

    @callback
    def async_process(self, notification: Notification) -> Outcome:
        """Publish a notification unless it is a duplicate or another account's.

        Runs without awaiting, so no concurrent retry of the same notification can
        slip in between the duplicate check and the record. The notification is
        published in the event loop's next pass, after the answer to Esendex.
        """
        if not self.accepting:
            return Outcome.UNAVAILABLE
        if (
            self.account_id is not None
            and notification.account_id.lower() != self.account_id
        ):
            self._report_foreign_account(notification.account_id)
            return Outcome.OTHER_ACCOUNT
        if notification.notification_id in self.seen or (
            isinstance(notification, InboundMessage)
            and notification.message_id in self.inbound_ids
        ):
            _LOGGER.debug(
                "Ignoring duplicate notification %s", notification.notification_id
            )
            return Outcome.DUPLICATE

        now = self._clock()
        self.seen.add(notification.notification_id, now)
        if isinstance(notification, InboundMessage):
            self.inbound_ids.add(notification.message_id, now)
        self._async_schedule_publish(notification, notification.notification_id)
        self._async_schedule_save()
        return Outcome.PROCESSED

    @callback
    def async_process_caught_up(self, message: InboundMessage) -> bool:
        """Publish an inbound SMS found in the inbox, unless it was handled.

        Returns whether it was published. It has no push notification id.
        """
        if not self.accepting or message.message_id in self.inbound_ids:
            return False
        self.inbound_ids.add(message.message_id, self._clock())
        self._async_schedule_publish(message, None)
        self._async_schedule_save()
        return True

    def inbox_message_handled(self, message_id: str) -> bool:
        """Return whether an inbox message was published, by push or catch-up."""
        return (
            message_id in self.inbound_ids
            or message_id.lower() in self.inbox_newest_ids
        )

    @callback
    def async_set_inbox_position(
        self, newest: datetime, message_ids: Iterable[str]
    ) -> None:
        """Record how far the inbox has been caught up, and what is at that time."""
        if self.inbox_newest is not None and newest < self.inbox_newest:
            return
        if newest != self.inbox_newest:
            self.inbox_newest_ids = set()
        self.inbox_newest = newest
        self.inbox_newest_ids.update(message_id.lower() for message_id in message_ids)
        self._async_schedule_save()

    @callback
    def _async_schedule_publish(
        self, notification: Notification, notification_id: str | None
    ) -> None:
        self._unpublished.append((notification, notification_id))
        if not self._publish_scheduled:
            self._publish_scheduled = True
            self.hass.loop.call_soon(self._async_publish)

    @callback
    def _async_publish(self) -> None:
        """Fire the waiting notifications' events, then tell the entities."""
        self._publish_scheduled = False
        unpublished, self._unpublished = self._unpublished, []
        inbound: list[ReceivedInbound] = []
        status: list[ReceivedStatus] = []
        for notification, notification_id in unpublished:
            # Already acknowledged: one notification's failure must not cost the
            # others theirs, and must be seen.
            try:
                if isinstance(notification, InboundMessage):
                    inbound.append(self._publish_inbound(notification, notification_id))
                else:
                    status.append(self._publish_status(notification))
            except Exception:
                _LOGGER.exception(
                    "Could not publish Esendex notification %s (message %s)",
                    notification_id,
                    notification.message_id,
                )
        if inbound:
            async_dispatcher_send(self.hass, self._inbound_signal, tuple(inbound))
        if status:
            async_dispatcher_send(self.hass, self._status_signal, tuple(status))

    def _publish_inbound(
        self, message: InboundMessage, notification_id: str | None
    ) -> ReceivedInbound:
        context = Context()
        received_at = message.received_at or dt_util.utcnow()
        event_data = {
            ATTR_CONFIG_ENTRY_ID: self.entry_id,
            ATTR_NOTIFICATION_ID: notification_id,
            # GUIDs come in either case; lower case matches send_sms's answer.
            ATTR_MESSAGE_ID: message.message_id.lower(),
            ATTR_ACCOUNT_ID: message.account_id,
            ATTR_FROM: message.sender,
            ATTR_TO: message.recipient,
            ATTR_TEXT: message.text,
            ATTR_RECEIVED_AT: received_at.isoformat(),
        }
        self.hass.bus.async_fire(EVENT_INBOUND_MESSAGE, event_data, context=context)
        return ReceivedInbound(message, received_at, event_data, context)

    def _publish_status(
        self, message: MessageDelivered | MessageFailed
    ) -> ReceivedStatus:
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
        self.hass.bus.async_fire(event_type, event_data, context=context)
        return ReceivedStatus(message, status, occurred_at, event_data, context)

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
