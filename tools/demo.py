"""A ready-made Home Assistant with Esendex SMS, fed by a fake Esendex: `--demo`.

`scripts/develop --demo` runs this module. It starts the pinned Home Assistant on a
config dir of its own (config/demo/, git-ignored), with tools/fake_esendex_api.py in
the role of Esendex (served by a thread of this process, in an event loop of its
own, on a loopback port: by default the one after Home Assistant's, else any free
one), and through the same HTTP and websocket APIs the frontend uses:

- finishes onboarding with a known login (user `demo`, password `demo-esendex`), or
  logs in with it when the config dir was onboarded by an earlier run;
- points the integration at the fake (`esendex: api_url:` in configuration.yaml,
  which makes the integration log a warning: expected here) and adds one Esendex
  entry *with API credentials* through the config flow, with the fake's login (so
  sending, the credits sensor, receipts and verification all work, without an
  Esendex account), remembers it and its webhook in config/demo/esendex-demo.json,
  gives the fake the webhook, and adds two contacts (Alice and Bob). An entry left
  by an earlier, receive-only version of the demo is removed and replaced;
- adds an "Esendex SMS" dashboard, the one the browser opens on: the messages card
  first, then the README's "Dashboard card", the entities and their activity;
- adds an automation on the inbound SMS event entity (the README's example, with a
  persistent notification instead of a phone);
- then plays the people who text: every few seconds an SMS arrives at the fake
  (`POST /_fake/inbound`: it is put in the inbox, pushed to the webhook, and verified
  by the integration), from a contact or an unknown number, and every few of them
  the demo answers with the `esendex.send_sms` action over REST, as a user would.
  The fake sends a delivery report for each message sent, a failure report for
  messages to one number (PLUMBER) set to fail.

Ctrl+C stops the feed, the fake and Home Assistant. `--reset` starts again from an
empty config dir. tools/screenshots.py and tests/test_demo_dashboard.py use
`DemoInstance` on a temporary config dir and ports.
"""

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
import ctypes
from dataclasses import dataclass, field
from datetime import datetime
import importlib.util
import itertools
import json
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
import yaml  # type: ignore[import-untyped]

from tools.fake_esendex_api import (
    API_PREFIX,
    CONTROL_PREFIX,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_ACCOUNT_REFERENCE,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    DEFAULT_VIRTUAL_NUMBER,
    FAILURE,
    FakeEsendexAccount,
    create_app,
)

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
README: Final = REPO_ROOT / "README.md"
DEFAULT_CONFIG_DIR: Final = REPO_ROOT / "config" / "demo"
DEFAULT_PORT: Final = 8123
DEFAULT_INTERVAL: Final = 5.0

DEMO_NAME: Final = "Demo"
DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "demo-esendex"  # noqa: S105 - a published demo login
# What Esendex would be given: a public HTTPS URL (example.org is reserved for
# examples). The simulator posts to the loopback address instead.
DEMO_EXTERNAL_URL: Final = "https://home.example.org"
# The fake Esendex's login and account (its defaults are the demo's): the README's
# account id, so that screenshots match the README's payloads.
DEMO_ACCOUNT_ID: Final = DEFAULT_ACCOUNT_ID
DEMO_API_USERNAME: Final = DEFAULT_USERNAME
DEMO_API_PASSWORD: Final = DEFAULT_PASSWORD
DEMO_ACCOUNT_REFERENCE: Final = DEFAULT_ACCOUNT_REFERENCE
DEMO_RECIPIENT: Final = DEFAULT_VIRTUAL_NUMBER
# Seconds from a send to its receipt: long enough to see the tick move on.
DEMO_RECEIPT_DELAY: Final = 2.0
# The fake tops the credits up (as someone would buy more) when they run this low.
LOW_CREDITS: Final = 50
TOP_UP_CREDITS: Final = 1000
STATE_FILE: Final = "esendex-demo.json"
# What esendex-demo.json says of an entry with API credentials; an earlier demo's
# receive-only entry has no such key.
ENTRY_KIND: Final = "api"
DASHBOARD_URL_PATH: Final = "esendex-sms"
DASHBOARD_VIEW_PATH: Final = "esendex"
MESSAGES_CARD: Final = "custom:esendex-messages-card"
PR_SET_PDEATHSIG: Final = 1  # <linux/prctl.h>
CONSOLE_LOG: Final = "console.log"
AUTOMATION_ID: Final = "esendex_demo_forward_sms"
SETUP_REPAIRS: Final = frozenset(
    {("http", "deprecated_yaml"), ("homeassistant", "deprecated_method")}
)
ONBOARDING_EXTRAS: Final = frozenset(
    {"google_translate", "met", "radio_browser", "shopping_list"}
)

SENSOR_INBOUND: Final = "sensor.esendex_sms_last_inbound_message"
SENSOR_DELIVERY: Final = "sensor.esendex_sms_last_delivery_status"
SENSOR_CREDITS: Final = "sensor.esendex_sms_credits_remaining"
EVENT_INBOUND: Final = "event.esendex_sms_inbound_message"
EVENT_DELIVERY: Final = "event.esendex_sms_delivery_status"

# Bounds: hass serves in a few seconds here; a first start on an empty dir is slower.
START_TIMEOUT: Final = 120.0
STOP_TIMEOUT: Final = 30.0
FAKE_START_TIMEOUT: Final = 10.0
FAKE_SHUTDOWN_TIMEOUT: Final = 2.0
REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=30)

CONFIGURATION_YAML: Final = """\
# Written by tools/demo.py at every `scripts/develop --demo`: edits are overwritten.
# The same integrations as config/configuration.yaml, plus automations, and the
# integration pointed at the demo's fake Esendex API (it logs a warning about that:
# expected, the fake's login is the demo's).
homeassistant:
  name: Esendex SMS demo
  unit_system: metric
  time_zone: Europe/London
  country: GB
  currency: GBP
  language: en
  latitude: 51.5
  longitude: -0.12
  elevation: 0
  internal_url: http://127.0.0.1:{port}
  external_url: {external_url}

{http}
frontend:
api:
config:
webhook:
history:
logbook:
recorder:
  purge_keep_days: 1
  commit_interval: 1
automation: !include automations.yaml
{esendex}
logger:
  default: warning
  logs:
    custom_components.esendex: info
"""


class DemoError(RuntimeError):
    """The demo could not be brought up; the message says why."""


# ------------------------------------------------------------------ the stream


@dataclass(frozen=True, slots=True)
class Inbound:
    """An SMS that arrives on the account's number (through the fake Esendex)."""

    sender: str
    text: str


@dataclass(frozen=True, slots=True)
class Reply:
    """An SMS the demo's user sends with `esendex.send_sms`; the fake reports on it."""

    to: str
    text: str


type Item = Inbound | Reply

# Ofcom's drama range: numbers no real handset has. Alice and Bob are contacts.
ALICE: Final = "447700900123"
BOB: Final = "447700900456"
NEIGHBOUR: Final = "447700900789"
PLUMBER: Final = "447700900321"
CONTACTS: Final = {ALICE: "Alice", BOB: "Bob"}
# Messages sent to this number fail (the fake's MessageFailed, with its reason).
FAILING_NUMBERS: Final = (PLUMBER,)

# The first items go out at once, so the dashboard has something to show when the
# browser opens it; the story then loops, one item every --interval seconds.
OPENING: Final[tuple[Item, ...]] = (
    Inbound(ALICE, "Gate code please"),
    Reply(ALICE, "It's 4321. See you in a bit!"),
    Inbound(BOB, "Running 10 min late"),
)
STORY: Final[tuple[Item, ...]] = (
    Inbound(NEIGHBOUR, "Parcel left with me at number 12, pop round any time"),
    Reply(NEIGHBOUR, "Thank you! I'll come by after 6"),
    Inbound(PLUMBER, "Arriving between 2 and 3pm tomorrow. Reply STOP to cancel"),
    Reply(PLUMBER, "2pm is fine, thanks"),
    Inbound(BOB, "Heating on please, back at 6 🙂"),
    Reply(BOB, "Done, it's on"),
    Inbound(ALICE, "Thanks, I'm in 👍"),
    Inbound(ALICE, "Gate code please"),
    Reply(ALICE, "Still 4321"),
)


def demo_items() -> Iterator[Item]:
    """Yield the opening items, then the story, forever."""
    yield from OPENING
    yield from itertools.cycle(STORY)


def who(number: str) -> str:
    """Return the contact's name for a number, else the number as people write it."""
    return CONTACTS.get(number) or f"+{number}"


def describe(item: Item) -> str:
    """One line for the console, in the words of the integration's logbook."""
    match item:
        case Inbound(sender, text):
            return f"SMS from {who(sender)}: {text}"
        case Reply(to, text):
            return f"Reply to {who(to)}: {text}"


def describe_receipt(sent: dict[str, Any]) -> str:
    """One line for the console for a receipt the fake posted."""
    line = f"Message {sent['id'][:8]}… to {who(sent['to'].lstrip('+'))}"
    if sent["status"] == "Failed":
        return f"{line} failed: {FAILURE.detail}"
    return f"{line} {sent['status'].lower()}"


# ---------------------------------------------------------------------- ports


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_taken(port: int) -> bool:
    """Return whether something already listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# ------------------------------------------------------------ the fake Esendex


def bind_loopback(preferred: int = 0) -> socket.socket:
    """Return a TCP socket bound on 127.0.0.1: to `preferred` if free, else any port."""
    for port in dict.fromkeys((preferred, 0)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        return sock
    raise DemoError("no free TCP port on 127.0.0.1 for the fake Esendex API")


class FakeEsendexService:
    """tools/fake_esendex_api.py served by a thread of its own, in its own loop.

    So that it answers Home Assistant (and posts its receipts) whatever the demo's
    own loop is doing, even while it blocks to stop hass. Its socket is bound at
    once, so that its port can go into configuration.yaml; it serves from
    `start()`, which the demo calls after hass is started: a thread must not run
    while hass's process is forked (see `_stop_with_parent`). The account is the
    thread's from then on: talk to it over HTTP, through the control routes.
    """

    def __init__(self, account: FakeEsendexAccount, preferred_port: int = 0) -> None:
        """Bind a loopback port for the account: `preferred_port` if it is free."""
        self.account = account
        self._sock: socket.socket | None = bind_loopback(preferred_port)
        self.port: int = self._sock.getsockname()[1]
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def origin(self) -> str:
        """Root URL of the fake on loopback."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Esendex's REST API, as `esendex: api_url:` gives it to the integration."""
        return f"{self.origin}{API_PREFIX}"

    @property
    def control_url(self) -> str:
        """The fake's control routes: /_fake/inbound, /_fake/sent, ..."""
        return f"{self.origin}{CONTROL_PREFIX}"

    def start(self) -> None:
        """Serve from a thread of its own; returns once it serves."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="fake-esendex-api", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(FAKE_START_TIMEOUT):
            raise DemoError("the fake Esendex API did not start")
        if self._error is not None:
            raise DemoError(f"the fake Esendex API did not start: {self._error}")

    def stop(self) -> None:
        """Stop serving (the receipts still waiting are dropped); blocks briefly."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if thread is not None and loop is not None and stop is not None:
            with suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stop.set)
            thread.join(FAKE_SHUTDOWN_TIMEOUT + 5)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as err:  # noqa: BLE001 - reported by start()
            self._error = err
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        assert self._sock is not None
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        runner = web.AppRunner(
            create_app(self.account),
            shutdown_timeout=FAKE_SHUTDOWN_TIMEOUT,
            access_log=None,
        )
        await runner.setup()
        try:
            await web.SockSite(runner, self._sock).start()
            self._ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()


# ------------------------------------------------------------- the hass process


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


# Loaded here, not in the child: dlopen() after fork() could wait on a lock for ever.
_LIBC: Final = _libc() if sys.platform == "linux" else None


def _stop_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the demo process dies.

    So that Home Assistant never outlives the demo, even when the demo is killed
    (SIGTERM lets hass shut down cleanly). Linux only; elsewhere a no-op.
    """
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# Home Assistant's assist_pipeline imports these two compiled voice packages, which
# the project's environment does not install (`--skip-pip`). Without them, the
# websocket command `get_services` fails (it imports assist_satellite, hence
# assist_pipeline), and the frontend never gets past "Loading...". The demo uses no
# voice: when a package is missing, hass gets a stand-in whose classes refuse to be
# used, on a path inside the demo's config dir.
VOICE_STAND_INS: Final = {
    "pymicro_vad": "MicroVad",
    "pyspeex_noise": "AudioProcessor",
}
STAND_IN_DIR: Final = ".voice-stand-ins"


def write_voice_stand_ins(config_dir: Path) -> Path | None:
    """Write stand-ins for the missing voice packages; return their path (or None)."""
    missing = {
        module: name
        for module, name in VOICE_STAND_INS.items()
        if importlib.util.find_spec(module) is None
    }
    if not missing:
        return None
    root = config_dir / STAND_IN_DIR
    for module, name in missing.items():
        package = root / module
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text(
            f'"""Stand-in written by tools/demo.py: {module} is not installed."""\n\n\n'
            f"class {name}:\n"
            f'    """Not available in the demo."""\n\n'
            "    def __init__(self, *args: object, **kwargs: object) -> None:\n"
            f'        raise RuntimeError("{module} is not installed (demo)")\n',
            encoding="utf-8",
        )
    return root


# Home Assistant 2026.10 reads `http:` from YAML once: it stores it as a *pending*
# config, shows an admin a "Confirm new HTTP server configuration" dialog, and if
# nobody confirms within 5 minutes restarts on the stored default (every interface,
# port 8123), ignoring the YAML from then on. So the demo gives the YAML on the
# first start only, confirms it over the websocket (`http/config/promote`), and
# leaves it out later (where it would only raise a repair issue).
HTTP_YAML: Final = """\
http:
  server_host: 127.0.0.1
  server_port: {port}
"""


def stored_http_port(config_dir: Path) -> int | None:
    """Return the port of the HTTP config Home Assistant stored, once migrated."""
    try:
        stored = json.loads((config_dir / ".storage" / "http").read_text("utf-8"))
        data = stored["data"]
        if not data["yaml_migration_done"]:
            return None
        config = data["pending"] or data["stable"]
        port: int = config["server_port"]
    except OSError, ValueError, KeyError, TypeError:
        return None
    return port


ESENDEX_YAML: Final = """
esendex:
  api_url: {api_url}
"""


def write_config_dir(config_dir: Path, port: int, api_url: str | None = None) -> None:
    """Write the demo's configuration.yaml (always) and automations.yaml (once).

    With `api_url`, the integration sends its REST requests there (the fake's).
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    stored_port = stored_http_port(config_dir)
    if stored_port is not None and stored_port != port:
        raise DemoError(
            f"{config_dir} serves on port {stored_port} (Home Assistant keeps the"
            f" port it was first given): pass --port {stored_port}, or --reset"
        )
    http = "" if stored_port is not None else HTTP_YAML.format(port=port) + "\n"
    esendex = "" if api_url is None else ESENDEX_YAML.format(api_url=api_url)
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(
            port=port, external_url=DEMO_EXTERNAL_URL, http=http, esendex=esendex
        ),
        encoding="utf-8",
    )
    automations = config_dir / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n", encoding="utf-8")


def readme_card(name: str = "last-sms") -> dict[str, Any]:
    """Return the README's dashboard card `<!-- card: NAME -->`, parsed."""
    text = README.read_text(encoding="utf-8")
    match = re.search(
        rf"^<!-- card: {re.escape(name)} -->\n```yaml\n(?P<body>.*?)^```",
        text,
        re.MULTILINE | re.DOTALL,
    )
    if match is None:
        raise DemoError(f"README.md has no `<!-- card: {name} -->` YAML block")
    card: dict[str, Any] = yaml.safe_load(match["body"])
    return card


def messages_card(entry_id: str) -> dict[str, Any]:
    """Return the messages card of the entry, as the demo dashboard shows it."""
    return {
        "type": MESSAGES_CARD,
        "entry_id": entry_id,
        "title": "SMS",
        "threads": 5,
    }


def dashboard_config(entry_id: str) -> dict[str, Any]:
    """Return the demo's dashboard: the messages card, the README's card, entities."""
    return {
        "title": "Esendex SMS demo",
        "views": [
            {
                "title": "Esendex SMS",
                "path": DASHBOARD_VIEW_PATH,
                "icon": "mdi:message-text",
                "cards": [
                    messages_card(entry_id),
                    readme_card(),
                    {
                        "type": "entities",
                        "title": "Esendex SMS entities",
                        "entities": [
                            {"entity": SENSOR_INBOUND, "name": "Last inbound SMS"},
                            {"entity": SENSOR_DELIVERY, "name": "Last delivery status"},
                            {"entity": EVENT_INBOUND, "name": "Inbound message"},
                            {"entity": EVENT_DELIVERY, "name": "Delivery status"},
                            {"entity": SENSOR_CREDITS, "name": "Credits remaining"},
                        ],
                    },
                    {
                        "type": "logbook",
                        "title": "Activity",
                        "hours_to_show": 2,
                        "target": {"entity_id": [SENSOR_INBOUND, SENSOR_DELIVERY]},
                    },
                ],
            }
        ],
    }


# The README's "forward-sms-event-entity" example, with a persistent notification
# (always there) instead of a phone's notify action.
AUTOMATION: Final[dict[str, Any]] = {
    "alias": "Forward SMS (event entity)",
    "description": "Esendex demo: shows each inbound SMS as a notification.",
    "mode": "queued",
    "triggers": [
        {
            "trigger": "state",
            "entity_id": EVENT_INBOUND,
            "not_from": "unavailable",
        }
    ],
    "conditions": [
        {
            "condition": "state",
            "entity_id": EVENT_INBOUND,
            "attribute": "event_type",
            "state": "received",
        }
    ],
    "actions": [
        {
            "action": "persistent_notification.create",
            "data": {
                "notification_id": "esendex_demo_sms",
                "title": "SMS from {{ trigger.to_state.attributes.from }}",
                "message": "{{ trigger.to_state.attributes.text }}",
            },
        }
    ],
}


@dataclass
class DemoInstance:
    """One demo Home Assistant: its process, its login and its Esendex entry.

    And the fake Esendex it uses, on `fake_port` if that is free (0: any port).
    """

    config_dir: Path
    port: int
    verbose: bool = False
    fake_port: int = 0
    receipt_delay: float = DEMO_RECEIPT_DELAY
    fake: FakeEsendexService | None = None
    process: subprocess.Popen[bytes] | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    entry_id: str | None = None
    webhook_url: str | None = None
    shown_webhook_url: str | None = None
    session: aiohttp.ClientSession | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Root URL of the instance on loopback, as the browser opens it."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def client_id(self) -> str:
        """IndieAuth client id, like the frontend's: the instance's root URL."""
        return f"{self.base_url}/"

    @property
    def console_path(self) -> Path:
        """Where hass's console output goes (unless verbose)."""
        return self.config_dir / CONSOLE_LOG

    def log_tail(self, lines: int = 25) -> str:
        """Return the end of hass's console output, for an error message."""
        try:
            text = self.console_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no console log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- process

    def start_process(self) -> None:
        """Start `python -m homeassistant` on the config dir (and the fake's port)."""
        api_url = None if self.fake is None else self.fake.api_url
        write_config_dir(self.config_dir, self.port, api_url)
        python_path = [str(REPO_ROOT)]
        if stand_ins := write_voice_stand_ins(self.config_dir):
            python_path.append(str(stand_ins))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(python_path))
        command = [
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(self.config_dir),
            "--skip-pip",
        ]
        with self.console_path.open("wb") as console:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=None if self.verbose else console,
                stderr=None if self.verbose else subprocess.STDOUT,
                # Ctrl+C in the terminal reaches this process only: it stops hass
                # with SIGTERM and waits for it.
                start_new_session=True,
                preexec_fn=_stop_with_parent,  # noqa: PLW1509 - before any thread
            )

    def stop_process(self) -> int | None:
        """SIGTERM, then SIGKILL after a bound. Returns the exit code (None: killed)."""
        process = self.process
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            return None

    def bind_fake(self) -> FakeEsendexService:
        """Make the fake Esendex (not serving yet) and bind its port; once."""
        if self.fake is None:
            account = FakeEsendexAccount(receipt_delay=self.receipt_delay)
            account.set_fail_numbers(FAILING_NUMBERS)
            self.fake = FakeEsendexService(account, self.fake_port)
        return self.fake

    def stop_fake(self) -> None:
        """Stop the fake Esendex, if it serves; the receipts still waiting are lost."""
        if self.fake is not None:
            self.fake.stop()

    def stop(self) -> None:
        """Stop Home Assistant, then the fake Esendex (blocking, bounded)."""
        self.stop_process()
        self.stop_fake()

    def _check_alive(self) -> None:
        assert self.process is not None
        if (code := self.process.poll()) is not None:
            raise DemoError(
                f"Home Assistant exited with code {code}\n{self.log_tail()}"
            )

    # -- HTTP

    def _session(self) -> aiohttp.ClientSession:
        assert self.session is not None, "use `async with demo.running()`"
        return self.session

    async def request(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        auth: bool = True,
        form: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Call the instance; returns the status and the decoded JSON (or text)."""
        headers = {}
        if auth:
            assert self.access_token is not None, "log in first"
            headers["Authorization"] = f"Bearer {self.access_token}"
        async with self._session().request(
            method,
            f"{self.base_url}{path}",
            json=payload,
            data=form,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    async def call(
        self, method: str, path: str, payload: Any = None, **kwargs: Any
    ) -> Any:
        """Like request(), for a call that must answer 200."""
        status, body = await self.request(method, path, payload, **kwargs)
        if status != 200:
            raise DemoError(f"{method} {path}: HTTP {status} {body}")
        return body

    async def wait_until_serving(self) -> None:
        """Wait until the HTTP server answers at all."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self._check_alive()
            with suppress(aiohttp.ClientError, TimeoutError):
                async with self._session().get(
                    f"{self.base_url}/manifest.json",
                    timeout=aiohttp.ClientTimeout(total=2),
                ) as response:
                    if response.status < 500:
                        return
            if time.monotonic() > deadline:
                raise DemoError(
                    f"Home Assistant did not answer on {self.base_url} within"
                    f" {START_TIMEOUT:.0f} s\n{self.log_tail()}"
                )
            await asyncio.sleep(0.25)

    async def _tokens(self, form: dict[str, str]) -> None:
        tokens = await self.call("POST", "/auth/token", auth=False, form=form)
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token", self.refresh_token)

    async def _exchange(self, code: str) -> None:
        await self._tokens(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            }
        )

    async def onboard_or_log_in(self) -> None:
        """Finish onboarding with the demo login, or log in if already onboarded."""
        status, steps = await self.request("GET", "/api/onboarding", auth=False)
        done = set()
        if status == 200:
            done = {step["step"] for step in steps if step["done"]}
        if status == 200 and "user" not in done:
            result = await self.call(
                "POST",
                "/api/onboarding/users",
                {
                    "client_id": self.client_id,
                    "name": DEMO_NAME,
                    "username": DEMO_USERNAME,
                    "password": DEMO_PASSWORD,
                    "language": "en",
                },
                auth=False,
            )
            await self._exchange(result["auth_code"])
        else:
            await self.log_in()
        if status != 200:
            return  # onboarded by an earlier run
        # The remaining steps, as the frontend's onboarding pages would post them.
        # core_config also starts the onboarding flows of a few integrations that
        # are not installed here (--skip-pip): they log an error and do nothing.
        if "core_config" not in done:
            await self.call("POST", "/api/onboarding/core_config", {})
        if "analytics" not in done:
            await self.call("POST", "/api/onboarding/analytics", {})
        if "integration" not in done:
            await self.call(
                "POST",
                "/api/onboarding/integration",
                {
                    "client_id": self.client_id,
                    "redirect_uri": f"{self.base_url}/?auth_callback=1",
                },
            )

    async def log_in(self) -> None:
        """Log in with the demo username and password, as the login page does."""
        flow = await self.call(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
            auth=False,
        )
        result = await self.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {
                "client_id": self.client_id,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
            },
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"the demo login ({DEMO_USERNAME}) was refused: {result}. Run"
                " `scripts/develop --demo --reset` to start from an empty config dir."
            )
        await self._exchange(result["result"])

    async def wait_until_running(self) -> None:
        """Wait for core state RUNNING: config entries are set up by then."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self._check_alive()
            state = (await self.call("GET", "/api/core/state"))["state"]
            if state == "RUNNING":
                return
            if time.monotonic() > deadline:
                raise DemoError(f"Home Assistant still {state} after start")
            await asyncio.sleep(0.25)

    # -- websocket

    @asynccontextmanager
    async def websocket(self) -> AsyncIterator[Callable[..., Any]]:
        """Open an authenticated websocket; yields `send(type, **fields)`."""
        ws = await self._session().ws_connect(f"{self.base_url}/api/websocket")
        ids = itertools.count(1)

        async def send(type_: str, **fields: Any) -> Any:
            message_id = next(ids)
            await ws.send_json({"id": message_id, "type": type_, **fields})
            while True:
                answer = await ws.receive_json(timeout=30)
                if answer.get("id") == message_id and answer["type"] == "result":
                    break
            if not answer["success"]:
                raise DemoError(f"websocket {type_}: {answer['error']}")
            return answer["result"]

        try:
            assert (await ws.receive_json(timeout=10))["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            if (await ws.receive_json(timeout=10))["type"] != "auth_ok":
                raise DemoError("the websocket refused the demo's token")
            yield send
        finally:
            await ws.close()

    # -- the Esendex entry and what shows it

    def _state_path(self) -> Path:
        return self.config_dir / STATE_FILE

    def _saved_state(self) -> dict[str, Any]:
        try:
            saved = json.loads(self._state_path().read_text(encoding="utf-8"))
        except FileNotFoundError, ValueError:
            return {}
        return saved if isinstance(saved, dict) else {}

    async def _flow(self, flow_id: str, payload: dict[str, Any]) -> Any:
        return await self.call(
            "POST", f"/api/config/config_entries/flow/{flow_id}", payload
        )

    async def ensure_entry(self) -> None:
        """Reuse the entry of an earlier run, or add one with the fake's login.

        An entry of an earlier, receive-only demo (esendex-demo.json without its
        `kind`) is removed first: the dashboard, the card and the feed need one
        that sends.
        """
        entries = await self.call(
            "GET", "/api/config/config_entries/entry?domain=esendex"
        )
        known = {entry["entry_id"]: entry for entry in entries}
        saved = self._saved_state()
        old = known.get(saved.get("entry_id", ""))
        if old is not None and saved.get("kind") == ENTRY_KIND:
            with suppress(KeyError):
                self.shown_webhook_url = saved["shown_webhook_url"]
                self.webhook_url = saved["webhook_url"]
                self.entry_id = old["entry_id"]
                return
        if old is not None:
            why = (
                f"its record in {STATE_FILE} is incomplete"
                if saved.get("kind") == ENTRY_KIND
                else "it is receive-only, from an earlier version of the demo"
            )
            print(
                f"  The demo's Esendex entry ({old['title']}) cannot be used: {why}."
                " Replacing it with one that sends, through the fake Esendex API"
                " (its message history goes with it).",
                flush=True,
            )
            await self.call(
                "DELETE", f"/api/config/config_entries/entry/{old['entry_id']}"
            )
        result = await self.call(
            "POST",
            "/api/config/config_entries/flow",
            {"handler": "esendex", "show_advanced_options": False},
        )
        result = await self._flow(result["flow_id"], {"next_step_id": "api_access"})
        result = await self._flow(
            result["flow_id"],
            {
                "username": DEMO_API_USERNAME,
                "password": DEMO_API_PASSWORD,
                "account_reference": DEMO_ACCOUNT_REFERENCE,
            },
        )
        if result.get("type") == "abort":
            raise DemoError(
                f"the config flow stopped: {result.get('reason')} (an Esendex entry"
                f" for the demo's account is there, but not the one {STATE_FILE}"
                " names). Run `scripts/develop --demo --reset` to start from an"
                " empty config dir."
            )
        if result.get("type") != "create_entry":
            raise DemoError(f"the config flow did not create an entry: {result}")
        self.entry_id = result["result"]["entry_id"]
        self.shown_webhook_url = result["description_placeholders"]["webhook_url"]
        # Esendex would post to the public URL; the fake posts to loopback.
        self.webhook_url = self.base_url + urlsplit(self.shown_webhook_url).path
        self._state_path().write_text(
            json.dumps(
                {
                    "entry_id": self.entry_id,
                    "kind": ENTRY_KIND,
                    "shown_webhook_url": self.shown_webhook_url,
                    "webhook_url": self.webhook_url,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        # Wait for the entities: the dashboard refers to them.
        deadline = time.monotonic() + START_TIMEOUT
        while (await self.request("GET", f"/api/states/{SENSOR_INBOUND}"))[0] != 200:
            if time.monotonic() > deadline:
                raise DemoError(f"{SENSOR_INBOUND} did not appear")
            await asyncio.sleep(0.2)

    async def fake_call(
        self, method: str, route: str, payload: dict[str, Any] | None = None
    ) -> Any:
        """Call one of the fake's control routes (`inbound`, `sent`, ...)."""
        assert self.fake is not None, "the fake Esendex is not running"
        async with self._session().request(
            method,
            f"{self.fake.control_url}{route}",
            json=payload,
            timeout=REQUEST_TIMEOUT,
        ) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                raise DemoError(
                    f"fake Esendex {method} {route}: HTTP {response.status} {body}"
                )
            return body

    async def configure_fake(self) -> None:
        """Tell the fake the webhook, as an account holder tells Esendex."""
        await self.fake_call("POST", "config", {"webhook": self.webhook_url})

    async def ensure_contacts(self) -> None:
        """Add the demo's contacts (Alice and Bob) to the entry, if not there."""
        async with self.websocket() as send:
            subentries = await send(
                "config_entries/subentries/list", entry_id=self.entry_id
            )
        there = {
            subentry["title"]
            for subentry in subentries
            if subentry["subentry_type"] == "contact"
        }
        for number, name in CONTACTS.items():
            if name in there:
                continue
            flow = await self.call(
                "POST",
                "/api/config/config_entries/subentries/flow",
                {"handler": [self.entry_id, "contact"]},
            )
            result = await self.call(
                "POST",
                f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
                {"name": name, "phone_number": f"+{number}"},
            )
            if result.get("type") != "create_entry":
                raise DemoError(f"the contact {name} was not added: {result}")

    async def confirm_http_config(self) -> None:
        """Confirm the HTTP config taken from YAML, as the admin's dialog would."""
        async with self.websocket() as send:
            http = await send("http/config")
            pending = http["pending"]
            if pending is not None and pending.get("error") is None:
                await send("http/config/promote")

    async def ignore_setup_repairs(self) -> None:
        """Ignore the repair issues about how the demo runs, not about Esendex.

        `http:` in YAML (given on the first start only, see HTTP_YAML) and the
        "Core" installation method: both would only put a badge on Settings.
        """
        async with self.websocket() as send:
            issues = (await send("repairs/list_issues"))["issues"]
            for issue in issues:
                key = (issue["domain"], issue["issue_id"])
                if key in SETUP_REPAIRS and not issue.get("ignored"):
                    await send(
                        "repairs/ignore_issue",
                        domain=issue["domain"],
                        issue_id=issue["issue_id"],
                        ignore=True,
                    )

    async def ensure_dashboard_and_automation(self) -> None:
        """Add the demo dashboard, make it the default; add the automation."""
        async with self.websocket() as send:
            dashboards = await send("lovelace/dashboards/list")
            if not any(d["url_path"] == DASHBOARD_URL_PATH for d in dashboards):
                await send(
                    "lovelace/dashboards/create",
                    url_path=DASHBOARD_URL_PATH,
                    title="Esendex SMS",
                    icon="mdi:message-text",
                    show_in_sidebar=True,
                    require_admin=False,
                )
            assert self.entry_id is not None
            await send(
                "lovelace/config/save",
                url_path=DASHBOARD_URL_PATH,
                config=dashboard_config(self.entry_id),
            )
            # What Settings > Dashboards > "Set as default" stores: the browser
            # opens on it.
            core = (await send("frontend/get_system_data", key="core"))["value"]
            await send(
                "frontend/set_system_data",
                key="core",
                value={**(core or {}), "default_panel": DASHBOARD_URL_PATH},
            )
        await self.call(
            "POST", f"/api/config/automation/config/{AUTOMATION_ID}", AUTOMATION
        )

    async def remove_onboarding_extras(self) -> None:
        """Remove the entries onboarding adds for integrations not installed here.

        Onboarding's core_config step starts flows for a few integrations (text to
        speech, a shopping list, ...); here they would only fail to set up, and
        clutter the integrations page of the demo.
        """
        entries = await self.call("GET", "/api/config/config_entries/entry")
        for entry in entries:
            if entry["source"] == "onboarding" and entry["domain"] in ONBOARDING_EXTRAS:
                await self.call(
                    "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                )

    async def start(self) -> None:
        """Start hass and bring the demo up; raises DemoError with the reason."""
        started = time.monotonic()
        fake = self.bind_fake()
        self.start_process()
        # After the fork: see FakeEsendexService.
        fake.start()
        await self.wait_until_serving()
        self.timings["serving"] = time.monotonic() - started
        await self.onboard_or_log_in()
        await self.wait_until_running()
        await self.confirm_http_config()
        self.timings["running"] = time.monotonic() - started
        await self.ensure_entry()
        await self.configure_fake()
        await self.ensure_contacts()
        await self.ensure_dashboard_and_automation()
        await self.remove_onboarding_extras()
        await self.ignore_setup_repairs()
        self.timings["ready"] = time.monotonic() - started

    @asynccontextmanager
    async def running(self) -> AsyncIterator[DemoInstance]:
        """Run the demo for the duration of the block; hass is always stopped."""
        async with aiohttp.ClientSession() as session:
            self.session = session
            try:
                await self.start()
                yield self
            finally:
                self.session = None
                # Blocking on purpose: this also runs when Ctrl+C cancelled us.
                self.stop()

    # -- the feed

    async def play(self, item: Item) -> tuple[str, list[str]]:
        """Play one item: an SMS arrives, or the user replies.

        Returns how it went, for the console (the webhook's answer to the push, or
        the id of the message sent), and the ids of the messages sent, whose
        receipts the fake posts later.
        """
        match item:
            case Inbound(sender, text):
                answer = await self.fake_call(
                    "POST", "inbound", {"from": sender, "text": text}
                )
                status = answer["push_status"]
                return ("no answer" if status is None else f"HTTP {status}"), []
            case Reply(to, text):
                await self.top_up_credits()
                status, body = await self.request(
                    "POST",
                    "/api/services/esendex/send_sms?return_response",
                    {
                        "config_entry_id": self.entry_id,
                        "to": [f"+{to}"],
                        "message": text,
                    },
                )
                if status != 200:
                    return f"not sent: HTTP {status} {body}", []
                ids = [
                    sent["message_id"] for sent in body["service_response"]["messages"]
                ]
                return f"sent {ids[0][:8]}…" if ids else "sent", ids

    async def top_up_credits(self) -> None:
        """Give the fake account credits again when they run low (a long demo)."""
        state = await self.fake_call("GET", "state")
        if state["credits"] < LOW_CREDITS:
            await self.fake_call("POST", "config", {"credits": TOP_UP_CREDITS})

    async def receipts(self, message_ids: set[str]) -> list[dict[str, Any]]:
        """Return the messages among these whose receipt the fake has posted."""
        if not message_ids:
            return []
        sent = await self.fake_call("GET", "sent")
        return [
            item
            for item in sent
            if item["id"] in message_ids and item["receipt_status"] is not None
        ]

    async def wait_for_receipts(self, within: float = 30.0) -> None:
        """Wait until the fake has posted every receipt it owes."""
        deadline = time.monotonic() + within
        while (await self.fake_call("GET", "state"))["pending_receipts"]:
            if time.monotonic() > deadline:
                raise DemoError(f"the fake's receipts still pending after {within} s")
            await asyncio.sleep(0.2)

    async def wait_for_state(
        self,
        entity_id: str,
        check: Callable[[dict[str, Any]], bool],
        within: float = 15.0,
    ) -> dict[str, Any]:
        """Poll an entity until `check(state)` holds; returns that state."""
        deadline = time.monotonic() + within
        while True:
            status, state = await self.request("GET", f"/api/states/{entity_id}")
            if status == 200 and check(state):
                result: dict[str, Any] = state
                return result
            if time.monotonic() > deadline:
                raise DemoError(f"{entity_id} is not as expected: {state}")
            await asyncio.sleep(0.2)


async def feed(
    demo: DemoInstance,
    items: Iterator[Item],
    *,
    interval: float,
    opening: int = len(OPENING),
    duration: float | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Play items on the demo, `interval` seconds apart; returns the count.

    The first `opening` go one second apart (the sensors write at most once a
    second). The receipts the fake posted are shown as they come. Stops after
    `duration` seconds, if given, or when `items` runs out: then once the fake has
    posted every receipt.
    """
    played = 0
    waiting: set[str] = set()
    stop_at = None if duration is None else time.monotonic() + duration

    def show(what: str, answer: str) -> None:
        clock = datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 - local time
        echo(f"  {clock}  {what:<70} {answer}")
        sys.stdout.flush()

    async def show_receipts() -> None:
        for sent in await demo.receipts(waiting):
            waiting.discard(sent["id"])
            show(describe_receipt(sent), f"HTTP {sent['receipt_status']}")

    for item in items:
        if played:
            pause = 1.1 if played < opening else interval
            if stop_at is not None and time.monotonic() + pause > stop_at:
                break
            await asyncio.sleep(pause)
            await show_receipts()
        answer, message_ids = await demo.play(item)
        waiting.update(message_ids)
        played += 1
        show(describe(item), answer)
    else:
        await demo.wait_for_receipts()
        await show_receipts()
    return played


def banner(demo: DemoInstance, elapsed: float) -> str:
    """Return what the terminal shows once the demo is up."""
    fake = demo.fake
    assert fake is not None
    contacts = ", ".join(f"{name} +{number}" for number, name in CONTACTS.items())
    failing = ", ".join(f"+{number}" for number in FAILING_NUMBERS)
    inbound = json.dumps({"from": NEIGHBOUR, "text": "Hi"})
    log = "-" if demo.verbose else demo.console_path
    login = f"{DEMO_API_USERNAME} / {DEMO_API_PASSWORD}"
    curl = f"curl {fake.control_url}inbound -H 'Content-Type: application/json'"
    lines = [
        "",
        f"  Esendex SMS demo ready in {elapsed:.0f} s: http://localhost:{demo.port}",
        f"  Log in as  user: {DEMO_USERNAME}   password: {DEMO_PASSWORD}",
        "",
        f"  Fake Esendex API: {fake.api_url}",
        f"    login {login}, account {DEMO_ACCOUNT_REFERENCE}",
        f"  Webhook URL shown to the user: {demo.shown_webhook_url}",
        f"  The fake posts to:             {demo.webhook_url}",
        f"  Contacts: {contacts}; messages to {failing} fail",
        "  An SMS of your own arrives (and is verified) with:",
        f"    {curl} -d '{inbound}'",
        f"  Home Assistant's log: {log}",
        "    (it warns that Esendex SMS uses another API URL: expected, the fake's)",
        "",
        "  SMS arriving, replies and their receipts (Ctrl+C stops the demo):",
    ]
    return "\n".join(lines)


async def async_main(argv: Sequence[str] | None = None) -> int:
    """Run the demo until Ctrl+C (or --duration)."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop --demo",
        description="A local Home Assistant with Esendex SMS set up, a fake Esendex"
        " API and SMS arriving and answered. No Esendex account needed.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--api-port",
        type=int,
        help="port of the fake Esendex API (default: the one after --port, or any"
        " free one if that is taken)",
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_DIR)
    parser.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        help="seconds between SMS and replies (default %(default)s)",
    )
    parser.add_argument(
        "--duration", type=float, help="stop after this many seconds (default: never)"
    )
    parser.add_argument(
        "--reset", action="store_true", help="start from an empty demo config dir"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show Home Assistant's console output"
    )
    args = parser.parse_args(argv)
    if not 0.5 <= args.interval <= 3600:
        parser.error("--interval must be from 0.5 to 3600 seconds")
    if port_is_taken(args.port):
        parser.exit(
            1,
            f"error: something already listens on 127.0.0.1:{args.port} (another"
            " `scripts/develop`?). Stop it, or pass --port.\n",
        )
    config_dir: Path = args.config.resolve()
    if args.reset and config_dir.exists():
        shutil.rmtree(config_dir)
    demo = DemoInstance(
        config_dir=config_dir,
        port=args.port,
        verbose=args.verbose,
        fake_port=args.port + 1 if args.api_port is None else args.api_port,
    )
    print(f"Starting the Esendex SMS demo in {config_dir} …", flush=True)
    started = time.monotonic()
    try:
        async with demo.running():
            print(banner(demo, time.monotonic() - started), flush=True)
            await feed(
                demo, demo_items(), interval=args.interval, duration=args.duration
            )
    except DemoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; Ctrl+C stops it (and Home Assistant) cleanly."""
    # scripts/develop ignores SIGINT around the namespace wrapper, so that Ctrl+C
    # does not kill this process before it has stopped hass; take it back here.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return asyncio.run(async_main(argv))
    except KeyboardInterrupt:
        print("\nStopped the demo, the fake Esendex and Home Assistant.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
