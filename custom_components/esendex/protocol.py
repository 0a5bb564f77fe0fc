"""Esendex push notifications: XML bytes in, typed frozen dataclasses out.

Esendex POSTs one small XML document per event to the account's webhook URL and
retries it for 72 hours unless it gets an HTTP 200. This module decides which bodies
deserve a 400 (`NotificationError`) and turns the rest into dataclasses. It imports
nothing from Home Assistant, so it could be published on its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, NoReturn
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (  # type: ignore[import-untyped]
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

MAX_BODY_BYTES: Final = 64 * 1024


class NotificationError(ValueError):
    """A push notification body that must be answered with HTTP 400."""

    def __init__(self, reason: str) -> None:
        """Store the short English explanation that str() also gives."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FailureReason:
    """Why a message failed, as far as the notification says; any part may be None."""

    code: int | None
    detail: str | None
    permanent: bool | None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """An SMS received on one of the account's virtual mobile numbers."""

    notification_id: str
    message_id: str
    account_id: str
    sender: str
    recipient: str
    text: str
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageDelivered:
    """An outbound message reached the handset."""

    notification_id: str
    message_id: str
    account_id: str
    occurred_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageFailed:
    """An outbound message could not be delivered."""

    notification_id: str
    message_id: str
    account_id: str
    occurred_at: datetime | None
    failure_reason: FailureReason | None


@dataclass(frozen=True, slots=True)
class UnknownNotification:
    """A well-formed notification of a type this module does not know."""

    root: str


type StatusNotification = MessageDelivered | MessageFailed
type Notification = InboundMessage | MessageDelivered | MessageFailed

_BOOLEANS: Final = {"true": True, "false": False}
_REASON_VALUE_CHARS: Final = 40


def parse_notification(body: bytes) -> Notification | UnknownNotification:
    """Parse a push notification body.

    Raises NotificationError for a body that no retry could make acceptable: larger
    than MAX_BODY_BYTES, not well-formed, carrying a DTD, or a known notification
    with a missing required field or an unreadable date.
    A well-formed document with any other root is an UnknownNotification, which the
    caller should acknowledge so that Esendex stops retrying it.
    """
    if len(body) > MAX_BODY_BYTES:
        raise NotificationError(f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden as err:
        raise NotificationError("DTDs are not allowed") from err
    # Unreachable while DTDs are forbidden, since entities can only be declared in
    # one; kept so that relaxing that flag cannot quietly let them through.
    except EntitiesForbidden as err:
        raise NotificationError("entity declarations are not allowed") from err
    except ExternalReferenceForbidden as err:
        raise NotificationError("external references are not allowed") from err
    except ParseError as err:
        raise NotificationError("body is not well-formed XML") from err
    except (LookupError, ValueError) as err:
        # pyexpat asks the codecs module about an encoding expat does not know:
        # unknown names raise LookupError, multi-byte codecs ValueError.
        raise NotificationError("body declares an unsupported encoding") from err

    name = root.tag.rpartition("}")[2]
    build = _BUILDERS.get(name.lower())
    if build is None:
        return UnknownNotification(root=name)
    return build(root)


def parse_timestamp(value: str) -> datetime:
    """Parse an Esendex date and time into an aware datetime in UTC.

    Takes `yyyy-MM-ddTHH:mm:ss` with an optional fraction of 1 to 7 digits and an
    optional `Z` or `+HH:MM`/`-HH:MM` offset; no zone marker means UTC. Raises
    ValueError for anything else, including the looser forms that
    `datetime.fromisoformat` accepts (a space or comma, a date alone, ...).
    """
    local, offset = value, "+00:00"
    if value[-1:] == "Z":
        local = value[:-1]
    elif value[-6:-5] in {"+", "-"} and value[-3:-2] == ":":
        local, offset = value[:-6], value[-6:]
    size = len(local)
    # fromisoformat checks the digits and ranges; this rules out its other shapes.
    # The separators of yyyy-MM-ddTHH:mm:ss are every third character from the 5th.
    if local[4:17:3] != "--T::" or (
        size != 19
        and not (21 <= size <= 27 and local[19] == "." and local[20:].isdigit())
    ):
        raise ValueError(f"not an Esendex date and time: {value!r}")
    # .NET writes 100 ns ticks (7 digits); a datetime holds microseconds (6).
    parsed = datetime.fromisoformat(local[:26] + offset)
    if parsed.tzinfo is UTC:
        return parsed
    try:
        return parsed.astimezone(UTC)
    except OverflowError as err:
        raise ValueError(f"date and time out of range: {value!r}") from err


def _texts(element: Element) -> dict[str, str]:
    # Keyed by lower-cased local name: the push samples have no namespace and
    # CamelCase names, the REST payloads a default namespace and lower case.
    # Reversed so that the first of two same-named children wins; itertext() only
    # for nested values such as <From><PhoneNumber>447700900123</PhoneNumber></From>.
    return {
        child.tag.rpartition("}")[2].lower(): (
            "".join(child.itertext()) if len(child) else child.text or ""
        ).strip()
        for child in reversed(element)
    }


def _missing(root: str, field: str) -> NoReturn:
    raise NotificationError(f"{root} is missing required field {field}")


def _timestamp(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as err:
        if len(value) > _REASON_VALUE_CHARS:
            value = value[: _REASON_VALUE_CHARS - 1] + "…"
        raise NotificationError(
            f"{field} is not a valid date and time: {value!r}"
        ) from err


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _failure_reason(parent: Element) -> FailureReason:
    element = next(
        child
        for child in parent
        if child.tag.rpartition("}")[2].lower() == "failurereason"
    )
    if not len(element):
        # The vendor documents no shape for it; a bare text can only be a detail.
        text = (element.text or "").strip()
        return FailureReason(code=None, detail=text or None, permanent=None)
    fields = _texts(element)
    return FailureReason(
        code=_integer(fields.get("code", "")),
        detail=fields.get("detail") or fields.get("description") or None,
        permanent=_BOOLEANS.get(fields.get("permanentfailure", "").lower()),
    )


def _inbound_message(root: Element) -> InboundMessage:
    texts = _texts(root)
    name = "InboundMessage"
    return InboundMessage(
        notification_id=texts.get("id") or _missing(name, "Id"),
        message_id=texts.get("messageid") or _missing(name, "MessageId"),
        account_id=texts.get("accountid") or _missing(name, "AccountId"),
        sender=texts.get("from") or _missing(name, "From"),
        recipient=texts.get("to") or _missing(name, "To"),
        text=texts.get("messagetext", ""),
        received_at=(
            _timestamp(texts.get("receivedat"), "ReceivedAt")
            or _timestamp(texts.get("occurredat"), "OccurredAt")
        ),
    )


def _message_delivered(root: Element) -> MessageDelivered:
    texts = _texts(root)
    name = "MessageDelivered"
    return MessageDelivered(
        notification_id=texts.get("id") or _missing(name, "Id"),
        message_id=texts.get("messageid") or _missing(name, "MessageId"),
        account_id=texts.get("accountid") or _missing(name, "AccountId"),
        occurred_at=_timestamp(texts.get("occurredat"), "OccurredAt"),
    )


def _message_failed(root: Element) -> MessageFailed:
    texts = _texts(root)
    name = "MessageFailed"
    return MessageFailed(
        notification_id=texts.get("id") or _missing(name, "Id"),
        message_id=texts.get("messageid") or _missing(name, "MessageId"),
        account_id=texts.get("accountid") or _missing(name, "AccountId"),
        occurred_at=_timestamp(texts.get("occurredat"), "OccurredAt"),
        failure_reason=_failure_reason(root) if "failurereason" in texts else None,
    )


_BUILDERS: Final[dict[str, Callable[[Element], Notification]]] = {
    "inboundmessage": _inbound_message,
    "messagedelivered": _message_delivered,
    "messagefailed": _message_failed,
}
