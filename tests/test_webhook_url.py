"""Whether Esendex can reach a webhook URL, and the repair issue when it cannot."""

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.esendex.const import CONF_CLOUDHOOK, DOMAIN
from custom_components.esendex.webhook_url import (
    NO_URL_PLACEHOLDER,
    Unreachable,
    UnreachableReason,
    async_check_webhook_url,
    async_local_webhook_url,
    unreachable_url_issue_id,
    why_unreachable,
)

from .conftest import EXTERNAL_URL, WEBHOOK_ID, WEBHOOK_PATH

ENGLISH: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent / "custom_components/esendex/translations/en.json"
    ).read_text(encoding="utf-8")
)

# A Home Assistant URL for each reason, and the host the messages name; None is
# no URL at all.
UNREACHABLE_URLS: dict[UnreachableReason, tuple[str | None, str]] = {
    UnreachableReason.NO_URL: (None, ""),
    UnreachableReason.LOOPBACK: ("https://127.0.0.1:8123", "127.0.0.1"),
    UnreachableReason.LINK_LOCAL: ("https://169.254.10.20:8123", "169.254.10.20"),
    UnreachableReason.PRIVATE_ADDRESS: ("https://192.168.1.5:8123", "192.168.1.5"),
    UnreachableReason.LOCAL_NAME: (
        "https://homeassistant.local:8123",
        "homeassistant.local",
    ),
    UnreachableReason.PLAIN_HTTP: ("http://example.duckdns.org", "example.duckdns.org"),
}


async def set_home_assistant_url(hass: HomeAssistant, url: str | None) -> None:
    """Give Home Assistant this external URL, or no URL at all."""
    if url is None:
        await hass.config.async_update(external_url=None, internal_url=None)
    else:
        await async_process_ha_core_config(hass, {"external_url": url})


# --- The check itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{EXTERNAL_URL}{WEBHOOK_PATH}",
        "https://EXAMPLE.duckdns.org.:8443/api/webhook/x",
        "https://8.8.8.8/api/webhook/x",
        "https://[2001:4860:4860::8888]:8123/api/webhook/x",
        " https://example.duckdns.org/api/webhook/x ",
    ],
    ids=["external", "upper-case-trailing-dot", "public-ipv4", "public-ipv6", "spaces"],
)
def test_a_public_https_url_is_reachable(url: str) -> None:
    assert why_unreachable(url, cloudhook=False) is None


@pytest.mark.parametrize(
    ("url", "reason", "host"),
    [
        (f"{NO_URL_PLACEHOLDER}{WEBHOOK_PATH}", "no_url", ""),
        ("", "no_url", ""),
        ("ftp://example.com/api/webhook/x", "no_url", ""),
        ("https:///api/webhook/x", "no_url", ""),
        ("http://[::1/api/webhook/x", "no_url", ""),
        ("https://localhost:8123/x", "loopback", "localhost"),
        ("https://ha.localhost/x", "loopback", "ha.localhost"),
        ("http://127.0.0.1:8123/x", "loopback", "127.0.0.1"),
        ("https://[::1]:8123/x", "loopback", "::1"),
        ("https://[::ffff:127.0.0.1]/x", "loopback", "::ffff:127.0.0.1"),
        ("https://169.254.10.20/x", "link_local", "169.254.10.20"),
        ("https://[fe80::1]/x", "link_local", "fe80::1"),
        ("https://192.168.1.5:8123/x", "private_address", "192.168.1.5"),
        ("https://10.0.0.2/x", "private_address", "10.0.0.2"),
        ("https://172.16.0.1/x", "private_address", "172.16.0.1"),
        ("https://100.64.0.1/x", "private_address", "100.64.0.1"),
        ("https://[fd00::1]/x", "private_address", "fd00::1"),
        ("https://[::ffff:192.168.1.5]/x", "private_address", "::ffff:192.168.1.5"),
        ("https://homeassistant.local:8123/x", "local_name", "homeassistant.local"),
        ("https://HomeAssistant.LOCAL./x", "local_name", "homeassistant.local"),
        ("https://homeassistant:8123/x", "local_name", "homeassistant"),
        ("https://ha.home.arpa/x", "local_name", "ha.home.arpa"),
        ("https://ha.internal/x", "local_name", "ha.internal"),
        ("https://ha.lan/x", "local_name", "ha.lan"),
        ("http://example.duckdns.org/x", "plain_http", "example.duckdns.org"),
        ("HTTP://example.duckdns.org:80/x", "plain_http", "example.duckdns.org"),
        # The host is what matters first: https would not help a private address.
        ("http://192.168.1.5:8123/x", "private_address", "192.168.1.5"),
        ("http://homeassistant.local:8123/x", "local_name", "homeassistant.local"),
    ],
)
def test_why_a_url_is_unreachable(url: str, reason: str, host: str) -> None:
    problem = why_unreachable(url, cloudhook=False)

    assert problem is not None
    assert problem.reason == reason
    assert problem.host == host


def test_the_origin_leaves_out_the_secret_path_and_any_login() -> None:
    problem = why_unreachable(
        f"http://user:secret@Example.duckdns.org:8080{WEBHOOK_PATH}", cloudhook=False
    )

    assert problem == Unreachable(
        UnreachableReason.PLAIN_HTTP,
        "example.duckdns.org",
        "http://Example.duckdns.org:8080",
    )


@pytest.mark.parametrize(
    "url", ["http://192.168.1.5:8123/x", "", f"{NO_URL_PLACEHOLDER}{WEBHOOK_PATH}"]
)
def test_a_cloudhook_is_reachable_whatever_the_url(url: str) -> None:
    assert why_unreachable(url, cloudhook=True) is None


def test_every_reason_has_its_translations() -> None:
    """One message per reason in each place it is told."""
    for reason in UnreachableReason:
        assert f"unreachable_{reason}" in ENGLISH["config"]["create_entry"]
        assert f"unreachable_{reason}" in ENGLISH["config"]["error"]
        assert f"url_unchanged_{reason}" in ENGLISH["config"]["abort"]
        assert f"url_regenerated_{reason}" in ENGLISH["config"]["abort"]
        assert f"unreachable_url_{reason}" in ENGLISH["issues"]


# --- The URL Home Assistant serves the webhook at -----------------------------------


async def test_local_webhook_url(hass: HomeAssistant) -> None:
    assert async_local_webhook_url(hass, WEBHOOK_ID) == f"{EXTERNAL_URL}{WEBHOOK_PATH}"


async def test_local_webhook_url_without_any_url(hass: HomeAssistant) -> None:
    await set_home_assistant_url(hass, None)

    assert async_local_webhook_url(hass, WEBHOOK_ID) == (
        f"<your Home Assistant URL>{WEBHOOK_PATH}"
    )


# --- The repair issue -----------------------------------------------------------------


def test_the_issue_id_names_the_entry() -> None:
    assert unreachable_url_issue_id("01JENTRY") == "unreachable_url_01JENTRY"


async def test_no_issue_for_a_reachable_url(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    config_entry: MockConfigEntry,
) -> None:
    async_check_webhook_url(hass, config_entry)

    assert (
        issue_registry.async_get_issue(
            DOMAIN, unreachable_url_issue_id(config_entry.entry_id)
        )
        is None
    )


@pytest.mark.parametrize("reason", list(UnreachableReason))
async def test_an_unreachable_url_raises_an_issue_saying_why(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    config_entry: MockConfigEntry,
    reason: UnreachableReason,
) -> None:
    url, host = UNREACHABLE_URLS[reason]
    await set_home_assistant_url(hass, url)

    async_check_webhook_url(hass, config_entry)

    issue = issue_registry.async_get_issue(
        DOMAIN, unreachable_url_issue_id(config_entry.entry_id)
    )
    assert issue is not None
    assert issue.translation_key == f"unreachable_url_{reason}"
    assert issue.translation_key in ENGLISH["issues"]
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert not issue.is_persistent
    assert issue.translation_placeholders == {
        "title": config_entry.title,
        "host": host,
        "url": url or "",
    }
    # The webhook id is a secret, and issues end up in screenshots.
    assert not any(
        WEBHOOK_ID in value for value in issue.translation_placeholders.values()
    )


async def test_the_issue_goes_once_the_url_is_fixed(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    config_entry: MockConfigEntry,
) -> None:
    issue_id = unreachable_url_issue_id(config_entry.entry_id)
    await set_home_assistant_url(hass, "http://192.168.1.5:8123")
    async_check_webhook_url(hass, config_entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    # Still unreachable, for another reason: the issue says the new one.
    await set_home_assistant_url(hass, "http://example.duckdns.org")
    async_check_webhook_url(hass, config_entry)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "unreachable_url_plain_http"

    await set_home_assistant_url(hass, EXTERNAL_URL)
    async_check_webhook_url(hass, config_entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_a_cloudhook_entry_has_no_issue_and_clears_an_old_one(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_CLOUDHOOK: True},
    )
    entry.add_to_hass(hass)
    issue_id = unreachable_url_issue_id(entry.entry_id)
    await set_home_assistant_url(hass, "http://192.168.1.5:8123")
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="unreachable_url_private_address",
    )

    # Nothing to work out: the cloudhook's URL is not even looked up.
    with patch(
        "custom_components.esendex.webhook_url.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ) as generate:
        async_check_webhook_url(hass, entry)

    generate.assert_not_called()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_each_entry_has_its_own_issue(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    config_entry: MockConfigEntry,
) -> None:
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS 2",
        data={CONF_WEBHOOK_ID: "f" * 64, CONF_CLOUDHOOK: False},
    )
    other.add_to_hass(hass)
    await set_home_assistant_url(hass, "https://192.168.1.5:8123")

    async_check_webhook_url(hass, config_entry)
    async_check_webhook_url(hass, other)

    for entry in (config_entry, other):
        issue = issue_registry.async_get_issue(
            DOMAIN, unreachable_url_issue_id(entry.entry_id)
        )
        assert issue is not None
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["title"] == entry.title
