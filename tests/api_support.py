"""A stateful fake of Esendex's REST API behind `aioclient_mock`, and an API entry.

The fake answers what the integration's own client sends through Home Assistant's
shared aiohttp session, as Esendex would: it checks the Basic credentials, keeps the
account's credits, pages its inbox newest first and serves message headers by id
and full message bodies, all in the XML shapes of
/work/shared/reference/esendex-protocol.md. Tests change its state (an SMS lands in
the inbox, the password is changed, credits run out) or make one route (or the
header or body of one message) fail, hang or time out, and read back what was
requested.
"""

import asyncio
import base64
from collections import defaultdict
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import count
import re
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from custom_components.esendex.const import (
    CONF_ACCOUNT_ID,
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
)

from .conftest import WEBHOOK_ID

API_HOST = "api.esendex.com"
ESENDEX_NS = "http://api.esendex.com/ns/"
ACCOUNT_ID = "597e91b3-cf71-4950-8b4f-8728fe13793f"
ACCOUNT_REFERENCE = "EX998877"
VIRTUAL_NUMBER = "447860000000"
USERNAME = "owner@example.com"
PASSWORD = "api-pässword"  # noqa: S105 - a made-up login
API_ENTRY_ID = "01JESENDEXAPIENTRY0000000"

ACCOUNTS = "accounts"
DISPATCH = "messagedispatcher"
INBOX = "inbox"
BODY = "body"
HEADER = "header"

_INBOX_PATH = re.compile(r"/v1\.0/inbox/(?P<reference>[^/]+)/messages")
_BODY_PATH = re.compile(r"/v1\.0/messageheaders/(?P<id>[^/]+)/body")
_HEADER_PATH = re.compile(r"/v1\.0/messageheaders/(?P<id>[^/]+)")
# Esendex shows the first characters of a long SMS in the inbox's <summary>.
_SUMMARY_CHARS = 20


def add_api_entry(
    hass: HomeAssistant,
    *,
    options: dict[str, Any] | None = None,
    entry_id: str = API_ENTRY_ID,
    webhook_id: str = WEBHOOK_ID,
) -> MockConfigEntry:
    """Add (without setting it up) an entry with API credentials, as the flow makes."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        unique_id=ACCOUNT_ID,
        data={
            CONF_WEBHOOK_ID: webhook_id,
            CONF_CLOUDHOOK: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_ACCOUNT_REFERENCE: ACCOUNT_REFERENCE,
        },
        options={CONF_ACCOUNT_ID: ACCOUNT_ID, **(options or {})},
        entry_id=entry_id,
    )
    entry.add_to_hass(hass)
    return entry


async def async_settle(hass: HomeAssistant) -> None:
    """Wait for everything, the background inbox catch-up included."""
    await hass.async_block_till_done(wait_background_tasks=True)


def inbound_push(
    message_id: str,
    text: str,
    *,
    notification_id: str | None = None,
    sender: str = "447700900123",
    recipient: str = VIRTUAL_NUMBER,
) -> str:
    """Return an InboundMessage push as Esendex posts it to the webhook."""
    return (
        f"<InboundMessage><Id>{notification_id or 'push-' + message_id}</Id>"
        f"<MessageId>{message_id}</MessageId><AccountId>{ACCOUNT_ID}</AccountId>"
        f"<MessageText>{escape(text)}</MessageText><From>{escape(sender)}</From>"
        f"<To>{escape(recipient)}</To></InboundMessage>"
    )


def receipt_push(
    message_id: str,
    *,
    root: str = "MessageDelivered",
    notification_id: str = "bece4d20-779c-4778-b08c-438a13cca5c9",
    occurred_at: str = "2026-05-04T09:15:00",
) -> str:
    """Return a MessageDelivered or MessageFailed push for an outbound message."""
    return (
        f"<{root}><Id>{notification_id}</Id><MessageId>{message_id}</MessageId>"
        f"<AccountId>{ACCOUNT_ID}</AccountId>"
        f"<OccurredAt>\n{occurred_at}\n</OccurredAt></{root}>"
    )


@dataclass(frozen=True, slots=True)
class InboxItem:
    """An inbound SMS kept in the account's inbox."""

    message_id: str  # as Esendex writes it, in either letter case
    sender: str
    text: str
    received_at: str | None  # as Esendex writes it; None leaves <receivedat> out

    def header(self, reference: str, *, root: bool = False) -> str:
        """Return the item's <messageheader> in an inbox page, or as the root.

        As the root it is what GET /v1.0/messageheaders/{id} answers.
        """
        summary = self.text
        if len(summary) > _SUMMARY_CHARS:
            summary = summary[:_SUMMARY_CHARS] + "..."
        uri = f"https://{API_HOST}/v1.0/messageheaders/{self.message_id}"
        received = (
            ""
            if self.received_at is None
            else f"<receivedat>{self.received_at}</receivedat>"
        )
        namespace = f" xmlns={quoteattr(ESENDEX_NS)}" if root else ""
        return (
            f"<messageheader id={quoteattr(self.message_id)} uri={quoteattr(uri)}"
            f"{namespace}>"
            f"<reference>{reference}</reference><status>Submitted</status>"
            f"{received}<type>SMS</type>"
            f"<to><phonenumber>{VIRTUAL_NUMBER}</phonenumber></to>"
            f"<from><phonenumber>{self.sender}</phonenumber></from>"
            f"<summary>{escape(summary)}</summary>"
            f"<body id={quoteattr(self.message_id)} uri={quoteattr(uri + '/body')} />"
            "<direction>Inbound</direction><parts>1</parts>"
            "<readat>0001-01-01T00:00:00Z</readat></messageheader>"
        )


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A messagedispatcher document, as Esendex reads it."""

    root: Element
    account_reference: str | None
    originator: str | None
    validity: str | None
    messages: list[dict[str, str | None]]


@dataclass(frozen=True, slots=True)
class Request:
    """One request the integration made."""

    method: str
    route: str
    url: URL
    headers: dict[str, str]


@dataclass(slots=True)
class Hold:
    """Keeps a route's next answer back until released."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let the held answer go."""
        self.released.set()


@dataclass(frozen=True, slots=True)
class Failure:
    """An answer other than the normal one: a status and text, or an exception."""

    status: int
    text: str
    exc: BaseException | None


def _body_key(message_id: str) -> str:
    """Return the key of one message's body among the failures and holds."""
    return f"{BODY} {message_id.lower()}"


def _header_key(message_id: str) -> str:
    """Return the key of one message's header among the failures and holds."""
    return f"{HEADER} {message_id.lower()}"


def _xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return child.text
    return None


class FakeEsendex:
    """Esendex's REST API, with state, answering through `aioclient_mock`."""

    def __init__(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Answer every request of the shared session from here."""
        self.username = USERNAME
        self.password = PASSWORD
        self.messages_remaining = 19
        self.inbox: list[InboxItem] = []  # newest first, as Esendex pages it
        self.dispatches: list[Dispatch] = []
        self.requests: list[Request] = []
        self.unexpected: list[str] = []
        self._mock = aioclient_mock
        self._failures: defaultdict[str, list[Failure]] = defaultdict(list)
        self._holds: dict[str, Hold] = {}
        self._ids = count(1)
        for method in ("GET", "POST", "PUT", "DELETE"):
            aioclient_mock.request(method, re.compile(""), side_effect=self._answer)

    # --- what tests change -------------------------------------------------

    def receive(
        self,
        message_id: str,
        text: str,
        received_at: str | None,
        *,
        sender: str = "447700900123",
    ) -> InboxItem:
        """An SMS arrives in the inbox (after every one already there)."""
        item = InboxItem(message_id, sender, text, received_at)
        self.inbox.insert(0, item)
        return item

    def fail(
        self,
        route: str,
        status: int = HTTPStatus.OK,
        text: str = "",
        *,
        exc: BaseException | None = None,
        times: int = 1,
    ) -> None:
        """Answer the route's next `times` requests with this instead."""
        self._failures[route].extend([Failure(status, text, exc)] * times)

    def fail_body(
        self,
        message_id: str,
        status: int = HTTPStatus.INTERNAL_SERVER_ERROR,
        text: str = "Internal Server Error",
        *,
        exc: BaseException | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` reads of one message's body with this instead.

        Reads of other bodies are answered as usual.
        """
        self.fail(_body_key(message_id), status, text, exc=exc, times=times)

    def hold(self, route: str) -> Hold:
        """Keep the route's next answer back until the returned hold is released."""
        hold = self._holds[route] = Hold()
        return hold

    def hold_body(self, message_id: str) -> Hold:
        """Keep the next answer for one message's body back until released."""
        return self.hold(_body_key(message_id))

    def fail_header(
        self,
        message_id: str,
        status: int = HTTPStatus.INTERNAL_SERVER_ERROR,
        text: str = "Internal Server Error",
        *,
        exc: BaseException | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` reads of one message's header with this instead.

        Reads of other headers are answered as usual.
        """
        self.fail(_header_key(message_id), status, text, exc=exc, times=times)

    def hold_header(self, message_id: str) -> Hold:
        """Keep the next answer for one message's header back until released."""
        return self.hold(_header_key(message_id))

    # --- what tests read ---------------------------------------------------

    def count(self, route: str) -> int:
        """Return how many requests were made to a route."""
        return sum(request.route == route for request in self.requests)

    def body_reads(self, message_id: str) -> int:
        """Return how many times one message's body was requested."""
        wanted = message_id.lower()
        return sum(
            request.route == BODY
            and request.url.path.lower() == f"/v1.0/messageheaders/{wanted}/body"
            for request in self.requests
        )

    def header_reads(self, message_id: str) -> int:
        """Return how many times one message's header was requested."""
        wanted = message_id.lower()
        return sum(
            request.route == HEADER
            and request.url.path.lower() == f"/v1.0/messageheaders/{wanted}"
            for request in self.requests
        )

    def inbox_pages(self) -> list[tuple[str, str]]:
        """Return the (startIndex, count) of every inbox page requested."""
        return [
            (request.url.query["startIndex"], request.url.query["count"])
            for request in self.requests
            if request.route == INBOX
        ]

    # --- the API -----------------------------------------------------------

    async def _answer(
        self, method: str, url: URL, data: Any
    ) -> AiohttpClientMockResponse:
        method = method.upper()
        headers = self._mock.mock_calls[-1][3] or {}
        route, match = self._route(method, url)
        self.requests.append(Request(method, route, url, dict(headers)))
        # What was set for the route, then for this message's body in particular.
        keys = [route]
        if route == BODY and match is not None:
            keys.append(_body_key(match["id"]))
        if route == HEADER and match is not None:
            keys.append(_header_key(match["id"]))
        failure = next(
            (self._failures[key].pop(0) for key in keys if self._failures[key]), None
        )
        for key in keys:
            if (hold := self._holds.pop(key, None)) is not None:
                hold.reached.set()
                await hold.released.wait()
        if failure is not None:
            return AiohttpClientMockResponse(
                method, url, status=failure.status, text=failure.text, exc=failure.exc
            )
        if route == "unexpected":
            self.unexpected.append(f"{method} {url}")
            return self._plain(method, url, HTTPStatus.NOT_FOUND, "Not Found")
        if not self._authorised(headers):
            return self._plain(method, url, HTTPStatus.UNAUTHORIZED, "Unauthorised")
        handler = {
            ACCOUNTS: self._accounts,
            DISPATCH: self._dispatch,
            INBOX: self._inbox,
            BODY: self._body,
            HEADER: self._header,
        }[route]
        return handler(method, url, data, match)

    def _route(self, method: str, url: URL) -> tuple[str, re.Match[str] | None]:
        if url.scheme != "https" or url.host != API_HOST:
            return "unexpected", None
        if method == "GET" and url.path == "/v1.0/accounts":
            return ACCOUNTS, None
        if method == "POST" and url.path == "/v1.0/messagedispatcher":
            return DISPATCH, None
        for route, path in (
            (INBOX, _INBOX_PATH),
            (BODY, _BODY_PATH),
            (HEADER, _HEADER_PATH),
        ):
            if method == "GET" and (match := path.fullmatch(url.path)):
                return route, match
        return "unexpected", None

    def _authorised(self, headers: dict[str, str]) -> bool:
        scheme, _, encoded = headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        expected = f"{self.username}:{self.password}".encode()
        return base64.b64decode(encoded) == expected

    @staticmethod
    def _plain(
        method: str, url: URL, status: int, text: str
    ) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method,
            url,
            status=status,
            text=text,
            headers={"Content-Type": "text/plain"},
        )

    @staticmethod
    def _ok(method: str, url: URL, body: str) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(
            method,
            url,
            text=_xml(body),
            headers={"Content-Type": "application/xml; charset=utf-8"},
        )

    def _accounts(
        self, method: str, url: URL, data: Any, match: re.Match[str] | None
    ) -> AiohttpClientMockResponse:
        return self._ok(method, url, self._accounts_document())

    def _accounts_document(self) -> str:
        return (
            f'<accounts xmlns="{ESENDEX_NS}">'
            # Another account of the same login comes first: the reference decides.
            '<account id="B7A8E4C2-5D1F-4E6A-9C3B-2F1E0D9C8B7A" uri="https://'
            f'{API_HOST}/v1.0/accounts/B7A8E4C2-5D1F-4E6A-9C3B-2F1E0D9C8B7A">'
            "<reference>EX112233</reference><label /><address>447700900999</address>"
            "<type>Professional</type><messagesremaining>0</messagesremaining>"
            "<expireson>0001-01-01T00:00:00Z</expireson><role>User</role></account>"
            f'<account id="{ACCOUNT_ID}" '
            f'uri="https://{API_HOST}/v1.0/accounts/{ACCOUNT_ID}">'
            f"<reference>{ACCOUNT_REFERENCE}</reference><label>Primary</label>"
            f"<address>{VIRTUAL_NUMBER}</address><alias>Home</alias>"
            "<type>Professional</type>"
            f"<messagesremaining>{self.messages_remaining}</messagesremaining>"
            "<expireson>2099-09-04T00:00:00</expireson><role>PowerUser</role>"
            "<defaultdialcode>44</defaultdialcode>"
            f'<settings uri="https://{API_HOST}/v1.0/accounts/{ACCOUNT_ID}/settings" />'
            "</account></accounts>"
        )

    def _dispatch(
        self, method: str, url: URL, data: Any, match: re.Match[str] | None
    ) -> AiohttpClientMockResponse:
        root = fromstring(data)
        messages = [
            {"to": _child_text(child, "to"), "body": _child_text(child, "body")}
            for child in root
            if _local(child.tag) == "message"
        ]
        dispatch = Dispatch(
            root,
            _child_text(root, "accountreference"),
            _child_text(root, "from"),
            _child_text(root, "validity"),
            messages,
        )
        self.dispatches.append(dispatch)
        if (dispatch.account_reference or "").lower() != ACCOUNT_REFERENCE.lower():
            return self._plain(method, url, HTTPStatus.FORBIDDEN, "Not authorised")
        if self.messages_remaining < len(messages):
            return self._plain(
                method, url, HTTPStatus.PAYMENT_REQUIRED, "Insufficient credits"
            )
        self.messages_remaining -= len(messages)
        # Esendex writes these GUIDs in upper case.
        ids = [f"1183C73D-2E62-4F60-B610-{next(self._ids):012X}" for _ in messages]
        headers = "".join(
            f'<messageheader uri="https://{API_HOST}/v1.0/messageheaders/{id_}" '
            f'id="{id_}" />'
            for id_ in ids
        )
        return self._ok(
            method,
            url,
            '<messageheaders batchid="F8BF9867-FF81-49E4-ACC5-774DE793B776" '
            f'xmlns="{ESENDEX_NS}">{headers}</messageheaders>',
        )

    def _inbox(
        self, method: str, url: URL, data: Any, match: re.Match[str] | None
    ) -> AiohttpClientMockResponse:
        assert match is not None
        if match["reference"].lower() != ACCOUNT_REFERENCE.lower():
            return self._plain(method, url, HTTPStatus.FORBIDDEN, "Not authorised")
        query = {key.lower(): value for key, value in url.query.items()}
        start, size = int(query.get("startindex", 0)), int(query.get("count", 15))
        page = self.inbox[start : start + size]
        headers = "".join(item.header(ACCOUNT_REFERENCE) for item in page)
        return self._ok(
            method,
            url,
            f'<messageheaders startindex="{start}" count="{len(page)}" '
            f'totalcount="{len(self.inbox)}" xmlns="{ESENDEX_NS}">'
            f"{headers}</messageheaders>",
        )

    def _body(
        self, method: str, url: URL, data: Any, match: re.Match[str] | None
    ) -> AiohttpClientMockResponse:
        assert match is not None
        wanted = match["id"].lower()
        for item in self.inbox:
            if item.message_id.lower() == wanted:
                return self._ok(
                    method,
                    url,
                    f'<messagebody xmlns="{ESENDEX_NS}">'
                    f"<bodytext>{escape(item.text)}</bodytext>"
                    "<characterset>GSM</characterset></messagebody>",
                )
        return self._plain(method, url, HTTPStatus.NOT_FOUND, "Not Found")

    def _header(
        self, method: str, url: URL, data: Any, match: re.Match[str] | None
    ) -> AiohttpClientMockResponse:
        assert match is not None
        wanted = match["id"].lower()
        for item in self.inbox:
            if item.message_id.lower() == wanted:
                return self._ok(method, url, item.header(ACCOUNT_REFERENCE, root=True))
        return self._plain(method, url, HTTPStatus.NOT_FOUND, "Not Found")
