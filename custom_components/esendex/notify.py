"""Notify entity: `notify.send_message` texts the entry's default recipient."""

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_DEFAULT_RECIPIENT, DOMAIN
from .entity import EsendexEntity
from .models import EsendexConfigEntry
from .services import async_send_sms

# Each send is one API call; Esendex takes them in parallel.
PARALLEL_UPDATES = 0

# The device's main feature, named after the entry: notify.esendex_sms.
SMS = NotifyEntityDescription(key="sms", name=None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EsendexConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the notify entity to entries that can send."""
    if entry.runtime_data.coordinator is not None:
        async_add_entities([EsendexNotifyEntity(entry, SMS)])


class EsendexNotifyEntity(EsendexEntity, NotifyEntity):
    """Sends an SMS to the default recipient set in the entry's options."""

    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(
        self, entry: EsendexConfigEntry, description: NotifyEntityDescription
    ) -> None:
        """Keep the entry, for its options and its client."""
        super().__init__(entry, description)
        self._entry = entry

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message (an SMS has no title: it goes first, on its own line)."""
        recipient = self._entry.options.get(CONF_DEFAULT_RECIPIENT)
        if not recipient:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_default_recipient",
                translation_placeholders={"title": self._entry.title},
            )
        text = f"{title}\n{message}" if title else message
        await async_send_sms(self._entry, [recipient], text, context=self._context)
