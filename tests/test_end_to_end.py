"""End to end: a real `hass` process, driven only over HTTP and the websocket API.

Slow-ish by unit-test standards (two Home Assistant starts, about 10 s in all): it
starts `python -m homeassistant` on a temporary config dir whose
custom_components/esendex is a symlink to this working tree, onboards it, adds the
integration through the config flow API, POSTs Esendex push notifications to the
webhook URL the flow shows, and checks bus events and entity states; then it
restarts hass and checks that states are restored and a replayed notification is
deduplicated.
"""

import asyncio
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sys
from typing import Any
import uuid

import aiohttp
import pytest

from .e2e_support import (
    HassClient,
    HassProcess,
    add_integration,
    delivery_notification,
    free_loopback_port,
    inbound_message,
    parse_aware,
    write_config_dir,
)

pytest.importorskip(
    "homeassistant.__main__", reason="the end-to-end test runs the `hass` package"
)

# Normally ~10 s. Generous bounds for slow CI; the in-loop one fires first.
IN_LOOP_TIMEOUT = 240
pytestmark = pytest.mark.timeout(300)

EVENT_INBOUND = "esendex_inbound_message"
EVENT_DELIVERED = "esendex_message_delivered"
EVENT_FAILED = "esendex_message_failed"
EVENT_TYPES = (EVENT_INBOUND, EVENT_DELIVERED, EVENT_FAILED)

SENSOR_INBOUND = "sensor.esendex_sms_last_inbound_message"
SENSOR_DELIVERY = "sensor.esendex_sms_last_delivery_status"
EVENT_ENTITY_INBOUND = "event.esendex_sms_inbound_message"
EVENT_ENTITY_DELIVERY = "event.esendex_sms_delivery_status"

SENDER = "447700900123"
RECIPIENT = "447860000000"
TEXT = "Gate code please"
# Failed after delivered, so "failed" is the last delivery status by any ordering.
DELIVERED_AT_XML = "\n2026-11-25T10:00:00\n"  # whitespace as Esendex sometimes sends
DELIVERED_AT = "2026-11-25T10:00:00+00:00"
FAILED_AT_XML = "2026-11-25T10:05:00"
FAILED_AT = "2026-11-25T10:05:00+00:00"
# Slack for comparing hass's clock with ours: same machine, so only rounding.
CLOCK_SLACK = timedelta(seconds=2)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Notifications:
    """The three notifications of the first run, with fresh GUIDs."""

    account_id: str = field(default_factory=new_id)
    inbound_id: str = field(default_factory=new_id)
    inbound_message_id: str = field(default_factory=new_id)
    delivered_id: str = field(default_factory=new_id)
    delivered_message_id: str = field(default_factory=new_id)
    failed_id: str = field(default_factory=new_id)
    failed_message_id: str = field(default_factory=new_id)

    def inbound(self) -> str:
        return inbound_message(
            notification_id=self.inbound_id,
            message_id=self.inbound_message_id,
            account_id=self.account_id,
            text=TEXT,
            sender=SENDER,
            recipient=RECIPIENT,
        )

    def delivered(self) -> str:
        return delivery_notification(
            "MessageDelivered",
            notification_id=self.delivered_id,
            message_id=self.delivered_message_id,
            account_id=self.account_id,
            occurred_at=DELIVERED_AT_XML,
        )

    def failed(self) -> str:
        return delivery_notification(
            "MessageFailed",
            notification_id=self.failed_id,
            message_id=self.failed_message_id,
            account_id=self.account_id,
            occurred_at=FAILED_AT_XML,
        )


@pytest.fixture
def hass_process(
    tmp_path: Path,
    socket_enabled: None,  # the HA test plugin blocks sockets; loopback is fine here
) -> Generator[HassProcess]:
    """A config dir and a running hass on it, stopped whatever the test does."""
    hass = HassProcess(tmp_path, free_loopback_port())
    write_config_dir(hass.config_dir, hass.port)
    hass.start()
    try:
        yield hass
    finally:
        hass.stop()
        # Captured output: pytest shows it only when the test failed.
        sys.stdout.write(f"{hass.diagnostics()}\n")


async def test_webhook_to_events_and_entities_across_a_restart(
    hass_process: HassProcess,
) -> None:
    sent = Notifications()
    async with (
        # Inside the loop, so a hang ends as a clean TimeoutError (session closed,
        # hass stopped) before pytest-timeout's last-resort interrupt.
        asyncio.timeout(IN_LOOP_TIMEOUT),
        aiohttp.ClientSession() as session,
    ):
        client = HassClient(session, hass_process)
        await hass_process.async_wait_until_serving(session)
        await client.async_onboard()
        await client.async_wait_until_running()

        entry_id, webhook_url = await add_integration(client)
        received_at = await check_events(client, webhook_url, entry_id, sent)
        await check_entities(client, sent, received_at)

        await restart(client)
        await check_sensors_restored(client, sent, received_at)
        await check_replay_fires_nothing(client, webhook_url, sent)
        await check_a_trigger_saved_over_the_config_api(client, webhook_url, sent)


async def post_notifications(
    client: HassClient, webhook_url: str, *bodies: str
) -> None:
    for body in bodies:
        status = await client.async_post_notification(webhook_url, body)
        # Esendex retries anything but 200, so anything else is a bug here.
        assert status == 200, f"webhook answered {status} to\n{body}"


async def check_events(
    client: HassClient, webhook_url: str, entry_id: str, sent: Notifications
) -> datetime:
    """POST the three notifications; exactly one event each, with the right data.

    Returns the inbound message's received_at, for the entity checks.
    """
    async with await client.async_subscribe(EVENT_TYPES) as subscription:
        posted_from = datetime.now(UTC)
        await post_notifications(
            client, webhook_url, sent.inbound(), sent.delivered(), sent.failed()
        )
        posted_until = datetime.now(UTC)
        # The settle second after the third event catches any duplicate.
        events = await subscription.async_receive(3)

    by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in EVENT_TYPES}
    for event in events:
        by_type[event["event_type"]].append(event["data"])
    assert {t: len(e) for t, e in by_type.items()} == dict.fromkeys(EVENT_TYPES, 1)
    [inbound], [delivered], [failed] = by_type.values()

    # received_at is hass's clock at receipt (the notification carries no time).
    inbound = dict(inbound)
    received_at = parse_aware(inbound.pop("received_at"))
    assert received_at.utcoffset() == timedelta(0), "received_at is not UTC"
    assert posted_from - CLOCK_SLACK <= received_at <= posted_until + CLOCK_SLACK
    assert inbound == {
        "config_entry_id": entry_id,
        "notification_id": sent.inbound_id,
        "message_id": sent.inbound_message_id,
        "account_id": sent.account_id,
        "from": SENDER,
        "contact": None,  # no contacts in this entry
        "to": RECIPIENT,
        "text": TEXT,
        "verified": None,  # receive only: nothing to verify against
    }
    assert delivered == {
        "config_entry_id": entry_id,
        "notification_id": sent.delivered_id,
        "message_id": sent.delivered_message_id,
        "account_id": sent.account_id,
        "occurred_at": DELIVERED_AT,
    }
    assert failed == {
        "config_entry_id": entry_id,
        "notification_id": sent.failed_id,
        "message_id": sent.failed_message_id,
        "account_id": sent.account_id,
        "occurred_at": FAILED_AT,
    }
    return received_at


async def check_sensors(
    client: HassClient, sent: Notifications, received_at: datetime
) -> None:
    """The two sensors show the last inbound SMS and the last delivery status."""
    sensor = await client.async_state(SENSOR_INBOUND)
    assert sensor["state"] == TEXT, sensor
    attributes = sensor["attributes"]
    assert {
        key: attributes.get(key)
        for key in ("from", "to", "text", "message_id", "notification_id")
    } == {
        "from": SENDER,
        "to": RECIPIENT,
        "text": TEXT,
        "message_id": sent.inbound_message_id,
        "notification_id": sent.inbound_id,
    }
    # Compared as instants: the attribute's exact ISO spelling is not the contract.
    assert parse_aware(attributes["received_at"]) == received_at

    sensor = await client.async_state(SENSOR_DELIVERY)
    assert sensor["state"] == "failed", sensor
    attributes = sensor["attributes"]
    assert attributes.get("message_id") == sent.failed_message_id
    assert attributes.get("notification_id") == sent.failed_id
    assert parse_aware(attributes["occurred_at"]) == parse_aware(FAILED_AT)


async def check_entities(
    client: HassClient, sent: Notifications, received_at: datetime
) -> None:
    # Written before each POST was answered: nothing to wait for.
    await check_sensors(client, sent, received_at)
    entity = await client.async_state(EVENT_ENTITY_INBOUND)
    assert entity["attributes"].get("event_type") == "received", entity
    entity = await client.async_state(EVENT_ENTITY_DELIVERY)
    assert entity["attributes"].get("event_type") == "failed", entity
    assert {"delivered", "failed"} <= set(entity["attributes"]["event_types"])


async def restart(client: HassClient) -> None:
    """Stop hass with SIGTERM, as systemd or Docker would, and start it again."""
    hass = client.hass
    returncode = await hass.async_stop()
    # A clean exit is what writes restore state and the integration's stores.
    assert returncode == 0, f"hass exited with {returncode} on SIGTERM"
    hass.start()
    await hass.async_wait_until_serving(client.session)
    # Onboarding is done and password grants do not exist: the refresh token from
    # before the restart is the way back in.
    await client.async_log_in_again()
    await client.async_wait_until_running()


async def check_sensors_restored(
    client: HassClient, sent: Notifications, received_at: datetime
) -> None:
    # Nothing was received since the start: whatever they show was restored.
    await check_sensors(client, sent, received_at)


async def check_replay_fires_nothing(
    client: HassClient, webhook_url: str, sent: Notifications
) -> None:
    """Esendex retries a notification it thinks failed: same Id, no second event."""
    async with await client.async_subscribe(EVENT_TYPES) as subscription:
        # The first copy arrived before the restart, so this needs persisted ids.
        await post_notifications(client, webhook_url, sent.inbound())
        replayed = await subscription.async_receive(0)
        assert replayed == [], "a replayed notification fired an event again"

        # Positive control: this subscription does see a new notification, so the
        # silence above means deduplication, not a deaf websocket.
        fresh_id = new_id()
        await post_notifications(
            client,
            webhook_url,
            inbound_message(
                notification_id=fresh_id,
                message_id=new_id(),
                account_id=sent.account_id,
                text="Second message",
                sender=SENDER,
                recipient=RECIPIENT,
            ),
        )
        fresh = await subscription.async_receive(1)
    assert [(e["event_type"], e["data"]["notification_id"]) for e in fresh] == [
        (EVENT_INBOUND, fresh_id)
    ]


GATE_EVENT = "esendex_test_gate_opened"


async def check_a_trigger_saved_over_the_config_api(
    client: HassClient, webhook_url: str, sent: Notifications
) -> None:
    """An automation on esendex.message_received, saved as the editor saves it."""
    saved = await client.async_post(
        "/api/config/automation/config/open_gate",
        {
            "id": "open_gate",
            "alias": "Open the gate by SMS",
            "triggers": [
                {
                    "trigger": "esendex.message_received",
                    "options": {"match": "contains", "text": "open gate"},
                }
            ],
            "actions": [
                {
                    "event": GATE_EVENT,
                    "event_data": {"text": "{{ trigger.text }}"},
                }
            ],
        },
    )
    assert saved == {"result": "ok"}, saved
    # The config API reloads the automations after answering: wait, bounded.
    for _ in range(100):
        status, automation = await client.async_request(
            "GET", "/api/states/automation.open_the_gate_by_sms"
        )
        if status == 200:
            break
        await asyncio.sleep(0.1)
    assert status == 200, automation
    assert automation["state"] == "on", automation

    def sms(text: str) -> str:
        return inbound_message(
            notification_id=new_id(),
            message_id=new_id(),
            account_id=sent.account_id,
            text=text,
            sender=SENDER,
            recipient=RECIPIENT,
        )

    async with await client.async_subscribe([GATE_EVENT]) as subscription:
        await post_notifications(
            client, webhook_url, sms("What time is it?"), sms("Please OPEN GATE")
        )
        runs = await subscription.async_receive(1)
    assert [run["data"] for run in runs] == [{"text": "Please OPEN GATE"}]
