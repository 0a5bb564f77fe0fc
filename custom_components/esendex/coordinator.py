"""The Esendex account over the REST API: credits, and the inbox catch-up."""

from datetime import UTC, datetime, timedelta
import logging

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Account,
    EsendexAuthError,
    EsendexClient,
    EsendexError,
    InboxMessage,
)
from .const import (
    CATCH_UP_INTERVAL_MINUTES,
    CATCH_UP_MAX_PAGES,
    CATCH_UP_PAGE_SIZE,
    DOMAIN,
)
from .models import EsendexConfigEntry
from .protocol import InboundMessage
from .receiver import NotificationReceiver

_LOGGER = logging.getLogger(__name__)

# Where the catch-up starts when the inbox was empty at the first setup.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EsendexAccountCoordinator(DataUpdateCoordinator[Account]):
    """Reads the account (credits left) and catches up the inbox, every so often.

    Home Assistant answers 200 for a webhook whose entry is not loaded (start-up,
    reload, disabled), and Esendex never retries a 200: the inbox is where such an
    SMS can still be found.
    """

    config_entry: EsendexConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EsendexConfigEntry,
        client: EsendexClient,
        account_reference: str,
        receiver: NotificationReceiver,
    ) -> None:
        """Prepare the coordinator; the catch-up starts once the webhook is up."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {account_reference}",
            update_interval=timedelta(minutes=CATCH_UP_INTERVAL_MINUTES),
        )
        self.client = client
        self.account_reference = account_reference
        self._receiver = receiver
        self.catch_up_enabled = False

    async def _async_update_data(self) -> Account:
        try:
            account = await self.client.async_get_account(self.account_reference)
            if self.catch_up_enabled:
                await self._async_catch_up(account)
        except EsendexAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except EsendexError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err) or type(err).__name__},
            ) from err
        return account

    async def _async_catch_up(self, account: Account) -> None:
        """Publish the inbox messages that arrived since the last catch-up."""
        receiver = self._receiver
        since = receiver.inbox_newest
        newer, newest = await self._async_read_inbox_since(since)
        # The messages at the newest time: later runs keep messages at the recorded
        # time (several can share a second), so these are remembered with it, for
        # as long as it is the position, however long that is.
        at_newest = {
            header.message_id.lower()
            for header in newer
            if header.received_at == newest
        }
        if since is None:
            # First run: history before the integration was set up is not news.
            receiver.async_set_inbox_position(newest or _EPOCH, at_newest)
            return
        fired = 0
        for header in reversed(newer):  # oldest first, as they arrived
            if not receiver.accepting:
                return  # unloading: the next setup catches up from here
            if receiver.inbox_message_handled(header.message_id):
                continue
            # The header's summary may be shortened; the body has the full text.
            text = await self.client.async_get_message_body(header.message_id)
            message = InboundMessage(
                "", header.message_id, account.id, header.sender,
                header.recipient, text, header.received_at,
            )  # fmt: skip
            fired += receiver.async_process_caught_up(message)
        if fired:
            _LOGGER.info(
                "Caught up %s inbound SMS from the %s inbox that had not come by push",
                fired,
                self.account_reference,
            )
        if newest is not None:
            receiver.async_set_inbox_position(newest, at_newest)

    async def _async_read_inbox_since(
        self, since: datetime | None
    ) -> tuple[list[InboxMessage], datetime | None]:
        """Return the inbox messages at or after `since`, newest first, and the newest.

        Equal times are kept: the inbound record tells which were handled. Without
        `since` (the first run), only the messages at the newest time are returned.
        """
        newer: list[InboxMessage] = []
        newest: datetime | None = None
        for page_number in range(CATCH_UP_MAX_PAGES):
            page = await self.client.async_get_inbox(
                self.account_reference,
                start_index=page_number * CATCH_UP_PAGE_SIZE,
                count=CATCH_UP_PAGE_SIZE,
            )
            for header in page.messages:
                if header.received_at is None:
                    continue
                if newest is None or header.received_at > newest:
                    newest = header.received_at
                # On the first run, `since` is the newest time itself.
                if header.received_at < (since or newest):
                    return newer, newest
                newer.append(header)
            if page.start_index + len(page.messages) >= page.total_count:
                return newer, newest
        _LOGGER.warning(
            "The %s inbox has more than %s messages newer than the last catch-up; "
            "older ones that did not come by push are not caught up",
            self.account_reference,
            len(newer),
        )
        return newer, newest
