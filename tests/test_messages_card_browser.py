"""The messages card in a real browser, on a real `hass`, live.

Home Assistant runs as its own process with the frontend, pointed at the fake
Esendex API (tools/fake_esendex_api.py) served in this test's loop. Debian's
Chromium, driven by Playwright (`executable_path`, no browser download), opens a
dashboard with the card as the owner would. Then, with no reload of the page:

- the threads show, the contact's name first;
- an SMS pushed to the webhook appears in the open thread;
- a reply typed in the box (Enter sends, Shift+Enter is a new line) reaches the
  fake Esendex, and shows with one tick, which turns to delivered when the
  receipt comes back.

It skips where there is no Chromium; scripts/test installs it first.
"""

import asyncio
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from pathlib import Path
import sys
import time

import aiohttp
from playwright.async_api import Page, expect
import pytest

from tools.demo import write_voice_stand_ins
from tools.screenshots import chromium, find_chromium

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

CHROMIUM = find_chromium()
IN_LOOP_TIMEOUT = 240.0
# Generous bounds for a 2-core CI machine; the measured times are printed.
RENDER_TIMEOUT_MS = 30_000
LIVE_TIMEOUT_MS = 10_000
ALICE = "447700900123"
CARD = "esendex-messages-card"
DASHBOARD = "esendex-sms"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed"
)


@pytest.fixture
async def fake_esendex(socket_enabled: None) -> AsyncIterator[FakeEsendex]:
    """The fake Esendex API; a receipt comes back a second after each send."""
    async with serve_fake_esendex(receipt_delay=1.0) as fake:
        yield fake


@pytest.fixture
def hass_process(tmp_path: Path, fake_esendex: FakeEsendex) -> Generator[HassProcess]:
    """A hass with the frontend, using the fake Esendex API."""
    hass = HassProcess(tmp_path, free_loopback_port())
    write_config_dir(
        hass.config_dir, hass.port, fake_api_yaml(fake_esendex) + "frontend:\n"
    )
    # Without its voice packages, the frontend never gets past "Loading...".
    if stand_ins := write_voice_stand_ins(hass.config_dir):
        hass.python_path.append(stand_ins)
    hass.start()
    try:
        yield hass
    finally:
        hass.stop()
        sys.stdout.write(f"{hass.diagnostics()}\n")


async def test_the_card_shows_threads_live_and_sends_replies(
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
        await client.async_finish_onboarding()
        entry_id, _webhook_url = await add_api_entry(client, fake_esendex)
        await add_contact(client, entry_id, "Alice", f"+{ALICE}")
        first = await fake_esendex.async_text(session, ALICE, "Is the gate shut?")
        await add_dashboard(client, entry_id)

        async with browser_page(client) as page:
            await page.goto(f"{hass_process.base_url}/{DASHBOARD}/0")
            thread = page.locator(f'{CARD} [data-testid="thread-item"]')
            await expect(thread).to_have_count(1, timeout=RENDER_TIMEOUT_MS)
            await expect(thread).to_have_attribute("data-number", ALICE)
            await expect(thread).to_contain_text("Alice")
            await expect(thread).to_contain_text("Is the gate shut?")
            await expect(
                page.locator(f'{CARD} [data-testid="unread-badge"]')
            ).to_have_text("1")

            await thread.click()
            messages = page.locator(f'{CARD} [data-testid="message"]')
            await expect(messages).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
            await expect(messages.first).to_have_attribute("data-id", first.lower())

            # A push while the thread is open: no reload, no polling.
            pushed_at = time.monotonic()
            second = await fake_esendex.async_text(session, ALICE, "Hello?")
            await expect(
                page.locator(f'{CARD} [data-testid="message"][data-id="{second}"]')
            ).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
            print(f"push to bubble: {time.monotonic() - pushed_at:.2f} s")  # noqa: T201

            box = page.locator(f'{CARD} [data-testid="reply-input"]')
            await box.click()
            await box.press_sequentially("Shut")
            await box.press("Shift+Enter")
            await box.press_sequentially("at 6pm")
            await expect(box).to_have_value("Shut\nat 6pm")
            assert fake_esendex.account.sent == []
            await box.press("Enter")

            outbound = page.locator(
                f'{CARD} [data-testid="message"][data-direction="out"]'
            )
            await expect(outbound).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
            sent = fake_esendex.account.sent
            assert [(item.to, item.body) for item in sent] == [
                (f"+{ALICE}", "Shut\nat 6pm")
            ], [item.as_json() for item in sent]
            await expect(outbound).to_have_attribute("data-id", sent[0].message_id)
            await expect(box).to_have_value("")
            # One tick, then two when the receipt (a second later) comes back.
            tick = outbound.locator('[data-testid="tick"]')
            await expect(tick).to_have_attribute(
                "data-status", "delivered", timeout=LIVE_TIMEOUT_MS
            )
            assert sent[0].receipt_status == 200
            await expect(outbound).to_have_attribute("data-status", "delivered")


async def add_dashboard(client: HassClient, entry_id: str) -> None:
    """A dashboard with the card, as its YAML in the README shows it."""
    await client.async_command(
        "lovelace/dashboards/create",
        url_path=DASHBOARD,
        title="Esendex SMS",
        require_admin=False,
        show_in_sidebar=True,
    )
    card = {"type": f"custom:{CARD}", "entry_id": entry_id, "title": "SMS"}
    await client.async_command(
        "lovelace/config/save",
        url_path=DASHBOARD,
        config={"views": [{"title": "SMS", "cards": [card]}]},
    )
    # The YAML's http: settings wait for an admin's confirmation in a dialog
    # that would cover the card; confirm them as the admin would.
    if (await client.async_command("http/config"))["pending"] is not None:
        await client.async_command("http/config/promote")


@asynccontextmanager
async def browser_page(client: HassClient) -> AsyncIterator[Page]:
    """A Chromium tab logged in as the client's user (tools/screenshots.py's)."""
    assert CHROMIUM is not None
    async with (
        chromium(CHROMIUM) as browser,
        browser.page(client, viewport=(800, 900)) as page,
    ):
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.on("pageerror", lambda error: console.append(str(error)))
        try:
            yield page
        except AssertionError:
            # What the browser showed is the first thing a failure needs.
            shot = client.hass.config_dir / "card-failure.png"
            await page.screenshot(path=shot)
            sys.stdout.write(f"screenshot of the failure: {shot}\n")
            sys.stdout.write("browser console:\n  " + "\n  ".join(console) + "\n")
            raise
