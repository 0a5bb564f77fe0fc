"""A bounded record of the messages sent from Home Assistant. No HA imports."""

from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SentRecord:
    """What a delivery receipt is matched back to."""

    recipient: str
    text: str
    sent_at: str  # ISO 8601, UTC
    context_id: str | None
    user_id: str | None


class SentMessages:
    """Messages sent from Home Assistant by message id, oldest first, capped.

    Esendex writes GUIDs in either case, so ids are kept lower-cased.
    """

    __slots__ = ("_max_messages", "_records", "_retention", "_stored", "_times")

    def __init__(self, retention_seconds: float, max_messages: int) -> None:
        """Create an empty record."""
        self._retention = retention_seconds
        self._max_messages = max_messages
        self._records: OrderedDict[str, SentRecord] = OrderedDict()
        self._times: dict[str, float] = {}
        # Each record as stored, built once: a save then creates no new objects
        # per message (see SeenNotifications.as_dict).
        self._stored: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        """Return how many messages are remembered."""
        return len(self._records)

    def get(self, message_id: str) -> SentRecord | None:
        """Return what was sent under this id, if it was sent from here."""
        return self._records.get(message_id.lower())

    def add(self, message_id: str, record: SentRecord, sent_at: float) -> None:
        """Remember a sent message, forgetting what is too old or beyond the cap."""
        key = message_id.lower()
        self._records[key] = record
        self._times[key] = sent_at
        self._stored[key] = {"message_id": key, "time": sent_at, **asdict(record)}
        self._prune(sent_at)

    def _prune(self, now: float) -> None:
        oldest_kept = now - self._retention
        while self._records and (
            len(self._records) > self._max_messages
            or self._times[next(iter(self._records))] < oldest_kept
        ):
            oldest, _ = self._records.popitem(last=False)
            del self._times[oldest]
            del self._stored[oldest]

    def as_list(self) -> list[dict[str, Any]]:
        """Return the record in a JSON-friendly shape, oldest first."""
        stored = self._stored
        return [stored[key] for key in self._records]

    def load(self, items: list[dict[str, Any]], now: float) -> None:
        """Replace the record with stored items; raise on an unreadable one."""
        self._records.clear()
        self._times.clear()
        self._stored.clear()
        for item in sorted(items, key=lambda item: float(item["time"])):
            record = SentRecord(
                recipient=str(item["recipient"]),
                text=str(item["text"]),
                sent_at=str(item["sent_at"]),
                context_id=item.get("context_id"),
                user_id=item.get("user_id"),
            )
            self.add(str(item["message_id"]), record, float(item["time"]))
        self._prune(now)
