"""An entry's message history as Home Assistant keeps it, for the messages card.

It listens to the receiver (SMS in, receipts, opt-outs) and is told by the
sending path what was sent. It is saved through a `Store` with a delay, and
tells its subscribers (the websocket API, see websocket_api.py) each change as
it happens. Nothing of it goes into entity attributes, so the recorder does not
grow with it.
"""

from collections.abc import Callable
from dataclasses import dataclass
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .contacts import contact_for_number
from .history import (
    DEFAULT_MAX_DAYS,
    DEFAULT_MAX_MESSAGES,
    DIRECTION_IN,
    DIRECTION_OUT,
    KIND_OPT_OUT,
    KIND_SMS,
    STATUS_DELIVERED,
    STATUS_FAILED,
    STATUS_RECEIVED,
    STATUS_SENT,
    HistoryMessage,
    MessageHistory,
    Status,
    Thread,
)
from .protocol import FailureReason, MessageFailed
from .receiver import (
    NotificationReceiver,
    ReceivedInbound,
    ReceivedOptOut,
    ReceivedStatus,
    opted_out_key,
)

_LOGGER = logging.getLogger(__name__)

CONF_HISTORY_MAX_MESSAGES: Final = "history_max_messages"
CONF_HISTORY_MAX_DAYS: Final = "history_max_days"
CONF_HISTORY_NON_ADMIN: Final = "history_non_admin"
MAX_HISTORY_MESSAGES: Final = 5000
MAX_HISTORY_DAYS: Final = 365

STORAGE_VERSION: Final = 1
# At most one disk write per this many seconds, however busy.
SAVE_DELAY_SECONDS: Final = 30

type Subscriber = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """How much history an entry keeps, and who may read it."""

    max_messages: int
    max_days: int
    non_admin: bool


def history_settings(entry: ConfigEntry) -> HistorySettings:
    """Return the entry's history settings; defaults for what is not set.

    A maximum of 0 messages turns the history off.
    """
    options = entry.options
    max_messages = options.get(CONF_HISTORY_MAX_MESSAGES)
    return HistorySettings(
        max_messages=DEFAULT_MAX_MESSAGES
        if max_messages is None
        else int(max_messages),
        max_days=int(options.get(CONF_HISTORY_MAX_DAYS) or DEFAULT_MAX_DAYS),
        non_admin=bool(options.get(CONF_HISTORY_NON_ADMIN, False)),
    )


def _failure_text(reason: FailureReason | None) -> str | None:
    """Return Esendex's words for a failure: its detail, else its code."""
    if reason is None:
        return None
    if reason.detail:
        return reason.detail
    return None if reason.code is None else f"code {reason.code}"


def history_storage_key(entry_id: str) -> str:
    """Return the storage key of an entry's message history."""
    return f"{DOMAIN}.{entry_id}.message_history"


async def async_remove_history(hass: HomeAssistant, entry_id: str) -> None:
    """Delete an entry's stored history."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, history_storage_key(entry_id)
    ).async_remove()


class MessageLog:
    """One entry's message history, persisted and watched."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Prepare the log; call `async_load` before use."""
        self.hass = hass
        self.entry = entry
        self.settings = history_settings(entry)
        self.history = MessageHistory(
            self.settings.max_messages, self.settings.max_days
        )
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, history_storage_key(entry.entry_id)
        )
        self._subscribers: list[Subscriber] = []
        self._save_scheduled = False
        self._closed = False

    @property
    def enabled(self) -> bool:
        """Return whether this entry keeps a history."""
        return self.settings.max_messages > 0

    async def async_load(self) -> None:
        """Load the stored history; with the history off, delete it."""
        if not self.enabled:
            await self._store.async_remove()
            return
        stored = await self._store.async_load()
        if stored is None:
            return
        try:
            self.history.load(stored, dt_util.utcnow())
        except AttributeError, KeyError, TypeError, ValueError:
            _LOGGER.warning(
                "Ignoring the unreadable message history of %s", self.entry.title
            )

    @callback
    def async_listen_to(self, receiver: NotificationReceiver) -> CALLBACK_TYPE:
        """Record what the receiver publishes; return the remover."""
        removers = (
            receiver.async_listen_inbound(self._on_inbound),
            receiver.async_listen_status(self._on_status),
            receiver.async_listen_opt_out(self._on_opt_out),
        )

        @callback
        def remove() -> None:
            for remover in removers:
                remover()

        return remove

    @callback
    def async_record_sent(
        self, message_id: str, recipient: str, text: str, *, assist: bool = False
    ) -> None:
        """Record a message sent from Home Assistant, status "sent"."""
        self._add(
            HistoryMessage(
                id=message_id.lower(),
                direction=DIRECTION_OUT,
                kind=KIND_SMS,
                number=opted_out_key(recipient),
                text=text,
                time=dt_util.utcnow(),
                status=STATUS_SENT,
                assist=assist,
            )
        )

    @callback
    def _on_inbound(self, received: ReceivedInbound) -> None:
        message = received.message
        self._add(
            HistoryMessage(
                id=message.message_id.lower(),
                direction=DIRECTION_IN,
                kind=KIND_SMS,
                number=opted_out_key(message.sender),
                text=message.text,
                time=received.received_at,
                status=STATUS_RECEIVED,
            )
        )

    @callback
    def _on_opt_out(self, received: ReceivedOptOut) -> None:
        opt_out = received.opt_out
        self._add(
            HistoryMessage(
                id=f"opt-out-{opt_out.notification_id}".lower(),
                direction=DIRECTION_IN,
                kind=KIND_OPT_OUT,
                number=opted_out_key(opt_out.sender),
                text="",
                time=received.received_at,
                status=STATUS_RECEIVED,
            )
        )

    @callback
    def _on_status(self, received: ReceivedStatus) -> None:
        message = received.message
        status: Status
        if isinstance(message, MessageFailed):
            status, why = STATUS_FAILED, _failure_text(message.failure_reason)
        else:
            status, why = STATUS_DELIVERED, None
        updated = self.history.update_status(
            message.message_id, status, received.occurred_at, why
        )
        if updated is not None and (thread := self.history.thread(updated.number)):
            self._changed(updated, thread)

    def _add(self, message: HistoryMessage) -> None:
        if self.history.add(message, dt_util.utcnow()) and (
            thread := self.history.thread(message.number)
        ):
            self._changed(message, thread)

    def _changed(self, message: HistoryMessage, thread: Thread) -> None:
        self._schedule_save()
        self._tell(
            {
                "type": "message",
                "message": message.as_dict(),
                "thread": self.thread_payload(thread),
            }
        )

    @callback
    def async_mark_read(self, number: str) -> None:
        """Mark a thread read, and tell the subscribers if that changed it."""
        if self.history.mark_read(number) and (thread := self.history.thread(number)):
            self._schedule_save()
            self._tell({"type": "thread", "thread": self.thread_payload(thread)})

    def thread_payload(self, thread: Thread) -> dict[str, Any]:
        """Return a thread as the websocket API sends it, with its contact's name."""
        contact = contact_for_number(self.entry, thread.number)
        return {
            "number": thread.number,
            "contact": contact.name if contact is not None else None,
            "last": thread.last.as_dict(),
            "unread": thread.unread,
        }

    def threads_payload(self) -> list[dict[str, Any]]:
        """Return every thread, the newest first."""
        self.history.prune(dt_util.utcnow())
        return [self.thread_payload(thread) for thread in self.history.threads()]

    @callback
    def async_subscribe(self, subscriber: Subscriber) -> CALLBACK_TYPE:
        """Call `subscriber` with each change; return the remover."""
        self._subscribers.append(subscriber)

        @callback
        def remove() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return remove

    def _tell(self, event: dict[str, Any]) -> None:
        for subscriber in tuple(self._subscribers):
            subscriber(event)

    def _schedule_save(self) -> None:
        # Store.async_delay_save postpones the write on every call, so under steady
        # traffic it would never write; asking once per save makes it a throttle.
        if self._closed or self._save_scheduled:
            return
        self._save_scheduled = True
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY_SECONDS)

    def _data_to_store(self) -> dict[str, Any]:
        self._save_scheduled = False
        return self.history.as_dict()

    async def async_close(self) -> None:
        """Tell the subscribers the entry unloads, then save what is pending."""
        self._closed = True
        self._tell({"type": "closed"})
        self._subscribers.clear()
        if self.enabled:
            await self._store.async_save(self._data_to_store())
