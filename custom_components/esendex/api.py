"""Esendex REST API client: check a login, read credits, send SMS, read messages.

Push notifications (protocol.py) only tell Home Assistant what happened; this client
does the rest, on the aiohttp session its caller passes in. Like protocol.py it
imports nothing from Home Assistant.

Answers are matched by local element name in any case, with or without the Esendex
namespace. Identifiers, account references and phone numbers are required: without
them the answer is an EsendexResponseError. Informational fields (label, address,
credits, dates) are None when missing, empty or unreadable, so that a surprise in
one of them cannot stop a login from being checked or the inbox from being read.
Esendex writes .NET's DateTime.MinValue (`0001-01-01T00:00:00Z`) for "never": that
date is None too, since a year-1 datetime overflows when shifted west of UTC.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from http import HTTPStatus
import re
from typing import Final, NoReturn
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import aiohttp
from aiohttp import hdrs
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from .protocol import parse_timestamp

DEFAULT_BASE_URL: Final = "https://api.esendex.com/v1.0/"
DEFAULT_TIMEOUT: Final = 15.0
MAX_RESPONSE_BYTES: Final = 1024 * 1024
MAX_VALIDITY_HOURS: Final = 72
USER_AGENT: Final = "HomeAssistant-Esendex-SMS"

_NAMESPACE: Final = "http://api.esendex.com/ns/"
_XML: Final = "application/xml"
_CHUNK_BYTES: Final = 64 * 1024
_MESSAGE_CHARS: Final = 200
_MIN_DIGITS: Final = 5
_MAX_DIGITS: Final = 15  # E.164

_RECIPIENT: Final = re.compile(r"\+?[0-9 ().-]+")
# "+44 (0)7700 900123": the bracketed trunk zero is dialled only within the country.
_TRUNK_ZERO: Final = re.compile(r"(?<=[0-9])[ .-]*\(0\)")
_NUMERIC_ORIGINATOR: Final = re.compile(r"\+?[0-9]{1,20}")
_ALPHANUMERIC_ORIGINATOR: Final = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")


class EsendexError(Exception):
    """Base class of every error the client raises."""


class EsendexConnectionError(EsendexError):
    """Esendex could not be reached, or did not answer within the timeout."""


class EsendexStatusError(EsendexError):
    """Esendex answered with an HTTP error status.

    `message` is the plain text Esendex explains errors with, on one line and cut
    to 200 characters, since it ends up in logs and the UI.
    """

    def __init__(self, status: int, message: str = "") -> None:
        """Store the status and message, and give str() both."""
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status
        self.message = message


class EsendexAuthError(EsendexStatusError):
    """The username or password was refused (401, 403)."""


class EsendexCreditsError(EsendexStatusError):
    """The account has too few credits left to send (402)."""


class EsendexRequestError(EsendexStatusError):
    """Esendex refused the request itself (400, 404, 405, any other status)."""


class MessageNotFoundError(EsendexRequestError):
    """Esendex has no message with the id asked for (404)."""


class EsendexServerError(EsendexStatusError):
    """Esendex is failing or overloaded (408, 5xx): try again later."""


class EsendexResponseError(EsendexError):
    """A successful status with an answer that is not the XML expected."""


class AccountNotFoundError(EsendexError):
    """The login works but has no account with the requested reference."""


class AddressProblem(StrEnum):
    """What is wrong with a recipient or originator, for callers to translate."""

    RECIPIENT_CHARACTERS = "recipient_characters"
    RECIPIENT_TOO_SHORT = "recipient_too_short"
    RECIPIENT_TOO_LONG = "recipient_too_long"
    RECIPIENT_COUNTRY_CODE = "recipient_country_code"
    ORIGINATOR = "originator"


class InvalidAddressError(ValueError):
    """A recipient or originator Esendex cannot take, refused before sending.

    `kind` says what is wrong and `value` is what was given; str() explains both
    in English, for logs.
    """

    def __init__(self, kind: AddressProblem, value: str, explanation: str) -> None:
        """Store what is wrong with which value."""
        super().__init__(f"{value!r} {explanation}")
        self.kind = kind
        self.value = value


@dataclass(frozen=True, slots=True)
class Account:
    """An Esendex account; `id` is the AccountId that push notifications carry."""

    id: str
    reference: str
    label: str | None
    address: str | None
    messages_remaining: int | None
    expires_on: datetime | None


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """An SMS to send: the recipient as Esendex accepts it, and the text."""

    to: str
    body: str


@dataclass(frozen=True, slots=True)
class SentMessage:
    """An accepted message; `message_id` is what delivery notifications carry."""

    message_id: str
    to: str
    batch_id: str | None


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """A received message; `summary` may be shortened, the full text is its body.

    `message_id` is, as far as the vendor's naming goes, the MessageId of the
    InboundMessage push for the same SMS, so it can deduplicate the two.
    """

    message_id: str
    sender: str
    recipient: str
    summary: str
    received_at: datetime | None
    body_uri: str | None


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One message as Esendex keeps it, read by its id, with its full text.

    `direction` is Esendex's `Inbound` or `Outbound`, as written (None when
    missing); `text` is the body, which the header's summary may shorten.
    """

    message_id: str
    sender: str
    recipient: str
    text: str
    direction: str | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of the inbox, newest message first."""

    messages: list[InboxMessage]
    start_index: int
    count: int
    total_count: int


class EsendexClient:
    """The Esendex REST API, called with one login.

    Every call raises EsendexConnectionError, an EsendexStatusError subclass or
    EsendexResponseError when it cannot return what it promises.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        username: str,
        password: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session and login; nothing is sent yet.

        Raises ValueError for a username containing a colon, which Basic
        authentication cannot carry.
        """
        self._session = session
        # aiohttp 3.14 deprecates BasicAuth in favour of this header. Its UTF-8
        # (which RFC 7617 allows) takes any password; BasicAuth's Latin-1 did not.
        self._headers = {
            hdrs.ACCEPT: _XML,
            hdrs.AUTHORIZATION: aiohttp.encode_basic_auth(username, password),
            hdrs.USER_AGENT: USER_AGENT,
        }
        self._base_url = base_url if base_url.endswith("/") else f"{base_url}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def async_get_accounts(self) -> list[Account]:
        """Return the accounts this login can use; this also checks the login."""
        root = _parse(await self._request(hdrs.METH_GET, "accounts"), "accounts")
        return [_account(element) for element in _children(root, "account")]

    async def async_get_account(self, reference: str) -> Account:
        """Return the account with this reference, compared case-insensitively.

        Raises AccountNotFoundError when the login has no such account.
        """
        wanted = reference.strip().casefold()
        for account in await self.async_get_accounts():
            if account.reference.casefold() == wanted:
                return account
        raise AccountNotFoundError(f"this login has no account {reference!r}")

    async def async_send(
        self,
        account_reference: str,
        messages: Sequence[OutboundMessage],
        *,
        originator: str | None = None,
        validity_hours: int | None = None,
    ) -> list[SentMessage]:
        """Send messages from the account, returning their ids in the same order.

        Recipients and the originator are sent as given: see normalise_recipient
        and validate_originator. Raises ValueError, before sending, for no messages
        or a validity outside 1 to MAX_VALIDITY_HOURS. An EsendexResponseError
        here may follow an accepted send: do not simply retry it.
        """
        if not messages:
            raise ValueError("there are no messages to send")
        if validity_hours is not None and not 1 <= validity_hours <= MAX_VALIDITY_HOURS:
            raise ValueError(
                f"validity must be 1 to {MAX_VALIDITY_HOURS} hours, "
                f"not {validity_hours}"
            )
        document = _dispatch_document(
            account_reference, messages, originator, validity_hours
        )
        answer = await self._request(hdrs.METH_POST, "messagedispatcher", data=document)
        root = _parse(answer, "messageheaders")
        headers = _children(root, "messageheader")
        if len(headers) != len(messages):
            raise EsendexResponseError(
                f"{len(messages)} messages were sent but Esendex returned "
                f"{len(headers)} message ids"
            )
        batch_id = _attribute(root, "batchid").lower() or None
        return [
            SentMessage(_id(header), message.to, batch_id)
            for header, message in zip(headers, messages, strict=True)
        ]

    async def async_get_inbox(
        self, account_reference: str, *, start_index: int = 0, count: int = 50
    ) -> InboxPage:
        """Return one page of the account's received messages, newest first."""
        if start_index < 0 or count < 1:
            raise ValueError(
                f"a page needs start_index >= 0 and count >= 1, "
                f"not {start_index} and {count}"
            )
        answer = await self._request(
            hdrs.METH_GET,
            f"inbox/{_segment(account_reference)}/messages",
            params={"startIndex": start_index, "count": count},
        )
        root = _parse(answer, "messageheaders")
        return InboxPage(
            [_inbox_message(header) for header in _children(root, "messageheader")],
            _paging(root, "startindex"),
            _paging(root, "count"),
            _paging(root, "totalcount"),
        )

    async def async_get_message_body(self, message_id: str) -> str:
        """Return the full text of a message, which the inbox may have shortened."""
        answer = await self._request(
            hdrs.METH_GET, f"messageheaders/{_segment(message_id)}/body"
        )
        text = _child(_parse(answer, "messagebody"), "bodytext")
        if text is None:
            _missing("messagebody", "bodytext")
        return _text(text)

    async def async_get_message(self, message_id: str) -> StoredMessage:
        """Return one message, sent or received, by its id, with its full text.

        Reads its header, then its body. Raises MessageNotFoundError when Esendex
        answers either with a 404: it has no such message for this login.
        """
        try:
            answer = await self._request(
                hdrs.METH_GET, f"messageheaders/{_segment(message_id)}"
            )
            header = _parse(answer, "messageheader")
            # The header is checked before its body is asked for.
            found_id = _id(header)
            sender = _phone_number(header, "from")
            recipient = _phone_number(header, "to")
            text = await self.async_get_message_body(message_id)
        except EsendexRequestError as err:
            if err.status == HTTPStatus.NOT_FOUND:
                raise MessageNotFoundError(err.status, err.message) from err
            raise
        return StoredMessage(
            message_id=found_id,
            sender=sender,
            recipient=recipient,
            text=text,
            direction=_text(_child(header, "direction")) or None,
            received_at=_date(_text(_child(header, "receivedat"))),
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, int] | None = None,
        data: bytes | None = None,
    ) -> bytes:
        headers = self._headers
        if data is not None:
            headers = {**headers, hdrs.CONTENT_TYPE: f"{_XML}; charset=utf-8"}
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self._timeout,
                # A redirect could take the credentials elsewhere; Esendex sends none.
                allow_redirects=False,
            ) as response:
                status = response.status
                body = await _read(response)
        except TimeoutError as err:
            raise EsendexConnectionError(
                f"Esendex did not answer within {self._timeout.total} seconds"
            ) from err
        except aiohttp.ClientError as err:
            raise EsendexConnectionError(f"cannot reach Esendex: {err}") from err
        _raise_for_status(status, body)
        if len(body) > MAX_RESPONSE_BYTES:
            raise EsendexResponseError(
                f"Esendex answered with more than {MAX_RESPONSE_BYTES} bytes"
            )
        return body


def normalise_recipient(number: str) -> str:
    """Return a phone number as digits, with its leading + if it had one.

    Accepts E.164 (`+447700900123`) or digits written with spaces, dashes, dots
    and parentheses; a `(0)` after the country code is left out. Raises
    InvalidAddressError for anything else, or for fewer than 5 or more than 15
    digits.
    """
    value = number.strip()
    if not _RECIPIENT.fullmatch(value):
        raise InvalidAddressError(
            AddressProblem.RECIPIENT_CHARACTERS,
            number,
            "is not a phone number: use digits, with an optional leading + and "
            "spaces, dashes, dots or parentheses",
        )
    digits = re.sub(r"[^0-9]", "", _TRUNK_ZERO.sub("", value))
    if len(digits) < _MIN_DIGITS:
        raise InvalidAddressError(
            AddressProblem.RECIPIENT_TOO_SHORT,
            number,
            f"is too short for a phone number: it needs at least {_MIN_DIGITS} digits",
        )
    if len(digits) > _MAX_DIGITS:
        raise InvalidAddressError(
            AddressProblem.RECIPIENT_TOO_LONG,
            number,
            f"is too long for a phone number: it has more than {_MAX_DIGITS} digits",
        )
    if not value.startswith("+"):
        return digits
    if digits.startswith("0"):
        raise InvalidAddressError(
            AddressProblem.RECIPIENT_COUNTRY_CODE,
            number,
            "is not an international number: no country code starts with 0",
        )
    return f"+{digits}"


def validate_originator(originator: str) -> str:
    """Return the sender name or number a message shows, trimmed.

    Esendex takes up to 11 letters, digits and spaces (including a letter), or up
    to 20 digits with an optional leading +. Raises InvalidAddressError otherwise.
    """
    value = originator.strip()
    if _NUMERIC_ORIGINATOR.fullmatch(value) or _ALPHANUMERIC_ORIGINATOR.fullmatch(
        value
    ):
        return value
    raise InvalidAddressError(
        AddressProblem.ORIGINATOR,
        originator,
        "cannot be a sender: use up to 11 letters, digits and spaces including a "
        "letter, or a number of up to 20 digits",
    )


async def _read(response: aiohttp.ClientResponse) -> bytes:
    # Bounded so that a broken or hostile server cannot exhaust memory; reading
    # past the limit is how an oversized answer is told from one that fits.
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            break
    return bytes(body)


def _raise_for_status(status: int, body: bytes) -> None:
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return
    message = " ".join(body.decode("utf-8", "replace").split())
    if len(message) > _MESSAGE_CHARS:
        message = message[: _MESSAGE_CHARS - 1] + "…"
    if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        raise EsendexAuthError(status, message)
    if status == HTTPStatus.PAYMENT_REQUIRED:
        raise EsendexCreditsError(status, message)
    if (
        status == HTTPStatus.REQUEST_TIMEOUT
        or status >= HTTPStatus.INTERNAL_SERVER_ERROR
    ):
        raise EsendexServerError(status, message)
    raise EsendexRequestError(status, message)


def _segment(value: str) -> str:
    # quote() leaves dots alone, and a "." or ".." segment would be resolved away,
    # sending the request (with the credentials) to another resource.
    if value in {"", ".", ".."}:
        raise ValueError(f"{value!r} is not an Esendex reference or id")
    return quote(value, safe="")


def _dispatch_document(
    account_reference: str,
    messages: Sequence[OutboundMessage],
    originator: str | None,
    validity_hours: int | None,
) -> bytes:
    # ElementTree escapes the text; user text never touches the markup.
    root = Element(f"{{{_NAMESPACE}}}messages")
    _add(root, "accountreference", account_reference)
    if originator:
        _add(root, "from", originator)
    if validity_hours is not None:
        _add(root, "validity", str(validity_hours))
    for message in messages:
        element = _add(root, "message")
        _add(element, "to", message.to)
        _add(element, "body", message.body)
    document: bytes = tostring(
        root, encoding="utf-8", xml_declaration=True, default_namespace=_NAMESPACE
    )
    return document


def _add(parent: Element, name: str, text: str | None = None) -> Element:
    element = SubElement(parent, f"{{{_NAMESPACE}}}{name}")
    element.text = text
    return element


def _parse(body: bytes, root_name: str) -> Element:
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    # defusedxml's DTDForbidden and its siblings are ValueErrors; pyexpat raises
    # LookupError or ValueError for an encoding it does not know.
    except (ParseError, LookupError, ValueError) as err:
        raise EsendexResponseError(
            f"Esendex answered with unusable XML: {err}"
        ) from err
    name = root.tag.rpartition("}")[2]
    if name.lower() != root_name:
        raise EsendexResponseError(f"expected <{root_name}> from Esendex, got <{name}>")
    return root


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].lower()


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child.tag) == name), None)


def _text(element: Element | None) -> str:
    text = None if element is None else element.text
    return text.strip() if text else ""


def _attribute(element: Element | None, name: str) -> str:
    if element is None:
        return ""
    return next(
        (value.strip() for key, value in element.attrib.items() if _local(key) == name),
        "",
    )


def _missing(element: str, field: str) -> NoReturn:
    raise EsendexResponseError(f"<{element}> from Esendex has no {field}")


def _id(element: Element) -> str:
    # The vendor writes GUIDs in both cases; push notifications are compared with
    # these in lower case.
    name = element.tag.rpartition("}")[2]
    return _attribute(element, "id").lower() or _missing(name, "id")


def _date(text: str) -> datetime | None:
    try:
        parsed = parse_timestamp(text)
    except ValueError:
        return None
    return None if parsed.year == 1 else parsed


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _paging(root: Element, name: str) -> int:
    try:
        return int(_attribute(root, name))
    except ValueError as err:
        raise EsendexResponseError(
            f"<messageheaders> from Esendex has no valid {name}"
        ) from err


def _account(element: Element) -> Account:
    return Account(
        id=_id(element),
        reference=_text(_child(element, "reference"))
        or _missing("account", "reference"),
        label=_text(_child(element, "label")) or None,
        address=_text(_child(element, "address")) or None,
        messages_remaining=_integer(_text(_child(element, "messagesremaining"))),
        expires_on=_date(_text(_child(element, "expireson"))),
    )


def _phone_number(header: Element, name: str) -> str:
    number = _text(_child(_child(header, name), "phonenumber"))
    return number or _missing("messageheader", f"{name}/phonenumber")


def _inbox_message(header: Element) -> InboxMessage:
    return InboxMessage(
        message_id=_id(header),
        sender=_phone_number(header, "from"),
        recipient=_phone_number(header, "to"),
        summary=_text(_child(header, "summary")),
        received_at=_date(_text(_child(header, "receivedat"))),
        body_uri=_attribute(_child(header, "body"), "uri") or None,
    )
