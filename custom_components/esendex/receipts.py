"""The receipts ledger: messages sent from Home Assistant, to match their receipts.

No Home Assistant imports.
"""

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
    # An answer sent by Assist (assist.py).
    assist: bool = False


class SentMessageLedger:
    """Messages sent from Home Assistant by message id, oldest first, capped.

    Esendex writes GUIDs in either case, so ids are kept lower-cased.
    """

    __slots__ = ("_max_messages", "_records", "_retention")

    def __init__(self, retention_seconds: float, max_messages: int) -> None:
        """Create an empty ledger."""
        self._retention = retention_seconds
        self._max_messages = max_messages
        # message id -> (record, time it was sent, as a Unix timestamp)
        self._records: OrderedDict[str, tuple[SentRecord, float]] = OrderedDict()

    def __len__(self) -> int:
        """Return how many messages are remembered."""
        return len(self._records)

    def get(self, message_id: str) -> SentRecord | None:
        """Return what was sent under this id, if it was sent from here."""
        found = self._records.get(message_id.lower())
        return found[0] if found is not None else None

    def add(self, message_id: str, record: SentRecord, sent_at: float) -> None:
        """Remember a sent message, forgetting what is too old or beyond the cap."""
        self._records[message_id.lower()] = (record, sent_at)
        self._prune(sent_at)

    def _prune(self, now: float) -> None:
        oldest_kept = now - self._retention
        while self._records and (
            len(self._records) > self._max_messages
            or next(iter(self._records.values()))[1] < oldest_kept
        ):
            self._records.popitem(last=False)

    def as_list(self) -> list[dict[str, Any]]:
        """Return the ledger in a JSON-friendly shape, oldest first."""
        return [
            {"message_id": message_id, "time": sent_at, **asdict(record)}
            for message_id, (record, sent_at) in self._records.items()
        ]

    def load(self, items: list[dict[str, Any]], now: float) -> None:
        """Replace the ledger with stored items; raise on an unreadable one."""
        self._records.clear()
        for item in sorted(items, key=lambda item: float(item["time"])):
            record = SentRecord(
                recipient=str(item["recipient"]),
                text=str(item["text"]),
                sent_at=str(item["sent_at"]),
                context_id=item.get("context_id"),
                user_id=item.get("user_id"),
                assist=bool(item.get("assist", False)),
            )
            self.add(str(item["message_id"]), record, float(item["time"]))
        self._prune(now)
