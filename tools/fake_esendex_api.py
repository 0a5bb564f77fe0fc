"""A loopback fake of Esendex's REST API, with push notifications: not Esendex.

For end-to-end tests and the demo. A real `hass` process pointed at it (the
integration's `EsendexClient` with `base_url` set to its `/v1.0/`) can check a
login, read credits, send SMS, catch up the inbox and verify pushed SMS without the
real service, and without spending credits:

- `/v1.0/...` answers what `custom_components/esendex/api.py` asks, in the XML
  shapes of the vendor's documentation (see the REST part of the protocol notes):
  `GET accounts` (and `accounts/{id}`), `POST messagedispatcher`, `GET
  inbox/{reference}/messages` (and `inbox/messages`), `GET messageheaders/{id}` and
  `GET messageheaders/{id}/body`. Every one of them wants the Basic login (401
  otherwise). Sending deducts credits and answers 402 "Insufficient credits" when
  there are too few.
- Receipts: each message sent gets, `receipt_delay` seconds later, a
  MessageDelivered push (MessageFailed for a number set to fail) POSTed to the
  webhook, when one is set.
- Control routes, apart from Esendex's API and without a login, under `/_fake/`:
  `POST /_fake/inbound` (an SMS arrives: it is put in the inbox, then pushed to the
  webhook), `GET /_fake/sent` (what was sent), `GET /_fake/state` and `POST
  /_fake/config` (webhook, credits, receipt delay, failing numbers).

The server binds 127.0.0.1 by default: the control routes take anything from anyone
who can reach it. Run `python -m tools.fake_esendex_api --help` (or
`scripts/fake-esendex-api --help`); it prints one JSON line with its URLs once it
serves, then serves until SIGINT or SIGTERM.

Pushes are built and posted with tools/esendex_simulator.py. Like the simulator,
this module imports nothing from Home Assistant nor from the tests.
"""

import argparse
import asyncio
import base64
import binascii
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
import json
import logging
import re
import secrets
import signal
import sys
from typing import Any, Final, Literal
from urllib.parse import urlsplit
import uuid
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from tools.esendex_simulator import (
    FailureSpec,
    SimulatedNotification,
    build_inbound,
    build_status,
    float_in_range,
    int_in_range,
    make_session,
    post_with_retry,
)

# Named, not __name__: run with -m, that would be "__main__".
_LOGGER = logging.getLogger("tools.fake_esendex_api")

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_USERNAME: Final = "demo@example.com"
DEFAULT_PASSWORD: Final = "demo-esendex"  # noqa: S105 - the published demo login
DEFAULT_ACCOUNT_REFERENCE: Final = "EX0000000"
DEFAULT_ACCOUNT_ID: Final = "6145d724-98cb-41a2-8c4e-4b81ef694897"
DEFAULT_VIRTUAL_NUMBER: Final = "447860000000"
DEFAULT_CREDITS: Final = 1000
DEFAULT_RECEIPT_DELAY: Final = 1.0

API_PREFIX: Final = "/v1.0/"
CONTROL_PREFIX: Final = "/_fake/"
ESENDEX_NS: Final = "http://api.esendex.com/ns/"
# The host the documents' uri attributes name, as Esendex writes them.
URI_BASE: Final = "https://api.esendex.com/v1.0/"
# What MessageFailed carries for a number set to fail (a made-up reason).
FAILURE: Final = FailureSpec(code=1, detail="Unknown subscriber", permanent=True)

# Bounds: on what is kept, on what is accepted, and on how pushes are retried.
MAX_KEPT: Final = 10_000  # inbox messages, sent messages, requests seen
MAX_CREDITS: Final = 1_000_000_000
MAX_RECEIPT_DELAY: Final = 3600.0
MAX_FAIL_NUMBERS: Final = 100
MAX_TEXT_CHARS: Final = 10_000
MAX_ADDRESS_CHARS: Final = 64
MAX_MESSAGES_PER_DISPATCH: Final = 1000
MAX_PAGE_COUNT: Final = 1000
DEFAULT_PAGE_COUNT: Final = 15
PUSH_ATTEMPTS: Final = 3
PUSH_BACKOFF: Final = 0.5
PUSH_MAX_BACKOFF: Final = 5.0
PUSH_TIMEOUT: Final = 10.0
PUSH_CONCURRENCY: Final = 8
SHUTDOWN_TIMEOUT: Final = 2.0
# Esendex shows the first characters of a long SMS in the inbox's <summary>.
SUMMARY_CHARS: Final = 20

type Direction = Literal["Inbound", "Outbound"]

_MESSAGE_ID: Final = re.compile(r"[A-Za-z0-9-]{1,64}")
# Characters XML 1.0 cannot carry at all, escaped or not.
_NOT_XML_CHAR: Final = re.compile(
    "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


# ------------------------------------------------------------------------ state


@dataclass(frozen=True, slots=True)
class InboxItem:
    """An SMS received on the account: in the inbox, readable by its id."""

    message_id: str
    sender: str
    recipient: str
    text: str
    received_at: datetime


@dataclass(slots=True)
class SentItem:
    """A message sent through the messagedispatcher, and what became of it.

    `message_id` is in lower case, as the integration and the receipts write it
    (the dispatcher's answer has it in upper case, as Esendex writes it).
    `status` is Submitted until the receipt, then Delivered or Failed;
    `receipt_status` is the HTTP status the webhook answered the receipt with
    (None: no receipt posted, or no answer).
    """

    message_id: str
    to: str
    body: str
    originator: str
    sent_at: datetime
    batch_id: str
    status: str = "Submitted"
    receipt_status: int | None = None

    def as_json(self) -> dict[str, Any]:
        """Return what `GET /_fake/sent` shows of it."""
        return {
            "id": self.message_id,
            "to": self.to,
            "body": self.body,
            "from": self.originator,
            "sent_at": self.sent_at.isoformat(),
            "batch_id": self.batch_id,
            "status": self.status,
            "receipt_status": self.receipt_status,
        }


@dataclass(frozen=True, slots=True)
class SeenRequest:
    """One request the fake answered (API or control route)."""

    method: str
    path: str
    query: str


def number_key(number: str) -> str:
    """Return what two spellings of a number share: its digits (or the name)."""
    digits = re.sub(r"[^0-9]", "", number)
    return digits or number.strip().casefold()


@dataclass(slots=True)
class FakeEsendexAccount:
    """One Esendex login with one account: its settings, inbox and sent messages.

    `inbox` is newest first, as Esendex pages it; `sent` and `requests` oldest
    first. Each keeps its newest MAX_KEPT entries.
    """

    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    account_id: str = DEFAULT_ACCOUNT_ID
    account_reference: str = DEFAULT_ACCOUNT_REFERENCE
    virtual_number: str = DEFAULT_VIRTUAL_NUMBER
    credits: int = DEFAULT_CREDITS
    webhook_url: str | None = None
    receipt_delay: float = DEFAULT_RECEIPT_DELAY
    fail_numbers: set[str] = field(default_factory=set)
    inbox: list[InboxItem] = field(default_factory=list)
    sent: list[SentItem] = field(default_factory=list)
    requests: deque[SeenRequest] = field(default_factory=lambda: deque(maxlen=MAX_KEPT))

    def authorised(self, header: str | None) -> bool:
        """Return whether an Authorization header carries this login."""
        scheme, _, encoded = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            return False
        expected = f"{self.username}:{self.password}".encode()
        return secrets.compare_digest(given, expected)

    def is_reference(self, reference: str | None) -> bool:
        """Return whether this is the account's reference (in any case)."""
        return (reference or "").strip().casefold() == (
            self.account_reference.casefold()
        )

    def set_fail_numbers(self, numbers: Iterable[str]) -> None:
        """Make messages to these numbers fail (MessageFailed) instead."""
        self.fail_numbers = {number_key(number) for number in numbers}

    def is_failing(self, number: str) -> bool:
        """Return whether messages to this number fail."""
        return number_key(number) in self.fail_numbers

    def receive(
        self,
        sender: str,
        text: str,
        *,
        recipient: str | None = None,
        message_id: str | None = None,
    ) -> InboxItem:
        """Put an SMS that arrives first in the inbox, and return it."""
        item = InboxItem(
            message_id=message_id or str(uuid.uuid4()),
            sender=sender,
            recipient=recipient or self.virtual_number,
            text=text,
            received_at=datetime.now(UTC),
        )
        self.inbox.insert(0, item)
        del self.inbox[MAX_KEPT:]
        return item

    def find_inbound(self, message_id: str) -> InboxItem | None:
        """Return the inbox message with this id (in any case), if any."""
        wanted = message_id.lower()
        return next(
            (item for item in self.inbox if item.message_id.lower() == wanted), None
        )

    def find_sent(self, message_id: str) -> SentItem | None:
        """Return the sent message with this id (in any case), if any."""
        wanted = message_id.lower()
        return next((item for item in self.sent if item.message_id == wanted), None)

    def state(self, *, pending_receipts: int = 0) -> dict[str, Any]:
        """Return what `GET /_fake/state` shows."""
        return {
            "username": self.username,
            "account_id": self.account_id,
            "account_reference": self.account_reference,
            "virtual_number": self.virtual_number,
            "credits": self.credits,
            "webhook": self.webhook_url,
            "receipt_delay": self.receipt_delay,
            "fail_numbers": sorted(self.fail_numbers),
            "inbox_count": len(self.inbox),
            "sent_count": len(self.sent),
            "request_count": len(self.requests),
            "pending_receipts": pending_receipts,
        }


# -------------------------------------------------------------------------- XML


def _text(value: str) -> str:
    # A literal CR would be read back as LF (XML end-of-line handling).
    return escape(value, {"\r": "&#13;"})


def _attr(value: str) -> str:
    return quoteattr(value, {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})


def _document(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def _date(value: datetime) -> str:
    # Esendex's form: UTC with milliseconds and a Z.
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def accounts_document(account: FakeEsendexAccount, *, single: bool = False) -> str:
    """Return `GET accounts`, or with `single` `GET accounts/{id}` (<account>)."""
    uri = f"{URI_BASE}accounts/{account.account_id}"
    element = (
        f"<account id={_attr(account.account_id)} uri={_attr(uri)}"
        f"{f' xmlns={quoteattr(ESENDEX_NS)}' if single else ''}>"
        f"<reference>{_text(account.account_reference)}</reference>"
        "<label>Fake Esendex</label>"
        f"<address>{_text(account.virtual_number)}</address>"
        "<alias>Demo</alias><type>Professional</type>"
        f"<messagesremaining>{account.credits}</messagesremaining>"
        "<expireson>2099-12-31T00:00:00</expireson><role>PowerUser</role>"
        "<defaultdialcode>44</defaultdialcode>"
        f"<settings uri={_attr(uri + '/settings')} /></account>"
    )
    if single:
        return _document(element)
    return _document(f"<accounts xmlns={quoteattr(ESENDEX_NS)}>{element}</accounts>")


def _header_element(
    *,
    message_id: str,
    reference: str,
    status: str,
    when: tuple[str, datetime],
    recipient: str,
    sender: str,
    text: str,
    direction: Direction,
    root: bool,
) -> str:
    uri = f"{URI_BASE}messageheaders/{message_id}"
    summary = text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "..."
    namespace = f" xmlns={quoteattr(ESENDEX_NS)}" if root else ""
    when_name, when_value = when
    return (
        f"<messageheader id={_attr(message_id)} uri={_attr(uri)}{namespace}>"
        f"<reference>{_text(reference)}</reference><status>{status}</status>"
        f"<{when_name}>{_date(when_value)}</{when_name}><type>SMS</type>"
        f"<to><phonenumber>{_text(recipient)}</phonenumber></to>"
        f"<from><phonenumber>{_text(sender)}</phonenumber></from>"
        f"<summary>{_text(summary)}</summary>"
        f"<body id={_attr(message_id)} uri={_attr(uri + '/body')} />"
        f"<direction>{direction}</direction><parts>1</parts>"
        "<readat>0001-01-01T00:00:00Z</readat></messageheader>"
    )


def inbound_header(item: InboxItem, reference: str, *, root: bool = False) -> str:
    """Return an inbox message's <messageheader>: in a page, or as the root."""
    return _header_element(
        message_id=item.message_id,
        reference=reference,
        status="Submitted",
        when=("receivedat", item.received_at),
        recipient=item.recipient,
        sender=item.sender,
        text=item.text,
        direction="Inbound",
        root=root,
    )


def sent_header(item: SentItem, reference: str) -> str:
    """Return a sent message's <messageheader> root, as messageheaders/{id} does."""
    return _header_element(
        message_id=item.message_id.upper(),
        reference=reference,
        status=item.status,
        when=("submittedat", item.sent_at),
        recipient=item.to,
        sender=item.originator,
        text=item.body,
        direction="Outbound",
        root=True,
    )


def body_document(text: str) -> str:
    """Return `GET messageheaders/{id}/body`."""
    return _document(
        f"<messagebody xmlns={quoteattr(ESENDEX_NS)}>"
        f"<bodytext>{_text(text)}</bodytext>"
        "<characterset>GSM</characterset></messagebody>"
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].lower()


def _child_text(element: Element, name: str, *, strip: bool = True) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            text = child.text or ""
            return text.strip() if strip else text
    return None


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A messagedispatcher document, as read."""

    account_reference: str | None
    originator: str | None
    messages: list[tuple[str, str, str | None]]  # to, body, the message's own from


class DispatchError(ValueError):
    """A messagedispatcher document Esendex would refuse (400)."""


def parse_dispatch(data: bytes) -> Dispatch:
    """Read a messagedispatcher document; raise DispatchError if it is unusable."""
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (ParseError, LookupError, ValueError) as err:
        raise DispatchError(f"Bad Request: the body is not usable XML: {err}") from err
    if _local(root.tag) != "messages":
        raise DispatchError("Bad Request: the root element must be <messages>")
    messages: list[tuple[str, str, str | None]] = []
    for child in root:
        if _local(child.tag) != "message":
            continue
        # The text as sent, spaces and all; the rest without surrounding space.
        to, body = _child_text(child, "to"), _child_text(child, "body", strip=False)
        if not to or body is None:
            raise DispatchError("Bad Request: every <message> needs <to> and <body>")
        messages.append((to, body, _child_text(child, "from") or None))
    if not messages:
        raise DispatchError("Bad Request: there is no <message>")
    if len(messages) > MAX_MESSAGES_PER_DISPATCH:
        raise DispatchError(
            f"Bad Request: more than {MAX_MESSAGES_PER_DISPATCH} messages"
        )
    return Dispatch(
        _child_text(root, "accountreference"),
        _child_text(root, "from") or None,
        messages,
    )


# ----------------------------------------------------------------------- server

ACCOUNT_KEY: Final = web.AppKey("fake_esendex_account", FakeEsendexAccount)


def _xml(body: str) -> web.Response:
    return web.Response(text=body, content_type="application/xml", charset="utf-8")


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


def _json_error(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


class _InputError(ValueError):
    """A control request with unusable JSON (400)."""


def _optional(data: dict[str, Any], key: str, max_chars: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _InputError(f"{key!r} must be a string")
    if len(value) > max_chars:
        raise _InputError(f"{key!r} is longer than {max_chars} characters")
    if match := _NOT_XML_CHAR.search(value):
        raise _InputError(
            f"{key!r} has U+{ord(match.group()):04X}, which XML cannot carry"
        )
    return value


def _required(data: dict[str, Any], key: str, max_chars: int) -> str:
    if (value := _optional(data, key, max_chars)) is None:
        raise _InputError(f"{key!r} is required")
    return value


def _webhook(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _InputError("'webhook' must be a URL or null")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _InputError("'webhook' must be an http:// or https:// URL")
    return value


def _number_in(
    value: object, key: str, low: float, high: float, *, integer: bool
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InputError(f"{key!r} must be a number")
    if integer and not isinstance(value, int):
        raise _InputError(f"{key!r} must be a whole number")
    if not low <= value <= high:
        raise _InputError(f"{key!r} must be from {low:g} to {high:g}")
    return value


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _InputError(f"the body is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise _InputError("the body must be a JSON object")
    return data


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """What `POST /_fake/inbound` asks for, checked."""

    sender: str
    text: str
    recipient: str | None
    message_id: str | None
    push: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InboundRequest:
        """Check the JSON; raise _InputError for what cannot be an SMS."""
        sender = _required(data, "from", MAX_ADDRESS_CHARS).strip()
        recipient = _optional(data, "to", MAX_ADDRESS_CHARS)
        message_id = _optional(data, "id", MAX_ADDRESS_CHARS)
        push = data.get("push", True)
        if not sender or (recipient is not None and not recipient.strip()):
            raise _InputError("'from' and 'to' cannot be empty")
        if message_id is not None and not _MESSAGE_ID.fullmatch(message_id):
            raise _InputError("'id' must be letters, digits and dashes")
        if not isinstance(push, bool):
            raise _InputError("'push' must be true or false")
        return cls(
            sender=sender,
            text=_required(data, "text", MAX_TEXT_CHARS),
            recipient=None if recipient is None else recipient.strip(),
            message_id=message_id,
            push=push,
        )


_SETTINGS: Final = frozenset({"webhook", "credits", "receipt_delay", "fail_numbers"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What `POST /_fake/config` sets: every setting, changed or not."""

    webhook: str | None
    credits: int
    receipt_delay: float
    fail_numbers: list[str]

    @classmethod
    def from_json(cls, data: dict[str, Any], account: FakeEsendexAccount) -> Settings:
        """Check the JSON, taking what it leaves out from the account."""
        if unknown := set(data) - _SETTINGS:
            raise _InputError(f"unknown settings: {', '.join(sorted(unknown))}")
        numbers = data.get("fail_numbers", sorted(account.fail_numbers))
        if (
            not isinstance(numbers, list)
            or len(numbers) > MAX_FAIL_NUMBERS
            or not all(isinstance(number, str) and number.strip() for number in numbers)
        ):
            raise _InputError(
                f"'fail_numbers' must be a list of up to {MAX_FAIL_NUMBERS} numbers"
            )
        return cls(
            webhook=_webhook(data.get("webhook", account.webhook_url)),
            credits=int(
                _number_in(
                    data.get("credits", account.credits),
                    "credits",
                    0,
                    MAX_CREDITS,
                    integer=True,
                )
            ),
            receipt_delay=float(
                _number_in(
                    data.get("receipt_delay", account.receipt_delay),
                    "receipt_delay",
                    0,
                    MAX_RECEIPT_DELAY,
                    integer=False,
                )
            ),
            fail_numbers=numbers,
        )

    def apply(self, account: FakeEsendexAccount) -> None:
        """Change the account's settings to these."""
        account.webhook_url = self.webhook
        account.credits = self.credits
        account.receipt_delay = self.receipt_delay
        account.set_fail_numbers(self.fail_numbers)


class FakeEsendexServer:
    """The routes of one fake, and the pushes it has under way.

    `create_app()` wires one into an aiohttp application; its HTTP session for
    pushes lives from the application's start to its cleanup, which cancels (and
    awaits) every receipt still waiting.
    """

    def __init__(self, account: FakeEsendexAccount) -> None:
        """Serve this account."""
        self.account = account
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending_receipts(self) -> int:
        """Return how many receipts are waiting or being posted."""
        return len(self._tasks)

    async def wait_receipts(self) -> None:
        """Wait until every receipt scheduled so far was posted (or gave up)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def lifetime(self, _app: web.Application) -> AsyncIterator[None]:
        """Open the push session at start-up; at cleanup stop every receipt."""
        self._session = make_session(concurrency=PUSH_CONCURRENCY)
        try:
            yield
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._session.close()
            self._session = None

    # --- the request log and the login ----------------------------------------

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Record every request; refuse API requests without the login."""
        self.account.requests.append(
            SeenRequest(request.method, request.path, request.query_string)
        )
        if request.path.startswith(API_PREFIX) and not self.account.authorised(
            request.headers.get(aiohttp.hdrs.AUTHORIZATION)
        ):
            return _plain(HTTPStatus.UNAUTHORIZED, "Unauthorised")
        return await handler(request)

    # --- Esendex's API --------------------------------------------------------

    async def get_accounts(self, _request: web.Request) -> web.Response:
        """GET /v1.0/accounts: the login's one account, with its credits."""
        return _xml(accounts_document(self.account))

    async def get_account(self, request: web.Request) -> web.Response:
        """GET /v1.0/accounts/{id}: the account, if that is its id."""
        if request.match_info["id"].lower() != self.account.account_id.lower():
            return _plain(HTTPStatus.NOT_FOUND, "Not Found")
        return _xml(accounts_document(self.account, single=True))

    async def post_dispatch(self, request: web.Request) -> web.Response:
        """POST /v1.0/messagedispatcher: send, deduct credits, schedule receipts."""
        account = self.account
        try:
            dispatch = parse_dispatch(await request.read())
        except DispatchError as err:
            return _plain(HTTPStatus.BAD_REQUEST, str(err))
        if not account.is_reference(dispatch.account_reference):
            return _plain(HTTPStatus.FORBIDDEN, "Not authorised")
        if account.credits < len(dispatch.messages):
            return _plain(HTTPStatus.PAYMENT_REQUIRED, "Insufficient credits")
        account.credits -= len(dispatch.messages)
        batch_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        items = [
            SentItem(
                message_id=str(uuid.uuid4()),
                to=to,
                body=body,
                originator=own_from or dispatch.originator or account.virtual_number,
                sent_at=now,
                batch_id=batch_id,
            )
            for to, body, own_from in dispatch.messages
        ]
        account.sent.extend(items)
        del account.sent[:-MAX_KEPT]
        for item in items:
            _LOGGER.info("Sent %s to %s: %r", item.message_id, item.to, item.body)
            if account.receipt_delay > 0:
                self._spawn(
                    self._receipt(item, account.receipt_delay),
                    f"receipt for {item.message_id}",
                )
        # Esendex writes these GUIDs in upper case.
        headers = "".join(
            f"<messageheader uri={_attr(URI_BASE + 'messageheaders/' + ident)} "
            f"id={_attr(ident)} />"
            for ident in (item.message_id.upper() for item in items)
        )
        return _xml(
            _document(
                f"<messageheaders batchid={_attr(batch_id.upper())} "
                f"xmlns={quoteattr(ESENDEX_NS)}>{headers}</messageheaders>"
            )
        )

    async def get_inbox(self, request: web.Request) -> web.Response:
        """GET /v1.0/inbox/{reference}/messages: one page, newest first."""
        account = self.account
        reference = request.match_info.get("reference")
        if reference is not None and not account.is_reference(reference):
            return _plain(HTTPStatus.FORBIDDEN, "Not authorised")
        query = {key.lower(): value for key, value in request.query.items()}
        try:
            start = int(query.get("startindex", "0"))
            size = int(query.get("count", str(DEFAULT_PAGE_COUNT)))
        except ValueError:
            return _plain(HTTPStatus.BAD_REQUEST, "Bad Request: startIndex, count")
        if start < 0 or not 1 <= size <= MAX_PAGE_COUNT:
            return _plain(HTTPStatus.BAD_REQUEST, "Bad Request: startIndex, count")
        page = account.inbox[start : start + size]
        headers = "".join(
            inbound_header(item, account.account_reference) for item in page
        )
        return _xml(
            _document(
                f'<messageheaders startindex="{start}" count="{len(page)}" '
                f'totalcount="{len(account.inbox)}" xmlns={quoteattr(ESENDEX_NS)}>'
                f"{headers}</messageheaders>"
            )
        )

    async def get_header(self, request: web.Request) -> web.Response:
        """GET /v1.0/messageheaders/{id}: a received or a sent message."""
        account = self.account
        message_id = request.match_info["id"]
        if (inbound := account.find_inbound(message_id)) is not None:
            header = inbound_header(inbound, account.account_reference, root=True)
            return _xml(_document(header))
        if (sent := account.find_sent(message_id)) is not None:
            return _xml(_document(sent_header(sent, account.account_reference)))
        return _plain(HTTPStatus.NOT_FOUND, "Not Found")

    async def get_body(self, request: web.Request) -> web.Response:
        """GET /v1.0/messageheaders/{id}/body: the full text."""
        message_id = request.match_info["id"]
        if (inbound := self.account.find_inbound(message_id)) is not None:
            return _xml(body_document(inbound.text))
        if (sent := self.account.find_sent(message_id)) is not None:
            return _xml(body_document(sent.body))
        return _plain(HTTPStatus.NOT_FOUND, "Not Found")

    # --- control routes -------------------------------------------------------

    async def post_inbound(self, request: web.Request) -> web.Response:
        """POST /_fake/inbound: an SMS arrives; keep it, then push it.

        JSON `{"from": ..., "text": ..., "to"?: ..., "id"?: ..., "push"?: true}`;
        answers `{"id": ..., "push_status": <the webhook's HTTP status, or null>}`.
        With `"push": false` (or no webhook) the SMS is only put in the inbox, as
        when a push is missed, for the inbox catch-up to find.
        """
        account = self.account
        try:
            wanted = InboundRequest.from_json(await _json_object(request))
        except _InputError as err:
            return _json_error(HTTPStatus.BAD_REQUEST, str(err))
        if wanted.message_id is not None and (
            account.find_inbound(wanted.message_id)
            or account.find_sent(wanted.message_id)
        ):
            return _json_error(HTTPStatus.CONFLICT, f"{wanted.message_id!r} exists")
        item = account.receive(
            wanted.sender,
            wanted.text,
            recipient=wanted.recipient,
            message_id=wanted.message_id,
        )
        _LOGGER.info("Received %s from %s: %r", item.message_id, item.sender, item.text)
        status: int | None = None
        if wanted.push and account.webhook_url is not None:
            note = build_inbound(
                text=item.text,
                sender=item.sender,
                recipient=item.recipient,
                message_id=item.message_id,
                account_id=account.account_id,
            )
            status = await self._push(account.webhook_url, note)
        return web.json_response({"id": item.message_id, "push_status": status})

    async def get_sent(self, _request: web.Request) -> web.Response:
        """GET /_fake/sent: every message sent, oldest first, as JSON."""
        return web.json_response([item.as_json() for item in self.account.sent])

    async def get_state(self, _request: web.Request) -> web.Response:
        """GET /_fake/state: credits, counts and settings, as JSON."""
        return web.json_response(
            self.account.state(pending_receipts=self.pending_receipts)
        )

    async def post_config(self, request: web.Request) -> web.Response:
        """POST /_fake/config: change settings; answers the state.

        JSON with any of `"webhook"` (a URL, or null for none), `"credits"`,
        `"receipt_delay"` (seconds, 0 for no receipts) and `"fail_numbers"`.
        Nothing changes unless all of them are usable.
        """
        try:
            settings = Settings.from_json(await _json_object(request), self.account)
        except _InputError as err:
            return _json_error(HTTPStatus.BAD_REQUEST, str(err))
        settings.apply(self.account)
        return web.json_response(
            self.account.state(pending_receipts=self.pending_receipts)
        )

    # --- pushes ---------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            _LOGGER.error("%s failed", task.get_name(), exc_info=error)

    async def _receipt(self, item: SentItem, delay: float) -> None:
        await asyncio.sleep(delay)
        account = self.account
        failing = account.is_failing(item.to)
        item.status = "Failed" if failing else "Delivered"
        if account.webhook_url is None:
            return
        note = build_status(
            "failed" if failing else "delivered",
            message_id=item.message_id,
            account_id=account.account_id,
            failure=FAILURE if failing else None,
        )
        item.receipt_status = await self._push(account.webhook_url, note)

    async def _push(self, url: str, note: SimulatedNotification) -> int | None:
        assert self._session is not None, "the application has not started"
        delivery = await post_with_retry(
            self._session,
            url,
            note.body,
            max_attempts=PUSH_ATTEMPTS,
            backoff=PUSH_BACKOFF,
            max_backoff=PUSH_MAX_BACKOFF,
            request_timeout=PUSH_TIMEOUT,
            notification=note,
        )
        last = delivery.attempts[-1]
        _LOGGER.info(
            "Pushed %s %s to %s: %s", note.root, note.message_id, url, last.label
        )
        return last.status


SERVER_KEY: Final = web.AppKey("fake_esendex_server", FakeEsendexServer)


def create_app(account: FakeEsendexAccount | None = None) -> web.Application:
    """Return the fake as an aiohttp application; `app[ACCOUNT_KEY]` is its state.

    The server behind it is `app[SERVER_KEY]`.
    """
    server = FakeEsendexServer(account or FakeEsendexAccount())
    app = web.Application(middlewares=[server.middleware])
    app[ACCOUNT_KEY] = server.account
    app[SERVER_KEY] = server
    app.cleanup_ctx.append(server.lifetime)
    api = API_PREFIX
    app.router.add_get(f"{api}accounts", server.get_accounts)
    app.router.add_get(f"{api}accounts/{{id}}", server.get_account)
    app.router.add_post(f"{api}messagedispatcher", server.post_dispatch)
    app.router.add_get(f"{api}inbox/messages", server.get_inbox)
    app.router.add_get(f"{api}inbox/{{reference}}/messages", server.get_inbox)
    app.router.add_get(f"{api}messageheaders/{{id}}", server.get_header)
    app.router.add_get(f"{api}messageheaders/{{id}}/body", server.get_body)
    control = CONTROL_PREFIX
    app.router.add_post(f"{control}inbound", server.post_inbound)
    app.router.add_get(f"{control}sent", server.get_sent)
    app.router.add_get(f"{control}state", server.get_state)
    app.router.add_post(f"{control}config", server.post_config)
    return app


# -------------------------------------------------------------------------- CLI


def _url(text: str) -> str:
    try:
        return _webhook(text) or ""
    except _InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(
        prog="fake-esendex-api",
        description=(
            "Serve a fake of Esendex's REST API (for tests and the demo; it is not "
            "Esendex and sends no SMS). Prints one JSON line with its URLs, then "
            "serves until SIGINT or SIGTERM. Control routes under /_fake/ need no "
            "login: keep it on a loopback address."
        ),
    )
    add = parser.add_argument
    add("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    add(
        "--port",
        type=int_in_range(0, 65535),
        default=0,
        help="port to bind; 0 (the default) picks a free one",
    )
    add("--username", default=DEFAULT_USERNAME, help="default %(default)s")
    add("--password", default=DEFAULT_PASSWORD, help="default %(default)s")
    add(
        "--account-reference",
        default=DEFAULT_ACCOUNT_REFERENCE,
        help="default %(default)s",
    )
    add("--account-id", default=DEFAULT_ACCOUNT_ID, help="default %(default)s")
    add(
        "--virtual-number",
        default=DEFAULT_VIRTUAL_NUMBER,
        help="the account's number, which SMS are sent to (default %(default)s)",
    )
    add(
        "--credits",
        type=int_in_range(0, MAX_CREDITS),
        default=DEFAULT_CREDITS,
        help="messages the account can send (default %(default)s)",
    )
    add(
        "--webhook",
        type=_url,
        default=None,
        help="the integration's webhook URL, for receipts and inbound pushes",
    )
    add(
        "--receipt-delay",
        type=float_in_range(0.0, MAX_RECEIPT_DELAY),
        default=DEFAULT_RECEIPT_DELAY,
        help="seconds from a send to its receipt; 0 for none (default %(default)s)",
    )
    add(
        "--fail-number",
        action="append",
        default=[],
        metavar="NUMBER",
        help="messages to this number get MessageFailed (repeatable)",
    )
    add("--verbose", action="store_true", help="log each send, receipt and push")
    return parser


def account_from_args(args: argparse.Namespace) -> FakeEsendexAccount:
    """Return the account the parsed options describe."""
    account = FakeEsendexAccount(
        username=args.username,
        password=args.password,
        account_id=args.account_id,
        account_reference=args.account_reference,
        virtual_number=args.virtual_number,
        credits=args.credits,
        webhook_url=args.webhook,
        receipt_delay=args.receipt_delay,
    )
    account.set_fail_numbers(args.fail_number)
    return account


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def started_line(account: FakeEsendexAccount, host: str, port: int) -> str:
    """Return the JSON line printed once the server listens."""
    origin = _origin(host, port)
    return json.dumps(
        {
            "api_url": f"{origin}{API_PREFIX}",
            "control_url": f"{origin}{CONTROL_PREFIX}",
            "webhook": account.webhook_url,
            "username": account.username,
            "account_reference": account.account_reference,
            "account_id": account.account_id,
            "virtual_number": account.virtual_number,
        }
    )


async def serve(
    account: FakeEsendexAccount,
    host: str,
    port: int,
    stop: asyncio.Event,
    *,
    on_started: Callable[[str], None],
) -> None:
    """Serve the account until `stop` is set; `on_started` gets the JSON line."""
    runner = web.AppRunner(
        create_app(account), shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port: int = runner.addresses[0][1]
        on_started(started_line(account, host, bound_port))
        await stop.wait()
    finally:
        await runner.cleanup()


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def async_main(
    argv: Sequence[str] | None = None, *, stop: asyncio.Event | None = None
) -> int:
    """Run the command line in a running loop until SIGINT, SIGTERM or `stop`."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        await serve(
            account_from_args(args), args.host, args.port, stop, on_started=_print_line
        )
    except OSError as err:
        sys.stderr.write(f"fake-esendex-api: cannot serve: {err}\n")
        return 1
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    return asyncio.run(async_main(argv))


if __name__ == "__main__":
    sys.exit(main())
