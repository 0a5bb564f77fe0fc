"""Text your home, end to end: a real `hass`, a fake Esendex, one answer by SMS.

Home Assistant runs as its own process, with HA's conversation integration, the
Assist pipeline (the real one, with stand-ins for its two compiled voice packages)
and a kitchen light. The integration's REST client is pointed at
tools/fake_esendex_api.py, served in this test's loop, through the development
setting `esendex: api_url:`. Everything is done as a user would: the entry (with
API credentials) and a contact with "Answer with Assist" are added through the
config flows over REST, and the SMS arrives the way Esendex delivers one: in the
inbox, and pushed to the webhook.
"""

import asyncio
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from pathlib import Path
import sys
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from tools.demo import write_voice_stand_ins
from tools.fake_esendex_api import FakeEsendexAccount, create_app

from .e2e_support import HassClient, HassProcess, free_loopback_port, write_config_dir

IN_LOOP_TIMEOUT = 150.0
USERNAME = "owner@example.com"
PASSWORD = "fake-api-password"  # noqa: S105 - a made-up login of the fake
REFERENCE = "EX0012345"
ACCOUNT_ID = "0b5e7ad2-6d4f-4d55-9c1e-2a3b4c5d6e7f"
VIRTUAL_NUMBER = "447860000000"
ALICE = "447700900123"
LIGHT = "light.kitchen_light"
ANSWER_EVENT = "esendex_assist_answered"

ASSIST_YAML = """
esendex:
  api_url: {api_url}
conversation:
assist_pipeline:
template:
  - light:
      - name: Kitchen light
        turn_on: []
        turn_off: []
"""


@dataclass
class FakeEsendex:
    """The fake's state, and where its API is served."""

    account: FakeEsendexAccount
    api_url: str


@pytest.fixture
async def fake_esendex(socket_enabled: None) -> AsyncIterator[FakeEsendex]:
    """The fake Esendex API on a loopback port; its receipts come quickly."""
    account = FakeEsendexAccount(
        username=USERNAME,
        password=PASSWORD,
        account_reference=REFERENCE,
        account_id=ACCOUNT_ID,
        virtual_number=VIRTUAL_NUMBER,
        receipt_delay=0.2,
    )
    async with TestServer(create_app(account), host="127.0.0.1") as server:
        yield FakeEsendex(account, str(server.make_url("/v1.0/")))


@pytest.fixture
def hass_process(tmp_path: Path, fake_esendex: FakeEsendex) -> Generator[HassProcess]:
    """A hass that uses the fake Esendex API, stopped whatever the test does."""
    hass = HassProcess(tmp_path, free_loopback_port())
    write_config_dir(
        hass.config_dir, hass.port, ASSIST_YAML.format(api_url=fake_esendex.api_url)
    )
    if stand_ins := write_voice_stand_ins(hass.config_dir):
        hass.python_path.append(stand_ins)
    hass.start()
    try:
        yield hass
    finally:
        hass.stop()
        # Captured output: pytest shows it only when the test failed.
        sys.stdout.write(f"{hass.diagnostics()}\n")


async def test_a_contact_texts_and_gets_exactly_one_answer(
    hass_process: HassProcess, fake_esendex: FakeEsendex
) -> None:
    async with (
        asyncio.timeout(IN_LOOP_TIMEOUT),
        aiohttp.ClientSession() as session,
    ):
        client = HassClient(session, hass_process)
        await hass_process.async_wait_until_serving(session)
        await client.async_onboard()
        await client.async_wait_until_running()
        owner = await client.async_command("auth/current_user")

        entry_id, webhook_url = await add_api_entry(client)
        # Esendex is told the URL at its end; the fake is told here.
        fake_esendex.account.webhook_url = webhook_url
        await add_assist_contact(client, entry_id, "Alice", f"+{ALICE}", owner["id"])

        async with await client.async_subscribe([ANSWER_EVENT]) as answers:
            status, arrived = await text_home(
                session, fake_esendex, "turn on the kitchen light"
            )
            assert status == 200, arrived
            assert arrived["push_status"] == 200, arrived
            # Verification reads the SMS back first (a few requests), then Assist
            # answers; the settle time after it catches a second answer.
            events = await answers.async_receive(1, max_wait=60, settle=3)

        assert len(events) == 1, events
        answered = events[0]["data"]
        assert answered["config_entry_id"] == entry_id
        assert answered["contact"] == "Alice"
        assert answered["question"] == "turn on the kitchen light"
        assert "error" not in answered, answered
        # The preferred pipeline's agent: the real assist_pipeline was asked.
        assert answered["agent_id"] == "conversation.home_assistant", answered
        light = await client.async_state(LIGHT)
        assert light["state"] == "on"
        # HA's own agent acted as the contact's user.
        assert light["context"]["user_id"] == owner["id"]

        sent = [item for item in fake_esendex.account.sent if item.to.endswith(ALICE)]
        assert len(sent) == 1, [item.as_json() for item in fake_esendex.account.sent]
        assert sent[0].body == answered["answer"]
        assert answered["message_ids"] == [sent[0].message_id]
        # The answer is in the card's history, marked as Assist's, and its
        # receipt (the fake's, 0.2 s after sending) is matched to it.
        thread = await wait_for_delivery(client, entry_id)
        kinds = [(m["direction"], m["assist"]) for m in thread["messages"]]
        assert kinds == [("in", False), ("out", True)], thread


async def wait_for_delivery(client: HassClient, entry_id: str) -> dict[str, Any]:
    """Return Alice's thread once the answer in it is delivered (or fail)."""
    for _ in range(50):
        thread: dict[str, Any] = await client.async_command(
            "esendex/messages/thread", entry_id=entry_id, number=ALICE
        )
        if thread["messages"][-1]["status"] == "delivered":
            return thread
        await asyncio.sleep(0.2)
    pytest.fail(f"the answer's receipt never arrived: {thread}")


async def add_api_entry(client: HassClient) -> tuple[str, str]:
    """Add an entry with API credentials over REST; return its id and webhook URL."""
    flow = await client.async_post(
        "/api/config/config_entries/flow", {"handler": "esendex"}
    )
    assert flow["type"] == "menu", flow
    flow = await client.async_post(
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"next_step_id": "api_access"},
    )
    assert flow["step_id"] == "api_access", flow
    result = await client.async_post(
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"username": USERNAME, "password": PASSWORD, "account_reference": REFERENCE},
    )
    assert result["type"] == "create_entry", result
    webhook_url: str = result["description_placeholders"]["webhook_url"]
    return result["result"]["entry_id"], webhook_url


async def add_assist_contact(
    client: HassClient, entry_id: str, name: str, number: str, user_id: str
) -> None:
    """Add a contact whose SMS Assist answers, as the given user."""
    flow = await client.async_post(
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, "contact"]},
    )
    assert flow["type"] == "form", flow
    result = await client.async_post(
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        {
            "name": name,
            "phone_number": number,
            "assist": True,
            "assist_user_id": user_id,
        },
    )
    assert result["type"] == "create_entry", result


async def text_home(
    session: aiohttp.ClientSession, fake: FakeEsendex, text: str
) -> tuple[int, Any]:
    """Alice texts the home: the fake puts it in the inbox and pushes it."""
    control = fake.api_url.replace("/v1.0/", "/_fake/inbound")
    async with session.post(control, json={"from": ALICE, "text": text}) as response:
        return response.status, await response.json()
