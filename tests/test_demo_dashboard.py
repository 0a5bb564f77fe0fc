"""The demo's dashboard in a real browser: `scripts/develop --demo` as a user sees it.

Starts the demo of tools/demo.py (a real `hass` process, onboarded, its fake
Esendex API, one Esendex entry with the fake's login and two contacts, the demo
dashboard) on a temporary config dir and free loopback ports, plays an SMS from
Alice (through the fake: in its inbox, pushed to the webhook) and a reply to her
(`esendex.send_sms`; the fake posts its delivery report), opens the instance's
default page in headless Chromium (driven by Playwright, see tools/screenshots.py)
and checks that the cards render what happened: the messages card lists Alice's
thread (in its shadow root) and, opened, her SMS and the reply with a delivered
tick; the README's card and the entities show the SMS and the delivery report.

Needs Debian's Chromium where the tests run (`scripts/screenshots` installs it, and
the libraries Playwright's driver needs); without it, or when Playwright cannot
launch it, the test is skipped, so CI on a machine without a browser stays green.
About 15 s with it. Every process it starts is stopped, hass and Chromium alike,
and the fake's thread.
"""

import asyncio
from collections.abc import Generator
from contextlib import AsyncExitStack
from pathlib import Path
import re
import sys

import pytest

from tools.demo import (
    ALICE,
    CONTACTS,
    DASHBOARD_URL_PATH,
    SENSOR_DELIVERY,
    SENSOR_INBOUND,
    DemoInstance,
    Inbound,
    Reply,
    feed,
    free_loopback_port,
)
from tools.screenshots import (
    CARD_TAG,
    THREAD_ITEM,
    BrowserError,
    chromium,
    deep_text,
    find_chromium,
    texts_of,
    wait_for_text,
)

pytest.importorskip("homeassistant.__main__", reason="the demo runs the `hass` package")

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium at /usr/bin/chromium here; `scripts/screenshots`"
        " installs Debian's package where the tests run",
    ),
    # Normally ~15 s; the in-test bound fires first and says where it stopped.
    pytest.mark.timeout(240),
]
IN_TEST_TIMEOUT = 180

TEXT = "Gate code please"
REPLY = "It's 4321"


@pytest.fixture
def demo(
    tmp_path: Path,
    socket_enabled: None,  # the HA test plugin blocks sockets; loopback is fine here
) -> Generator[DemoInstance]:
    """A demo on a temporary config dir; hass and the fake stop whatever happens."""
    # Receipts soon after sending: the test waits for one.
    instance = DemoInstance(
        config_dir=tmp_path / "config", port=free_loopback_port(), receipt_delay=0.3
    )
    try:
        yield instance
    finally:
        instance.stop()
        # Captured output: pytest shows it only when the test failed.
        sys.stdout.write(f"--- end of hass's console ---\n{instance.log_tail()}\n")


async def test_demo_dashboard_renders_the_messages_card_and_the_entities(
    demo: DemoInstance,
) -> None:
    assert CHROMIUM is not None
    async with asyncio.timeout(IN_TEST_TIMEOUT), AsyncExitStack() as stack:
        # The browser first: where Playwright cannot launch it, hass never starts.
        try:
            browser = await stack.enter_async_context(chromium(CHROMIUM))
        except BrowserError as err:
            pytest.skip(f"Playwright cannot launch {CHROMIUM} here: {err}")
        async with demo.running():
            items = (Inbound(ALICE, TEXT), Reply(ALICE, REPLY))
            played = await feed(
                demo,
                iter(items),
                interval=1.1,
                opening=len(items),
                echo=lambda _line: None,
            )
            assert played == len(items)
            # The states first: a failure here is the integration's, not the page's.
            await demo.wait_for_state(SENSOR_INBOUND, lambda s: s["state"] == TEXT)
            await demo.wait_for_state(
                SENSOR_DELIVERY, lambda s: s["state"] == "delivered"
            )
            async with browser.page(demo) as page:
                # The instance's root: the demo dashboard is the default panel.
                await page.goto(f"{demo.base_url}/")
                await page.wait_for_url(f"{demo.base_url}/{DASHBOARD_URL_PATH}/**")
                # Every card rendered, with the values the notifications carried.
                await wait_for_text(page, TEXT, "Last delivery report", "Received")
                # The messages card (a custom element the integration loads) lists
                # the thread, in its shadow root.
                await page.locator(THREAD_ITEM).first.wait_for()
                threads = [
                    (await item.get_attribute("data-number"), await deep_text(item))
                    for item in await page.locator(THREAD_ITEM).all()
                ]
                markdown = await texts_of(page, "hui-markdown-card")
                entities = await texts_of(page, "hui-entities-card")
                # Opened, the thread shows the SMS in, the reply out, delivered.
                card = page.locator(CARD_TAG)
                await page.locator(THREAD_ITEM).first.click()
                delivered = card.locator(
                    '[data-testid="message"][data-direction="out"]'
                    '[data-status="delivered"] [data-testid="tick"]'
                    '[data-status="delivered"]'
                )
                await delivered.wait_for()
                messages = [
                    (
                        await message.get_attribute("data-direction"),
                        await message.get_attribute("data-status"),
                        await deep_text(message),
                    )
                    for message in await card.locator('[data-testid="message"]').all()
                ]

    # The messages card: one thread, Alice's (a contact), the reply last.
    assert len(threads) == 1, threads
    number, text = threads[0]
    assert number == ALICE, threads
    assert re.search(rf"{CONTACTS[ALICE]}.*{REPLY}", text), text
    assert [(direction, status) for direction, status, _ in messages] == [
        ("in", "received"),
        ("out", "delivered"),
    ], messages
    assert TEXT in messages[0][2], messages
    assert REPLY in messages[1][2], messages
    # The README's card: sender, text, and the last delivery report.
    assert len(markdown) == 1, markdown
    assert re.search(rf"{ALICE}.*{TEXT}.*Last delivery report: Delivered", markdown[0])
    # The entities card: each entity's name, then its value.
    assert len(entities) == 1, entities
    assert re.search(
        rf"Last inbound SMS {TEXT}.*Last delivery status Delivered"
        r".*Inbound message .*Received.*Delivery status .*Delivered"
        r".*Credits remaining \d+",
        entities[0],
    ), entities[0]
