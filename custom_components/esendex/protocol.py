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
# Every defusedxml guard, as keyword arguments of its public `fromstring`.
DEFUSEDXML_GUARDS: Final = {
    "forbid_dtd": True,
    "forbid_entities": True,
    "forbid_external": True,
}


class NotificationError(ValueError):
    """A push notification body that must be answered with HTTP 400."""

    def __init__(self, reason: str) -> None:
        """Store the short English explanation that str() also gives."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FailureReason:
    """Why a message failed: an optional child whose shape the vendor leaves open.

    `code` is None unless it is an integer within 64 bits, `detail` comes from
    <Detail> or else <Description>, `permanent` from <PermanentFailure> true/false.
    """

    code: int | None
    detail: str | None
    permanent: bool | None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """An SMS received on one of the account's virtual mobile numbers.

    `sender` and `recipient` are <From> and <To>; `text` may be empty;
    `received_at` comes from an optional <ReceivedAt> (or <OccurredAt>).
    """

    notification_id: str
    message_id: str
    account_id: str
    sender: str
    recipient: str
    text: str
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageDelivered:
    """An outbound message reached the handset.

    `message_id` is the id the send API returned; `occurred_at` is None when the
    notification carries no date.
    """

    notification_id: str
    message_id: str
    account_id: str
    occurred_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageFailed:
    """An outbound message could not be delivered; see MessageDelivered."""

    notification_id: str
    message_id: str
    account_id: str
    occurred_at: datetime | None
    failure_reason: FailureReason | None


@dataclass(frozen=True, slots=True)
class OptOut:
    """A recipient replied STOP: Esendex will not deliver to `sender` any more.

    `received_at` comes from <ReceivedAt>, or <ReceviedAt> as Esendex spells it.
    """

    notification_id: str
    account_id: str
    sender: str
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class UnknownNotification:
    """A well-formed notification of a type this module does not know."""

    root: str


type StatusNotification = MessageDelivered | MessageFailed
type Notification = InboundMessage | MessageDelivered | MessageFailed | OptOut

_BOOLEANS: Final = {"true": True, "false": False}
_CODE_RANGE: Final = range(-(2**63), 2**64)
_DATE_TIME_CHARS: Final = len("yyyy-MM-ddTHH:mm:ss")
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
        root: Element = fromstring(body, **DEFUSEDXML_GUARDS)
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

    build = _BUILDERS.get(_key(root.tag))
    if build is None:
        return UnknownNotification(root.tag.rpartition("}")[2])
    return build(root)


def parse_timestamp(value: str) -> datetime:
    """Parse an Esendex date and time into an aware datetime in UTC.

    Takes `yyyy-MM-ddTHH:mm:ss` with an optional fraction of 1 to 7 digits and an
    optional `Z` or `+HH:MM`/`-HH:MM` offset; no zone marker means UTC. Raises
    ValueError for anything else, including the looser forms that
    `datetime.fromisoformat` accepts (a space or comma, a date alone, ...).
    """
    # fromisoformat checks the digits and ranges; these checks keep out its other
    # shapes (a space or comma, a date alone, week dates, ...). The separators of
    # yyyy-MM-ddTHH:mm:ss are every third character from the fifth.
    if len(value) < _DATE_TIME_CHARS or value[4:_DATE_TIME_CHARS:3] != "--T::":
        raise ValueError(f"not an Esendex date and time: {value!r}")
    local, offset = value, "+00:00"
    if len(value) > _DATE_TIME_CHARS:
        if value[-1] == "Z":
            local = value[:-1]
        elif value[-6] in "+-" and value[-3] == ":":
            local, offset = value[:-6], value[-6:]
        if len(local) > _DATE_TIME_CHARS and not (
            local[_DATE_TIME_CHARS] == "."
            and local[_DATE_TIME_CHARS + 1 :].isdigit()
            and len(local) <= _DATE_TIME_CHARS + len(".fffffff")
        ):
            raise ValueError(f"not an Esendex date and time: {value!r}")
        # .NET writes 100 ns ticks (7 digits); a datetime holds microseconds (6).
        local = local[: _DATE_TIME_CHARS + len(".ffffff")]
    try:
        parsed = datetime.fromisoformat(local + offset)
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as err:
        raise ValueError(f"not an Esendex date and time: {value!r}") from err


def _key(tag: str) -> str:
    # Local name, lower-cased: the push samples have no namespace and CamelCase
    # names, the REST payloads a default namespace and lower case.
    return tag.rpartition("}")[2].lower()


def _children(element: Element) -> dict[str, Element]:
    # Reversed so that the first of two same-named children wins.
    return {_key(child.tag): child for child in reversed(element)}


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    if len(element):
        # Nested text such as <From><PhoneNumber>447700900123</PhoneNumber></From>.
        return "".join(element.itertext()).strip()
    text = element.text
    return text.strip() if text else ""


def _missing(root: str, field: str) -> NoReturn:
    raise NotificationError(f"{root} is missing required field {field}")


def _timestamp(value: str, field: str) -> datetime | None:
    if not value:  # an empty element says no more than a missing one
        return None
    try:
        return parse_timestamp(value)
    except ValueError as err:
        if len(value) > _REASON_VALUE_CHARS:
            value = value[: _REASON_VALUE_CHARS - 1] + "…"
        raise NotificationError(
            f"{field} is not a valid date and time: {value!r}"
        ) from err


def _code(text: str) -> int | None:
    try:
        code = int(text)
    except ValueError:
        return None
    # Common JSON encoders (orjson among them) stop at 64 bits.
    return code if code in _CODE_RANGE else None


def _failure_reason(element: Element | None) -> FailureReason | None:
    if element is None:
        return None
    if not len(element):
        # The vendor documents no shape for it; a bare text can only be a detail.
        return FailureReason(code=None, detail=_text(element) or None, permanent=None)
    fields = _children(element)
    return FailureReason(
        code=_code(_text(fields.get("code"))),
        detail=_text(fields.get("detail")) or _text(fields.get("description")) or None,
        permanent=_BOOLEANS.get(_text(fields.get("permanentfailure")).lower()),
    )


def _required_ids(children: dict[str, Element], name: str) -> dict[str, str]:
    """Id, MessageId and AccountId, which every notification must carry."""
    return {
        "notification_id": _text(children.get("id")) or _missing(name, "Id"),
        "message_id": _text(children.get("messageid")) or _missing(name, "MessageId"),
        "account_id": _text(children.get("accountid")) or _missing(name, "AccountId"),
    }


def _inbound_message(root: Element) -> InboundMessage:
    children = _children(root)
    name = "InboundMessage"
    return InboundMessage(
        **_required_ids(children, name),
        sender=_text(children.get("from")) or _missing(name, "From"),
        recipient=_text(children.get("to")) or _missing(name, "To"),
        text=_text(children.get("messagetext")),
        received_at=_timestamp(_text(children.get("receivedat")), "ReceivedAt")
        or _timestamp(_text(children.get("occurredat")), "OccurredAt"),
    )


def _message_delivered(root: Element) -> MessageDelivered:
    children = _children(root)
    return MessageDelivered(
        **_required_ids(children, "MessageDelivered"),
        occurred_at=_timestamp(_text(children.get("occurredat")), "OccurredAt"),
    )


def _message_failed(root: Element) -> MessageFailed:
    children = _children(root)
    return MessageFailed(
        **_required_ids(children, "MessageFailed"),
        occurred_at=_timestamp(_text(children.get("occurredat")), "OccurredAt"),
        failure_reason=_failure_reason(children.get("failurereason")),
    )


def _opt_out(root: Element) -> OptOut:
    children = _children(root)
    name = "OptOut"
    return OptOut(
        notification_id=_text(children.get("id")) or _missing(name, "Id"),
        account_id=_text(children.get("accountid")) or _missing(name, "AccountId"),
        # Text, or a <PhoneNumber> child as in the documented sample.
        sender=_text(children.get("from")) or _missing(name, "From"),
        received_at=_timestamp(_text(children.get("receivedat")), "ReceivedAt")
        or _timestamp(_text(children.get("receviedat")), "ReceviedAt"),
    )


_BUILDERS: Final[dict[str, Callable[[Element], Notification]]] = {
    "inboundmessage": _inbound_message,
    "messagedelivered": _message_delivered,
    "messagefailed": _message_failed,
    "optout": _opt_out,
}
