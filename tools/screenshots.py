"""Regenerate the README's screenshots from a fresh demo, in headless Chromium.

`scripts/screenshots` runs this module. It starts the demo of tools/demo.py on a
temporary config dir and a free loopback port, feeds it a fixed set of simulated
notifications, logs Chromium in as the demo user (by handing it a token, as the
login page would store it), and saves small palette PNGs in docs/images/:

- config-flow.png: the config flow's last step, with the webhook URL;
- device.png: the Esendex SMS device page with its entities;
- dashboard.png: the demo dashboard (the README's card, entities, activity);
- automation.png: the demo's automation on the inbound SMS event entity;
- logbook.png: the logbook lines of the notifications.

Chromium is driven over the DevTools protocol with aiohttp, which Home Assistant
already needs: no browser-automation package, and no browser download. Chromium
itself is Debian's `/usr/bin/chromium` (scripts/screenshots installs it where the
project's Python runs). tests/test_demo_dashboard.py uses the same `Chromium`.
"""

import argparse
import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
import io
import itertools
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Final

import aiohttp
from PIL import Image

from tools.demo import (
    AUTOMATION_ID,
    BROKEN,
    DASHBOARD_URL_PATH,
    DASHBOARD_VIEW_PATH,
    FRIEND,
    NEIGHBOUR,
    OPENING,
    SENSOR_DELIVERY,
    SENSOR_INBOUND,
    Delivered,
    DemoError,
    DemoInstance,
    Failed,
    Inbound,
    Item,
    feed,
    free_loopback_port,
)

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
IMAGES_DIR: Final = REPO_ROOT / "docs" / "images"
CHROMIUM_CANDIDATES: Final = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# As root, in a closed network: no sandbox (it needs user namespaces that root in
# a chroot does not get), no GPU, and none of the background calls home.
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    # Only loopback exists for it: no name resolves, so nothing leaves the host.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
VIEWPORT: Final = (1280, 800)
LOGBOOK_HEIGHT: Final = 1100
LAUNCH_TIMEOUT: Final = 30.0
WAIT_TIMEOUT: Final = 30.0
COMMAND_TIMEOUT: Final = 30.0
# Palette PNGs: the frontend's flat colours survive 256 of them unharmed.
PNG_COLOURS: Final = 256
MAX_PNG_BYTES: Final = 150 * 1024
IMAGE_NAMES: Final = ("dashboard", "device", "automation", "logbook", "config-flow")

# Deep DOM helpers: the frontend is web components all the way down, so text and
# elements are searched through every (open) shadow root.
DEEP_JS: Final = """
(() => {
  if (window.__deep) return;
  const walk = function* (node) {
    yield node;
    if (node.shadowRoot) yield* walk(node.shadowRoot);
    for (const child of node.children || []) yield* walk(child);
  };
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const ownText = (el) => [el, el.shadowRoot].filter(Boolean)
    .flatMap((n) => [...n.childNodes])
    .filter((n) => n.nodeType === Node.TEXT_NODE)
    .map((n) => n.data).join('');
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
  window.__deep = {
    elements: () => [...walk(document.documentElement)]
      .filter((n) => n.nodeType === Node.ELEMENT_NODE),
    // Rendered text in document order: shadow roots instead of their hosts'
    // children, slots filled with what is assigned to them.
    text(root) {
      return deepText(root || document.documentElement).replace(/\\s+/g, ' ');
    },
    query(selector) {
      return this.elements().filter((el) => el.matches(selector) && visible(el));
    },
    byText(text, selector) {
      return this.elements().filter((el) => visible(el)
        && (!selector || el.matches(selector))
        && ownText(el).replace(/\\s+/g, ' ').includes(text));
    },
  };
})();
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, or a page did not show what was awaited."""


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium here, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@dataclass
class Page:
    """One browser tab, driven over its DevTools websocket."""

    ws: aiohttp.ClientWebSocketResponse
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a DevTools command and return its result (events are skipped)."""
        message_id = next(self.ids)
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        while True:
            answer = await self.ws.receive_json(timeout=COMMAND_TIMEOUT)
            if answer.get("id") == message_id:
                break
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer["result"]
        return result

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page (promises awaited); return its value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=f"{DEEP_JS}\n{expression}",
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def resize(self, width: int, height: int) -> None:
        """Set the viewport's size in CSS pixels (at a device scale of 1)."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    async def goto(self, url: str) -> None:
        """Navigate, and give the frontend's first paint a moment."""
        await self.send("Page.navigate", url=url)
        await self.wait_for_js("document.readyState === 'complete'")

    async def wait_for_js(
        self, predicate: str, *, within: float = WAIT_TIMEOUT, what: str = ""
    ) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + within
        while True:
            with suppress(BrowserError):
                if value := await self.evaluate(predicate):
                    return value
            if time.monotonic() > deadline:
                text = await self.text()
                raise BrowserError(
                    f"waited {within:.0f} s for {what or predicate}; the page"
                    f" shows: {text[:1500]}"
                )
            await asyncio.sleep(0.25)

    async def text(self) -> str:
        """All visible text of the page, shadow roots included."""
        with suppress(BrowserError):
            return str(await self.evaluate("window.__deep.text()"))
        return "(page not readable)"

    async def texts_of(self, selector: str) -> list[str]:
        """Visible text of each visible element matching a CSS selector."""
        texts = await self.evaluate(
            f"window.__deep.query({json.dumps(selector)})"
            ".map((el) => window.__deep.text(el))"
        )
        return [str(text).strip() for text in texts or []]

    async def wait_for_text(self, *texts: str, within: float = WAIT_TIMEOUT) -> None:
        """Wait until every one of `texts` is visible somewhere on the page."""
        checks = " && ".join(
            f"window.__deep.text().includes({json.dumps(text)})" for text in texts
        )
        await self.wait_for_js(checks, within=within, what=f"the text {texts}")

    async def click_text(self, text: str, selector: str | None = None) -> None:
        """Click the middle of the innermost visible element showing `text`.

        Waits until the element stays put (dialogs slide in): a click during the
        animation could land on the backdrop and close the dialog.
        """
        previous = None
        for _ in range(40):
            rect = await self._locate(text, selector)
            if rect == previous:
                break
            previous = rect
            await asyncio.sleep(0.15)
        for event in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=event,
                x=rect["x"],
                y=rect["y"],
                button="left",
                clickCount=1,
            )

    async def _locate(self, text: str, selector: str | None) -> dict[str, float]:
        rect: dict[str, float] = await self.wait_for_js(
            f"""(() => {{
                const found = window.__deep.byText({json.dumps(text)},
                    {json.dumps(selector)});
                const el = found[found.length - 1];
                if (!el) return null;
                el.scrollIntoView({{block: 'center'}});
                const r = el.getBoundingClientRect();
                return {{x: r.x + r.width / 2, y: r.y + r.height / 2}};
            }})()""",
            what=f"something to click showing {text!r}",
        )
        return rect

    async def screenshot(self, clip_selector: str | None = None) -> bytes:
        """Return a PNG of the viewport, or of the first element matching a selector."""
        params: dict[str, Any] = {"format": "png"}
        if clip_selector is not None:
            rect = await self.wait_for_js(
                f"""(() => {{
                    const el = window.__deep.query({json.dumps(clip_selector)})[0];
                    if (!el) return null;
                    const r = el.getBoundingClientRect();
                    return {{x: r.x, y: r.y, width: r.width, height: r.height}};
                }})()""",
                what=f"an element {clip_selector!r}",
            )
            params["clip"] = {**rect, "scale": 1}
        result = await self.send("Page.captureScreenshot", **params)
        return base64.b64decode(result["data"])


@dataclass
class Chromium:
    """A headless Chromium process with a throwaway profile."""

    executable: str
    process: subprocess.Popen[bytes] | None = None
    profile: tempfile.TemporaryDirectory[str] | None = None
    port: int | None = None

    def launch(self) -> None:
        """Start Chromium; raises BrowserError if it does not open its port."""
        self.profile = tempfile.TemporaryDirectory(prefix="esendex-chromium-")
        log = Path(self.profile.name) / "chromium.log"
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    self.executable,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={self.profile.name}/profile",
                    f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        active_port = Path(self.profile.name) / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + LAUNCH_TIMEOUT
        while not active_port.exists() or not active_port.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                self.close()
                raise BrowserError(f"Chromium did not start:\n{tail}")
            time.sleep(0.1)
        self.port = int(active_port.read_text().split()[0])

    def close(self) -> None:
        """Stop Chromium and delete its profile. Never raises."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.profile is not None:
            with suppress(OSError):
                self.profile.cleanup()
            self.profile = None

    @asynccontextmanager
    async def page(
        self, session: aiohttp.ClientSession, demo: DemoInstance
    ) -> AsyncIterator[Page]:
        """Open a tab logged in to the demo as its user, at the viewport's size."""
        assert self.port is not None, "launch first"
        async with session.put(
            f"http://127.0.0.1:{self.port}/json/new?about:blank",
            timeout=aiohttp.ClientTimeout(total=COMMAND_TIMEOUT),
        ) as response:
            target = await response.json(content_type=None)
        ws = await session.ws_connect(
            target["webSocketDebuggerUrl"], max_msg_size=64 * 1024 * 1024
        )
        page = Page(ws)
        try:
            await page.send("Page.enable")
            # A tab in the background is not painted: screenshots would show the
            # page as it was when it went there.
            await page.send("Page.bringToFront")
            await page.resize(*VIEWPORT)
            # What the frontend's login page stores once the user has logged in.
            tokens = {
                "access_token": demo.access_token,
                "refresh_token": demo.refresh_token,
                "token_type": "Bearer",
                "expires_in": 1800,
                "expires": int(time.time() * 1000) + 1_800_000,
                "hassUrl": demo.base_url,
                "clientId": demo.client_id,
            }
            await page.send(
                "Page.addScriptToEvaluateOnNewDocument",
                source=(
                    f"if (location.origin === {json.dumps(demo.base_url)}) {{"
                    " localStorage.setItem('hassTokens',"
                    f" {json.dumps(json.dumps(tokens))});"
                    " localStorage.setItem('dockedSidebar', '\"docked\"'); }"
                ),
            )
            yield page
        finally:
            await ws.close()


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Chromium]:
    """Run Chromium for the duration of the block; it is always stopped."""
    # Blocking on purpose (a few seconds at most): no executor thread is left
    # behind, which Home Assistant's test harness would count as a leak.
    browser = Chromium(executable)
    browser.launch()
    try:
        yield browser
    finally:
        browser.close()


def optimise_png(png: bytes) -> bytes:
    """Return the PNG as a small palette PNG (256 colours, max compression)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ------------------------------------------------------------------ the images

# What the screenshot run feeds the demo: the opening, then a few of the story's
# items, so that the logbook's first screen has a failure with its reason, and
# ending with an inbound SMS so that every card has its latest values.
SCREENSHOT_ITEMS: Final[tuple[Item, ...]] = (
    *OPENING,
    Inbound(FRIEND, "Running 10 min late"),
    Delivered(),
    Inbound(NEIGHBOUR, "Parcel left with me at number 12, pop round any time"),
    Failed(BROKEN),
    Inbound(FRIEND, "Heating on please, back at 6 🙂"),
)


async def settle(page: Page) -> None:
    """Let animations (dialogs, ripples, charts) finish before a screenshot."""
    await asyncio.sleep(1.0)
    await page.evaluate("new Promise((r) => requestAnimationFrame(() => r(true)))")


async def shoot_config_flow(page: Page, demo: DemoInstance) -> bytes:
    """Go through the config flow in the UI, as a user would, to its last step."""
    await page.goto(f"{demo.base_url}/config/integrations/dashboard/add?domain=esendex")
    # A link that starts a flow asks first.
    await page.wait_for_text("Do you want to set up Esendex SMS?")
    await page.click_text("OK")
    await page.click_text("Receive only (nothing to type)")
    await page.wait_for_text("Nothing is required here")
    await page.click_text("Submit")
    await page.wait_for_text("Esendex SMS is ready", "/api/webhook/")
    await settle(page)
    return await page.screenshot()


async def shoot_device(page: Page, demo: DemoInstance, device_id: str) -> bytes:
    """Photograph the device page: its sensors, event entities and activity."""
    await page.goto(f"{demo.base_url}/config/devices/device/{device_id}")
    await page.wait_for_text("Last inbound message", "Last delivery status")
    await settle(page)
    return await page.screenshot()


async def shoot_dashboard(page: Page, demo: DemoInstance, last_text: str) -> bytes:
    """Photograph the demo dashboard, with the README's card showing the last SMS."""
    await page.goto(f"{demo.base_url}/{DASHBOARD_URL_PATH}/{DASHBOARD_VIEW_PATH}")
    await page.wait_for_text(last_text, "Last delivery report", "Activity")
    await settle(page)
    return await page.screenshot()


async def shoot_automation(page: Page, demo: DemoInstance) -> bytes:
    """Photograph the editor of the demo's automation (event entity trigger)."""
    await page.goto(f"{demo.base_url}/config/automation/edit/{AUTOMATION_ID}")
    await page.wait_for_text("Inbound message")
    await settle(page)
    return await page.screenshot()


async def shoot_logbook(page: Page, demo: DemoInstance, last_text: str) -> bytes:
    """Photograph the logbook, with the integration's lines for each notification."""
    # Taller than the others: each notification makes a few lines (the sensor,
    # the event entity, the automation and the integration's own line).
    await page.resize(VIEWPORT[0], LOGBOOK_HEIGHT)
    await page.goto(f"{demo.base_url}/logbook")
    await page.wait_for_text(f": {last_text}", "delivered", "failed: Message broken")
    await settle(page)
    return await page.screenshot()


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
        async with demo.running(), aiohttp.ClientSession() as session:
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
                SENSOR_DELIVERY, lambda state: state["state"] != "unknown"
            )
            # Repair issues raised after the start would badge the sidebar.
            await demo.ignore_setup_repairs()
            device_id = await device_id_of(demo)
            async with chromium(executable) as browser:
                shots: dict[str, Callable[[Page], Awaitable[bytes]]] = {
                    "dashboard": lambda p: shoot_dashboard(p, demo, last_text),
                    "device": lambda p: shoot_device(p, demo, device_id),
                    "automation": lambda p: shoot_automation(p, demo),
                    "logbook": lambda p: shoot_logbook(p, demo, last_text),
                    # Last: it adds a second entry (the instance is thrown away).
                    "config-flow": lambda p: shoot_config_flow(p, demo),
                }
                for name, shoot in shots.items():
                    if only and name not in only:
                        continue
                    async with browser.page(session, demo) as page:
                        png = optimise_png(await shoot(page))
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
