"""The message history of an entry: SMS in and out, by number, bounded.

No Home Assistant imports. `message_log.py` feeds it from the receiver and the
sending path, saves it and tells the messages card what changed.

Each message has a sequence number in the order it was added; a thread's read
mark is the sequence number it was read up to, so that an SMS caught up late
(with an older time) still counts as unread. Threads and pages are ordered by the
messages' own times.
"""

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from itertools import count
from typing import Any, Final, Literal

type Direction = Literal["in", "out"]
type Kind = Literal["sms", "opt_out"]
type Status = Literal["received", "sent", "delivered", "failed"]

DIRECTION_IN: Final = "in"
DIRECTION_OUT: Final = "out"
KIND_SMS: Final = "sms"
KIND_OPT_OUT: Final = "opt_out"
STATUS_RECEIVED: Final = "received"
STATUS_SENT: Final = "sent"
STATUS_DELIVERED: Final = "delivered"
STATUS_FAILED: Final = "failed"

_STATUSES: Final = (STATUS_RECEIVED, STATUS_SENT, STATUS_DELIVERED, STATUS_FAILED)

DEFAULT_MAX_MESSAGES: Final = 500
DEFAULT_MAX_DAYS: Final = 30
MAX_PAGE: Final = 200


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    """One message of a thread, as the messages card shows it."""

    id: str
    direction: Direction
    kind: Kind
    number: str
    text: str
    time: datetime
    status: Status
    status_time: datetime | None = None
    failure_reason: str | None = None
    assist: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the message as the websocket API and the store write it."""
        return {
            **asdict(self),
            "time": self.time.isoformat(),
            "status_time": self.status_time.isoformat() if self.status_time else None,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> HistoryMessage:
        """Rebuild a stored message; raise KeyError, TypeError or ValueError."""
        status_time = stored.get("status_time")
        direction = stored["direction"]
        kind = stored["kind"]
        status = stored["status"]
        if direction not in (DIRECTION_IN, DIRECTION_OUT):
            raise ValueError(direction)
        if kind not in (KIND_SMS, KIND_OPT_OUT):
            raise ValueError(kind)
        if status not in (
            STATUS_RECEIVED,
            STATUS_SENT,
            STATUS_DELIVERED,
            STATUS_FAILED,
        ):
            raise ValueError(status)
        return cls(
            id=str(stored["id"]),
            direction=direction,
            kind=kind,
            number=str(stored["number"]),
            text=str(stored["text"]),
            time=_aware(datetime.fromisoformat(str(stored["time"]))),
            status=status,
            status_time=_aware(datetime.fromisoformat(str(status_time)))
            if status_time
            else None,
            failure_reason=None
            if stored.get("failure_reason") is None
            else str(stored["failure_reason"]),
            assist=bool(stored.get("assist", False)),
        )


@dataclass(frozen=True, slots=True)
class Thread:
    """The messages with one number, summed up for the thread list."""

    number: str
    last: HistoryMessage
    unread: int


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a stored time has no time zone")
    return value


@dataclass(slots=True)
class _Entry:
    message: HistoryMessage
    seq: int


class MessageHistory:
    """The last `max_messages` messages of at most `max_days`, by number.

    `max_messages` 0 keeps nothing: the history is off.
    """

    def __init__(self, max_messages: int, max_days: int) -> None:
        """Create an empty history."""
        self.max_messages = max_messages
        self.max_age = timedelta(days=max_days)
        self._by_id: dict[str, _Entry] = {}
        # number -> the sequence number its thread was read up to
        self._read: dict[str, int] = {}
        self._seq = count(1)

    def __len__(self) -> int:
        """Return how many messages are kept."""
        return len(self._by_id)

    def add(self, message: HistoryMessage, now: datetime) -> bool:
        """Keep a new message; return False for one already kept, or too old."""
        key = message.id.lower()
        if (
            self.max_messages == 0
            or key in self._by_id
            or message.time < now - self.max_age
        ):
            return False
        self._by_id[key] = _Entry(message, next(self._seq))
        self.prune(now)
        return key in self._by_id

    def update_status(
        self,
        message_id: str,
        status: Status,
        status_time: datetime,
        failure_reason: str | None = None,
    ) -> HistoryMessage | None:
        """Move a sent message's status on; return it, or None if not kept.

        A receipt older than the one already applied changes nothing, and neither
        does a report for a message that was not sent from here.
        """
        entry = self._by_id.get(message_id.lower())
        if entry is None or entry.message.direction != DIRECTION_OUT:
            return None
        current = entry.message
        if current.status_time is not None and status_time < current.status_time:
            return None
        entry.message = replace(
            current,
            status=status,
            status_time=status_time,
            failure_reason=failure_reason if status == STATUS_FAILED else None,
        )
        return entry.message

    def prune(self, now: datetime) -> None:
        """Forget what is beyond the bounds: the oldest first."""
        oldest_kept = now - self.max_age
        expired = [
            key
            for key, entry in self._by_id.items()
            if entry.message.time < oldest_kept
        ]
        for key in expired:
            del self._by_id[key]
        excess = len(self._by_id) - self.max_messages
        if excess > 0:
            for key, _entry in sorted(
                self._by_id.items(), key=lambda item: _order(item[1])
            )[:excess]:
                del self._by_id[key]
        numbers = {entry.message.number for entry in self._by_id.values()}
        self._read = {
            number: seq for number, seq in self._read.items() if number in numbers
        }

    def threads(self) -> list[Thread]:
        """Return a thread per number, the newest last message first."""
        by_number: dict[str, list[_Entry]] = {}
        for entry in self._by_id.values():
            by_number.setdefault(entry.message.number, []).append(entry)
        threads = [
            self._thread(number, entries) for number, entries in by_number.items()
        ]
        return sorted(threads, key=lambda thread: thread.last.time, reverse=True)

    def thread(self, number: str) -> Thread | None:
        """Return the thread of one number, or None if it has no message."""
        entries = [
            entry for entry in self._by_id.values() if entry.message.number == number
        ]
        return self._thread(number, entries) if entries else None

    def _thread(self, number: str, entries: list[_Entry]) -> Thread:
        read_up_to = self._read.get(number, 0)
        return Thread(
            number=number,
            last=max(entries, key=_order).message,
            unread=sum(
                1
                for entry in entries
                if entry.seq > read_up_to and entry.message.direction == DIRECTION_IN
            ),
        )

    def page(
        self, number: str, limit: int, before: str | None = None
    ) -> tuple[list[HistoryMessage], bool]:
        """Return up to `limit` messages of a thread, oldest first, and if more are.

        With `before` (a message id), the page ends just before that message.
        """
        entries = sorted(
            (entry for entry in self._by_id.values() if entry.message.number == number),
            key=_order,
        )
        if before is not None:
            ids = [entry.message.id.lower() for entry in entries]
            wanted = before.lower()
            entries = entries[: ids.index(wanted)] if wanted in ids else []
        page = entries[-limit:] if limit > 0 else []
        return [entry.message for entry in page], len(entries) > len(page)

    def mark_read(self, number: str) -> bool:
        """Mark a thread read up to now; return whether it had unread messages."""
        entries = [
            entry for entry in self._by_id.values() if entry.message.number == number
        ]
        if not entries:
            return False
        had_unread = self._thread(number, entries).unread > 0
        self._read[number] = max(entry.seq for entry in entries)
        return had_unread

    def as_dict(self) -> dict[str, Any]:
        """Return the history in a JSON-friendly shape, in the order added."""
        entries = sorted(self._by_id.values(), key=lambda entry: entry.seq)
        return {
            "messages": [entry.message.as_dict() for entry in entries],
            # Stored as positions in "messages": sequence numbers start anew.
            "read": {
                number: sum(1 for entry in entries if entry.seq <= seq)
                for number, seq in self._read.items()
            },
        }

    def load(self, stored: dict[str, Any], now: datetime) -> None:
        """Replace the history with a stored one; raise if it is unreadable."""
        messages = [HistoryMessage.from_dict(item) for item in stored["messages"]]
        read = {
            str(number): int(position) for number, position in stored["read"].items()
        }
        self._by_id = {}
        self._seq = count(1)
        for message in messages:
            self._by_id[message.id.lower()] = _Entry(message, next(self._seq))
        self._read = read
        self.prune(now)


def _order(entry: _Entry) -> tuple[datetime, int]:
    return entry.message.time, entry.seq
