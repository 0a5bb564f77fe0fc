"""Whether Esendex can reach an entry's webhook URL, and a repair issue when not.

Esendex posts from the internet. A URL on this machine, on a private or link-local
address or on a local name only works on the local network (which is enough for
the simulator), and a plain http URL would carry the secret URL and the messages
unencrypted across the internet. `why_unreachable` says which from the URL alone,
without Home Assistant; the rest of the module finds the URL and keeps the repair
issue. A cloudhook is reachable by construction.
"""

from dataclasses import dataclass
from enum import StrEnum
import ipaddress
from typing import Final
from urllib.parse import urlsplit

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .const import CONF_CLOUDHOOK, DOMAIN

# Shown in place of Home Assistant's URL when none is configured at all.
NO_URL_PLACEHOLDER: Final = "<your Home Assistant URL>"

# Names no public DNS resolves: mDNS, RFC 8375's home network, ICANN's private-use
# TLD, and the common router default.
_LOCAL_SUFFIXES: Final = (".local", ".home.arpa", ".internal", ".lan")


class UnreachableReason(StrEnum):
    """Why Esendex cannot (or should not) post to a URL from the internet."""

    NO_URL = "no_url"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link_local"
    PRIVATE_ADDRESS = "private_address"
    LOCAL_NAME = "local_name"
    PLAIN_HTTP = "plain_http"


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The reason, the URL's host ("" without a URL) and its origin without a path.

    The origin (scheme, host and port) is what a repair issue shows: the full
    webhook URL is a secret, and issues end up in screenshots.
    """

    reason: UnreachableReason
    host: str
    origin: str


def why_unreachable(url: str, *, cloudhook: bool) -> Unreachable | None:
    """Return why Esendex cannot reach this webhook URL, or None when it can.

    The host is judged before the scheme: https would not make a private address
    reachable. Anything without an http(s) scheme and a host, such as the
    NO_URL_PLACEHOLDER form, means there is no URL.
    """
    if cloudhook:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # such as an unclosed IPv6 bracket
        return Unreachable(UnreachableReason.NO_URL, "", "")
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return Unreachable(UnreachableReason.NO_URL, "", "")
    # Without any user:password@ part, which has no place in an issue.
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    if (reason := _host_reason(host)) is not None:
        return Unreachable(reason, host, origin)
    if parts.scheme == "http":
        return Unreachable(UnreachableReason.PLAIN_HTTP, host, origin)
    return None


def _host_reason(host: str) -> UnreachableReason | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return _name_reason(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return UnreachableReason.LOOPBACK
    if address.is_link_local:
        return UnreachableReason.LINK_LOCAL
    if not address.is_global:
        # Private ranges, but also carrier-grade NAT, unspecified and reserved.
        return UnreachableReason.PRIVATE_ADDRESS
    return None


def _name_reason(name: str) -> UnreachableReason | None:
    if name == "localhost" or name.endswith(".localhost"):
        return UnreachableReason.LOOPBACK
    if "." not in name or name.endswith(_LOCAL_SUFFIXES):
        return UnreachableReason.LOCAL_NAME
    return None


@callback
def async_local_webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the URL Home Assistant itself serves the webhook at.

    Without any URL configured, the path still tells the user what to append.
    """
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return f"{NO_URL_PLACEHOLDER}{webhook.async_generate_path(webhook_id)}"


def unreachable_url_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue raised for an entry's unreachable URL."""
    return f"unreachable_url_{entry_id}"


@callback
def async_check_webhook_url(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Raise a repair issue if Esendex cannot reach the entry's URL; else clear it.

    A cloudhook entry is reachable: there is nothing to check.
    """
    issue_id = unreachable_url_issue_id(entry.entry_id)
    cloudhook = bool(entry.data.get(CONF_CLOUDHOOK))
    url = (
        "" if cloudhook else async_local_webhook_url(hass, entry.data[CONF_WEBHOOK_ID])
    )
    problem = why_unreachable(url, cloudhook=cloudhook)
    if problem is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=f"unreachable_url_{problem.reason}",
        translation_placeholders={
            "title": entry.title,
            "host": problem.host,
            "url": problem.origin,
        },
    )
