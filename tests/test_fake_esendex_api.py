"""The loopback fake of Esendex's REST API (tools/fake_esendex_api.py).

The integration's own client talks to it over a real socket on 127.0.0.1, and its
pushes go to a small webhook served in the test, parsed by the integration's own
parser: what passes here is what a `hass` process would see.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
import json
from pathlib import Path
import re
import signal
import socket
import sys
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.esendex.api import (
    AccountNotFoundError,
    EsendexAuthError,
    EsendexClient,
    EsendexConnectionError,
    EsendexCreditsError,
    EsendexRequestError,
    MessageNotFoundError,
    OutboundMessage,
)
from custom_components.esendex.const import DOMAIN
from custom_components.esendex.protocol import (
    FailureReason,
    InboundMessage,
    MessageDelivered,
    MessageFailed,
    Notification,
    UnknownNotification,
    parse_notification,
)
from custom_components.esendex.verify import InboundVerifier, differences
from tools import fake_esendex_api as fake_api
from tools.fake_esendex_api import (
    ACCOUNT_KEY,
    SERVER_KEY,
    FakeEsendexAccount,
    create_app,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
USERNAME = "owner@example.com"
# Not Latin-1, and with a colon: the client sends UTF-8 Basic credentials.
PASSWORD = "pä€s:word"  # noqa: S105 - a made-up login
REFERENCE = "EX0000000"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
VIRTUAL_NUMBER = "447860000000"
SENDER = "447700900123"
FAILING = "447700900999"
HOOK_PATH = "/api/webhook/fake-esendex-test"
# Generous bounds: nothing here should take more than a fraction of a second.
WAIT = 10.0
PROCESS_WAIT = 30.0
AUTH = {"Authorization": aiohttp.encode_basic_auth(USERNAME, PASSWORD)}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Webhook:
    """Home Assistant's webhook, as far as pushes go: answers 200, keeps them."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)
    arrived: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.bodies.append(body)
        self.arrived.put_nowait(body)
        return web.Response(text="processed")

    async def next(self) -> Notification | UnknownNotification:
        """Return the next push, parsed by the integration; fail after WAIT."""
        async with asyncio.timeout(WAIT):
            return parse_notification(await self.arrived.get())


@dataclass
class Fake:
    """The fake served on 127.0.0.1, with its state and its URLs."""

    account: FakeEsendexAccount
    server: fake_api.FakeEsendexServer
    api_url: str
    control_url: str


@pytest.fixture
async def webhook(socket_enabled: None) -> AsyncIterator[Webhook]:
    """A webhook on 127.0.0.1 (pytest-socket allows loopback only)."""
    hook = Webhook()
    app = web.Application()
    app.router.add_post(HOOK_PATH, hook.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        hook.url = str(server.make_url(HOOK_PATH))
        yield hook


@pytest.fixture
async def fake(webhook: Webhook) -> AsyncIterator[Fake]:
    """The fake, pushing to the webhook, with receipts 50 ms after a send."""
    account = FakeEsendexAccount(
        username=USERNAME,
        password=PASSWORD,
        webhook_url=webhook.url,
        receipt_delay=0.05,
    )
    account.set_fail_numbers(["+44 7700 900999"])
    app = create_app(account)
    async with TestServer(app, host="127.0.0.1") as server:
        yield Fake(
            account=app[ACCOUNT_KEY],
            server=app[SERVER_KEY],
            api_url=str(server.make_url("/v1.0/")),
            control_url=str(server.make_url("/_fake/")),
        )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(fake: Fake, session: aiohttp.ClientSession) -> EsendexClient:
    return EsendexClient(session, USERNAME, PASSWORD, base_url=fake.api_url)


async def control(
    session: aiohttp.ClientSession,
    fake: Fake,
    method: str,
    route: str,
    payload: object = None,
) -> tuple[int, Any]:
    """Call a control route; return the status and the JSON answer."""
    async with session.request(
        method, fake.control_url + route, json=payload
    ) as response:
        return response.status, await response.json()


async def inbound(
    session: aiohttp.ClientSession, fake: Fake, **payload: object
) -> dict[str, Any]:
    status, answer = await control(session, fake, "POST", "inbound", payload)
    assert status == HTTPStatus.OK, answer
    assert isinstance(answer, dict)
    return answer


# ---------------------------------------------------------------- accounts


async def test_accounts_show_the_account_and_its_credits(
    client: EsendexClient, fake: Fake
) -> None:
    accounts = await client.async_get_accounts()

    assert len(accounts) == 1
    account = accounts[0]
    assert account.id == ACCOUNT_ID
    assert account.reference == REFERENCE
    assert account.address == VIRTUAL_NUMBER
    assert account.messages_remaining == 1000
    assert account.expires_on is not None
    assert await client.async_get_account("ex0000000") == account
    with pytest.raises(AccountNotFoundError):
        await client.async_get_account("EX9999999")
    assert ("GET", "/v1.0/accounts") in {
        (seen.method, seen.path) for seen in fake.account.requests
    }


async def test_one_account_by_its_id(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    url = f"{fake.api_url}accounts/{ACCOUNT_ID.upper()}"
    async with session.get(url, headers=AUTH) as response:
        assert response.status == HTTPStatus.OK
        root = fromstring(await response.read())
    assert root.tag == "{http://api.esendex.com/ns/}account"
    assert root.get("id") == ACCOUNT_ID
    async with session.get(f"{fake.api_url}accounts/nobody", headers=AUTH) as response:
        assert response.status == HTTPStatus.NOT_FOUND


async def test_a_wrong_login_is_refused_everywhere(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    wrong = EsendexClient(session, USERNAME, "not-it", base_url=fake.api_url)
    item = fake.account.receive(SENDER, "hello")

    calls = [
        wrong.async_get_accounts(),
        wrong.async_send(REFERENCE, [OutboundMessage(SENDER, "x")]),
        wrong.async_get_inbox(REFERENCE),
        wrong.async_get_message(item.message_id),
        wrong.async_get_message_body(item.message_id),
    ]
    for call in calls:
        with pytest.raises(EsendexAuthError) as caught:
            await call
        assert caught.value.status == HTTPStatus.UNAUTHORIZED

    assert fake.account.credits == 1000
    assert fake.account.sent == []
    for header in ("", "Bearer abc", "Basic not-base64!"):
        async with session.get(
            f"{fake.api_url}accounts", headers={"Authorization": header}
        ) as response:
            assert response.status == HTTPStatus.UNAUTHORIZED


# ------------------------------------------------------------------ sending


async def test_sending_deducts_credits_and_is_listed(
    client: EsendexClient, fake: Fake, session: aiohttp.ClientSession
) -> None:
    messages = [
        OutboundMessage("447700900123", "Gate <open> & lights\non"),
        OutboundMessage("+447700900456", " Two "),
    ]

    sent = await client.async_send(REFERENCE, messages, originator="Home")

    assert [message.to for message in sent] == ["447700900123", "+447700900456"]
    assert all(GUID.fullmatch(message.message_id) for message in sent)
    assert len({message.message_id for message in sent}) == 2
    assert sent[0].batch_id is not None
    assert sent[0].batch_id == sent[1].batch_id
    account = await client.async_get_account(REFERENCE)
    assert account.messages_remaining == 998
    status, listed = await control(session, fake, "GET", "sent")
    assert status == HTTPStatus.OK
    assert [
        (item["id"], item["to"], item["body"], item["from"], item["batch_id"])
        for item in listed
    ] == [
        (
            sent[0].message_id,
            "447700900123",
            messages[0].body,
            "Home",
            sent[0].batch_id,
        ),
        (sent[1].message_id, "+447700900456", " Two ", "Home", sent[0].batch_id),
    ]
    status, state = await control(session, fake, "GET", "state")
    assert (state["credits"], state["sent_count"]) == (998, 2)


async def test_the_dispatcher_answers_upper_case_guids(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    document = (
        b'<messages xmlns="http://api.esendex.com/ns/">'
        b"<accountreference>ex0000000</accountreference>"
        b"<message><to>447700900123</to><body>Hi</body></message></messages>"
    )
    async with session.post(
        f"{fake.api_url}messagedispatcher",
        data=document,
        headers=AUTH,
    ) as response:
        assert response.status == HTTPStatus.OK
        root = fromstring(await response.read())
    ids = [header.get("id") for header in root]
    assert len(ids) == 1
    assert ids[0] == ids[0].upper()
    assert GUID.fullmatch(ids[0].lower())
    assert fake.account.sent[0].message_id == ids[0].lower()
    # Without <from>, a message comes from the account's number.
    assert fake.account.sent[0].originator == VIRTUAL_NUMBER


async def test_out_of_credits_is_the_clients_credits_error(
    client: EsendexClient, fake: Fake, session: aiohttp.ClientSession
) -> None:
    status, state = await control(session, fake, "POST", "config", {"credits": 1})
    assert (status, state["credits"]) == (HTTPStatus.OK, 1)
    two = [OutboundMessage(SENDER, "a"), OutboundMessage(SENDER, "b")]

    with pytest.raises(EsendexCreditsError) as caught:
        await client.async_send(REFERENCE, two)

    assert caught.value.status == HTTPStatus.PAYMENT_REQUIRED
    assert caught.value.message == "Insufficient credits"
    assert fake.account.credits == 1
    assert fake.account.sent == []
    await client.async_send(REFERENCE, two[:1])
    assert (await client.async_get_account(REFERENCE)).messages_remaining == 0
    with pytest.raises(EsendexCreditsError):
        await client.async_send(REFERENCE, two[:1])


async def test_another_accounts_reference_is_not_authorised(
    client: EsendexClient, fake: Fake
) -> None:
    with pytest.raises(EsendexAuthError) as caught:
        await client.async_send("EX1234567", [OutboundMessage(SENDER, "x")])
    assert caught.value.status == HTTPStatus.FORBIDDEN
    with pytest.raises(EsendexAuthError):
        await client.async_get_inbox("EX1234567")
    assert fake.account.credits == 1000


@pytest.mark.parametrize(
    "document",
    [
        b"not xml",
        b"<other/>",
        b"<messages><accountreference>EX0000000</accountreference></messages>",
        (
            b"<messages><accountreference>EX0000000</accountreference>"
            b"<message><body>no recipient</body></message></messages>"
        ),
        b'<!DOCTYPE messages [<!ENTITY x "y">]><messages>&x;</messages>',
        b"<messages><accountreference>EX0000000</accountreference>"
        + b"<message><to>447700900123</to><body>x</body></message>" * 1001
        + b"</messages>",
    ],
    ids=["not-xml", "root", "no-message", "no-to", "dtd", "too-many"],
)
async def test_an_unusable_dispatch_is_a_bad_request(
    fake: Fake, session: aiohttp.ClientSession, document: bytes
) -> None:
    async with session.post(
        f"{fake.api_url}messagedispatcher",
        data=document,
        headers=AUTH,
    ) as response:
        assert response.status == HTTPStatus.BAD_REQUEST
        assert (await response.text()).startswith("Bad Request")
    assert fake.account.credits == 1000


# ----------------------------------------------------------------- receipts


async def test_a_sent_message_gets_a_delivery_receipt(
    client: EsendexClient, fake: Fake, webhook: Webhook
) -> None:
    [sent] = await client.async_send(REFERENCE, [OutboundMessage(SENDER, "Hi")])

    push = await webhook.next()

    assert isinstance(push, MessageDelivered)
    assert push.message_id == sent.message_id
    assert push.account_id == ACCOUNT_ID
    assert push.occurred_at is not None
    await fake.server.wait_receipts()
    [item] = fake.account.sent
    assert (item.status, item.receipt_status) == ("Delivered", HTTPStatus.OK)
    # Esendex keeps sent messages too: verification refuses them as "received".
    stored = await client.async_get_message(sent.message_id)
    assert (stored.direction, stored.recipient, stored.text) == (
        "Outbound",
        SENDER,
        "Hi",
    )


async def test_a_failing_number_gets_message_failed(
    client: EsendexClient, fake: Fake, webhook: Webhook
) -> None:
    [sent] = await client.async_send(REFERENCE, [OutboundMessage(FAILING, "Hi")])

    push = await webhook.next()

    assert isinstance(push, MessageFailed)
    assert push.message_id == sent.message_id
    assert push.account_id == ACCOUNT_ID
    assert push.failure_reason == FailureReason(1, "Unknown subscriber", True)
    await fake.server.wait_receipts()
    assert fake.account.sent[0].status == "Failed"


async def test_no_receipt_when_the_delay_is_zero(
    client: EsendexClient, fake: Fake, webhook: Webhook, session: aiohttp.ClientSession
) -> None:
    status, state = await control(session, fake, "POST", "config", {"receipt_delay": 0})
    assert (status, state["receipt_delay"]) == (HTTPStatus.OK, 0)

    await client.async_send(REFERENCE, [OutboundMessage(SENDER, "Hi")])

    assert fake.server.pending_receipts == 0
    await fake.server.wait_receipts()
    assert fake.account.sent[0].status == "Submitted"
    assert webhook.bodies == []


async def test_receipts_without_a_webhook_only_change_the_status(
    client: EsendexClient, fake: Fake, webhook: Webhook, session: aiohttp.ClientSession
) -> None:
    await control(session, fake, "POST", "config", {"webhook": None})

    [sent] = await client.async_send(REFERENCE, [OutboundMessage(SENDER, "Hi")])
    await fake.server.wait_receipts()

    assert fake.account.sent[0].status == "Delivered"
    assert fake.account.sent[0].receipt_status is None
    assert webhook.bodies == []
    header = await client.async_get_message(sent.message_id)
    assert header.direction == "Outbound"


async def test_a_receipt_that_breaks_is_logged(
    client: EsendexClient,
    fake: Fake,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the webhook exploded")

    monkeypatch.setattr(fake_api, "post_with_retry", broken)

    [sent] = await client.async_send(REFERENCE, [OutboundMessage(SENDER, "x")])
    await fake.server.wait_receipts()

    assert f"receipt for {sent.message_id} failed" in caplog.text
    assert "the webhook exploded" in caplog.text
    assert fake.server.pending_receipts == 0


async def test_cleanup_cancels_waiting_receipts(socket_enabled: None) -> None:
    account = FakeEsendexAccount(
        webhook_url="http://127.0.0.1:9/never", receipt_delay=3600
    )
    app = create_app(account)
    async with (
        TestServer(app, host="127.0.0.1") as server,
        aiohttp.ClientSession() as session,
    ):
        client = EsendexClient(
            session,
            account.username,
            account.password,
            base_url=str(server.make_url("/v1.0/")),
        )
        await client.async_send(
            account.account_reference, [OutboundMessage(SENDER, "x")]
        )
        assert app[SERVER_KEY].pending_receipts == 1

    assert app[SERVER_KEY].pending_receipts == 0
    assert account.sent[0].status == "Submitted"


# ------------------------------------------------------------------ inbound


async def test_an_inbound_sms_is_pushed_and_verifies(
    client: EsendexClient, fake: Fake, webhook: Webhook, session: aiohttp.ClientSession
) -> None:
    text = "Open the gate & <go> \u2013 merci\r\nOK \U0001f6aa"

    answer = await inbound(session, fake, **{"from": SENDER, "text": text})

    assert answer["push_status"] == HTTPStatus.OK
    message_id = answer["id"]
    push = await webhook.next()
    assert isinstance(push, InboundMessage)
    assert push.message_id == message_id
    assert push.account_id == ACCOUNT_ID
    assert (push.sender, push.recipient, push.text) == (SENDER, VIRTUAL_NUMBER, text)
    # What the integration's verification reads and compares.
    for asked in (message_id, message_id.upper()):
        stored = await client.async_get_message(asked)
        assert stored.message_id == message_id.lower()
        assert (stored.sender, stored.recipient, stored.text) == (
            SENDER,
            VIRTUAL_NUMBER,
            text,
        )
        assert stored.direction == "Inbound"
        assert stored.received_at is not None
        assert differences(push, stored) == []
    page = await client.async_get_inbox(REFERENCE)
    assert [message.message_id for message in page.messages] == [message_id]


async def test_the_integrations_verifier_accepts_what_was_pushed(
    hass: HomeAssistant,
    client: EsendexClient,
    fake: Fake,
    webhook: Webhook,
    session: aiohttp.ClientSession,
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, title="Esendex SMS")
    entry.add_to_hass(hass)
    verifier = InboundVerifier(hass, entry, client)
    answer = await inbound(session, fake, **{"from": SENDER, "text": "Gate & <go>"})
    push = await webhook.next()
    assert isinstance(push, InboundMessage)
    # A push Esendex did not send: same sender and text, an id it does not have.
    forged = InboundMessage(
        notification_id="forged",
        message_id="0b6c4a38-0000-4000-8000-000000000000",
        account_id=ACCOUNT_ID,
        sender=SENDER,
        recipient=VIRTUAL_NUMBER,
        text="Gate & <go>",
        received_at=None,
    )
    # The real one with other text: what someone replaying an id could post.
    altered = InboundMessage(
        notification_id="altered",
        message_id=answer["id"].upper(),
        account_id=ACCOUNT_ID,
        sender=SENDER,
        recipient=VIRTUAL_NUMBER,
        text="Gate & <stay>",
        received_at=None,
    )

    results = []
    for message in (push, forged, altered):
        verifier.async_start(message)
        results.append(await verifier.async_wait(message.message_id, WAIT))

    assert results == [True, False, False]


async def test_an_inbound_sms_with_its_own_id_and_recipient(
    client: EsendexClient, fake: Fake, webhook: Webhook, session: aiohttp.ClientSession
) -> None:
    answer = await inbound(
        session,
        fake,
        **{
            "from": "Bank",
            "to": "447860000001",
            "text": "  spaced  ",
            "id": "D6258601-3442-484F-B2AC-300088A8A4D4",
        },
    )

    assert answer["id"] == "D6258601-3442-484F-B2AC-300088A8A4D4"
    push = await webhook.next()
    assert isinstance(push, InboundMessage)
    stored = await client.async_get_message(answer["id"])
    assert (stored.sender, stored.recipient) == ("Bank", "447860000001")
    assert differences(push, stored) == []
    status, error = await control(
        session,
        fake,
        "POST",
        "inbound",
        {"from": SENDER, "text": "again", "id": answer["id"].lower()},
    )
    assert status == HTTPStatus.CONFLICT, error
    assert len(fake.account.inbox) == 1


async def test_an_inbound_sms_can_skip_its_push(
    client: EsendexClient, fake: Fake, webhook: Webhook, session: aiohttp.ClientSession
) -> None:
    answer = await inbound(
        session, fake, **{"from": SENDER, "text": "missed", "push": False}
    )

    assert answer["push_status"] is None
    assert webhook.bodies == []
    page = await client.async_get_inbox(REFERENCE)
    assert [message.message_id for message in page.messages] == [answer["id"]]


async def test_the_inbox_pages_newest_first(
    client: EsendexClient, fake: Fake, session: aiohttp.ClientSession
) -> None:
    texts = [f"message {number}, long enough to be summarised" for number in range(5)]
    ids = [
        (await inbound(session, fake, **{"from": SENDER, "text": text, "push": False}))[
            "id"
        ]
        for text in texts
    ]
    newest_first = [message_id.lower() for message_id in reversed(ids)]

    pages = [
        await client.async_get_inbox(REFERENCE, start_index=start, count=2)
        for start in (0, 2, 4, 6)
    ]

    assert [page.total_count for page in pages] == [5, 5, 5, 5]
    assert [page.start_index for page in pages] == [0, 2, 4, 6]
    assert [page.count for page in pages] == [2, 2, 1, 0]
    listed = [message for page in pages for message in page.messages]
    assert [message.message_id for message in listed] == newest_first
    times = [message.received_at for message in listed]
    assert all(time is not None for time in times)
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    newest = listed[0]
    assert newest.summary == texts[-1][:20] + "..."
    assert (newest.sender, newest.recipient) == (SENDER, VIRTUAL_NUMBER)
    assert newest.body_uri is not None
    assert newest.body_uri.endswith(f"/messageheaders/{newest.message_id}/body")
    assert await client.async_get_message_body(newest.message_id) == texts[-1]
    # The inbox of all the login's accounts is the same one account's.
    async with session.get(
        f"{fake.api_url}inbox/messages",
        params={"startindex": 1, "count": 1},
        headers=AUTH,
    ) as response:
        root = fromstring(await response.read())
    assert [header.get("id") for header in root] == [ids[3]]
    for params in ({"startIndex": "-1"}, {"count": "0"}, {"count": "many"}):
        async with session.get(
            f"{fake.api_url}inbox/messages", params=params, headers=AUTH
        ) as response:
            assert response.status == HTTPStatus.BAD_REQUEST


async def test_an_unknown_message_is_not_found(client: EsendexClient) -> None:
    with pytest.raises(MessageNotFoundError):
        await client.async_get_message("0b6c4a38-0000-4000-8000-000000000000")
    with pytest.raises(EsendexRequestError) as caught:
        await client.async_get_message_body("0b6c4a38-0000-4000-8000-000000000000")
    assert caught.value.status == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": "no sender"}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER}, HTTPStatus.BAD_REQUEST),
        ({"from": "  ", "text": "x"}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER, "to": "", "text": "x"}, HTTPStatus.BAD_REQUEST),
        ({"from": 447700900123, "text": "x"}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER, "text": "nul \x00"}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER, "text": "x" * 10_001}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER, "text": "x", "id": "../accounts"}, HTTPStatus.BAD_REQUEST),
        ({"from": SENDER, "text": "x", "push": "yes"}, HTTPStatus.BAD_REQUEST),
        (["not", "an", "object"], HTTPStatus.BAD_REQUEST),
    ],
)
async def test_an_unusable_inbound_request_is_refused(
    fake: Fake,
    webhook: Webhook,
    session: aiohttp.ClientSession,
    payload: object,
    status: int,
) -> None:
    answer_status, answer = await control(session, fake, "POST", "inbound", payload)

    assert answer_status == status
    assert "error" in answer
    assert fake.account.inbox == []
    assert webhook.bodies == []


async def test_a_body_that_is_not_json_is_refused(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    for route in ("inbound", "config"):
        async with session.post(fake.control_url + route, data=b"{nope") as response:
            assert response.status == HTTPStatus.BAD_REQUEST
            assert "not JSON" in (await response.json())["error"]


# ------------------------------------------------------------------ control


async def test_config_changes_everything_or_nothing(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    def settings() -> dict[str, Any]:
        return fake.account.state() | {"request_count": None}

    before = settings()
    for payload in (
        {"credits": 5, "webhook": "ftp://example.com/hook"},
        {"credits": -1},
        {"credits": 1.5},
        {"credits": True},
        {"receipt_delay": "soon"},
        {"receipt_delay": 3601},
        {"fail_numbers": "447700900999"},
        {"fail_numbers": [""]},
        {"webhook": 42},
        {"colour": "blue"},
    ):
        status, answer = await control(session, fake, "POST", "config", payload)
        assert status == HTTPStatus.BAD_REQUEST, payload
        assert "error" in answer
    assert settings() == before

    status, state = await control(
        session,
        fake,
        "POST",
        "config",
        {
            "webhook": "http://127.0.0.1:8123/api/webhook/abc",
            "credits": 3,
            "receipt_delay": 2.5,
            "fail_numbers": ["+44 7700 900111"],
        },
    )

    assert status == HTTPStatus.OK
    assert state["webhook"] == "http://127.0.0.1:8123/api/webhook/abc"
    assert (state["credits"], state["receipt_delay"]) == (3, 2.5)
    assert state["fail_numbers"] == ["447700900111"]
    assert fake.account.is_failing("447700900111")
    assert not fake.account.is_failing(FAILING)
    status, again = await control(session, fake, "GET", "state")
    assert again == state | {"request_count": again["request_count"]}


async def test_control_routes_need_no_login_but_the_api_does(
    fake: Fake, session: aiohttp.ClientSession
) -> None:
    status, state = await control(session, fake, "GET", "state")

    assert status == HTTPStatus.OK
    assert state["account_id"] == ACCOUNT_ID
    async with session.get(f"{fake.api_url}nowhere") as response:
        assert response.status == HTTPStatus.UNAUTHORIZED
    async with session.get(
        f"{fake.api_url}nowhere",
        headers=AUTH,
    ) as response:
        assert response.status == HTTPStatus.NOT_FOUND
    seen = [(request.method, request.path) for request in fake.account.requests]
    assert seen == [
        ("GET", "/_fake/state"),
        ("GET", "/v1.0/nowhere"),
        ("GET", "/v1.0/nowhere"),
    ]


# ---------------------------------------------------------------------- CLI


def test_the_options_make_the_account() -> None:
    args = fake_api.build_parser().parse_args(
        [
            "--port",
            "0",
            "--username",
            "u@example.com",
            "--password",
            "p",
            "--account-reference",
            "EX1",
            "--account-id",
            "a-b",
            "--virtual-number",
            "447860000001",
            "--credits",
            "7",
            "--webhook",
            "http://127.0.0.1:8123/api/webhook/x",
            "--receipt-delay",
            "0",
            "--fail-number",
            "+44 7700 900111",
            "--fail-number",
            "447700900222",
        ]
    )

    account = fake_api.account_from_args(args)

    assert (args.host, args.port) == ("127.0.0.1", 0)
    assert (account.username, account.password) == ("u@example.com", "p")
    assert (account.account_reference, account.account_id) == ("EX1", "a-b")
    assert (account.virtual_number, account.credits) == ("447860000001", 7)
    assert account.webhook_url == "http://127.0.0.1:8123/api/webhook/x"
    assert account.receipt_delay == 0
    assert account.fail_numbers == {"447700900111", "447700900222"}


def test_the_defaults_are_the_demos() -> None:
    account = fake_api.account_from_args(fake_api.build_parser().parse_args([]))

    assert account == FakeEsendexAccount()
    assert (account.username, account.password) == ("demo@example.com", "demo-esendex")
    assert (account.account_reference, account.account_id) == (REFERENCE, ACCOUNT_ID)
    assert (account.virtual_number, account.credits) == (VIRTUAL_NUMBER, 1000)
    assert (account.webhook_url, account.receipt_delay) == (None, 1.0)


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "70000"],
        ["--port", "http"],
        ["--credits", "-1"],
        ["--receipt-delay", "3601"],
        ["--webhook", "ftp://example.com/hook"],
    ],
)
def test_unusable_options_are_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        fake_api.build_parser().parse_args(argv)

    assert caught.value.code == 2
    assert "error" in capsys.readouterr().err


def test_the_started_line_names_the_urls() -> None:
    account = FakeEsendexAccount(webhook_url="http://127.0.0.1:8123/api/webhook/x")

    line = json.loads(fake_api.started_line(account, "::1", 8080))

    assert line["api_url"] == "http://[::1]:8080/v1.0/"
    assert line["control_url"] == "http://[::1]:8080/_fake/"
    assert line["webhook"] == "http://127.0.0.1:8123/api/webhook/x"
    assert "password" not in line


async def test_serve_listens_until_stopped(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    account = FakeEsendexAccount(credits=3)
    stop = asyncio.Event()
    lines: list[str] = []
    started = asyncio.Event()

    def on_started(line: str) -> None:
        lines.append(line)
        started.set()

    serving = asyncio.create_task(
        fake_api.serve(account, "127.0.0.1", 0, stop, on_started=on_started)
    )
    try:
        async with asyncio.timeout(WAIT):
            await started.wait()
        [line] = [json.loads(line) for line in lines]
        client = EsendexClient(
            session, account.username, account.password, base_url=line["api_url"]
        )
        assert (await client.async_get_account(REFERENCE)).messages_remaining == 3
        stop.set()
        async with asyncio.timeout(WAIT):
            await serving
        with pytest.raises(EsendexConnectionError):
            await client.async_get_accounts()
    finally:
        serving.cancel()


async def _start(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.fake_esendex_api",
        *argv,
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_the_command_line_prints_its_urls_and_serves(
    webhook: Webhook,
) -> None:
    process = await _start(
        "--port",
        "0",
        "--credits",
        "7",
        "--webhook",
        webhook.url,
        "--receipt-delay",
        "0.05",
        "--verbose",
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(PROCESS_WAIT):
            line = json.loads(await process.stdout.readline())
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1\.0/", line["api_url"])
        assert line["control_url"] == line["api_url"].replace("/v1.0/", "/_fake/")
        async with aiohttp.ClientSession() as session:
            client = EsendexClient(
                session, "demo@example.com", "demo-esendex", base_url=line["api_url"]
            )
            account = await client.async_get_account(REFERENCE)
            assert account.messages_remaining == 7
            [sent] = await client.async_send(REFERENCE, [OutboundMessage(SENDER, "x")])
            push = await webhook.next()
            assert isinstance(push, MessageDelivered)
            assert push.message_id == sent.message_id
            async with session.get(line["control_url"] + "state") as response:
                assert (await response.json())["credits"] == 6

        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(PROCESS_WAIT):
            assert await process.wait() == 0
            rest = await process.stdout.read()
        assert rest == b""  # one line only: a parent reads it and nothing else
    finally:
        await _stop(process)


async def test_the_command_line_stops_on_sigint(socket_enabled: None) -> None:
    process = await _start("--port", "0")
    try:
        assert process.stdout is not None
        async with asyncio.timeout(PROCESS_WAIT):
            assert json.loads(await process.stdout.readline())["api_url"]
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(PROCESS_WAIT):
            assert await process.wait() == 0
    finally:
        await _stop(process)


async def test_the_command_line_fails_on_a_port_in_use(socket_enabled: None) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await _start("--port", str(port))
        try:
            async with asyncio.timeout(PROCESS_WAIT):
                stdout, stderr = await process.communicate()
        finally:
            await _stop(process)

    assert process.returncode == 1
    assert stdout == b""
    assert b"cannot serve" in stderr
