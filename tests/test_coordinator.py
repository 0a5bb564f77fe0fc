"""The credits coordinator: the account read at setup and every so often.

Receiving never depends on it: a refused login starts reauth and an unreachable
API makes the credits sensor unavailable, while pushes go on being published. The
inbox catch-up runs apart from it (test_catch_up.py).
"""

import asyncio
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from aiohttp import ClientConnectionError, hdrs
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.esendex.const import (
    CREDITS_REFRESH_MINUTES,
    DOMAIN,
    EVENT_INBOUND_MESSAGE,
)
from custom_components.esendex.coordinator import EsendexAccountCoordinator

from .api_support import (
    ACCOUNT_ID,
    ACCOUNT_REFERENCE,
    ACCOUNTS,
    ESENDEX_NS,
    FakeEsendex,
    add_api_entry,
    async_settle,
    inbound_push,
)
from .conftest import PostNotification

CREDITS_SENSOR = "sensor.esendex_sms_credits_remaining"
NEW_ID = "D6258601-3442-484F-B2AC-300088A8A4D4"
NEWER_ID = "7C1F0B2E-9A8D-4C3B-8E7F-6A5B4C3D2E1F"

# The English texts of the translated errors (translations/en.json), as Home
# Assistant makes them: without the final full stop.
ACCOUNT_UNAVAILABLE = (
    "Esendex is not reachable right now; the account could not be read"
)
ACCOUNT_UNEXPECTED_RESPONSE = (
    "Esendex answered with something unexpected; the account could not be read"
)
# The login works, but its only account is another one.
OTHER_ACCOUNT_ONLY = (
    f'<accounts xmlns="{ESENDEX_NS}"><account id="B7A8E4C2-5D1F-4E6A-9C3B-'
    '2F1E0D9C8B7A"><reference>EX112233</reference><messagesremaining>0'
    "</messagesremaining></account></accounts>"
)

# Each way the account read can fail, and the translation key it is reported with.
FAILURES = pytest.mark.parametrize(
    ("failure", "translation_key", "message"),
    [
        (
            {"exc": ClientConnectionError("Cannot connect to host api.esendex.com")},
            "account_unavailable",
            ACCOUNT_UNAVAILABLE,
        ),
        ({"exc": TimeoutError()}, "account_unavailable", ACCOUNT_UNAVAILABLE),
        (
            {"status": HTTPStatus.SERVICE_UNAVAILABLE, "text": "Service Unavailable"},
            "account_unavailable",
            ACCOUNT_UNAVAILABLE,
        ),
        (
            {"status": HTTPStatus.INTERNAL_SERVER_ERROR, "text": "Internal Error"},
            "account_unavailable",
            ACCOUNT_UNAVAILABLE,
        ),
        (
            {"status": HTTPStatus.OK, "text": "<html>Down for maintenance</html>"},
            "account_unexpected_response",
            ACCOUNT_UNEXPECTED_RESPONSE,
        ),
        (
            {"status": HTTPStatus.NOT_FOUND, "text": "Not Found"},
            "account_unexpected_response",
            ACCOUNT_UNEXPECTED_RESPONSE,
        ),
        (
            {"status": HTTPStatus.OK, "text": OTHER_ACCOUNT_ONLY},
            "account_unexpected_response",
            ACCOUNT_UNEXPECTED_RESPONSE,
        ),
    ],
    ids=[
        "connection-error",
        "timeout",
        "503",
        "500",
        "not-xml",
        "404",
        "account-missing",
    ],
)


@pytest.fixture
def esendex(aioclient_mock: AiohttpClientMocker) -> FakeEsendex:
    """Esendex's REST API, as the entry's client reaches it."""
    return FakeEsendex(aioclient_mock)


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry with API credentials, added but not set up."""
    return add_api_entry(hass)


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and wait for its background inbox catch-up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED


async def next_refresh(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let CREDITS_REFRESH_MINUTES pass, and the coordinator refresh."""
    freezer.tick(timedelta(minutes=CREDITS_REFRESH_MINUTES))
    async_fire_time_changed(hass)
    await async_settle(hass)


def coordinator_of(entry: MockConfigEntry) -> EsendexAccountCoordinator:
    coordinator = entry.runtime_data.coordinator
    assert coordinator is not None
    return coordinator


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def assert_receiving(
    hass: HomeAssistant, post_notification: PostNotification, message_id: str
) -> None:
    """A push is published: receiving needs no credentials and no REST API."""
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    response = await post_notification(inbound_push(message_id, "Hello"))
    assert response.status == HTTPStatus.OK
    assert await response.text() == "processed"
    assert [event.data["message_id"] for event in events] == [message_id.lower()]


# --- setup -------------------------------------------------------------------


async def test_setup_reads_the_account(
    hass: HomeAssistant, entry: MockConfigEntry, esendex: FakeEsendex
) -> None:
    await setup(hass, entry)

    coordinator = coordinator_of(entry)
    assert coordinator.last_update_success is True
    assert coordinator.data.id == ACCOUNT_ID
    assert coordinator.data.reference == ACCOUNT_REFERENCE
    assert coordinator.data.messages_remaining == 19
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    # Once: the inbox catch-up does not read the account.
    assert esendex.count(ACCOUNTS) == 1
    assert esendex.unexpected == []


@pytest.mark.parametrize("status", [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN])
async def test_refused_credentials_at_setup_start_reauth_and_keep_receiving(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
    status: int,
) -> None:
    esendex.fail(ACCOUNTS, status, "Unauthorised")

    await setup(hass, entry)

    coordinator = coordinator_of(entry)
    assert isinstance(coordinator.last_exception, ConfigEntryAuthFailed)
    assert coordinator.last_exception.translation_key == "auth_failed"
    assert len(reauth_flows(hass, entry)) == 1
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    await assert_receiving(hass, post_notification, NEW_ID)


async def test_changed_password_at_setup_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    esendex.password = "changed at Esendex"  # noqa: S105 - a made-up login

    await setup(hass, entry)

    assert len(reauth_flows(hass, entry)) == 1
    assert coordinator_of(entry).data is None
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    await assert_receiving(hass, post_notification, NEW_ID)


@FAILURES
async def test_unreachable_api_at_setup_keeps_receiving_and_recovers(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    post_notification: PostNotification,
    failure: dict[str, Any],
    translation_key: str,
    message: str,
) -> None:
    esendex.fail(ACCOUNTS, **failure)

    await setup(hass, entry)

    coordinator = coordinator_of(entry)
    assert coordinator.last_update_success is False
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_domain == DOMAIN
    assert coordinator.last_exception.translation_key == translation_key
    assert str(coordinator.last_exception) == message
    assert reauth_flows(hass, entry) == []
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    await assert_receiving(hass, post_notification, NEW_ID)

    await next_refresh(hass, freezer)

    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "19"


async def test_failed_setup_answers_503_and_the_next_setup_receives(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    with patch.object(
        hass.config_entries,
        "async_forward_entry_setups",
        side_effect=OSError("platform setup failed"),
    ):
        assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR

    response = await post_notification(inbound_push(NEW_ID, "Hello"))

    # The handler stays registered, answering 503 while the entry is not loaded,
    # so that Esendex retries rather than getting HA's 200 for an unknown webhook.
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers[hdrs.RETRY_AFTER] == "60"
    assert (await response.text()).startswith("unavailable")
    assert events == []

    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    # Esendex's retry is then taken, as new.
    await assert_receiving(hass, post_notification, NEW_ID)


async def test_push_during_setup_is_answered_503(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    post_notification: PostNotification,
) -> None:
    events = async_capture_events(hass, EVENT_INBOUND_MESSAGE)
    hold = esendex.hold(ACCOUNTS)
    setting_up = hass.async_create_task(hass.config_entries.async_setup(entry.entry_id))
    await asyncio.wait_for(hold.reached.wait(), 5)

    # While the setup waits for the account.
    response = await post_notification(inbound_push(NEW_ID, "Hello"))

    # Registered early, so that Esendex is told to retry rather than HA's 200.
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert (await response.text()).startswith("unavailable")
    assert events == []
    hold.release()
    assert await setting_up
    await async_settle(hass)
    # Esendex's retry is then taken, as new.
    await assert_receiving(hass, post_notification, NEW_ID)


# --- every CREDITS_REFRESH_MINUTES ---------------------------------------------


async def test_credits_are_read_every_credits_refresh_minutes(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup(hass, entry)
    assert hass.states.get(CREDITS_SENSOR).state == "19"
    assert esendex.count(ACCOUNTS) == 1
    esendex.messages_remaining = 7

    freezer.tick(timedelta(minutes=CREDITS_REFRESH_MINUTES - 1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert esendex.count(ACCOUNTS) == 1
    assert hass.states.get(CREDITS_SENSOR).state == "19"

    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert esendex.count(ACCOUNTS) == 2
    assert hass.states.get(CREDITS_SENSOR).state == "7"

    esendex.messages_remaining = 6
    await next_refresh(hass, freezer)
    assert esendex.count(ACCOUNTS) == 3
    assert hass.states.get(CREDITS_SENSOR).state == "6"


@FAILURES
async def test_a_failed_refresh_makes_the_credits_unavailable_until_the_next(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    post_notification: PostNotification,
    failure: dict[str, Any],
    translation_key: str,
    message: str,
) -> None:
    await setup(hass, entry)
    coordinator = coordinator_of(entry)
    esendex.fail(ACCOUNTS, **failure)

    await next_refresh(hass, freezer)

    assert coordinator.last_update_success is False
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == translation_key
    assert str(coordinator.last_exception) == message
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    assert reauth_flows(hass, entry) == []
    await assert_receiving(hass, post_notification, NEW_ID)

    esendex.messages_remaining = 5
    await next_refresh(hass, freezer)

    assert coordinator.last_update_success is True
    assert hass.states.get(CREDITS_SENSOR).state == "5"


@pytest.mark.parametrize("status", [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN])
async def test_refused_credentials_at_a_refresh_start_reauth_and_keep_receiving(
    hass: HomeAssistant,
    *,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    post_notification: PostNotification,
    status: int,
) -> None:
    await setup(hass, entry)
    esendex.fail(ACCOUNTS, status, "Not authorised")

    await next_refresh(hass, freezer)

    assert coordinator_of(entry).last_update_success is False
    assert len(reauth_flows(hass, entry)) == 1
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    await assert_receiving(hass, post_notification, NEW_ID)


async def test_changed_password_at_a_refresh_starts_reauth(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    esendex: FakeEsendex,
    freezer: FrozenDateTimeFactory,
    post_notification: PostNotification,
) -> None:
    await setup(hass, entry)
    esendex.password = "changed at Esendex"  # noqa: S105 - a made-up login

    await next_refresh(hass, freezer)

    assert len(reauth_flows(hass, entry)) == 1
    assert hass.states.get(CREDITS_SENSOR).state == STATE_UNAVAILABLE
    await assert_receiving(hass, post_notification, NEWER_ID)
