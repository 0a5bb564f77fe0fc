"""The webhook: Esendex's POSTs read, parsed and answered for each entry."""

from http import HTTPStatus
import logging

from aiohttp import hdrs
from aiohttp.hdrs import METH_POST
from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .protocol import (
    MAX_BODY_BYTES,
    NotificationError,
    UnknownNotification,
    parse_notification,
)
from .receiver import NotificationReceiver, Outcome

_LOGGER = logging.getLogger(__name__)

# A hint with each 503; Esendex keeps its own retry schedule.
RETRY_AFTER_SECONDS = 60


class BodyTooLargeError(Exception):
    """The request body is larger than any real notification."""


async def read_limited_body(request: Request, limit: int) -> bytes:
    """Read at most `limit` bytes of the body, stopping as soon as it is exceeded.

    Cloudhook requests arrive as HA's MockRequest, which has only `headers` and a
    `content` stream with `read(n)`: they, and chunked requests of unknown length,
    are read piece by piece.
    """
    declared = request.headers.get(hdrs.CONTENT_LENGTH)
    if declared is not None and declared.isdecimal():
        if int(declared) > limit:
            raise BodyTooLargeError
        if isinstance(request, Request):
            # aiohttp reads exactly the declared length: no more can come.
            return await request.read()
    # One reader for the whole loop: MockRequest.content makes a new one on each
    # access, starting again from the first byte.
    stream = request.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
    return b"".join(chunks)


class EsendexWebhook:
    """The handler registered with HA's webhook component for one entry.

    It stays registered from the integration's setup until the entry is removed,
    loaded or not: for an unknown webhook id Home Assistant answers 200 itself,
    and Esendex never retries a 200. While no receiver is attached (the entry is
    starting, reloading, failed, unloaded or disabled) it answers 503 instead.
    """

    def __init__(self, entry_id: str) -> None:
        """Create the handler of an entry, with no receiver attached yet."""
        self.entry_id = entry_id
        self.receiver: NotificationReceiver | None = None

    async def __call__(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Answer Esendex; never raise.

        HA's webhook view answers 200 when a handler raises, and Esendex never
        retries a 200: an unexpected error here must become a 503 instead.
        """
        try:
            return await self._handle(request)
        except Exception:
            _LOGGER.exception(
                "Unexpected error handling an Esendex notification; answering 503 so "
                "that Esendex retries it"
            )
            return _retry_later("temporarily unable to accept the notification")

    async def _handle(self, request: Request) -> Response:
        try:
            body = await read_limited_body(request, MAX_BODY_BYTES)
        except BodyTooLargeError:
            _LOGGER.warning(
                "Rejected a notification body over %s bytes", MAX_BODY_BYTES
            )
            return Response(
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                text=f"body larger than {MAX_BODY_BYTES} bytes",
            )
        try:
            notification = parse_notification(body)
        except NotificationError as err:
            _LOGGER.warning("Rejected an invalid notification: %s", err.reason)
            return Response(status=HTTPStatus.BAD_REQUEST, text=err.reason)
        if isinstance(notification, UnknownNotification):
            _LOGGER.debug("Ignoring a %s notification", notification.root)
            return Response(
                status=HTTPStatus.OK,
                text=f"ignored: {notification.root} notifications are not used",
            )
        # Looked up after the body is read: the entry may have unloaded meanwhile.
        if (receiver := self.receiver) is None:
            return _retry_later(Outcome.UNAVAILABLE.value)
        outcome = receiver.async_process(notification)
        if outcome.retry:
            return _retry_later(outcome.value)
        return Response(status=HTTPStatus.OK, text=outcome.value)


def _retry_later(text: str) -> Response:
    return Response(
        status=HTTPStatus.SERVICE_UNAVAILABLE,
        text=text,
        headers={hdrs.RETRY_AFTER: str(RETRY_AFTER_SECONDS)},
    )


WEBHOOKS: HassKey[dict[str, EsendexWebhook]] = HassKey(f"{DOMAIN}_webhooks")


@callback
def async_register_webhook(hass: HomeAssistant, entry: ConfigEntry) -> EsendexWebhook:
    """Return the entry's handler, registering it under the entry's webhook id.

    A handler left under an older id of the entry (its URL was regenerated) is
    unregistered, so that the old URL dies.
    """
    webhooks = hass.data.setdefault(WEBHOOKS, {})
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    for old_id, old_handler in list(webhooks.items()):
        if old_handler.entry_id == entry.entry_id and old_id != webhook_id:
            async_unregister_webhook(hass, old_id)
    if (handler := webhooks.get(webhook_id)) is None:
        handler = webhooks[webhook_id] = EsendexWebhook(entry.entry_id)
        webhook.async_register(
            hass,
            DOMAIN,
            entry.title,
            webhook_id,
            handler,
            allowed_methods=[METH_POST],
        )
    return handler


@callback
def async_unregister_webhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Unregister a webhook id of this integration, if it is registered."""
    if hass.data.setdefault(WEBHOOKS, {}).pop(webhook_id, None) is not None:
        webhook.async_unregister(hass, webhook_id)
