"""HTTP side of the Esendex push notification webhook."""

from http import HTTPStatus
import logging

from aiohttp import hdrs
from aiohttp.web import Request, Response
from homeassistant.core import HomeAssistant

from .protocol import (
    MAX_BODY_BYTES,
    NotificationError,
    UnknownNotification,
    parse_notification,
)
from .receiver import NotificationReceiver, Outcome

_LOGGER = logging.getLogger(__name__)


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
    """The handler registered with HA's webhook component for one entry."""

    def __init__(self, receiver: NotificationReceiver) -> None:
        """Bind the handler to an entry's receiver."""
        self._receiver = receiver

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
            return Response(
                status=HTTPStatus.SERVICE_UNAVAILABLE,
                text="temporarily unable to accept the notification",
            )

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
        outcome = self._receiver.async_process(notification)
        if outcome is Outcome.UNAVAILABLE:
            return Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text=outcome.value)
        return Response(status=HTTPStatus.OK, text=outcome.value)
