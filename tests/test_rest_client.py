"""The REST client an entry uses: Esendex's API, or the one configuration.yaml names."""

import logging

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.esendex.api import DEFAULT_BASE_URL
from custom_components.esendex.const import DOMAIN
from custom_components.esendex.rest_client import esendex_client, set_api_url

FAKE_API = "http://127.0.0.1:8124/v1.0/"


def _base_url(hass: HomeAssistant) -> str:
    # What the client prefixes every request with.
    base_url: str = esendex_client(hass, "owner@example.com", "secret")._base_url
    return base_url


async def test_without_a_setting_the_client_calls_esendex(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})

    assert _base_url(hass) == DEFAULT_BASE_URL


async def test_api_url_in_yaml_points_every_client_elsewhere_with_a_warning(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert await async_setup_component(
            hass, DOMAIN, {DOMAIN: {"api_url": FAKE_API}}
        )

    assert _base_url(hass) == FAKE_API
    assert f"credentials included, to {FAKE_API} instead of Esendex" in caplog.text


async def test_clearing_the_setting_goes_back_to_esendex(hass: HomeAssistant) -> None:
    set_api_url(hass, FAKE_API)
    set_api_url(hass, None)

    assert _base_url(hass) == DEFAULT_BASE_URL
