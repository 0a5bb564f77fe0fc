"""Helpers for tests/test_end_to_end.py: a real `hass` process and a client for it.

Everything here talks to Home Assistant the way a user's browser or Esendex would:
over HTTP and the websocket API on a loopback port, never through Python objects.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from tools.fake_esendex_api import FakeEsendexAccount, create_app

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_DIR = REPO_ROOT / "custom_components" / "esendex"

# Bounds: generous next to what a 2-core CI machine needs (hass serves in ~2 s and
# stops in ~1 s), tight enough that a hang fails the test well before pytest-timeout.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
KILL_TIMEOUT = 10.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
ESENDEX_LINES = 80
TAIL_LINES = 30
# A log record's first line; the lines up to the next one are its traceback.
LOG_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")

CONFIGURATION_YAML = """\
# Written by tests/e2e_support.py for one end-to-end run; deleted with tmp_path.
homeassistant:
  name: Esendex end-to-end
  internal_url: http://127.0.0.1:{port}
  time_zone: UTC
  country: GB
  latitude: 51.5
  longitude: -0.12
  elevation: 0
  unit_system: metric

http:
  server_host: 127.0.0.1
  server_port: {port}

api:
config:
webhook:
onboarding:
# Where the config API writes the automations the tests create.
automation: !include automations.yaml

logger:
  default: warning
  logs:
    custom_components.esendex: debug
"""


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_config_dir(config_dir: Path, port: int, extra_yaml: str = "") -> None:
    """Write a minimal config dir that loads the integration from the working tree.

    `extra_yaml` is appended to configuration.yaml.
    """
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(port=port) + extra_yaml, encoding="utf-8"
    )
    (config_dir / "automations.yaml").write_text("[]\n", encoding="utf-8")
    # A symlink rather than a copy: hass must run the code under review, and a
    # traceback in home-assistant.log then points at the repository's files.
    custom_components = config_dir / "custom_components"
    custom_components.mkdir()
    (custom_components / "esendex").symlink_to(
        INTEGRATION_DIR, target_is_directory=True
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None


def _records_mentioning(text: str, word: str) -> list[str]:
    """Log records (with their traceback lines) that mention `word`."""
    records: list[list[str]] = []
    for line in text.splitlines():
        if LOG_RECORD_START.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return [
        line
        for record in records
        if word in "\n".join(record).lower()
        for line in record
    ]


@dataclass
class HassProcess:
    """One config dir, and the `hass` process currently running on it (if any)."""

    config_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    # Put before the standard paths of the hass process (stand-in packages).
    python_path: list[Path] = field(default_factory=list)
    starts: int = 0

    @property
    def base_url(self) -> str:
        """Root URL of the HTTP server, as configured."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Home Assistant's own log file (rotated to .1 at each start)."""
        return self.config_dir / "home-assistant.log"

    def _console_path(self, start: int) -> Path:
        return self.config_dir / f"console-{start}.log"

    def diagnostics(self) -> str:
        """What a failure message needs from the logs.

        The integration's records (from this run and, as hass rotates its log at
        each start, the run before), then the tail of the current log. The tail
        alone is not enough: on a machine without ffmpeg, libturbojpeg or the voice
        packages, their tracebacks fill it.
        """
        parts: list[str] = []
        previous_log = self.log_path.with_name(f"{self.log_path.name}.1")
        for path in (previous_log, self.log_path):
            if text := _read(path):
                lines = _records_mentioning(text, "esendex")[-ESENDEX_LINES:]
                parts.extend((f"--- esendex records in {path} ---", *lines))
        tail_path = self.log_path
        if not self.log_path.exists() and self.starts:
            # hass died before it set up logging: its console has the reason.
            tail_path = self._console_path(self.starts)
        tail = (_read(tail_path) or "(missing)").splitlines()[-TAIL_LINES:]
        parts.extend((f"--- tail of {tail_path} ---", *tail))
        return "\n".join(parts)

    def start(self) -> None:
        """Start `hass` on the config dir (the previous process must have exited)."""
        assert self.process is None or self.process.poll() is not None, (
            "hass is already running"
        )
        self.starts += 1
        # Console output goes to a file: an unread pipe would fill and block hass.
        with self._console_path(self.starts).open("wb") as console:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    sys.executable,
                    "-m",
                    "homeassistant",
                    "--config",
                    str(self.config_dir),
                    "--skip-pip",
                ],
                # Not the repository: `python -m` puts the working directory first
                # on sys.path, and the repo's own custom_components/ would then be
                # imported instead of the config dir's.
                cwd=self.config_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
            )

    def _environment(self) -> dict[str, str] | None:
        if not self.python_path:
            return None
        paths = [str(path) for path in self.python_path]
        if inherited := os.environ.get("PYTHONPATH"):
            paths.append(inherited)
        return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}

    def stop(self) -> int | None:
        """Stop hass for good: SIGTERM, then SIGKILL after a bound. Never raises.

        Returns the exit code, or None if it had to be killed.
        """
        process = self.process
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=KILL_TIMEOUT)
            return None

    async def async_stop(self) -> int:
        """Stop hass the way systemd or Docker would, waiting without blocking."""
        process = self.process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_TIMEOUT
        while (returncode := process.poll()) is None:
            if loop.time() > deadline:
                process.kill()
                pytest.fail(
                    f"hass did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM; "
                    f"killed it\n{self.diagnostics()}"
                )
            await asyncio.sleep(0.1)
        return returncode

    async def async_wait_until_serving(self, session: aiohttp.ClientSession) -> None:
        """Wait until the HTTP server answers /api/onboarding (no auth needed).

        It keeps answering after the restart: the test completes only the user
        step of onboarding, and the views stay registered until all steps are done.
        """
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        url = f"{self.base_url}/api/onboarding"
        while True:
            if (returncode := self.process.poll()) is not None:
                pytest.fail(
                    f"hass exited with code {returncode} before serving HTTP\n"
                    f"{self.diagnostics()}"
                )
            try:
                async with session.get(
                    url, timeout=aiohttp.ClientTimeout(total=2)
                ) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError, TimeoutError:
                pass  # not listening yet
            if loop.time() > deadline:
                pytest.fail(
                    f"hass did not answer {url} within {START_TIMEOUT:.0f} s\n"
                    f"{self.diagnostics()}"
                )
            await asyncio.sleep(0.2)


@dataclass
class HassClient:
    """An authenticated user of one HassProcess, across its restarts."""

    session: aiohttp.ClientSession
    hass: HassProcess
    access_token: str | None = None
    refresh_token: str | None = None

    @property
    def base_url(self) -> str:
        """Root URL of the instance this user is logged in to."""
        return self.hass.base_url

    @property
    def client_id(self) -> str:
        """IndieAuth client id: like the frontend's, the instance's own root URL."""
        return f"{self.hass.base_url}/"

    @property
    def _headers(self) -> dict[str, str]:
        assert self.access_token is not None, "log in first"
        return {"Authorization": f"Bearer {self.access_token}"}

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        async with self.session.post(
            f"{self.hass.base_url}/auth/token", data=form, timeout=REQUEST_TIMEOUT
        ) as response:
            body = await response.text()
            assert response.status == 200, f"/auth/token: {response.status} {body}"
            tokens: dict[str, Any] = await response.json()
        self.access_token = tokens["access_token"]
        return tokens

    async def async_onboard(self) -> None:
        """Create the owner through onboarding and log in as them."""
        async with self.session.post(
            f"{self.hass.base_url}/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": "End To End",
                "username": "e2e",
                "password": "end-to-end-password",
                "language": "en",
            },
            timeout=REQUEST_TIMEOUT,
        ) as response:
            body = await response.text()
            assert response.status == 200, f"onboarding: {response.status} {body}"
            auth_code = (await response.json())["auth_code"]
        tokens = await self._token(
            {
                "grant_type": "authorization_code",
                "code": auth_code,
                "client_id": self.client_id,
            }
        )
        self.refresh_token = tokens["refresh_token"]

    async def async_finish_onboarding(self) -> None:
        """Post the steps after the user, as the frontend's onboarding pages do.

        Only a browser test needs them: until they are done, the frontend shows
        onboarding instead of the dashboards.
        """
        await self.async_post("/api/onboarding/core_config", {})
        await self.async_post("/api/onboarding/analytics", {})
        await self.async_post(
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.hass.base_url}/?auth_callback=1",
            },
        )

    async def async_log_in_again(self) -> None:
        """Get a fresh access token from the refresh token (it survives restarts)."""
        assert self.refresh_token is not None, "onboard first"
        await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
            }
        )

    async def async_wait_until_running(self) -> None:
        """Wait for core state RUNNING.

        HTTP comes up early in bootstrap, before config entries are set up; until
        then the integration's webhook is not registered (and HA answers 200 to
        unknown webhooks, so a premature POST would silently go nowhere).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        state = None
        while loop.time() < deadline:
            state = (await self.async_get("/api/core/state"))["state"]
            if state == "RUNNING":
                return
            await asyncio.sleep(0.2)
        pytest.fail(
            f"hass still {state!r} after {START_TIMEOUT:.0f} s\n"
            f"{self.hass.diagnostics()}"
        )

    async def async_request(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Authenticated REST call; returns status and decoded JSON (or text)."""
        async with self.session.request(
            method,
            f"{self.hass.base_url}{path}",
            json=payload,
            headers=self._headers,
            timeout=REQUEST_TIMEOUT,
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    async def async_get(self, path: str) -> Any:
        """GET that must succeed."""
        status, body = await self.async_request("GET", path)
        assert status == 200, f"GET {path}: {status} {body}"
        return body

    async def async_post(self, path: str, payload: dict[str, Any]) -> Any:
        """POST that must succeed."""
        status, body = await self.async_request("POST", path, payload)
        assert status == 200, f"POST {path}: {status} {body}\n{self.hass.diagnostics()}"
        return body

    async def async_state(self, entity_id: str) -> dict[str, Any]:
        """State object of an entity; on 404 the message lists what does exist."""
        status, body = await self.async_request("GET", f"/api/states/{entity_id}")
        if status == 404:
            states = await self.async_get("/api/states")
            ours = sorted(s["entity_id"] for s in states if "esendex" in s["entity_id"])
            pytest.fail(f"{entity_id} does not exist; esendex entities: {ours}")
        assert status == 200, f"GET state of {entity_id}: {status} {body}"
        state: dict[str, Any] = body
        return state

    async def async_post_notification(self, webhook_url: str, body: str) -> int:
        """POST a push notification exactly as Esendex does: XML, no auth."""
        async with self.session.post(
            webhook_url,
            data=body.encode(),
            headers={"Content-Type": "text/xml"},
            timeout=REQUEST_TIMEOUT,
        ) as response:
            await response.read()
            return response.status

    async def async_websocket(self) -> aiohttp.ClientWebSocketResponse:
        """Open an authenticated websocket; the caller closes it."""
        ws = await self.session.ws_connect(
            f"ws://127.0.0.1:{self.hass.port}/api/websocket",
            timeout=aiohttp.ClientWSTimeout(ws_close=10.0),
        )
        try:
            assert (await ws.receive_json(timeout=10))["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            auth = await ws.receive_json(timeout=10)
            assert auth["type"] == "auth_ok", auth
        except BaseException:
            await ws.close()
            raise
        return ws

    async def async_command(self, command: str, **fields: Any) -> Any:
        """Run one websocket command that must succeed; return its result."""
        ws = await self.async_websocket()
        try:
            await ws.send_json({"id": 1, "type": command, **fields})
            answer = await ws.receive_json(timeout=10)
        finally:
            await ws.close()
        assert answer.get("success"), f"{command}: {answer}"
        return answer["result"]

    async def async_subscribe(self, event_types: Iterable[str]) -> EventSubscription:
        """Open a websocket, authenticate, and subscribe to the given event types."""
        ws = await self.async_websocket()
        subscription = EventSubscription(ws)
        try:
            for message_id, event_type in enumerate(event_types, start=1):
                await ws.send_json(
                    {
                        "id": message_id,
                        "type": "subscribe_events",
                        "event_type": event_type,
                    }
                )
                result = await ws.receive_json(timeout=10)
                assert result == {
                    "id": message_id,
                    "type": "result",
                    "success": True,
                    "result": None,
                }, result
                subscription.event_types[message_id] = event_type
        except BaseException:
            await ws.close()
            raise
        return subscription


@dataclass
class EventSubscription:
    """Events arriving on one websocket; read inline, so no task outlives the test."""

    ws: aiohttp.ClientWebSocketResponse
    event_types: dict[int, str] = field(default_factory=dict)

    async def __aenter__(self) -> Self:
        """Use as `async with await client.async_subscribe(...)`."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the websocket."""
        await self.ws.close()

    async def async_receive(
        self, count: int, *, max_wait: float = 10.0, settle: float = 1.0
    ) -> list[dict[str, Any]]:
        """Collect events until `count` arrived (or `max_wait`), then `settle` more.

        The settle period is what lets a test see a duplicate, or an event that
        should not have fired at all (count=0).
        """
        loop = asyncio.get_running_loop()
        events: list[dict[str, Any]] = []
        deadline = loop.time() + max_wait
        settled_at: float | None = None
        while True:
            if settled_at is None and len(events) >= count:
                settled_at = loop.time() + settle
            end = deadline if settled_at is None else settled_at
            remaining = end - loop.time()
            if remaining <= 0:
                return events
            try:
                message = await self.ws.receive_json(timeout=remaining)
            except TimeoutError:
                return events
            assert message["type"] == "event", message
            event = message["event"]
            assert event["event_type"] == self.event_types[message["id"]], message
            events.append(event)


def parse_aware(value: str) -> datetime:
    """Parse an ISO 8601 string that must carry a UTC offset."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value!r} has no UTC offset"
    return parsed


# Push notification bodies, shaped like the ones Esendex POSTs (XML declaration
# included, as Esendex sends it).
def inbound_message(
    *,
    notification_id: str,
    message_id: str,
    account_id: str,
    text: str,
    sender: str,
    recipient: str,
) -> str:
    """Body of an InboundMessage push notification."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<InboundMessage><Id>{notification_id}</Id><MessageId>{message_id}</MessageId>"
        f"<AccountId>{account_id}</AccountId><MessageText>{text}</MessageText>"
        f"<From>{sender}</From><To>{recipient}</To></InboundMessage>"
    )


def delivery_notification(
    kind: str,
    *,
    notification_id: str,
    message_id: str,
    account_id: str,
    occurred_at: str,
) -> str:
    """Body of a MessageDelivered or MessageFailed notification.

    `occurred_at` goes in verbatim: Esendex sends timestamps without an offset,
    sometimes wrapped in whitespace.
    """
    assert kind in ("MessageDelivered", "MessageFailed")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<{kind}><Id>{notification_id}</Id><MessageId>{message_id}</MessageId>"
        f"<AccountId>{account_id}</AccountId><OccurredAt>{occurred_at}</OccurredAt>"
        f"</{kind}>"
    )


async def add_integration(client: HassClient) -> tuple[str, str]:
    """Set up a receive-only entry over REST; return its id and webhook URL.

    The first step is a menu (receive only, or with API credentials); the
    receive-only form has only optional fields, so it is submitted empty.
    """
    result = await client.async_post(
        "/api/config/config_entries/flow",
        {"handler": "esendex", "show_advanced_options": False},
    )
    assert result["type"] == "menu", result
    assert result["step_id"] == "user", result
    assert "receive_only" in result["menu_options"], result
    result = await client.async_post(
        f"/api/config/config_entries/flow/{result['flow_id']}",
        {"next_step_id": "receive_only"},
    )
    assert result["type"] == "form", result
    result = await client.async_post(
        f"/api/config/config_entries/flow/{result['flow_id']}", {}
    )
    assert result["type"] == "create_entry", result
    placeholders = result.get("description_placeholders") or {}
    webhook_url = placeholders.get("webhook_url")
    assert webhook_url, f"create_entry shows no webhook_url placeholder: {result}"
    prefix = f"{client.hass.base_url}/api/webhook/"
    assert webhook_url.startswith(prefix), webhook_url
    assert len(webhook_url) > len(prefix), webhook_url
    return result["result"]["entry_id"], webhook_url


# --- a fake Esendex (tools/fake_esendex_api.py) and an entry with API credentials

FAKE_USERNAME = "owner@example.com"
FAKE_PASSWORD = "fake-api-password"  # noqa: S105 - a made-up login of the fake
FAKE_REFERENCE = "EX0012345"
FAKE_ACCOUNT_ID = "0b5e7ad2-6d4f-4d55-9c1e-2a3b4c5d6e7f"
FAKE_VIRTUAL_NUMBER = "447860000000"


@dataclass
class FakeEsendex:
    """The fake's state, and where its API is served."""

    account: FakeEsendexAccount
    api_url: str

    @property
    def control_url(self) -> str:
        """Where the fake's own control routes are."""
        return self.api_url.replace("/v1.0/", "/_fake/")

    async def async_text(
        self, session: aiohttp.ClientSession, sender: str, text: str
    ) -> str:
        """An SMS arrives: in the inbox, and pushed to the webhook; return its id."""
        async with session.post(
            f"{self.control_url}inbound", json={"from": sender, "text": text}
        ) as response:
            answer = await response.json()
        assert response.status == 200, answer
        assert answer["push_status"] == 200, answer
        message_id: str = answer["id"]
        return message_id


@asynccontextmanager
async def serve_fake_esendex(receipt_delay: float) -> AsyncIterator[FakeEsendex]:
    """Serve the fake Esendex API on a loopback port for the block."""
    account = FakeEsendexAccount(
        username=FAKE_USERNAME,
        password=FAKE_PASSWORD,
        account_reference=FAKE_REFERENCE,
        account_id=FAKE_ACCOUNT_ID,
        virtual_number=FAKE_VIRTUAL_NUMBER,
        receipt_delay=receipt_delay,
    )
    async with TestServer(create_app(account), host="127.0.0.1") as server:
        yield FakeEsendex(account, str(server.make_url("/v1.0/")))


def fake_api_yaml(fake: FakeEsendex) -> str:
    """The development setting that points the integration at the fake."""
    return f"\nesendex:\n  api_url: {fake.api_url}\n"


async def add_api_entry(client: HassClient, fake: FakeEsendex) -> tuple[str, str]:
    """Add an entry with the fake's credentials over REST; return id and webhook URL.

    The fake is given the URL, as a user gives it to Esendex.
    """
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
        {
            "username": FAKE_USERNAME,
            "password": FAKE_PASSWORD,
            "account_reference": FAKE_REFERENCE,
        },
    )
    assert result["type"] == "create_entry", result
    webhook_url: str = result["description_placeholders"]["webhook_url"]
    fake.account.webhook_url = webhook_url
    return result["result"]["entry_id"], webhook_url


async def add_contact(
    client: HassClient,
    entry_id: str,
    name: str,
    number: str,
    *,
    assist_user_id: str | None = None,
) -> None:
    """Add a contact; with a user, one whose SMS Assist answers as that user."""
    flow = await client.async_post(
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, "contact"]},
    )
    assert flow["type"] == "form", flow
    form: dict[str, Any] = {
        "name": name,
        "phone_number": number,
        "assist": assist_user_id is not None,
    }
    if assist_user_id is not None:
        form["assist_user_id"] = assist_user_id
    result = await client.async_post(
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}", form
    )
    assert result["type"] == "create_entry", result
