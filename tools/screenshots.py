"""Regenerate the README's screenshots from a fresh demo, in headless Chromium.

`scripts/screenshots` runs this module. It starts the demo of tools/demo.py on a
temporary config dir and a free loopback port, feeds it a fixed set of simulated
set of SMS (arriving through the demo's fake Esendex) and replies (sent with
`esendex.send_sms`, their receipts posted by the fake), logs Chromium in as the
demo user (by handing it a token, as the login page would store it), and saves
small palette PNGs in docs/images/:

- config-flow.png: the config flow's last step, with the webhook URL;
- device.png: the Esendex SMS device page with its entities;
- dashboard.png: the demo dashboard (the messages card, the README's card,
  entities, activity);
- messages-card.png: the messages card with Alice's thread open (SMS in and out,
  a delivered tick, the reply box), in the light theme;
- messages-card-dark.png: the same in the dark theme (the user's theme setting,
  as the frontend stores it, and a dark colour scheme);
- messages-card-phone.png: the dashboard on a phone's width (390 px), the thread
  open;
- automation.png: the demo's automation on the inbound SMS event entity;
- logbook.png: the logbook lines of the SMS, the receipts and the automation.

Chromium is driven with Playwright's async API: its locators pierce the frontend's
(open) shadow roots and wait by themselves until what they point at is visible,
stable and ready for a click. The browser is Debian's `/usr/bin/chromium`
(scripts/screenshots installs it where the project's Python runs); Playwright's own
browser builds are never downloaded. tests/test_demo_dashboard.py uses the same
`chromium()`.
"""

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
import io
import json
import os
from pathlib import Path
import re
import shutil
import sys
import tempfile
import time
from typing import Final, Protocol

from PIL import Image
from playwright.async_api import (
    Browser,
    Error as PlaywrightError,
    Locator,
    Page,
    async_playwright,
)

from tools.demo import (
    ALICE,
    AUTOMATION_ID,
    BOB,
    DASHBOARD_URL_PATH,
    DASHBOARD_VIEW_PATH,
    NEIGHBOUR,
    PLUMBER,
    SENSOR_DELIVERY,
    SENSOR_INBOUND,
    DemoError,
    DemoInstance,
    Inbound,
    Item,
    Reply,
    feed,
    free_loopback_port,
)

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
IMAGES_DIR: Final = REPO_ROOT / "docs" / "images"
CHROMIUM_CANDIDATES: Final = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# On top of Playwright's own switches (headless, no sandbox, no first run, no
# background networking, component updates, sync or extensions): no GPU, and only
# loopback exists for the browser: no name resolves, so nothing leaves the host.
CHROMIUM_ARGS: Final = (
    "--disable-gpu",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
VIEWPORT: Final = (1280, 800)
PHONE_VIEWPORT: Final = (390, 844)
LOGBOOK_HEIGHT: Final = 1100
# Around an element's screenshot: a little of the page (less than the gap to the
# next card), so that its rounded corners and shadow show.
ELEMENT_MARGIN: Final = 6
LAUNCH_TIMEOUT: Final = 30.0
WAIT_TIMEOUT: Final = 30.0
# Palette PNGs: the frontend's flat colours survive 256 of them unharmed.
PNG_COLOURS: Final = 256
MAX_PNG_BYTES: Final = 150 * 1024
IMAGE_NAMES: Final = (
    "dashboard",
    "messages-card",
    "messages-card-dark",
    "messages-card-phone",
    "device",
    "automation",
    "logbook",
    "config-flow",
)
# The messages card's element, and its parts (data-testid, in its shadow root;
# Playwright's CSS locators pierce open shadow roots).
CARD_TAG: Final = "esendex-messages-card"
THREAD_ITEM: Final = f'{CARD_TAG} [data-testid="thread-item"]'
# Scroll every scrolling ancestor of an element (through shadow roots) back to its
# top: opening a thread scrolls its last message into view, and with it the page.
SCROLL_ANCESTORS_TO_TOP_JS: Final = """
(element) => {
  for (let node = element; node; ) {
    if (node.scrollTop) node.scrollTop = 0;
    const parent = node.parentNode;
    node = parent instanceof ShadowRoot ? parent.host : parent;
  }
  window.scrollTo(0, 0);
}
"""
# What the frontend stores as the user's theme setting (Profile > Theme): the
# default theme, dark. It also takes it from the user's data (`theme`) once
# connected, which the demo leaves unset.
DARK_THEME: Final = {"theme": "default", "dark": True}

# The rendered text of an element, in document order: shadow roots instead of
# their hosts' children, slots filled with what is assigned to them, hidden parts
# left out. (Playwright's text engine reads light and shadow children one after
# the other, which is enough to find a text but not to check the order of texts.)
DEEP_TEXT_JS: Final = """
(root) => {
  const deepText = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (['SCRIPT', 'STYLE', 'TEMPLATE'].includes(node.tagName)) return '';
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return '';
      if (node.tagName === 'SLOT') {
        const assigned = node.assignedNodes({flatten: true});
        const shown = assigned.length ? assigned : [...node.childNodes];
        return shown.map(deepText).join(' ');
      }
      if (node.shadowRoot) return deepText(node.shadowRoot);
    } else if (node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
      return '';
    }
    return [...node.childNodes].map(deepText).join(' ');
  };
  return deepText(root).replace(/\\s+/g, ' ').trim();
}
"""

# Images in the viewport that are still loading (brand icons, avatars), through
# every open shadow root; lazy ones further down are left alone.
IMAGES_LOADED_JS: Final = """
() => {
  const walk = function* (node) {
    yield node;
    if (node.shadowRoot) yield* walk(node.shadowRoot);
    for (const child of node.children || []) yield* walk(child);
  };
  return [...walk(document.documentElement)]
    .filter((el) => el.tagName === 'IMG')
    .filter((img) => {
      const r = img.getBoundingClientRect();
      return r.width && r.height && r.bottom > 0 && r.top < innerHeight;
    })
    .every((img) => img.complete);
}
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, or a page did not show what was awaited."""


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium here, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def visible_text(page: Page, text: str) -> Locator:
    """Return the first visible element showing `text` (exact case; any spacing)."""
    return page.get_by_text(re.compile(re.escape(text))).filter(visible=True).first


async def deep_text(target: Page | Locator) -> str:
    """Return the rendered text of a locator's element, or of the whole page."""
    if isinstance(target, Locator):
        return str(await target.evaluate(DEEP_TEXT_JS))
    return str(await target.evaluate(f"({DEEP_TEXT_JS})(document.documentElement)"))


async def texts_of(page: Page, selector: str) -> list[str]:
    """Return the rendered text of each visible element matching a CSS selector."""
    elements = page.locator(selector).filter(visible=True)
    return [await deep_text(element) for element in await elements.all()]


async def wait_for_text(page: Page, *texts: str) -> None:
    """Wait until every one of `texts` is visible somewhere on the page."""
    for text in texts:
        await visible_text(page, text).wait_for()


async def page_says(page: Page) -> str:
    """Return what the page shows, for an error message; never raises."""
    try:
        text = await deep_text(page)
    except PlaywrightError:
        return "(page not readable)"
    return text[:1500]


class LoggedInUser(Protocol):
    """What a tab needs to be logged in: a user's tokens for one Home Assistant.

    DemoInstance is one; so is the end-to-end tests' HassClient.
    """

    @property
    def base_url(self) -> str:
        """The instance's root URL."""

    @property
    def client_id(self) -> str:
        """The IndieAuth client id the tokens were issued to."""

    @property
    def access_token(self) -> str | None:
        """The current access token."""

    @property
    def refresh_token(self) -> str | None:
        """The refresh token."""


@dataclass
class Chromium:
    """Debian's Chromium, launched headless by Playwright."""

    browser: Browser

    @asynccontextmanager
    async def page(
        self,
        user: LoggedInUser,
        *,
        viewport: tuple[int, int] = VIEWPORT,
        dark: bool = False,
    ) -> AsyncIterator[Page]:
        """Open a tab logged in as the user, at the viewport's size.

        Each tab gets a context of its own: a fresh profile, like a new browser.
        `dark` selects the default theme's dark mode, as the user's setting.
        """
        context = await self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=1,
            color_scheme="dark" if dark else "light",
        )
        try:
            context.set_default_timeout(WAIT_TIMEOUT * 1000)
            # What the frontend's login page stores once the user has logged in.
            tokens = {
                "access_token": user.access_token,
                "refresh_token": user.refresh_token,
                "token_type": "Bearer",
                "expires_in": 1800,
                "expires": int(time.time() * 1000) + 1_800_000,
                "hassUrl": user.base_url,
                "clientId": user.client_id,
            }
            theme = (
                f" localStorage.setItem('selectedTheme',"
                f" {json.dumps(json.dumps(DARK_THEME))});"
                if dark
                else ""
            )
            await context.add_init_script(
                f"if (location.origin === {json.dumps(user.base_url)}) {{"
                " localStorage.setItem('hassTokens',"
                f" {json.dumps(json.dumps(tokens))});"
                f" localStorage.setItem('dockedSidebar', '\"docked\"');{theme} }}"
            )
            page = await context.new_page()
            try:
                yield page
            except PlaywrightError as err:
                # The page's own words say more than a selector that timed out.
                raise BrowserError(
                    f"{err.message.splitlines()[0]}\nat {page.url} the page shows:"
                    f" {await page_says(page)}"
                ) from err
        finally:
            await context.close()


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Chromium]:
    """Run Chromium for the duration of the block; it is always stopped.

    Raises BrowserError when Playwright's driver or Chromium do not start.
    """
    try:
        playwright = await async_playwright().start()
    except Exception as err:
        # A driver that dies at once (a library missing) gives a bare Exception.
        raise BrowserError(f"Playwright's driver did not start: {err}") from err
    try:
        try:
            browser = await playwright.chromium.launch(
                executable_path=executable,
                args=list(CHROMIUM_ARGS),
                timeout=LAUNCH_TIMEOUT * 1000,
            )
        except PlaywrightError as err:
            raise BrowserError(f"Chromium did not start: {err.message}") from err
        try:
            yield Chromium(browser)
        finally:
            await browser.close()
    finally:
        await playwright.stop()


def optimise_png(png: bytes) -> bytes:
    """Return the PNG as a small palette PNG (256 colours, max compression)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ------------------------------------------------------------------ the images

# What the screenshot run feeds the demo: SMS from the contacts and from unknown
# numbers, and replies: delivered, and one failed (the plumber's number fails), so
# that the logbook's first screen has a failure with its reason. Alice's thread
# (the card's picture) goes in, out (delivered), in. It ends with an inbound SMS
# so that every card has its latest values.
SCREENSHOT_ITEMS: Final[tuple[Item, ...]] = (
    Inbound(ALICE, "Gate code please"),
    Reply(ALICE, "It's 4321. See you in a bit!"),
    Inbound(BOB, "Running 10 min late"),
    Inbound(PLUMBER, "Arriving between 2 and 3pm tomorrow. Reply STOP to cancel"),
    Reply(PLUMBER, "2pm is fine, thanks"),
    Inbound(NEIGHBOUR, "Parcel left with me at number 12, pop round any time"),
    Reply(BOB, "No rush, see you at 7"),
    Inbound(ALICE, "Thanks, I'm in 👍"),
)
# The failure report's words in the logbook (the fake's reason).
FAILED_LINE: Final = "failed: Unknown subscriber"


async def screenshot(page: Page) -> bytes:
    """Photograph the viewport once the page has settled.

    Waits for the images in view to load, then lets JavaScript-driven work (charts,
    relative times) finish; CSS animations and transitions (dialogs sliding in,
    ripples) are run to their end by Playwright itself.
    """
    await page.wait_for_function(IMAGES_LOADED_JS)
    await page.wait_for_timeout(1000)
    return await page.screenshot(animations="disabled")


async def shoot_config_flow(page: Page, demo: DemoInstance) -> bytes:
    """Go through the config flow in the UI, as a user would, to its last step."""
    await page.goto(f"{demo.base_url}/config/integrations/dashboard/add?domain=esendex")
    # A link that starts a flow asks first.
    await wait_for_text(page, "Do you want to set up Esendex SMS?")
    await page.get_by_role("button", name="OK", exact=True).click()
    await visible_text(page, "Receive only (nothing to type)").click()
    await wait_for_text(page, "Nothing is required here")
    await page.get_by_role("button", name="Submit", exact=True).click()
    await wait_for_text(page, "Esendex SMS is ready", "/api/webhook/")
    return await screenshot(page)


async def shoot_device(page: Page, demo: DemoInstance, device_id: str) -> bytes:
    """Photograph the device page: its sensors, event entities and activity."""
    await page.goto(f"{demo.base_url}/config/devices/device/{device_id}")
    await wait_for_text(page, "Last inbound message", "Last delivery status")
    return await screenshot(page)


async def open_dashboard(page: Page, demo: DemoInstance) -> None:
    """Open the demo dashboard; wait until the messages card lists its threads."""
    await page.goto(f"{demo.base_url}/{DASHBOARD_URL_PATH}/{DASHBOARD_VIEW_PATH}")
    await page.locator(THREAD_ITEM).first.wait_for()


async def shoot_dashboard(page: Page, demo: DemoInstance, last_text: str) -> bytes:
    """Photograph the demo dashboard: the messages card, the README's card, ..."""
    await open_dashboard(page, demo)
    await wait_for_text(page, last_text, "Last delivery report", "Activity")
    return await screenshot(page)


async def open_thread(page: Page, demo: DemoInstance, number: str) -> Locator:
    """Open a thread in the dashboard's messages card; return the card.

    Waits for the thread's messages in and out, and for a delivered tick.
    """
    await open_dashboard(page, demo)
    card = page.locator(CARD_TAG)
    await card.locator(f'[data-testid="thread-item"][data-number="{number}"]').click()
    message = '[data-testid="message"]'
    await card.locator(f'{message}[data-direction="in"]').first.wait_for()
    await card.locator(
        f'{message}[data-direction="out"][data-status="delivered"]'
        ' [data-testid="tick"][data-status="delivered"]'
    ).first.wait_for()
    await card.locator('[data-testid="reply-input"]').wait_for()
    await card.evaluate(SCROLL_ANCESTORS_TO_TOP_JS)
    return card


async def shoot_element(page: Page, element: Locator) -> bytes:
    """Photograph an element with a margin of the page around it."""
    await page.wait_for_function(IMAGES_LOADED_JS)
    await page.wait_for_timeout(1000)
    box = await element.bounding_box()
    if box is None:
        raise BrowserError("the element to photograph is not shown")
    size = page.viewport_size or {"width": VIEWPORT[0], "height": VIEWPORT[1]}
    left = max(box["x"] - ELEMENT_MARGIN, 0)
    top = max(box["y"] - ELEMENT_MARGIN, 0)
    right = min(box["x"] + box["width"] + ELEMENT_MARGIN, size["width"])
    bottom = min(box["y"] + box["height"] + ELEMENT_MARGIN, size["height"])
    return await page.screenshot(
        animations="disabled",
        clip={"x": left, "y": top, "width": right - left, "height": bottom - top},
    )


async def shoot_messages_card(page: Page, demo: DemoInstance) -> bytes:
    """Photograph the messages card with Alice's thread open."""
    card = await open_thread(page, demo, ALICE)
    return await shoot_element(page, card.locator("ha-card").first)


async def shoot_messages_phone(page: Page, demo: DemoInstance) -> bytes:
    """Photograph the dashboard at a phone's width, Alice's thread open."""
    await open_thread(page, demo, ALICE)
    return await screenshot(page)


async def shoot_automation(page: Page, demo: DemoInstance) -> bytes:
    """Photograph the editor of the demo's automation (event entity trigger)."""
    await page.goto(f"{demo.base_url}/config/automation/edit/{AUTOMATION_ID}")
    await wait_for_text(page, "Inbound message")
    return await screenshot(page)


async def shoot_logbook(page: Page, demo: DemoInstance, last_text: str) -> bytes:
    """Photograph the logbook, with the integration's lines for each notification."""
    # Taller than the others: each notification makes a few lines (the sensor,
    # the event entity, the automation and the integration's own line).
    await page.set_viewport_size({"width": VIEWPORT[0], "height": LOGBOOK_HEIGHT})
    await page.goto(f"{demo.base_url}/logbook")
    await wait_for_text(page, f": {last_text}", "delivered", FAILED_LINE)
    return await screenshot(page)


async def device_id_of(demo: DemoInstance) -> str:
    """Return the id of the demo entry's device."""
    async with demo.websocket() as send:
        devices = await send("config/device_registry/list")
    for device in devices:
        if demo.entry_id in device["config_entries"]:
            device_id: str = device["id"]
            return device_id
    raise DemoError("the Esendex entry has no device")


async def make_screenshots(
    executable: str,
    out_dir: Path,
    *,
    only: Sequence[str] | None = None,
    verbose: bool = False,
) -> dict[str, int]:
    """Start a fresh demo and Chromium, save every image; return name → bytes."""
    last = SCREENSHOT_ITEMS[-1]
    last_text = getattr(last, "text", "")
    assert last_text, "the screenshot feed must end with an inbound SMS"
    sizes: dict[str, int] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="esendex-screenshots-") as tmp:
        demo = DemoInstance(
            config_dir=Path(tmp) / "config", port=free_loopback_port(), verbose=verbose
        )
        async with demo.running():
            await feed(
                demo,
                iter(SCREENSHOT_ITEMS),
                interval=1.1,
                opening=len(SCREENSHOT_ITEMS),
                echo=lambda line: print(line, flush=True),
            )
            await demo.wait_for_state(
                SENSOR_INBOUND, lambda state: state["state"] == last_text
            )
            await demo.wait_for_state(
                SENSOR_DELIVERY, lambda state: state["state"] == "delivered"
            )
            # Repair issues raised after the start would badge the sidebar.
            await demo.ignore_setup_repairs()
            device_id = await device_id_of(demo)
            async with chromium(executable) as browser:
                shots: dict[str, Callable[[Page], Awaitable[bytes]]] = {
                    "dashboard": lambda p: shoot_dashboard(p, demo, last_text),
                    # After the dashboard: opening the thread marks it read.
                    "messages-card": lambda p: shoot_messages_card(p, demo),
                    "messages-card-dark": lambda p: shoot_messages_card(p, demo),
                    "messages-card-phone": lambda p: shoot_messages_phone(p, demo),
                    "device": lambda p: shoot_device(p, demo, device_id),
                    "automation": lambda p: shoot_automation(p, demo),
                    "logbook": lambda p: shoot_logbook(p, demo, last_text),
                    # Last: it adds a second entry (the instance is thrown away).
                    "config-flow": lambda p: shoot_config_flow(p, demo),
                }
                for name, shoot in shots.items():
                    if only and name not in only:
                        continue
                    try:
                        async with browser.page(
                            demo,
                            viewport=PHONE_VIEWPORT if "phone" in name else VIEWPORT,
                            dark="dark" in name,
                        ) as page:
                            png = optimise_png(await shoot(page))
                    except BrowserError as err:
                        raise BrowserError(f"{name}.png: {err}") from err
                    path = out_dir / f"{name}.png"
                    path.write_bytes(png)
                    sizes[name] = len(png)
                    print(f"  {path}: {len(png) // 1024} KB", flush=True)
    return sizes


async def async_main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and make the screenshots."""
    parser = argparse.ArgumentParser(
        prog="scripts/screenshots",
        description="Regenerate the README's screenshots (docs/images/*.png) from a"
        " fresh demo in headless Chromium.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=IMAGES_DIR,
        help="where to write the PNGs (default docs/images)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=IMAGE_NAMES,
        help="make only this image (repeatable; default all)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show Home Assistant's console"
    )
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print(
            "error: no Chromium at /usr/bin/chromium (scripts/screenshots installs"
            " Debian's package chromium)",
            file=sys.stderr,
        )
        return 1
    try:
        sizes = await make_screenshots(
            executable, args.out, only=args.only, verbose=args.verbose
        )
    except (DemoError, BrowserError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    too_big = {name: size for name, size in sizes.items() if size > MAX_PNG_BYTES}
    if too_big:
        print(f"warning: larger than {MAX_PNG_BYTES // 1024} KB: {too_big}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    return asyncio.run(async_main(argv))


if __name__ == "__main__":
    sys.exit(main())
