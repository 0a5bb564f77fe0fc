"""Tests for the push notification parser (custom_components/esendex/protocol.py)."""

import dataclasses
from datetime import UTC, datetime
import encodings.aliases
import json
from pathlib import Path
import random
import tracemalloc
from typing import Any
import xml.etree.ElementTree as ET

from defusedxml.ElementTree import fromstring as real_fromstring
import pytest

from custom_components.esendex import protocol
from custom_components.esendex.protocol import (
    MAX_BODY_BYTES,
    FailureReason,
    InboundMessage,
    MessageDelivered,
    MessageFailed,
    NotificationError,
    OptOut,
    UnknownNotification,
    parse_notification,
    parse_timestamp,
)

FIXTURES = Path(__file__).parent / "fixtures"

ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
NOTIFICATION_ID = "bece4d20-779c-4778-b08c-438a13cca5c9"
MESSAGE_ID = "ee931a29-d176-42bb-b2a1-a66871e8c118"
IDS = (
    f"<Id>{NOTIFICATION_ID}</Id>"
    f"<MessageId>{MESSAGE_ID}</MessageId>"
    f"<AccountId>{ACCOUNT_ID}</AccountId>"
)
PARTIES = "<From>447700900123</From><To>447860000000</To>"
OPT_OUT_IDS = f"<Id>{NOTIFICATION_ID}</Id><AccountId>{ACCOUNT_ID}</AccountId>"
# A root no Esendex notification has (yet): what an unknown one looks like.
UNKNOWN_ROOT = "FutureNotification"

DTDS_FORBIDDEN = "DTDs are not allowed"
NOT_WELL_FORMED = "body is not well-formed XML"
UNSUPPORTED_ENCODING = "body declares an unsupported encoding"

ATTACKS = (
    "billion_laughs",
    "quadratic_blowup",
    "external_entity_file",
    "external_entity_http",
    "parameter_entity",
    "external_dtd",
)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.xml").read_bytes()


def xml(root: str, *children: str) -> bytes:
    return f"<{root}>{''.join(children)}</{root}>".encode()


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def inbound(text: str = "", received_at: datetime | None = None) -> InboundMessage:
    return InboundMessage(
        notification_id=NOTIFICATION_ID,
        message_id=MESSAGE_ID,
        account_id=ACCOUNT_ID,
        sender="447700900123",
        recipient="447860000000",
        text=text,
        received_at=received_at,
    )


def delivered(occurred_at: datetime | None = None) -> MessageDelivered:
    return MessageDelivered(
        notification_id=NOTIFICATION_ID,
        message_id=MESSAGE_ID,
        account_id=ACCOUNT_ID,
        occurred_at=occurred_at,
    )


def failed(
    failure_reason: FailureReason | None, occurred_at: datetime | None = None
) -> MessageFailed:
    return MessageFailed(
        notification_id=NOTIFICATION_ID,
        message_id=MESSAGE_ID,
        account_id=ACCOUNT_ID,
        occurred_at=occurred_at,
        failure_reason=failure_reason,
    )


def opt_out(
    sender: str = "447700900123", received_at: datetime | None = None
) -> OptOut:
    return OptOut(
        notification_id=NOTIFICATION_ID,
        account_id=ACCOUNT_ID,
        sender=sender,
        received_at=received_at,
    )


def outcome(body: bytes) -> object:
    """The parsed notification, or the NotificationError raised instead."""
    try:
        return parse_notification(body)
    except NotificationError as err:
        return err


def reason_of(body: bytes) -> str:
    with pytest.raises(NotificationError) as caught:
        parse_notification(body)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


VALID_FIXTURES = {
    "inbound_message": InboundMessage(
        notification_id="4b912ad6-5ba1-4fdb-addc-007fb212ebae",
        message_id="09543bf1-8f47-4afa-9fe8-cb36bd0e6e90",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        recipient="447860000000",
        text="Gate code please",
        received_at=None,
    ),
    "inbound_message_empty_text": InboundMessage(
        notification_id="72c1c146-91f2-45f3-bfe8-2b94b1585f02",
        message_id="e8cfbbb2-95bf-4564-ad79-c21e859ec68e",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        recipient="447860000000",
        text="",
        received_at=None,
    ),
    "inbound_message_namespaced": InboundMessage(
        notification_id="5ea0ec4d-38dd-460c-8d70-ca621ee0c707",
        message_id="08508afb-8fd8-4ee4-a638-62a1878aa0f1",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        recipient="447860000000",
        text="Gate code please",
        received_at=None,
    ),
    "inbound_message_phone_number": InboundMessage(
        notification_id="8863b6c2-f2b0-44fc-a887-af9f2525baf7",
        message_id="66aa2624-8803-45a4-9e5f-d8f1b9a8f175",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        recipient="447860000000",
        text="Bin day & recycling: yes <3 \u2013 merci",
        received_at=utc(2013, 3, 6, 14, 30, 42, 407000),
    ),
    "message_delivered": MessageDelivered(
        notification_id=NOTIFICATION_ID,
        message_id=MESSAGE_ID,
        account_id=ACCOUNT_ID,
        occurred_at=utc(2014, 7, 31, 21, 42, 46),
    ),
    "message_delivered_fractional_z": MessageDelivered(
        notification_id="9b7c8b1d-6dae-4d37-aadd-472a01f195ff",
        message_id="1183C73D-2E62-4F60-B610-30F160BDFBD5",
        account_id=ACCOUNT_ID,
        occurred_at=utc(2013, 3, 6, 14, 26, 37, 910000),
    ),
    "message_failed": MessageFailed(
        notification_id="6c27a10d-015a-418c-8dfa-69e1446a124e",
        message_id="20fb2083-c5b6-44c2-ac72-24a21db02c9e",
        account_id=ACCOUNT_ID,
        occurred_at=utc(2015, 11, 9, 15, 18, 19),
        failure_reason=None,
    ),
    "message_failed_with_reason": MessageFailed(
        notification_id="e9263c9c-6fe5-4afa-ae6f-c246b5ca5cc8",
        message_id="a2a16c94-1f8d-4fde-919c-d0bc02665284",
        account_id=ACCOUNT_ID,
        occurred_at=utc(2015, 11, 9, 15, 18, 19, 407000),
        failure_reason=FailureReason(code=142, detail="Message broken", permanent=True),
    ),
    "message_failed_lowercase_reason": MessageFailed(
        notification_id="93e30b56-023b-494a-a13c-94a7b4cf2dbc",
        message_id="e3751645-daa0-426a-8133-571adf79b8e1",
        account_id=ACCOUNT_ID,
        occurred_at=utc(2010, 1, 1, 12, 0, 5),
        failure_reason=FailureReason(
            code=5, detail="Handset unreachable", permanent=False
        ),
    ),
    # The documented shape: ReceviedAt misspelt, From with a PhoneNumber child.
    "opt_out": OptOut(
        notification_id="06293e3a-be47-49de-b181-d2ea85413e71",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        received_at=utc(2015, 11, 9, 15, 18, 19),
    ),
    "opt_out_received_at": OptOut(
        notification_id="7d1c5f0e-2b3a-4c8d-9e6f-0a1b2c3d4e5f",
        account_id=ACCOUNT_ID,
        sender="447700900456",
        received_at=utc(2026, 11, 25, 9, 30, 15, 407000),
    ),
    "opt_out_from_text": OptOut(
        notification_id="b4e8a2c6-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
        account_id=ACCOUNT_ID,
        sender="447700900123",
        received_at=None,
    ),
    "opt_out_namespaced": OptOut(
        notification_id="e2f4a6b8-c0d2-4e4f-8a6b-c8d0e2f4a6b8",
        account_id=ACCOUNT_ID,
        sender="447700900789",
        received_at=utc(2015, 11, 9, 14, 18, 19),
    ),
}

VALID_BODIES = {
    "inbound without MessageText": (xml("InboundMessage", IDS, PARTIES), inbound()),
    "inbound with whitespace-only MessageText": (
        xml("InboundMessage", IDS, "<MessageText>\n  </MessageText>", PARTIES),
        inbound(),
    ),
    "inbound text keeps inner spaces, loses outer ones": (
        xml(
            "InboundMessage", IDS, "<MessageText>  Gate  code\n</MessageText>", PARTIES
        ),
        inbound("Gate  code"),
    ),
    "inbound CDATA text": (
        xml(
            "InboundMessage",
            IDS,
            "<MessageText><![CDATA[1 < 2]]></MessageText>",
            PARTIES,
        ),
        inbound("1 < 2"),
    ),
    "inbound OccurredAt stands in for ReceivedAt": (
        xml(
            "InboundMessage",
            IDS,
            PARTIES,
            "<OccurredAt>2014-07-31T21:42:46</OccurredAt>",
        ),
        inbound(received_at=utc(2014, 7, 31, 21, 42, 46)),
    ),
    "inbound ReceivedAt wins over OccurredAt": (
        xml(
            "InboundMessage",
            IDS,
            PARTIES,
            "<OccurredAt>2014-07-31T21:42:46</OccurredAt>",
            "<ReceivedAt>2014-07-31T21:40:00Z</ReceivedAt>",
        ),
        inbound(received_at=utc(2014, 7, 31, 21, 40)),
    ),
    "lower-case root and children": (
        (
            f"<inboundmessage><id>{NOTIFICATION_ID}</id><messageid>{MESSAGE_ID}"
            f"</messageid><accountid>{ACCOUNT_ID}</accountid><messagetext>Hi"
            "</messagetext><from>447700900123</from><to>447860000000</to>"
            "</inboundmessage>"
        ).encode(),
        inbound("Hi"),
    ),
    "upper-case names": (
        (
            f"<MESSAGEDELIVERED><ID>{NOTIFICATION_ID}</ID><MESSAGEID>{MESSAGE_ID}"
            f"</MESSAGEID><ACCOUNTID>{ACCOUNT_ID}</ACCOUNTID></MESSAGEDELIVERED>"
        ).encode(),
        delivered(),
    ),
    "prefixed elements in another namespace": (
        (
            '<e:MessageDelivered xmlns:e="urn:example:esendex">'
            f"<e:Id>{NOTIFICATION_ID}</e:Id><e:MessageId>{MESSAGE_ID}</e:MessageId>"
            f"<e:AccountId>{ACCOUNT_ID}</e:AccountId>"
            "<e:OccurredAt>2014-07-31T21:42:46</e:OccurredAt></e:MessageDelivered>"
        ).encode(),
        delivered(utc(2014, 7, 31, 21, 42, 46)),
    ),
    "https namespace of an old vendor fixture": (
        (
            f'<MessageDelivered xmlns="https://api.esendex.com/ns/">{IDS}'
            "</MessageDelivered>"
        ).encode(),
        delivered(),
    ),
    "first of two same-named children wins": (
        xml("MessageDelivered", IDS, "<Id>second</Id><MessageId>second</MessageId>"),
        delivered(),
    ),
    "unknown children, attributes, comments and PIs are ignored": (
        xml(
            "MessageDelivered",
            "<!-- vendor comment --><?vendor pi?>",
            IDS.replace("<Id>", '<Id type="guid">'),
            "<Reference>EX0123456</Reference><Parts>1</Parts>",
        ),
        delivered(),
    ),
    "delivered without OccurredAt": (xml("MessageDelivered", IDS), delivered()),
    "delivered with an empty OccurredAt": (
        xml("MessageDelivered", IDS, "<OccurredAt> \n </OccurredAt>"),
        delivered(),
    ),
    "delivered with an offset": (
        xml(
            "MessageDelivered",
            IDS,
            "<OccurredAt>2014-07-31T22:42:46+01:00</OccurredAt>",
        ),
        delivered(utc(2014, 7, 31, 21, 42, 46)),
    ),
    "failed with an empty FailureReason": (
        xml("MessageFailed", IDS, "<FailureReason />"),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "failed with a bare-text FailureReason": (
        xml("MessageFailed", IDS, "<FailureReason> Message broken </FailureReason>"),
        failed(FailureReason(code=None, detail="Message broken", permanent=None)),
    ),
    "failed with unusable FailureReason values": (
        xml(
            "MessageFailed",
            IDS,
            "<FailureReason><Code>E142</Code><Detail />",
            "<PermanentFailure>yes</PermanentFailure></FailureReason>",
        ),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "failed with unrelated FailureReason children": (
        xml("MessageFailed", IDS, "<FailureReason><Vendor>x</Vendor></FailureReason>"),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "failed Description stands in for an empty Detail": (
        xml(
            "MessageFailed",
            IDS,
            "<FailureReason><Code> -1 </Code><Detail></Detail>",
            "<Description>Expired</Description>",
            "<PermanentFailure> TRUE </PermanentFailure></FailureReason>",
        ),
        failed(FailureReason(code=-1, detail="Expired", permanent=True)),
    ),
    "failed Code at the 64-bit maximum": (
        xml(
            "MessageFailed",
            IDS,
            f"<FailureReason><Code>{2**64 - 1}</Code></FailureReason>",
        ),
        failed(FailureReason(code=2**64 - 1, detail=None, permanent=None)),
    ),
    "failed Code at the 64-bit minimum": (
        xml(
            "MessageFailed",
            IDS,
            f"<FailureReason><Code>{-(2**63)}</Code></FailureReason>",
        ),
        failed(FailureReason(code=-(2**63), detail=None, permanent=None)),
    ),
    "first of two FailureReasons wins": (
        xml(
            "MessageFailed",
            IDS,
            "<FailureReason><Code>1</Code></FailureReason>",
            "<failurereason><code>2</code></failurereason>",
        ),
        failed(FailureReason(code=1, detail=None, permanent=None)),
    ),
    "failed Code beyond 64 bits": (
        xml(
            "MessageFailed", IDS, f"<FailureReason><Code>{2**64}</Code></FailureReason>"
        ),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "failed Code below 64 bits": (
        xml(
            "MessageFailed",
            IDS,
            f"<FailureReason><Code>{-(2**63) - 1}</Code></FailureReason>",
        ),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "failed Code too long for int()": (
        xml(
            "MessageFailed",
            IDS,
            f"<FailureReason><Code>{'9' * 5000}</Code></FailureReason>",
        ),
        failed(FailureReason(code=None, detail=None, permanent=None)),
    ),
    "declared latin-1 encoding": (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>'
        + xml("InboundMessage", IDS, PARTIES, "<MessageText>Caf\xe9</MessageText>")
        .decode()
        .encode("latin-1"),
        inbound("Café"),
    ),
    "UTF-16 with a byte order mark": (
        xml("InboundMessage", IDS, PARTIES, "<MessageText>Merci ✓</MessageText>")
        .decode()
        .encode("utf-16"),
        inbound("Merci ✓"),
    ),
    "unknown root": (
        b"<DeliveryReport><Id>x</Id></DeliveryReport>",
        UnknownNotification(root="DeliveryReport"),
    ),
    "unknown root in a namespace keeps its local name": (
        f'<x:{UNKNOWN_ROOT} xmlns:x="urn:example"/>'.encode(),
        UnknownNotification(root=UNKNOWN_ROOT),
    ),
    "unknown root needs none of the known fields": (
        b"<MessageDeliveredV2/>",
        UnknownNotification(root="MessageDeliveredV2"),
    ),
    "opt-out needs no MessageId, To or date": (
        xml("OptOut", OPT_OUT_IDS, "<From>447700900123</From>"),
        opt_out(),
    ),
    "opt-out From as text, surrounded by whitespace": (
        xml("OptOut", OPT_OUT_IDS, "<From>\n  447700900123 \n</From>"),
        opt_out(),
    ),
    "opt-out From with a PhoneNumber child": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From><PhoneNumber>447700900123</PhoneNumber></From>",
        ),
        opt_out(),
    ),
    "opt-out lower-case names": (
        (
            f"<optout><id>{NOTIFICATION_ID}</id><accountid>{ACCOUNT_ID}</accountid>"
            "<from><phonenumber>447700900123</phonenumber></from>"
            "<receivedat>2015-11-09T15:18:19Z</receivedat></optout>"
        ).encode(),
        opt_out(received_at=utc(2015, 11, 9, 15, 18, 19)),
    ),
    "opt-out ReceviedAt, as Esendex spells it": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><ReceviedAt>2015-11-09T15:18:19</ReceviedAt>",
        ),
        opt_out(received_at=utc(2015, 11, 9, 15, 18, 19)),
    ),
    "opt-out ReceivedAt wins over ReceviedAt": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<ReceviedAt>2015-11-09T15:18:19</ReceviedAt><From>447700900123</From>",
            "<ReceivedAt>2016-01-02T03:04:05+01:00</ReceivedAt>",
        ),
        opt_out(received_at=utc(2016, 1, 2, 2, 4, 5)),
    ),
    "opt-out empty ReceivedAt gives way to ReceviedAt": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><ReceivedAt> </ReceivedAt>",
            "<ReceviedAt>2015-11-09T15:18:19Z</ReceviedAt>",
        ),
        opt_out(received_at=utc(2015, 11, 9, 15, 18, 19)),
    ),
    "opt-out with both dates empty": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><ReceivedAt/><ReceviedAt></ReceviedAt>",
        ),
        opt_out(),
    ),
    "opt-out first of two Froms wins": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><from>447700900999</from>",
        ),
        opt_out(),
    ),
    "opt-out an alphanumeric From is kept as written": (
        xml("OptOut", OPT_OUT_IDS, "<From>Alarm Co</From>"),
        opt_out(sender="Alarm Co"),
    ),
}


@pytest.mark.parametrize(("name", "expected"), VALID_FIXTURES.items())
def test_valid_fixture(name: str, expected: object) -> None:
    assert parse_notification(fixture(name)) == expected


@pytest.mark.parametrize(
    ("body", "expected"), VALID_BODIES.values(), ids=VALID_BODIES.keys()
)
def test_valid_body(body: bytes, expected: object) -> None:
    assert parse_notification(body) == expected


INVALID_BODIES = {
    **{f"fixture {name}": (fixture(name), DTDS_FORBIDDEN) for name in ATTACKS},
    "fixture not_well_formed": (fixture("not_well_formed"), NOT_WELL_FORMED),
    "empty body": (b"", NOT_WELL_FORMED),
    "whitespace body": (b" \r\n\t", NOT_WELL_FORMED),
    "plain text": (b"Gate code please", NOT_WELL_FORMED),
    "JSON": (b'{"Id": "x"}', NOT_WELL_FORMED),
    "invalid UTF-8": (b"<MessageText>\xff\xfe</MessageText>", NOT_WELL_FORMED),
    "NUL byte": (b"<FutureNotification>\x00</FutureNotification>", NOT_WELL_FORMED),
    "two roots": (b"<FutureNotification/><FutureNotification/>", NOT_WELL_FORMED),
    "truncated": (fixture("message_delivered")[:-30], NOT_WELL_FORMED),
    "undefined entity": (
        b"<FutureNotification>&nbsp;</FutureNotification>",
        NOT_WELL_FORMED,
    ),
    "unbound prefix": (b"<e:FutureNotification/>", NOT_WELL_FORMED),
    "DOCTYPE without a subset": (
        b"<!DOCTYPE FutureNotification><FutureNotification/>",
        DTDS_FORBIDDEN,
    ),
    "unknown encoding": (
        b'<?xml version="1.0" encoding="x-esendex"?><FutureNotification/>',
        UNSUPPORTED_ENCODING,
    ),
    "multi-byte codec": (
        b'<?xml version="1.0" encoding="shift_jis"?><FutureNotification/>',
        UNSUPPORTED_ENCODING,
    ),
    "binary codec": (
        b'<?xml version="1.0" encoding="base64"?><FutureNotification/>',
        UNSUPPORTED_ENCODING,
    ),
    "codec refusing errors=replace": (
        b'<?xml version="1.0" encoding="idna"?><FutureNotification/>',
        UNSUPPORTED_ENCODING,
    ),
    "one byte too many": (
        b"<FutureNotification/>".ljust(MAX_BODY_BYTES + 1),
        f"body is larger than {MAX_BODY_BYTES} bytes",
    ),
    "inbound without Id": (
        xml(
            "InboundMessage",
            IDS.replace("<Id>", "<Ref>").replace("</Id>", "</Ref>"),
            PARTIES,
        ),
        "InboundMessage is missing required field Id",
    ),
    "inbound with an empty MessageId": (
        xml("InboundMessage", IDS.replace(MESSAGE_ID, ""), PARTIES),
        "InboundMessage is missing required field MessageId",
    ),
    "inbound with a blank AccountId": (
        xml("InboundMessage", IDS.replace(ACCOUNT_ID, " \n "), PARTIES),
        "InboundMessage is missing required field AccountId",
    ),
    "inbound without From": (
        xml("InboundMessage", IDS, "<To>447860000000</To>"),
        "InboundMessage is missing required field From",
    ),
    "inbound with an empty To": (
        xml("InboundMessage", IDS, "<From>447700900123</From><To><PhoneNumber/></To>"),
        "InboundMessage is missing required field To",
    ),
    "inbound with a bad ReceivedAt": (
        xml(
            "InboundMessage", IDS, PARTIES, "<ReceivedAt>06/03/2013 14:30</ReceivedAt>"
        ),
        "ReceivedAt is not a valid date and time: '06/03/2013 14:30'",
    ),
    "delivered without anything": (
        b"<MessageDelivered/>",
        "MessageDelivered is missing required field Id",
    ),
    "delivered without AccountId": (
        xml("MessageDelivered", IDS.split("<AccountId>", maxsplit=1)[0]),
        "MessageDelivered is missing required field AccountId",
    ),
    "delivered with a bad OccurredAt": (
        xml("MessageDelivered", IDS, "<OccurredAt>yesterday</OccurredAt>"),
        "OccurredAt is not a valid date and time: 'yesterday'",
    ),
    "delivered with a long bad OccurredAt": (
        xml("MessageDelivered", IDS, f"<OccurredAt>{'x' * 1000}</OccurredAt>"),
        f"OccurredAt is not a valid date and time: '{'x' * 39}…'",
    ),
    "failed without MessageId": (
        xml("MessageFailed", IDS.replace("MessageId>", "Message>")),
        "MessageFailed is missing required field MessageId",
    ),
    "failed with an out-of-range OccurredAt": (
        xml("MessageFailed", IDS, "<OccurredAt>0001-01-01T00:00:00+01:00</OccurredAt>"),
        "OccurredAt is not a valid date and time: '0001-01-01T00:00:00+01:00'",
    ),
    "fixture opt_out_missing_from": (
        fixture("opt_out_missing_from"),
        "OptOut is missing required field From",
    ),
    "opt-out without Id": (
        xml("OptOut", f"<AccountId>{ACCOUNT_ID}</AccountId><From>447700900123</From>"),
        "OptOut is missing required field Id",
    ),
    "opt-out with an empty Id": (
        xml("OptOut", OPT_OUT_IDS.replace(NOTIFICATION_ID, ""), "<From>1</From>"),
        "OptOut is missing required field Id",
    ),
    "opt-out without AccountId": (
        xml("OptOut", f"<Id>{NOTIFICATION_ID}</Id><From>447700900123</From>"),
        "OptOut is missing required field AccountId",
    ),
    "opt-out with a blank AccountId": (
        xml("OptOut", OPT_OUT_IDS.replace(ACCOUNT_ID, " \n "), "<From>1</From>"),
        "OptOut is missing required field AccountId",
    ),
    "opt-out with an empty PhoneNumber": (
        xml("OptOut", OPT_OUT_IDS, "<From>\n  <PhoneNumber> </PhoneNumber>\n</From>"),
        "OptOut is missing required field From",
    ),
    "opt-out with nothing at all": (
        b"<OptOut/>",
        "OptOut is missing required field Id",
    ),
    "opt-out with a bad ReceivedAt": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><ReceivedAt>09/11/2015</ReceivedAt>",
        ),
        "ReceivedAt is not a valid date and time: '09/11/2015'",
    ),
    "opt-out with a bad ReceviedAt": (
        xml(
            "OptOut",
            OPT_OUT_IDS,
            "<From>447700900123</From><ReceviedAt>last week</ReceviedAt>",
        ),
        "ReceviedAt is not a valid date and time: 'last week'",
    ),
}


@pytest.mark.parametrize(
    ("body", "reason"), INVALID_BODIES.values(), ids=INVALID_BODIES.keys()
)
def test_invalid_body(body: bytes, reason: str) -> None:
    assert reason in reason_of(body)


def test_notification_error_is_a_value_error_whose_str_is_the_reason() -> None:
    error = NotificationError("DTDs are not allowed")
    assert isinstance(error, ValueError)
    assert error.reason == str(error) == "DTDs are not allowed"


def test_results_are_frozen_and_slotted() -> None:
    result = parse_notification(fixture("message_failed_with_reason"))
    assert isinstance(result, MessageFailed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.message_id = "other"  # type: ignore[misc]
    assert not hasattr(result, "__dict__")
    assert not hasattr(result.failure_reason, "__dict__")


def test_timestamps_are_aware_utc() -> None:
    for name in ("message_delivered", "message_failed_with_reason"):
        result = parse_notification(fixture(name))
        assert isinstance(result, MessageDelivered | MessageFailed)
        assert result.occurred_at is not None
        assert result.occurred_at.tzinfo is UTC


def test_opt_outs_are_frozen_and_slotted_with_aware_utc_dates() -> None:
    for name in ("opt_out", "opt_out_received_at", "opt_out_namespaced"):
        result = parse_notification(fixture(name))
        assert isinstance(result, OptOut)
        assert result.received_at is not None
        assert result.received_at.tzinfo is UTC
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.sender = "447700900999"  # type: ignore[misc]
        assert not hasattr(result, "__dict__")


def test_body_of_exactly_max_size_is_parsed() -> None:
    body = fixture("message_delivered").ljust(MAX_BODY_BYTES)
    assert len(body) == MAX_BODY_BYTES
    assert parse_notification(body) == VALID_FIXTURES["message_delivered"]


def test_fixtures_are_real_sized() -> None:
    paths = sorted(FIXTURES.glob("*.xml"))
    assert {*VALID_FIXTURES, *ATTACKS, "not_well_formed"} <= {p.stem for p in paths}
    for path in paths:
        assert path.stat().st_size < MAX_BODY_BYTES, path.name


# --- Attack bodies ---------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs", "quadratic_blowup"])
def test_entity_bombs_are_rejected_before_expanding(name: str) -> None:
    body = fixture(name)
    tracemalloc.start()
    try:
        with pytest.raises(NotificationError, match=DTDS_FORBIDDEN):
            parse_notification(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Expanded, they would be gigabytes (billion laughs) and ~270 MB (quadratic).
    assert peak < 1_000_000


def test_bodies_are_parsed_by_defusedxml_s_public_fromstring_with_every_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def spy(body: bytes, **guards: Any) -> ET.Element:
        calls.append(guards)
        root: ET.Element = real_fromstring(body, **guards)
        return root

    monkeypatch.setattr(protocol, "fromstring", spy)
    assert isinstance(
        parse_notification(fixture("message_delivered")), MessageDelivered
    )
    assert calls == [
        {"forbid_dtd": True, "forbid_entities": True, "forbid_external": True}
    ]


def test_the_manifest_admits_later_compatible_defusedxml_releases() -> None:
    manifest = json.loads(
        (Path(protocol.__file__).parent / "manifest.json").read_text()
    )
    (requirement,) = manifest["requirements"]
    name, _, specifier = requirement.partition(">=")
    assert name == "defusedxml"
    assert specifier.startswith("0.7.1,")
    assert "==" not in requirement


def relaxed(monkeypatch: pytest.MonkeyPatch, **overrides: bool) -> None:
    """Turn some of the parser's guards off."""
    for guard, value in overrides.items():
        monkeypatch.setitem(protocol.DEFUSEDXML_GUARDS, guard, value)


@pytest.mark.parametrize(
    ("name", "overrides", "reason"),
    [
        # The layers behind forbid_dtd, should it ever be relaxed.
        (
            "billion_laughs",
            {"forbid_dtd": False},
            "entity declarations are not allowed",
        ),
        (
            "quadratic_blowup",
            {"forbid_dtd": False},
            "entity declarations are not allowed",
        ),
        (
            "parameter_entity",
            {"forbid_dtd": False},
            "entity declarations are not allowed",
        ),
        (
            "external_entity_file",
            {"forbid_dtd": False, "forbid_entities": False},
            "external references are not allowed",
        ),
        (
            "external_entity_http",
            {"forbid_dtd": False, "forbid_entities": False},
            "external references are not allowed",
        ),
    ],
)
def test_each_defusedxml_guard_has_its_own_reason(
    monkeypatch: pytest.MonkeyPatch, name: str, overrides: dict[str, bool], reason: str
) -> None:
    relaxed(monkeypatch, **overrides)
    assert reason_of(fixture(name)) == reason


def test_deep_nesting_is_parsed() -> None:
    depth = 8000
    sender = "<a>" * depth + "447700900123" + "</a>" * depth
    body = xml("InboundMessage", IDS, f"<From>{sender}</From><To>447860000000</To>")
    assert len(body) < MAX_BODY_BYTES
    assert parse_notification(body) == inbound()
    unknown = b"<x>" * depth + b"</x>" * depth
    assert parse_notification(unknown) == UnknownNotification(root="x")


@pytest.mark.parametrize(
    "encoding", sorted(set(encodings.aliases.aliases.values()) | {"bogus"})
)
def test_any_declared_encoding_parses_or_is_rejected(encoding: str) -> None:
    body = f'<?xml version="1.0" encoding="{encoding}"?><{UNKNOWN_ROOT}/>'.encode()
    result = outcome(body)
    if isinstance(result, NotificationError):
        assert result.reason in {NOT_WELL_FORMED, UNSUPPORTED_ENCODING}
    else:
        assert isinstance(result, UnknownNotification)


def test_mangled_fixtures_parse_or_are_rejected() -> None:
    rng = random.Random(20140731)  # noqa: S311 - a reproducible corpus, no secret
    seeds = [fixture(name) for name in VALID_FIXTURES]
    seeds.append(xml(UNKNOWN_ROOT, OPT_OUT_IDS, "<From>447700900123</From>"))
    tokens = [b"<", b">", b"/", b"&", b";", b"\xff", b"\x00", b"<Id>", b"]]>", b"?>"]
    outcomes: set[str] = set()
    for _ in range(3000):
        body = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(body))
            match rng.randrange(3):
                case 0:
                    del body[at : at + rng.randint(1, 8)]
                case 1:
                    body[at:at] = rng.choice(tokens)
                case _:
                    body[at] = rng.randrange(256)
        result = outcome(bytes(body))
        if isinstance(result, NotificationError):
            assert result.reason
        outcomes.add(type(result).__name__)
    # The corpus must exercise both sides, or it proves nothing.
    assert {"NotificationError", "UnknownNotification", "OptOut"} < outcomes


# --- parse_timestamp -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014-07-31T21:42:46", utc(2014, 7, 31, 21, 42, 46)),
        ("2015-11-09T15:18:19Z", utc(2015, 11, 9, 15, 18, 19)),
        ("2013-03-06T14:26:37.91Z", utc(2013, 3, 6, 14, 26, 37, 910000)),
        ("2013-03-06T14:30:42.407Z", utc(2013, 3, 6, 14, 30, 42, 407000)),
        ("2010-01-01T12:00:05.000", utc(2010, 1, 1, 12, 0, 5)),
        ("2010-01-01T12:00:05.9", utc(2010, 1, 1, 12, 0, 5, 900000)),
        ("2013-03-06T14:30:42.4070000", utc(2013, 3, 6, 14, 30, 42, 407000)),
        ("2013-03-06T14:30:42.1234567Z", utc(2013, 3, 6, 14, 30, 42, 123456)),
        ("2015-11-09T15:18:19+01:00", utc(2015, 11, 9, 14, 18, 19)),
        ("2015-11-09T00:30:00.5-05:30", utc(2015, 11, 9, 6, 0, 0, 500000)),
        ("2015-11-09T15:18:19+00:00", utc(2015, 11, 9, 15, 18, 19)),
        ("2015-11-09T15:18:19-00:00", utc(2015, 11, 9, 15, 18, 19)),
        ("2016-02-29T23:59:59.9999999Z", utc(2016, 2, 29, 23, 59, 59, 999999)),
        ("0001-01-01T00:00:00Z", utc(1, 1, 1)),
        ("9999-12-31T23:59:59", utc(9999, 12, 31, 23, 59, 59)),
    ],
)
def test_parse_timestamp(value: str, expected: datetime) -> None:
    parsed = parse_timestamp(value)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2014-07-31",
        "2014-07-31T21:42",
        "2014-07-31 21:42:46",
        "2014-07-31t21:42:46",
        "20140731T214246",
        "2014-W31-4T21:42:46",
        "2014-07-31T21:42:46,5",
        "2014-07-31T21:42:46.",
        "2014-07-31T21:42:46.12345678",
        "2014-07-31T21:42:46.1a",
        "2014-07-31T21:42:46.\u0661",  # an Arabic-Indic digit
        "2014-07-31T21:42:46+0100",
        "2014-07-31T21:42:46+01",
        "2014-07-31T21:42:46+01:00:00",
        "2014-07-31T21:42:46+0a:00",
        "2014-07-31T21:42:46+24:00",
        "2014-07-31T21:42:46ZZ",
        "2014-07-31T21:42:46 Z",
        "2014-07-31T21:42:46z",
        " 2014-07-31T21:42:46",
        "2014-07-31T21:42:46\n",
        "2014-13-31T21:42:46",
        "2014-02-30T21:42:46",
        "2014-07-31T25:42:46",
        "0000-07-31T21:42:46",
        "\uff12\uff10\uff11\uff14-07-31T21:42:46",  # full-width digits
        "2014-07-31T21:42:4\u0666",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_parse_timestamp_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="date and time"):
        parse_timestamp(value)
