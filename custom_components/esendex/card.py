"""Serve the messages card and load it on every dashboard: nothing to add by hand.

The card's JavaScript (built from frontend/ in the repository) is served from a
static path whose URL carries the integration's version, so that a browser never
keeps an old card after an update, and is registered as an extra frontend
module. The frontend subscribes to that list of modules, so a page that was open
before the integration set up loads the card too; docs/messages-card.md says more.
"""

from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

CARD_FILE: Final = Path(__file__).parent / "frontend" / "esendex-messages-card.js"
_REGISTERED: HassKey[str] = HassKey(f"{DOMAIN}_card_url")


def card_url(version: str) -> str:
    """Return the URL the card is served under for this version of the integration."""
    return f"/{DOMAIN}_static/{version}/{CARD_FILE.name}"


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card and add it to the frontend's modules, once per run."""
    if _REGISTERED in hass.data or "frontend" not in hass.config.components:
        return
    integration = await async_get_integration(hass, DOMAIN)
    url = card_url(str(integration.version))
    # The version is in the URL: it can be cached for as long as it is served.
    await hass.http.async_register_static_paths(
        [StaticPathConfig(url, str(CARD_FILE), cache_headers=True)]
    )
    add_extra_js_url(hass, url)
    hass.data[_REGISTERED] = url
