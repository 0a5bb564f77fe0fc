"""Typed runtime data for an Esendex SMS config entry."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .message_log import MessageLog
from .receiver import NotificationReceiver

if TYPE_CHECKING:
    from .assist import AssistResponder
    from .catch_up import InboxCatchUp
    from .coordinator import EsendexAccountCoordinator
    from .verify import InboundVerifier


@dataclass(slots=True)
class EsendexRuntimeData:
    """What a loaded entry keeps while it runs."""

    receiver: NotificationReceiver
    # What the messages card shows (websocket_api.py).
    history: MessageLog
    # The id registered at setup; entry.data may already hold a new one at unload.
    webhook_id: str
    # Only for entries with API credentials (sending, credits, inbox catch-up).
    coordinator: EsendexAccountCoordinator | None = None
    catch_up: InboxCatchUp | None = None
    verifier: InboundVerifier | None = None
    # Answers trusted contacts' SMS with Assist (entries with API credentials).
    assist: AssistResponder | None = None


type EsendexConfigEntry = ConfigEntry[EsendexRuntimeData]
