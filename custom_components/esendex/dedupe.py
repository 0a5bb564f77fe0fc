"""A bounded record of notification ids already handled. No Home Assistant imports."""

from collections import OrderedDict
from collections.abc import Iterable, Iterator


class SeenNotifications:
    """Notification ids seen within a retention window, oldest first, capped in size.

    Esendex retries a notification with the same `Id` until it gets a 200, for up to
    72 hours, so a retry after our 200 was lost in transit must be recognised.
    """

    __slots__ = ("_max_ids", "_retention", "_seen")

    def __init__(self, retention_seconds: float, max_ids: int) -> None:
        """Create an empty record."""
        self._retention = retention_seconds
        self._max_ids = max_ids
        # Oldest first; pruning pops from the front, which OrderedDict does in
        # constant time.
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, notification_id: object) -> bool:
        """Return whether the id was seen (GUIDs compare case-insensitively)."""
        return (
            isinstance(notification_id, str) and notification_id.lower() in self._seen
        )

    def __len__(self) -> int:
        """Return how many ids are remembered."""
        return len(self._seen)

    def __iter__(self) -> Iterator[str]:
        """Iterate over the remembered ids, oldest first."""
        return iter(self._seen)

    def add(self, notification_id: str, seen_at: float) -> None:
        """Remember an id, forgetting what is too old or beyond the cap."""
        self._seen[notification_id.lower()] = seen_at
        self.prune(seen_at)

    def prune(self, now: float) -> None:
        """Forget ids older than the retention window, then any beyond the cap."""
        seen = self._seen
        oldest_kept = now - self._retention
        while len(seen) > self._max_ids:
            seen.popitem(last=False)
        while seen and next(iter(seen.values())) < oldest_kept:
            seen.popitem(last=False)

    def as_dict(self) -> dict[str, float]:
        """Return the record as {id: seen_at}, oldest first, for JSON."""
        return dict(self._seen)

    def load(self, records: Iterable[tuple[str, float]], now: float) -> None:
        """Replace the record with stored pairs of (id, seen_at)."""
        self._seen = OrderedDict(
            (notification_id.lower(), float(seen_at))
            for notification_id, seen_at in sorted(records, key=lambda pair: pair[1])
        )
        self.prune(now)
