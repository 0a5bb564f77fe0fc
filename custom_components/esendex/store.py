"""The persisted message record of an entry: its schema, migration and storage key.

One record per entry, saved by the receiver: the notification and message ids
already published (so that Esendex's retries and the inbox catch-up are not
published twice), the receipts ledger, how far the inbox has been caught up, and
the numbers that opted out.
"""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN

STORAGE_VERSION = 1
# 1.1 (0.2): ids as [id, seen_at] pairs. 1.2 (0.3): ids as {id: seen_at}.
# 1.3 (0.4): a new storage key, the inbox messages whose text is unreadable, and
# the numbers that opted out.
STORAGE_MINOR_VERSION = 3


def storage_key(entry_id: str) -> str:
    """Return the storage key of an entry's message record."""
    return f"{DOMAIN}.{entry_id}.message_record"


def _legacy_storage_key(entry_id: str) -> str:
    # Up to 0.3.0 the record was named after its first content only.
    return f"{DOMAIN}.{entry_id}.seen"


class StoredRecord(TypedDict):
    """The record as stored (JSON)."""

    # notification id -> when it was published (Unix time)
    seen: dict[str, float]
    # inbound MessageId -> when it was published (Unix time)
    inbound: dict[str, float]
    # the receipts ledger, oldest first (SentMessageLedger.as_list)
    sent: list[dict[str, Any]]
    inbox_newest: str | None
    inbox_newest_ids: list[str]
    inbox_unreadable: NotRequired[dict[str, dict[str, Any]]]
    # number that replied STOP (normalised as for sending) -> when (ISO 8601)
    opted_out: NotRequired[dict[str, str]]


@dataclass(slots=True)
class UnreadableInboxMessage:
    """An inbox message whose full text could not be read yet."""

    sender: str
    recipient: str
    summary: str
    received_at: datetime | None
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "sender": self.sender,
            "recipient": self.recipient,
            "summary": self.summary,
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "attempts": self.attempts,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> UnreadableInboxMessage:
        """Rebuild from the stored dict; raise KeyError or ValueError if unreadable."""
        received_at = stored["received_at"]
        return cls(
            sender=str(stored["sender"]),
            recipient=str(stored["recipient"]),
            summary=str(stored["summary"]),
            received_at=dt_util.parse_datetime(str(received_at))
            if received_at
            else None,
            attempts=int(stored["attempts"]),
        )


@dataclass(slots=True)
class InboxState:
    """How far the inbox has been caught up.

    `newest` is the receivedat of the newest inbox message handled (None before the
    first catch-up, which only records where the inbox stands), and `newest_ids`
    the ids of the messages at exactly that time, already handled.
    """

    newest: datetime | None = None
    newest_ids: set[str] = field(default_factory=set)
    # By lower-cased MessageId: retried on later runs, up to a bound.
    unreadable: dict[str, UnreadableInboxMessage] = field(default_factory=dict)


class MessageRecordStore(Store[StoredRecord]):
    """An entry's message record on disk, migrated from older shapes."""

    def __init__(self, hass: HomeAssistant, key: str) -> None:
        """Open the record under `key` (storage_key(entry_id) but for migration)."""
        super().__init__(
            hass, STORAGE_VERSION, key, minor_version=STORAGE_MINOR_VERSION
        )

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> StoredRecord:
        data: StoredRecord = old_data
        if old_major_version == 1 and old_minor_version == 1:
            for key in ("seen", "inbound"):
                if key in old_data:
                    # A malformed record stays as it was: the load reports it.
                    with suppress(TypeError, ValueError):
                        old_data[key] = dict(old_data[key])
        return data


async def async_load_record(hass: HomeAssistant, entry_id: str) -> StoredRecord | None:
    """Return the entry's record, moving one of 0.3.0 or older to the new key."""
    store = MessageRecordStore(hass, storage_key(entry_id))
    if (record := await store.async_load()) is not None:
        return record
    legacy = MessageRecordStore(hass, _legacy_storage_key(entry_id))
    if (record := await legacy.async_load()) is not None:
        await store.async_save(record)
        await legacy.async_remove()
    return record


async def async_remove_record(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the entry's record, under the current key and the old one."""
    for key in (storage_key(entry_id), _legacy_storage_key(entry_id)):
        await MessageRecordStore(hass, key).async_remove()
