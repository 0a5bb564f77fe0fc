"""Shared fixtures for the Esendex SMS tests."""

from collections.abc import Awaitable, Callable, Generator
from pathlib import Path

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from aiohttp.web import Application, Request
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

# pytest-homeassistant-custom-component ships a `custom_components` package of its own
# for its fixtures; importing ours first keeps it from being shadowed.
import custom_components.esendex  # noqa: F401
from custom_components.esendex.const import CONF_CLOUDHOOK, DOMAIN

FIXTURES = Path(__file__).parent / "fixtures"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
WEBHOOK_PATH = f"/api/webhook/{WEBHOOK_ID}"
EXTERNAL_URL = "https://example.duckdns.org"

type PostNotification = Callable[..., Awaitable[ClientResponse]]


def fixture_bytes(name: str) -> bytes:
    """Return the bytes of a file under tests/fixtures."""
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def no_deprecated_usage(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Fail a test in which HA reports a deprecated call by this integration.

    Home Assistant logs deprecations through its frame helper rather than raising
    them, so they would otherwise pass unnoticed until the API is removed.
    """
    yield
    reports = [
        record.getMessage()
        for record in caplog.get_records("call")
        if "custom integration 'esendex'" in record.getMessage()
        or "deprecated" in record.getMessage().lower()
    ]
    assert not reports, f"deprecated usage reported: {reports}"


@pytest.fixture(autouse=True)
async def external_url(hass: HomeAssistant) -> None:
    """Give Home Assistant a URL, as a real instance reachable by Esendex has."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})


@pytest.fixture
def config_entry(hass: HomeAssistant) -> MockConfigEntry:
    """A receive-only entry, added to Home Assistant but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: False},
        entry_id="01JESENDEXTESTENTRY000000",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The entry, set up."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def post_notification(
    hass_client_no_auth: ClientSessionGenerator,
) -> PostNotification:
    """POST a body to the test entry's webhook, as Esendex would."""
    clients: list[TestClient[Request, Application]] = []

    async def post(
        body: object, path: str = WEBHOOK_PATH, **kwargs: object
    ) -> ClientResponse:
        # Created on first use: HA's HTTP server exists once the entry is set up.
        if not clients:
            clients.append(await hass_client_no_auth())
        data = body.encode() if isinstance(body, str) else body
        return await clients[0].post(path, data=data, **kwargs)  # type: ignore[arg-type]

    return post


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in tests/snapshots/, with HA's serializer."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
