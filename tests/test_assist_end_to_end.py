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
from pathlib import Path
import sys
from typing import Any

import aiohttp
import pytest

from tools.demo import write_voice_stand_ins

from .e2e_support import (
    FakeEsendex,
    HassClient,
    HassProcess,
    add_api_entry,
    add_contact,
    fake_api_yaml,
    free_loopback_port,
    serve_fake_esendex,
    write_config_dir,
)

IN_LOOP_TIMEOUT = 150.0
ALICE = "447700900123"
LIGHT = "light.kitchen_light"
ANSWER_EVENT = "esendex_assist_answered"

ASSIST_YAML = """
conversation:
assist_pipeline:
template:
  - light:
      - name: Kitchen light
        turn_on: []
        turn_off: []
"""


@pytest.fixture
async def fake_esendex(socket_enabled: None) -> AsyncIterator[FakeEsendex]:
    """The fake Esendex API on a loopback port; its receipts come quickly."""
    async with serve_fake_esendex(receipt_delay=0.2) as fake:
        yield fake


@pytest.fixture
def hass_process(tmp_path: Path, fake_esendex: FakeEsendex) -> Generator[HassProcess]:
    """A hass that uses the fake Esendex API, stopped whatever the test does."""
    hass = HassProcess(tmp_path, free_loopback_port())
    write_config_dir(
        hass.config_dir, hass.port, fake_api_yaml(fake_esendex) + ASSIST_YAML
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

        entry_id, _webhook_url = await add_api_entry(client, fake_esendex)
        await add_contact(
            client, entry_id, "Alice", f"+{ALICE}", assist_user_id=owner["id"]
        )

        async with await client.async_subscribe([ANSWER_EVENT]) as answers:
            await fake_esendex.async_text(session, ALICE, "turn on the kitchen light")
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
