"""The inbox catch-up: inbound SMS that reached the Esendex inbox but not the webhook.

Esendex retries a push for 72 hours, but never one answered 200, and Home
Assistant can be unreachable for longer. Every inbound SMS also lands in the
account's inbox, so entries with API credentials read it after setup and every
CATCH_UP_INTERVAL_MINUTES, and publish what was not published yet. This runs
apart from the credits coordinator: neither one's failure affects the other.
"""

import asyncio
from datetime import UTC, datetime, timedelta
import logging

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .api import EsendexClient, EsendexError, InboxMessage
from .const import (
    CATCH_UP_BODY_ATTEMPTS,
    CATCH_UP_INTERVAL_MINUTES,
    CATCH_UP_MAX_PAGES,
    CATCH_UP_PAGE_SIZE,
    DOMAIN,
)
from .models import EsendexConfigEntry
from .protocol import InboundMessage
from .receiver import NotificationReceiver
from .store import UnreadableInboxMessage

_LOGGER = logging.getLogger(__name__)

# Where the catch-up starts when the inbox was empty at the first setup.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InboxCatchUp:
    """Publishes, once each, the inbox messages that did not come by push."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: EsendexClient,
        account_reference: str,
        account_id: str,
        receiver: NotificationReceiver,
    ) -> None:
        """Prepare the catch-up of one account's inbox."""
        self.hass = hass
        self.client = client
        self.account_reference = account_reference
        self.account_id = account_id
        self._receiver = receiver
        self._lock = asyncio.Lock()
        self.last_run_success: bool | None = None

    @callback
    def async_start(self, entry: EsendexConfigEntry) -> None:
        """Run now in the background, then every CATCH_UP_INTERVAL_MINUTES."""
        entry.async_create_background_task(
            self.hass, self.async_run(), f"{DOMAIN} inbox catch-up"
        )
        entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_scheduled_run,
                timedelta(minutes=CATCH_UP_INTERVAL_MINUTES),
                name=f"{DOMAIN} inbox catch-up",
            )
        )

    async def _async_scheduled_run(self, _now: datetime) -> None:
        await self.async_run()

    async def async_run(self) -> None:
        """Catch up once; failures are logged and retried on the next run."""
        if self._lock.locked():
            return  # the run under way will see the same messages
        async with self._lock:
            try:
                await self._async_catch_up()
            except EsendexError as err:
                if self.last_run_success is not False:
                    _LOGGER.warning(
                        "Cannot catch up the %s inbox; trying again in %s minutes: %s",
                        self.account_reference,
                        CATCH_UP_INTERVAL_MINUTES,
                        err,
                    )
                self.last_run_success = False
                return
            if self.last_run_success is False:
                _LOGGER.info("The %s inbox is caught up again", self.account_reference)
            self.last_run_success = True

    async def _async_catch_up(self) -> None:
        receiver = self._receiver
        since = receiver.inbox.newest
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
        published = await self._async_retry_unreadable()
        for header in reversed(newer):  # oldest first, as they arrived
            if not receiver.accepting:
                return  # unloading: the next setup catches up from here
            message_id = header.message_id.lower()
            if (
                receiver.inbox_message_handled(message_id)
                or message_id in receiver.inbox.unreadable
            ):
                continue
            published += await self._async_publish(
                message_id,
                UnreadableInboxMessage(
                    sender=header.sender,
                    recipient=header.recipient,
                    summary=header.summary,
                    received_at=header.received_at,
                    attempts=0,
                ),
            )
        if published:
            _LOGGER.info(
                "Caught up %s inbound SMS from the %s inbox that had not come by push",
                published,
                self.account_reference,
            )
        if newest is not None:
            receiver.async_set_inbox_position(newest, at_newest)

    async def _async_retry_unreadable(self) -> int:
        """Try again the messages whose text could not be read before."""
        published = 0
        for message_id, message in list(self._receiver.inbox.unreadable.items()):
            if not self._receiver.accepting:
                break
            published += await self._async_publish(message_id, message)
        return published

    async def _async_publish(
        self, message_id: str, header: UnreadableInboxMessage
    ) -> bool:
        """Read the full text and publish; remember a failure for a later run.

        After CATCH_UP_BODY_ATTEMPTS failed runs the SMS is published with the
        inbox summary as its text, marked `text_is_summary`, rather than never.
        """
        receiver = self._receiver
        text_is_summary = False
        try:
            # The summary may be shortened; the body has the full text.
            text = await self.client.async_get_message_body(message_id)
        except EsendexError as err:
            attempts = header.attempts + 1
            if attempts < CATCH_UP_BODY_ATTEMPTS:
                _LOGGER.warning(
                    "Cannot read the text of inbox message %s (attempt %s of %s); "
                    "trying again on the next catch-up: %s",
                    message_id,
                    attempts,
                    CATCH_UP_BODY_ATTEMPTS,
                    err,
                )
                header.attempts = attempts
                receiver.inbox.unreadable[message_id] = header
                receiver.async_schedule_save()
                return False
            _LOGGER.warning(
                "Cannot read the text of inbox message %s after %s attempts; "
                "publishing it with the inbox summary as its text: %s",
                message_id,
                attempts,
                err,
            )
            text, text_is_summary = header.summary, True
        message = InboundMessage(
            notification_id="",
            message_id=message_id,
            account_id=self.account_id,
            sender=header.sender,
            recipient=header.recipient,
            text=text,
            received_at=header.received_at,
        )
        published = receiver.async_process_caught_up(
            message, text_is_summary=text_is_summary
        )
        if published or receiver.inbox_message_handled(message_id):
            if receiver.inbox.unreadable.pop(message_id, None) is not None:
                receiver.async_schedule_save()
        else:
            # Not published (an entity failed): try again on the next run.
            receiver.inbox.unreadable[message_id] = header
            receiver.async_schedule_save()
        return published

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
