"""The messages card (card.py): served under the version's URL, loaded on every page.

Against Home Assistant's real frontend integration and HTTP server. The card file
is the one built into custom_components/esendex/frontend/.
"""

from http import HTTPStatus
import json
from pathlib import Path
from unittest.mock import patch

from homeassistant.components import frontend
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.esendex import card
from custom_components.esendex.const import CONF_CLOUDHOOK, DOMAIN

MANIFEST = Path(card.__file__).parent / "manifest.json"
CARD_NAME = "esendex-messages-card.js"


def version() -> str:
    """Return the integration's version, as its manifest says it."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    value: str = manifest["version"]
    return value


def expected_url() -> str:
    return f"/esendex_static/{version()}/{CARD_NAME}"


def extra_module_urls(hass: HomeAssistant) -> frozenset[str]:
    urls: frozenset[str] = hass.data[frontend.DATA_EXTRA_MODULE_URL].urls
    return urls


def add_entry(hass: HomeAssistant, number: int) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Esendex SMS {number}",
        data={CONF_WEBHOOK_ID: f"{number}" * 64, CONF_CLOUDHOOK: False},
        entry_id=f"01JESENDEXCARDENTRY{number:06}",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def with_frontend(hass: HomeAssistant) -> None:
    """Home Assistant's frontend, set up before the integration, as at a start."""
    assert await async_setup_component(hass, "frontend", {})
    await hass.async_block_till_done()


def test_the_card_file_is_there() -> None:
    """Built from frontend/ into the integration: what the URL serves."""
    assert card.CARD_FILE.name == CARD_NAME
    assert card.CARD_FILE.is_file()
    assert card.card_url(version()) == expected_url()


@pytest.mark.usefixtures("with_frontend")
async def test_the_card_is_served_at_the_versions_url(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    client = await hass_client()

    response = await client.get(expected_url())

    assert response.status == HTTPStatus.OK
    assert await response.read() == card.CARD_FILE.read_bytes()
    assert "javascript" in response.headers["Content-Type"]
    # The version is in the URL: a browser may keep it.
    assert "max-age" in response.headers["Cache-Control"]
    # Another version's URL serves nothing.
    other = await client.get(f"/esendex_static/0.0.0/{CARD_NAME}")
    assert other.status == HTTPStatus.NOT_FOUND


@pytest.mark.usefixtures("with_frontend")
async def test_the_card_is_served_without_logging_in(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """As the frontend's own modules: the browser loads it before any token."""
    client = await hass_client_no_auth()

    response = await client.get(expected_url())

    assert response.status == HTTPStatus.OK


@pytest.mark.usefixtures("with_frontend")
async def test_the_card_is_an_extra_module_of_the_frontend(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert expected_url() in extra_module_urls(hass)


@pytest.mark.usefixtures("with_frontend")
async def test_the_card_is_registered_once_for_two_entries_and_a_reload(
    hass: HomeAssistant,
) -> None:
    manager = hass.data[frontend.DATA_EXTRA_MODULE_URL]
    first, second = add_entry(hass, 1), add_entry(hass, 2)

    with patch.object(manager, "add", wraps=manager.add) as add:
        assert await hass.config_entries.async_setup(first.entry_id)
        await hass.async_block_till_done()
        assert second.entry_id in {
            entry.entry_id for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        }
        assert await hass.config_entries.async_reload(first.entry_id)
        await hass.async_block_till_done()
        # As if the integration were set up again (it is not, within a run).
        await card.async_register_card(hass)

    add.assert_called_once_with(expected_url())
    assert [url for url in extra_module_urls(hass) if "esendex" in url] == [
        expected_url()
    ]


async def test_nothing_is_registered_without_the_frontend(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    assert "frontend" not in hass.config.components
    client = await hass_client()

    response = await client.get(expected_url())

    assert response.status == HTTPStatus.NOT_FOUND
    assert frontend.DATA_EXTRA_MODULE_URL not in hass.data
