"""Tests for the Esendex REST client (custom_components/esendex/api.py).

Every call goes over a real socket to a fake Esendex on 127.0.0.1, so the request
the client builds (method, path, query, headers, XML body) is checked as sent.
"""

import asyncio
from base64 import b64encode
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
import re
import socket
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from defusedxml.ElementTree import fromstring
from multidict import CIMultiDictProxy
import pytest

from custom_components.esendex import api
from custom_components.esendex.api import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
    MAX_VALIDITY_HOURS,
    USER_AGENT,
    Account,
    AccountNotFoundError,
    AddressProblem,
    EsendexAuthError,
    EsendexClient,
    EsendexConnectionError,
    EsendexCreditsError,
    EsendexError,
    EsendexRequestError,
    EsendexResponseError,
    EsendexServerError,
    EsendexStatusError,
    InboxMessage,
    InboxPage,
    InvalidAddressError,
    MessageNotFoundError,
    OutboundMessage,
    SentMessage,
    StoredMessage,
    normalise_recipient,
    validate_originator,
)

FIXTURES = Path(__file__).parent / "fixtures" / "api"
NS = "{http://api.esendex.com/ns/}"
USERNAME = "user@example.com"
# "€" is not in Latin-1, aiohttp's default encoding for Basic auth.
PASSWORD = "pass€word:1"  # noqa: S105 - a made-up login
REFERENCE = "EX998877"
MESSAGE_ID = "d6258601-3442-484f-b2ac-300088a8a4d4"

ACCOUNTS_PATH = "/v1.0/accounts"
SEND_PATH = "/v1.0/messagedispatcher"
INBOX_PATH = f"/v1.0/inbox/{REFERENCE}/messages"
BODY_PATH = f"/v1.0/messageheaders/{MESSAGE_ID}/body"
HEADER_PATH = f"/v1.0/messageheaders/{MESSAGE_ID}"

ACCOUNTS = [
    Account(
        id="597e91b3-cf71-4950-8b4f-8728fe13793f",
        reference="EX998877",
        label="Primary",
        address="4477123456789",
        messages_remaining=19,
        expires_on=datetime(2099, 9, 4, tzinfo=UTC),
    ),
    Account(
        id="b7a8e4c2-5d1f-4e6a-9c3b-2f1e0d9c8b7a",
        reference="ex112233",
        label=None,
        address="447700900999",
        messages_remaining=0,
        expires_on=None,  # 0001-01-01T00:00:00Z
    ),
]
MESSAGES = [
    OutboundMessage("447700900123", "Bin day & recycling: yes <3 ]]>"),
    OutboundMessage("+447700900456", "Café \u2013 à demain \U0001f6aa\nline two"),
]
BATCH_ID = "f8bf9867-ff81-49e4-acc5-774de793b776"
SENT = [
    SentMessage("1183c73d-2e62-4f60-b610-30f160bdfbd5", "447700900123", BATCH_ID),
    SentMessage("2a0c7ab4-7f3e-4d8e-9b1a-6c5d4e3f2a1b", "+447700900456", BATCH_ID),
]
SECOND_ID = "0e5b2f8a-1c3d-4e5f-a6b7-c8d9e0f1a2b3"
INBOX = InboxPage(
    messages=[
        InboxMessage(
            message_id=MESSAGE_ID,
            sender="447987654321",
            recipient="447123456789",
            summary="Every message matters",
            received_at=datetime(2013, 3, 6, 14, 30, 42, 407000, tzinfo=UTC),
            body_uri=f"https://api.esendex.com/v1.0/messageheaders/{MESSAGE_ID}/body",
        ),
        InboxMessage(
            message_id=SECOND_ID,
            sender="447700900123",
            recipient="447123456789",
            summary="Bin day & recycling: yes <3 \u2013 merci",
            received_at=datetime(2013, 3, 6, 14, 26, 37, 910000, tzinfo=UTC),
            body_uri="https://api.esendex.com/v1.0/messageheaders/"
            "0E5B2F8A-1C3D-4E5F-A6B7-C8D9E0F1A2B3/body",
        ),
    ],
    start_index=0,
    count=2,
    total_count=5,
)
BODY_TEXT = "Merci \u2013 à demain & bises <3"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.xml").read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False
    endless: bool = False


@dataclass
class Received:
    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]
    body: bytes


class FakeEsendex:
    """Answers each (method, path) with a canned Reply and records every request."""

    def __init__(self) -> None:
        self.base_url = ""
        self.replies: dict[tuple[str, str], Reply] = {}
        self.received: list[Received] = []
        self.release = asyncio.Event()

    def reply(
        self, method: str, path: str, body: bytes | str = b"", **kwargs: Any
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.replies[method, path] = Reply(body=data, **kwargs)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            Received(
                request.method,
                request.path,
                request.raw_path,
                dict(request.query),
                request.headers,
                await request.read(),
            )
        )
        reply = self.replies.get((request.method, request.path))
        if reply is None:
            return web.Response(status=418, text="the fake has no reply for this")
        if reply.hold:
            await self.release.wait()
        if reply.endless:
            return await self.stream_forever(request, reply.body)
        return web.Response(
            status=reply.status,
            body=reply.body,
            headers=reply.headers,
            content_type="application/xml",
        )

    async def stream_forever(
        self, request: web.Request, start: bytes
    ) -> web.StreamResponse:
        """Send `start`, then spaces until the client hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "application/xml"})
        await response.prepare(request)
        await response.write(start)
        with contextlib.suppress(ConnectionError):
            while not self.release.is_set():
                await response.write(b" " * 65536)
        return response

    @property
    def only(self) -> Received:
        assert len(self.received) == 1, self.received
        return self.received[0]


@pytest.fixture
async def esendex(socket_enabled: None) -> AsyncIterator[FakeEsendex]:
    """A FakeEsendex served on 127.0.0.1 (pytest-socket allows loopback only)."""
    fake = FakeEsendex()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        fake.base_url = str(server.make_url("/v1.0/"))
        yield fake
        fake.release.set()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(esendex: FakeEsendex, session: aiohttp.ClientSession) -> EsendexClient:
    return EsendexClient(session, USERNAME, PASSWORD, base_url=esendex.base_url)


type Call = Callable[[EsendexClient], Awaitable[object]]

# Each API call: the route it uses and how to make it.
CALLS: dict[str, tuple[str, str, Call]] = {
    "accounts": ("GET", ACCOUNTS_PATH, lambda c: c.async_get_accounts()),
    "send": ("POST", SEND_PATH, lambda c: c.async_send(REFERENCE, MESSAGES)),
    "inbox": ("GET", INBOX_PATH, lambda c: c.async_get_inbox(REFERENCE)),
    "body": ("GET", BODY_PATH, lambda c: c.async_get_message_body(MESSAGE_ID)),
}
ANSWERS = {
    "accounts": ("accounts", ACCOUNTS),
    "send": ("messagedispatcher", SENT),
    "inbox": ("inbox", INBOX),
    "body": ("message_body", BODY_TEXT),
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def assert_common_headers(received: Received) -> None:
    credentials = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert received.headers["Authorization"] == f"Basic {credentials}"
    assert received.headers["Accept"] == "application/xml"
    assert received.headers["User-Agent"] == USER_AGENT


# ------------------------------------------------------------------ success


async def test_get_accounts(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, fixture("accounts"))

    assert await client.async_get_accounts() == ACCOUNTS

    received = esendex.only
    assert (received.method, received.path, received.query) == (
        "GET",
        ACCOUNTS_PATH,
        {},
    )
    assert_common_headers(received)
    assert "Content-Type" not in received.headers
    assert received.body == b""


async def test_get_accounts_none(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply(
        "GET", ACCOUNTS_PATH, '<accounts xmlns="http://api.esendex.com/ns/"/>'
    )

    assert await client.async_get_accounts() == []


async def test_optional_account_fields_tolerate_surprises(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "GET",
        ACCOUNTS_PATH,
        "<accounts><paging/><account id=' ABC '><reference> EX1 </reference>"
        "<messagesremaining>unlimited</messagesremaining>"
        "<expireson>next year</expireson><label>  </label></account></accounts>",
    )

    assert await client.async_get_accounts() == [
        Account("abc", "EX1", None, None, None, None)
    ]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("EX998877", ACCOUNTS[0]),
        ("ex998877", ACCOUNTS[0]),
        (" Ex998877 ", ACCOUNTS[0]),
        ("EX112233", ACCOUNTS[1]),
    ],
)
async def test_get_account_matches_reference_case_insensitively(
    client: EsendexClient, esendex: FakeEsendex, wanted: str, expected: Account
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, fixture("accounts"))

    assert await client.async_get_account(wanted) == expected


@pytest.mark.parametrize("wanted", ["EX000000", "EX99887", ""])
async def test_get_account_not_found(
    client: EsendexClient, esendex: FakeEsendex, wanted: str
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, fixture("accounts"))

    with pytest.raises(AccountNotFoundError, match="this login has no account"):
        await client.async_get_account(wanted)


async def test_send(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply("POST", SEND_PATH, fixture("messagedispatcher"))

    sent = await client.async_send(
        REFERENCE, MESSAGES, originator="Home", validity_hours=MAX_VALIDITY_HOURS
    )

    assert sent == SENT
    received = esendex.only
    assert (received.method, received.path, received.query) == ("POST", SEND_PATH, {})
    assert_common_headers(received)
    assert received.headers["Content-Type"] == "application/xml; charset=utf-8"
    # Escaped by the serialiser, and UTF-8 as the Content-Type says.
    # The vendor's own shape: a default namespace, no prefixes.
    assert received.body.startswith(
        b"<?xml version='1.0' encoding='utf-8'?>\n"
        b'<messages xmlns="http://api.esendex.com/ns/"><accountreference>'
    )
    assert b"&amp; recycling: yes &lt;3 ]]&gt;" in received.body
    assert "Café \u2013 à demain \U0001f6aa".encode() in received.body
    root = fromstring(received.body)
    assert root.tag == f"{NS}messages"
    assert [
        (child.tag, child.text, [(part.tag, part.text) for part in child])
        for child in root
    ] == [
        (f"{NS}accountreference", REFERENCE, []),
        (f"{NS}from", "Home", []),
        (f"{NS}validity", "72", []),
        *(
            (f"{NS}message", None, [(f"{NS}to", m.to), (f"{NS}body", m.body)])
            for m in MESSAGES
        ),
    ]


@pytest.mark.parametrize("originator", [None, ""])
async def test_send_without_options(
    client: EsendexClient, esendex: FakeEsendex, originator: str | None
) -> None:
    esendex.reply(
        "POST",
        SEND_PATH,
        "<messageheaders><messageheader id='AB-12'/></messageheaders>",
    )

    sent = await client.async_send(
        "ex1", [OutboundMessage("447700900123", "Hi")], originator=originator
    )

    assert sent == [SentMessage("ab-12", "447700900123", None)]
    root = fromstring(esendex.only.body)
    assert [child.tag for child in root] == [f"{NS}accountreference", f"{NS}message"]
    assert root[0].text == "ex1"


@pytest.mark.parametrize(
    ("messages", "validity", "error"),
    [
        ([], None, "there are no messages to send"),
        (MESSAGES, 0, "validity must be 1 to 72 hours, not 0"),
        (MESSAGES, -1, "validity must be 1 to 72 hours, not -1"),
        (MESSAGES, 73, "validity must be 1 to 72 hours, not 73"),
    ],
)
async def test_send_refuses_bad_arguments_without_sending(
    client: EsendexClient,
    esendex: FakeEsendex,
    messages: list[OutboundMessage],
    validity: int | None,
    error: str,
) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        await client.async_send(REFERENCE, messages, validity_hours=validity)

    assert esendex.received == []


async def test_send_validity_of_one_hour(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("POST", SEND_PATH, fixture("messagedispatcher"))

    await client.async_send(REFERENCE, MESSAGES, validity_hours=1)

    assert fromstring(esendex.only.body).find(f"{NS}validity").text == "1"


@pytest.mark.parametrize("headers", [0, 1, 3])
async def test_send_with_a_wrong_number_of_ids(
    client: EsendexClient, esendex: FakeEsendex, headers: int
) -> None:
    answer = "<messageheaders>" + "<messageheader id='a'/>" * headers
    esendex.reply("POST", SEND_PATH, answer + "</messageheaders>")

    with pytest.raises(
        EsendexResponseError,
        match=f"2 messages were sent but Esendex returned {headers} message ids",
    ):
        await client.async_send(REFERENCE, MESSAGES)


async def test_get_inbox(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply("GET", INBOX_PATH, fixture("inbox"))

    assert await client.async_get_inbox(REFERENCE) == INBOX

    received = esendex.only
    assert (received.method, received.path, received.query) == (
        "GET",
        INBOX_PATH,
        {"startIndex": "0", "count": "50"},
    )
    assert_common_headers(received)


async def test_get_inbox_later_page(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", INBOX_PATH, fixture("inbox_empty"))

    page = await client.async_get_inbox(REFERENCE, start_index=100, count=25)

    assert page == InboxPage(messages=[], start_index=100, count=0, total_count=100)
    assert esendex.only.query == {"startIndex": "100", "count": "25"}


async def test_inbox_paging_attribute_names_are_case_insensitive(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "GET",
        INBOX_PATH,
        '<MessageHeaders StartIndex=" 3 " Count="0" TotalCount="3"/>',
    )

    assert await client.async_get_inbox(REFERENCE) == InboxPage([], 3, 0, 3)


@pytest.mark.parametrize(("start_index", "count"), [(-1, 50), (0, 0), (0, -5)])
async def test_get_inbox_refuses_bad_paging_without_sending(
    client: EsendexClient, esendex: FakeEsendex, start_index: int, count: int
) -> None:
    with pytest.raises(ValueError, match="a page needs start_index >= 0"):
        await client.async_get_inbox(REFERENCE, start_index=start_index, count=count)

    assert esendex.received == []


async def test_inbox_message_optional_fields(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "GET",
        INBOX_PATH,
        "<messageheaders startindex='0' count='2' totalcount='2'><link/>"
        "<messageheader id='X1'><to><phonenumber>1</phonenumber></to>"
        "<from><phonenumber>2</phonenumber></from>"
        "<receivedat>yesterday</receivedat><body/></messageheader>"
        "<messageheader id='X2'><to><phonenumber>3</phonenumber></to>"
        "<from><phonenumber>4</phonenumber></from>"
        "<summary> Hi </summary><summary>the first one counts</summary>"
        "<receivedat/></messageheader>"
        "</messageheaders>",
    )

    page = await client.async_get_inbox(REFERENCE)

    assert page.messages == [
        InboxMessage("x1", "2", "1", "", None, None),
        InboxMessage("x2", "4", "3", "Hi", None, None),
    ]


async def test_get_message_body(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply("GET", BODY_PATH, fixture("message_body"))

    assert await client.async_get_message_body(MESSAGE_ID) == BODY_TEXT

    received = esendex.only
    assert (received.method, received.path, received.query) == ("GET", BODY_PATH, {})
    assert_common_headers(received)


async def test_get_empty_message_body(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", BODY_PATH, "<messagebody><bodytext/></messagebody>")

    assert await client.async_get_message_body(MESSAGE_ID) == ""


async def test_path_values_are_single_segments(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    await asyncio.gather(
        client.async_get_inbox("EX/../1 2?x#"),
        client.async_get_message_body("a/b%"),
        return_exceptions=True,
    )

    assert sorted(received.raw_path for received in esendex.received) == [
        "/v1.0/inbox/EX%2F..%2F1%202%3Fx%23/messages?startIndex=0&count=50",
        "/v1.0/messageheaders/a%2Fb%25/body",
    ]


@pytest.mark.parametrize("value", ["", ".", ".."])
async def test_path_values_cannot_leave_their_segment(
    client: EsendexClient, esendex: FakeEsendex, value: str
) -> None:
    with pytest.raises(ValueError, match="is not an Esendex reference or id"):
        await client.async_get_inbox(value)
    with pytest.raises(ValueError, match="is not an Esendex reference or id"):
        await client.async_get_message_body(value)

    assert esendex.received == []


def camel_case(body: bytes) -> bytes:
    body = re.sub(rb"<(/?)([a-z])", lambda m: b"<" + m[1] + m[2].upper(), body)
    return re.sub(
        rb" (?!xmlns|version|encoding)([a-z])(\w*=)",
        lambda m: b" " + m[1].upper() + m[2],
        body,
    )


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "http namespace": lambda body: body,
    "https namespace": lambda body: body.replace(
        b'xmlns="http://api.esendex.com/ns/"', b'xmlns="https://api.esendex.com/ns/"'
    ),
    "no namespace": lambda body: body.replace(
        b' xmlns="http://api.esendex.com/ns/"', b""
    ),
    "other namespace prefix": lambda body: re.sub(
        rb"<(/?)(\w)", rb"<\1e:\2", body
    ).replace(b'xmlns="', b'xmlns:e="'),
    "CamelCase names": camel_case,
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("variant", VARIANTS)
async def test_answers_parse_alike_in_every_spelling(
    client: EsendexClient, esendex: FakeEsendex, call: str, variant: str
) -> None:
    method, path, make_call = CALLS[call]
    name, expected = ANSWERS[call]
    body = VARIANTS[variant](fixture(name))
    assert variant == "http namespace" or body != fixture(name)
    esendex.reply(method, path, body)

    assert await make_call(client) == expected


# ------------------------------------------------------------------- errors

STATUSES = [
    (400, EsendexRequestError),
    (401, EsendexAuthError),
    (402, EsendexCreditsError),
    (403, EsendexAuthError),
    (404, EsendexRequestError),
    (405, EsendexRequestError),
    (408, EsendexServerError),
    (429, EsendexRequestError),
    (500, EsendexServerError),
    (501, EsendexServerError),
    (503, EsendexServerError),
    (599, EsendexServerError),
]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize(("status", "error"), STATUSES)
async def test_http_error_statuses(
    client: EsendexClient,
    esendex: FakeEsendex,
    call: str,
    status: int,
    error: type[EsendexStatusError],
) -> None:
    method, path, make_call = CALLS[call]
    esendex.reply(method, path, " Something\r\n  went\twrong. ", status=status)

    with pytest.raises(EsendexError) as caught:
        await make_call(client)

    assert caught.type is error
    assert caught.value.status == status
    assert caught.value.message == "Something went wrong."
    assert str(caught.value) == f"HTTP {status}: Something went wrong."


async def test_http_error_without_text(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, " \n", status=401)

    with pytest.raises(EsendexAuthError) as caught:
        await client.async_get_accounts()

    assert caught.value.message == ""
    assert str(caught.value) == "HTTP 401"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x" * 200, "x" * 200),
        ("x" * 201, "x" * 199 + "…"),
        (b"x" * (3 * MAX_RESPONSE_BYTES), "x" * 199 + "…"),
        (b"bad \xff byte", "bad \ufffd byte"),
    ],
)
async def test_http_error_text_is_bounded(
    client: EsendexClient, esendex: FakeEsendex, body: bytes | str, message: str
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, body, status=400)

    with pytest.raises(EsendexRequestError) as caught:
        await client.async_get_accounts()

    assert caught.value.message == message


async def test_redirects_are_not_followed(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, status=302, headers={"Location": "/elsewhere"})

    with pytest.raises(EsendexRequestError) as caught:
        await client.async_get_accounts()

    assert caught.value.status == 302
    assert [received.path for received in esendex.received] == [ACCOUNTS_PATH]


async def test_timeout(esendex: FakeEsendex, session: aiohttp.ClientSession) -> None:
    client = EsendexClient(
        session, USERNAME, PASSWORD, base_url=esendex.base_url, timeout=0.05
    )
    esendex.reply("GET", ACCOUNTS_PATH, fixture("accounts"), hold=True)

    with pytest.raises(
        EsendexConnectionError,
        match=re.escape("Esendex did not answer within 0.05 seconds"),
    ) as caught:
        await client.async_get_accounts()

    assert isinstance(caught.value.__cause__, TimeoutError)


async def test_connection_refused(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    client = EsendexClient(
        session, USERNAME, PASSWORD, base_url=f"http://127.0.0.1:{free_port()}/v1.0/"
    )

    with pytest.raises(EsendexConnectionError, match="cannot reach Esendex") as caught:
        await client.async_get_accounts()

    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)


UNUSABLE = {
    "empty": b"",
    "not XML": b"Service temporarily unavailable",
    "HTML": b"<html><body><p>Service unavailable</body></html>",
    "unclosed": b"<accounts><account id='a'>",
    "two roots": b"<accounts/><accounts/>",
    "internal DTD": b'<!DOCTYPE accounts [<!ENTITY a "x">]><accounts>&a;</accounts>',
    "DTD only": b"<!DOCTYPE accounts><accounts/>",
    "external entity": b'<!DOCTYPE accounts [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b"<accounts><account id='a'><reference>&e;</reference></account></accounts>",
    "billion laughs": b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<accounts>&lol2;</accounts>",
    "unknown encoding": b'<?xml version="1.0" encoding="x-no-such"?><accounts/>',
    "multi-byte codec": b'<?xml version="1.0" encoding="shift_jis"?><accounts/>',
    "wrong root": b"<messageheaders/>",
    "account without id": b"<accounts><account><reference>EX1</reference>"
    b"</account></accounts>",
    "account with blank id": b"<accounts><account id=' '><reference>EX1</reference>"
    b"</account></accounts>",
    "account without reference": b"<accounts><account id='a'/></accounts>",
    "account with empty reference": b"<accounts><account id='a'><reference/>"
    b"</account></accounts>",
}


@pytest.mark.parametrize("body", UNUSABLE.values(), ids=UNUSABLE)
async def test_unusable_accounts_answer(
    client: EsendexClient, esendex: FakeEsendex, body: bytes
) -> None:
    esendex.reply("GET", ACCOUNTS_PATH, body)

    with pytest.raises(EsendexResponseError):
        await client.async_get_accounts()


@pytest.mark.parametrize("call", CALLS)
async def test_wrong_root(
    client: EsendexClient, esendex: FakeEsendex, call: str
) -> None:
    method, path, make_call = CALLS[call]
    esendex.reply(method, path, '<Error xmlns="http://api.esendex.com/ns/"/>')

    with pytest.raises(EsendexResponseError, match="got <Error>"):
        await make_call(client)


TO = "<to><phonenumber>447123456789</phonenumber></to>"
FROM = "<from><phonenumber>447987654321</phonenumber></from>"


def inbox_with(header: str) -> str:
    return (
        "<messageheaders startindex='0' count='1' totalcount='1'>"
        f"{header}</messageheaders>"
    )


UNUSABLE_INBOX = {
    "header without id": (
        inbox_with(f"<messageheader>{TO}{FROM}</messageheader>"),
        "<messageheader> from Esendex has no id",
    ),
    "without from": (
        inbox_with(f"<messageheader id='a'>{TO}</messageheader>"),
        "has no from/phonenumber",
    ),
    "from without phonenumber": (
        inbox_with(
            f"<messageheader id='a'>{TO}<from>447987654321</from></messageheader>"
        ),
        "has no from/phonenumber",
    ),
    "without to": (
        inbox_with(f"<messageheader id='a'>{FROM}</messageheader>"),
        "has no to/phonenumber",
    ),
    "without startindex": (
        "<messageheaders count='0' totalcount='0'/>",
        "has no valid startindex",
    ),
    "count not a number": (
        "<messageheaders startindex='0' count='many' totalcount='0'/>",
        "has no valid count",
    ),
    "without totalcount": (
        "<messageheaders startindex='0' count='0'/>",
        "has no valid totalcount",
    ),
}


@pytest.mark.parametrize(("body", "error"), UNUSABLE_INBOX.values(), ids=UNUSABLE_INBOX)
async def test_unusable_inbox_answer(
    client: EsendexClient, esendex: FakeEsendex, body: str, error: str
) -> None:
    esendex.reply("GET", INBOX_PATH, body)

    with pytest.raises(EsendexResponseError, match=re.escape(error)):
        await client.async_get_inbox(REFERENCE)


async def test_sent_header_without_id(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "POST",
        SEND_PATH,
        '<messageheaders xmlns="http://api.esendex.com/ns/">'
        "<messageheader id='a'/><messageheader uri='b'/></messageheaders>",
    )

    with pytest.raises(
        EsendexResponseError, match="<messageheader> from Esendex has no id"
    ):
        await client.async_send(REFERENCE, MESSAGES)


async def test_message_body_without_bodytext(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", BODY_PATH, "<messagebody><characterset/></messagebody>")

    with pytest.raises(
        EsendexResponseError, match="<messagebody> from Esendex has no bodytext"
    ):
        await client.async_get_message_body(MESSAGE_ID)


async def test_answer_of_the_largest_size(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    root = b"<accounts/>"
    esendex.reply("GET", ACCOUNTS_PATH, root + b" " * (MAX_RESPONSE_BYTES - len(root)))

    assert await client.async_get_accounts() == []


@pytest.mark.parametrize("extra", [1, 5 * MAX_RESPONSE_BYTES])
async def test_oversized_answer(
    client: EsendexClient, esendex: FakeEsendex, extra: int
) -> None:
    root = b"<accounts/>"
    esendex.reply(
        "GET",
        ACCOUNTS_PATH,
        root + b" " * (MAX_RESPONSE_BYTES - len(root) + extra),
    )

    with pytest.raises(
        EsendexResponseError, match="Esendex answered with more than 1048576 bytes"
    ):
        await client.async_get_accounts()


async def test_endless_answer_is_not_read_to_the_end(
    esendex: FakeEsendex, session: aiohttp.ClientSession
) -> None:
    client = EsendexClient(
        session, USERNAME, PASSWORD, base_url=esendex.base_url, timeout=10
    )
    esendex.reply("GET", ACCOUNTS_PATH, "<accounts>", endless=True)

    with pytest.raises(EsendexResponseError, match="more than 1048576 bytes"):
        await client.async_get_accounts()


async def test_reading_stops_just_past_the_limit() -> None:
    pulled = 0

    async def chunks(size: int) -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b" " * size

    response = SimpleNamespace(content=SimpleNamespace(iter_chunked=chunks))

    body = await api._read(response)  # type: ignore[arg-type]

    assert len(body) == MAX_RESPONSE_BYTES + 65536
    assert pulled == MAX_RESPONSE_BYTES // 65536 + 1


# ------------------------------------------------------------ construction


async def test_defaults(session: aiohttp.ClientSession) -> None:
    client = EsendexClient(session, USERNAME, PASSWORD)

    assert client._base_url == DEFAULT_BASE_URL == "https://api.esendex.com/v1.0/"
    assert client._timeout.total == DEFAULT_TIMEOUT == 15.0


async def test_base_url_without_trailing_slash(
    esendex: FakeEsendex, session: aiohttp.ClientSession
) -> None:
    client = EsendexClient(
        session, USERNAME, PASSWORD, base_url=esendex.base_url.rstrip("/")
    )
    esendex.reply("GET", ACCOUNTS_PATH, fixture("accounts"))

    assert await client.async_get_accounts() == ACCOUNTS


async def test_username_with_a_colon(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError, match=":"):
        EsendexClient(session, "user:name", PASSWORD)


def test_error_hierarchy() -> None:
    for error in (
        EsendexConnectionError,
        EsendexResponseError,
        AccountNotFoundError,
        EsendexStatusError,
    ):
        assert issubclass(error, EsendexError)
    for error in (
        EsendexAuthError,
        EsendexCreditsError,
        EsendexRequestError,
        EsendexServerError,
    ):
        assert issubclass(error, EsendexStatusError)


# -------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+447700900123", "+447700900123"),
        ("447700900123", "447700900123"),
        (" +44 7700 900123 ", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("+44(0)20-7946.0018", "+442079460018"),
        ("44 (0) 7700 900123", "447700900123"),
        ("(0)7700 900123", "07700900123"),
        ("07700 900123", "07700900123"),
        ("07700-900-123", "07700900123"),
        ("0044 7700 900123", "00447700900123"),
        ("(555) 123-4567", "5551234567"),
        ("12345", "12345"),
        ("+123456789012345", "+123456789012345"),
        ("123456789012345", "123456789012345"),
    ],
)
def test_normalise_recipient(number: str, expected: str) -> None:
    assert normalise_recipient(number) == expected


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("", "is not a phone number"),
        ("   ", "is not a phone number"),
        ("+44 7700 9OO123", "is not a phone number"),
        ("07700 900123 ext 5", "is not a phone number"),
        ("44+7700900123", "is not a phone number"),
        ("++447700900123", "is not a phone number"),
        ("+44\t7700900123", "is not a phone number"),
        ("+44/7700900123", "is not a phone number"),
        ("\u0660\u0667\u0667\u0660\u0660\u0669\u0660\u0660", "is not a phone number"),
        ("1234", "is too short for a phone number: it needs at least 5 digits"),
        ("+1 (0) 234", "is too short"),
        ("(((( ))))", "is too short"),
        ("1234567890123456", "is too long for a phone number: it has more than 15"),
        ("+1234567890123456", "is too long"),
        ("+0447700900123", "is not an international number"),
    ],
)
def test_normalise_recipient_refuses(number: str, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        normalise_recipient(number)


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("", AddressProblem.RECIPIENT_CHARACTERS),
        (" 07700 900123 ext 5 ", AddressProblem.RECIPIENT_CHARACTERS),
        ("1234", AddressProblem.RECIPIENT_TOO_SHORT),
        ("+1 (0) 234", AddressProblem.RECIPIENT_TOO_SHORT),
        ("1234567890123456", AddressProblem.RECIPIENT_TOO_LONG),
        ("+0447700900123", AddressProblem.RECIPIENT_COUNTRY_CODE),
    ],
)
def test_normalise_recipient_says_what_is_wrong(
    number: str, kind: AddressProblem
) -> None:
    """For callers to translate: the kind of problem, and the number as given."""
    with pytest.raises(InvalidAddressError) as raised:
        normalise_recipient(number)

    assert raised.value.kind is kind
    assert raised.value.value == number
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(repr(number))


@pytest.mark.parametrize(
    ("originator", "expected"),
    [
        ("Home", "Home"),
        (" Home Alarm ", "Home Alarm"),
        ("ABCDEFGHIJK", "ABCDEFGHIJK"),
        ("Flat 2B", "Flat 2B"),
        ("2FA", "2FA"),
        ("447700900123", "447700900123"),
        ("+447700900123", "+447700900123"),
        ("1" * 20, "1" * 20),
        ("+" + "1" * 20, "+" + "1" * 20),
    ],
)
def test_validate_originator(originator: str, expected: str) -> None:
    assert validate_originator(originator) == expected


@pytest.mark.parametrize(
    "originator",
    [
        "",
        "   ",
        "ABCDEFGHIJKL",
        "Home-Alarm",
        "Café",
        "1" * 21,
        "+",
        "++44",
        "123 456",
        "Home\nAlarm",
    ],
)
def test_validate_originator_refuses(originator: str) -> None:
    with pytest.raises(InvalidAddressError, match="cannot be a sender") as raised:
        validate_originator(originator)

    assert raised.value.kind is AddressProblem.ORIGINATOR
    assert raised.value.value == originator
    assert isinstance(raised.value, ValueError)


# ------------------------------------------------------------- one message

# GET /v1.0/messageheaders/{id}: the shape of the vendor notes, for an inbound SMS.
MESSAGE_HEADER = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<messageheader id="D6258601-3442-484F-B2AC-300088A8A4D4" '
    b'uri="https://api.esendex.com/v1.0/messageheaders/'
    b'D6258601-3442-484F-B2AC-300088A8A4D4" xmlns="http://api.esendex.com/ns/">'
    b"<reference>EX998877</reference><status>Submitted</status>"
    b"<receivedat>2013-03-06T14:30:42.407Z</receivedat><type>SMS</type>"
    b"<to><phonenumber>447123456789</phonenumber></to>"
    b"<from><phonenumber>447987654321</phonenumber></from>"
    b"<summary>Merci \xe2\x80\x93 \xc3\xa0 demain</summary>"
    b'<body id="D6258601-3442-484F-B2AC-300088A8A4D4" '
    b'uri="https://api.esendex.com/v1.0/messageheaders/'
    b'D6258601-3442-484F-B2AC-300088A8A4D4/body" />'
    b"<direction>Inbound</direction><parts>1</parts>"
    b"<readat>0001-01-01T00:00:00Z</readat></messageheader>"
)
STORED = StoredMessage(
    message_id=MESSAGE_ID,
    sender="447987654321",
    recipient="447123456789",
    text=BODY_TEXT,  # the body, not the shortened summary
    direction="Inbound",
    received_at=datetime(2013, 3, 6, 14, 30, 42, 407000, tzinfo=UTC),
)


def header_with(inner: str, *, id_: str = "a") -> str:
    return f"<messageheader id='{id_}'>{inner}</messageheader>"


async def test_get_message(client: EsendexClient, esendex: FakeEsendex) -> None:
    esendex.reply("GET", HEADER_PATH, MESSAGE_HEADER)
    esendex.reply("GET", BODY_PATH, fixture("message_body"))

    assert await client.async_get_message(MESSAGE_ID) == STORED

    # The header first, then the full text from its body.
    assert [
        (received.method, received.path, received.query)
        for received in esendex.received
    ] == [("GET", HEADER_PATH, {}), ("GET", BODY_PATH, {})]
    for received in esendex.received:
        assert_common_headers(received)


@pytest.mark.parametrize("variant", VARIANTS)
async def test_get_message_parses_alike_in_every_spelling(
    client: EsendexClient, esendex: FakeEsendex, variant: str
) -> None:
    header = VARIANTS[variant](MESSAGE_HEADER)
    assert variant == "http namespace" or header != MESSAGE_HEADER
    esendex.reply("GET", HEADER_PATH, header)
    esendex.reply("GET", BODY_PATH, VARIANTS[variant](fixture("message_body")))

    assert await client.async_get_message(MESSAGE_ID) == STORED


async def test_get_message_optional_fields(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "GET",
        HEADER_PATH,
        header_with(
            "<to><phonenumber> 1 </phonenumber></to>"
            "<from><phonenumber>2</phonenumber></from>"
            "<receivedat>yesterday</receivedat><direction> </direction>",
            id_="X1",
        ),
    )
    esendex.reply("GET", BODY_PATH, "<messagebody><bodytext/></messagebody>")

    assert await client.async_get_message(MESSAGE_ID) == StoredMessage(
        "x1", "2", "1", "", None, None
    )


async def test_get_message_of_a_sent_message(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply(
        "GET",
        HEADER_PATH,
        header_with(f"{TO}{FROM}<direction>Outbound</direction>"),
    )
    esendex.reply("GET", BODY_PATH, fixture("message_body"))

    message = await client.async_get_message(MESSAGE_ID)

    assert message.direction == "Outbound"


@pytest.mark.parametrize("failing", [HEADER_PATH, BODY_PATH])
async def test_get_message_not_found(
    client: EsendexClient, esendex: FakeEsendex, failing: str
) -> None:
    esendex.reply("GET", HEADER_PATH, MESSAGE_HEADER)
    esendex.reply("GET", BODY_PATH, fixture("message_body"))
    esendex.reply("GET", failing, " Not\r\n found ", status=404)

    with pytest.raises(MessageNotFoundError) as caught:
        await client.async_get_message(MESSAGE_ID)

    assert (caught.value.status, caught.value.message) == (404, "Not found")
    assert str(caught.value) == "HTTP 404: Not found"
    assert isinstance(caught.value.__cause__, EsendexRequestError)
    # Nothing is read after the header Esendex does not have.
    assert esendex.received[-1].path == failing


@pytest.mark.parametrize("failing", [HEADER_PATH, BODY_PATH])
@pytest.mark.parametrize(
    ("status", "error"), [item for item in STATUSES if item[0] != 404]
)
async def test_get_message_other_error_statuses(
    client: EsendexClient,
    esendex: FakeEsendex,
    failing: str,
    status: int,
    error: type[EsendexStatusError],
) -> None:
    esendex.reply("GET", HEADER_PATH, MESSAGE_HEADER)
    esendex.reply("GET", BODY_PATH, fixture("message_body"))
    esendex.reply("GET", failing, "Something went wrong.", status=status)

    with pytest.raises(EsendexStatusError) as caught:
        await client.async_get_message(MESSAGE_ID)

    # Only a 404 says that Esendex has no such message.
    assert caught.type is error
    assert caught.value.status == status


UNUSABLE_HEADER = {
    "wrong root": (
        inbox_with(header_with(f"{TO}{FROM}")),
        "expected <messageheader> from Esendex, got <messageheaders>",
    ),
    "not XML": ("Service temporarily unavailable", "unusable XML"),
    "header without id": (
        f"<messageheader>{TO}{FROM}</messageheader>",
        "<messageheader> from Esendex has no id",
    ),
    "without from": (header_with(TO), "has no from/phonenumber"),
    "from without phonenumber": (
        header_with(f"{TO}<from>447987654321</from>"),
        "has no from/phonenumber",
    ),
    "without to": (header_with(FROM), "has no to/phonenumber"),
}


@pytest.mark.parametrize(
    ("body", "error"), UNUSABLE_HEADER.values(), ids=UNUSABLE_HEADER
)
async def test_unusable_message_header(
    client: EsendexClient, esendex: FakeEsendex, body: str, error: str
) -> None:
    esendex.reply("GET", HEADER_PATH, body)
    esendex.reply("GET", BODY_PATH, fixture("message_body"))

    with pytest.raises(EsendexResponseError, match=re.escape(error)):
        await client.async_get_message(MESSAGE_ID)

    # The body of a header that cannot be used is not asked for.
    assert [received.path for received in esendex.received] == [HEADER_PATH]


async def test_get_message_with_an_unusable_body(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    esendex.reply("GET", HEADER_PATH, MESSAGE_HEADER)
    esendex.reply("GET", BODY_PATH, "<messagebody><characterset/></messagebody>")

    with pytest.raises(EsendexResponseError, match="has no bodytext"):
        await client.async_get_message(MESSAGE_ID)


async def test_get_message_id_is_a_single_segment(
    client: EsendexClient, esendex: FakeEsendex
) -> None:
    with pytest.raises(EsendexRequestError):
        await client.async_get_message("a/b%")

    assert esendex.only.raw_path == "/v1.0/messageheaders/a%2Fb%25"


@pytest.mark.parametrize("value", ["", ".", ".."])
async def test_get_message_id_cannot_leave_its_segment(
    client: EsendexClient, esendex: FakeEsendex, value: str
) -> None:
    with pytest.raises(ValueError, match="is not an Esendex reference or id"):
        await client.async_get_message(value)

    assert esendex.received == []


async def test_get_message_connection_refused(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    client = EsendexClient(
        session, USERNAME, PASSWORD, base_url=f"http://127.0.0.1:{free_port()}/v1.0/"
    )

    with pytest.raises(EsendexConnectionError, match="cannot reach Esendex"):
        await client.async_get_message(MESSAGE_ID)


def test_message_not_found_is_a_request_error() -> None:
    # Callers that handle every refused request keep handling this one.
    assert issubclass(MessageNotFoundError, EsendexRequestError)
    assert MessageNotFoundError(404, "x").status == 404
