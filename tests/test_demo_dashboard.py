"""The demo's dashboard in a real browser: `scripts/develop --demo` as a user sees it.

Starts the demo of tools/demo.py (a real `hass` process, onboarded, one Esendex
entry, the demo dashboard) on a temporary config dir and a free loopback port,
posts two notifications with the simulator, opens the instance's default page in
headless Chromium (driven by Playwright, see tools/screenshots.py) and checks that
the Esendex cards render the values the notifications carried.

Needs Debian's Chromium where the tests run (`scripts/screenshots` installs it, and
the libraries Playwright's driver needs); without it, or when Playwright cannot
launch it, the test is skipped, so CI on a machine without a browser stays green.
About 10 s with it. Every process it starts is stopped, hass and Chromium alike.
"""

import asyncio
from collections.abc import Generator
from contextlib import AsyncExitStack
from pathlib import Path
import re
import sys

import pytest

from tools.demo import (
    COURIER,
    DASHBOARD_URL_PATH,
    SENSOR_DELIVERY,
    SENSOR_INBOUND,
    UNREACHABLE,
    DemoInstance,
    Failed,
    Inbound,
    feed,
    free_loopback_port,
)
from tools.screenshots import (
    BrowserError,
    chromium,
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
    # Normally ~10 s; the in-test bound fires first and says where it stopped.
    pytest.mark.timeout(240),
]
IN_TEST_TIMEOUT = 180

TEXT = "Gate code please"


@pytest.fixture
def demo(
    tmp_path: Path,
    socket_enabled: None,  # the HA test plugin blocks sockets; loopback is fine here
) -> Generator[DemoInstance]:
    """A demo on a temporary config dir; its hass is stopped whatever happens."""
    instance = DemoInstance(config_dir=tmp_path / "config", port=free_loopback_port())
    try:
        yield instance
    finally:
        instance.stop_process()
        # Captured output: pytest shows it only when the test failed.
        sys.stdout.write(f"--- end of hass's console ---\n{instance.log_tail()}\n")


async def test_demo_dashboard_renders_the_esendex_entities(
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
            items = (Failed(UNREACHABLE), Inbound(COURIER, TEXT))
            sent = await feed(
                demo,
                iter(items),
                interval=1.1,
                opening=len(items),
                echo=lambda _line: None,
            )
            assert sent == len(items)
            # The states first: a failure here is the integration's, not the page's.
            await demo.wait_for_state(SENSOR_INBOUND, lambda s: s["state"] == TEXT)
            await demo.wait_for_state(SENSOR_DELIVERY, lambda s: s["state"] == "failed")
            async with browser.page(demo) as page:
                # The instance's root: the demo dashboard is the default panel.
                await page.goto(f"{demo.base_url}/")
                await page.wait_for_url(f"{demo.base_url}/{DASHBOARD_URL_PATH}/**")
                # Every card rendered, with the values the notifications carried.
                await wait_for_text(page, TEXT, "Last delivery report", "Received")
                markdown = await texts_of(page, "hui-markdown-card")
                entities = await texts_of(page, "hui-entities-card")

    # The README's card: sender, text, and the last delivery report.
    assert len(markdown) == 1, markdown
    assert re.search(rf"{COURIER}.*{TEXT}.*Last delivery report: Failed", markdown[0])
    # The entities card: each entity's name, then its value.
    assert len(entities) == 1, entities
    assert re.search(
        rf"Last inbound SMS {TEXT}.*Last delivery status Failed"
        r".*Inbound message .*Received.*Delivery status .*Failed",
        entities[0],
    ), entities[0]
