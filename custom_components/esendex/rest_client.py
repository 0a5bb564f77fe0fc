"""The REST client an entry uses: Home Assistant's shared session, and the API URL.

The API URL is Esendex's own unless `configuration.yaml` says otherwise:

    esendex:
      api_url: http://127.0.0.1:8124/v1.0/

That is for development and tests only (tools/fake_esendex_api.py serves such an
API): the credentials of every entry are sent to it, so a warning is logged.
"""

import logging
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api import DEFAULT_BASE_URL, EsendexClient
from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

CONF_API_URL: Final = "api_url"
_API_URL: HassKey[str] = HassKey(f"{DOMAIN}_api_url")


def set_api_url(hass: HomeAssistant, url: str | None) -> None:
    """Use this API URL for every entry from now on; None for Esendex's."""
    if url is None:
        hass.data.pop(_API_URL, None)
        return
    _LOGGER.warning(
        "Esendex SMS sends its API requests, credentials included, to %s instead "
        "of Esendex (%s in configuration.yaml): use this for development only",
        url,
        CONF_API_URL,
    )
    hass.data[_API_URL] = url


def esendex_client(hass: HomeAssistant, username: str, password: str) -> EsendexClient:
    """Return a client for this login; raise ValueError if Basic auth can't carry it."""
    return EsendexClient(
        async_get_clientsession(hass),
        username,
        password,
        base_url=hass.data.get(_API_URL, DEFAULT_BASE_URL),
    )
