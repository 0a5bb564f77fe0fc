"""Hostile bodies: fuzzing and an attack corpus, against the parser and the webhook.

Hypothesis runs straight against `parse_notification` with many examples, and through
HA's real HTTP stack with fewer: `hass` is function-scoped and async, so those bodies
are drawn first (deterministically) and then posted one by one inside a single test,
each answer compared with what the parser alone says it must be.

Every hostile body must be answered 200, 400 or 413, never a 5xx, and a body the
parser rejects must neither fire an event nor change any state. Memory is bounded by
size, not by a clock: tracemalloc measures the parser's peak on the largest bodies.
"""

from collections.abc import Callable
import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
import encodings.aliases
from http import HTTPStatus
import logging
import tracemalloc
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import restore_state
from homeassistant.helpers.json import json_bytes
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
import pytest

from custom_components.esendex.const import (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)
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
)

from .conftest import FIXTURES, PostNotification, fixture_bytes

# Hypothesis's own warning about its internal PRNG, not about this code.
pytestmark = pytest.mark.filterwarnings(
    "ignore:It looks like `register_random`:hypothesis.errors.HypothesisWarning"
)

ATTACKS = FIXTURES / "attack"
ACCOUNT_ID = "6145d724-98cb-41a2-8c4e-4b81ef694897"
EVENT_TYPES = (
    EVENT_INBOUND_MESSAGE,
    EVENT_MESSAGE_DELIVERED,
    EVENT_MESSAGE_FAILED,
    EVENT_OPTED_OUT,
)
INBOUND_SENSOR = "sensor.esendex_sms_last_inbound_message"
STATUS_SENSOR = "sensor.esendex_sms_last_delivery_status"
STATUS_EVENT_ENTITY = "event.esendex_sms_delivery_status"
INBOUND_EVENT_ENTITY = "event.esendex_sms_inbound_message"
KNOWN_ROOTS = frozenset(
    {"inboundmessage", "messagedelivered", "messagefailed", "optout"}
)
# A root no Esendex notification has (yet).
UNKNOWN_ROOT = "FutureNotification"
# The worst amplification measured is ~98x, for 21,845 unclosed nested elements; a
# body can be at most MAX_BODY_BYTES, so no body may make the parser use more.
PARSER_MEMORY_BOUND = 128 * MAX_BODY_BYTES
ANSWERS = frozenset(
    {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.CONTENT_TOO_LARGE}
)

# Deterministic, and no example database (Hypothesis still caches a little in
# .hypothesis/, which it git-ignores itself).
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_FIXTURES = (
    "inbound_message.xml",
    "inbound_message_empty_text.xml",
    "inbound_message_namespaced.xml",
    "inbound_message_phone_number.xml",
    "message_delivered.xml",
    "message_delivered_fractional_z.xml",
    "message_failed.xml",
    "message_failed_lowercase_reason.xml",
    "message_failed_with_reason.xml",
    "opt_out.xml",
    "opt_out_received_at.xml",
    "opt_out_from_text.xml",
    "opt_out_namespaced.xml",
)
REJECTED_FIXTURES = (
    "billion_laughs.xml",
    "quadratic_blowup.xml",
    "external_entity_file.xml",
    "external_entity_http.xml",
    "parameter_entity.xml",
    "external_dtd.xml",
    "not_well_formed.xml",
)


# --------------------------------------------------------------------------- helpers


def check_parse(body: bytes) -> object:
    """Parse like the handler does; only NotificationError may escape, else fail.

    Returns the notification, or None when the body was rejected. Whatever is
    accepted must also be internally consistent.
    """
    try:
        result = parse_notification(body)
    except NotificationError as err:
        reason = err.reason
    else:
        assert_consistent(result)
        return result
    assert reason
    return None


def assert_consistent(result: object) -> None:
    """Check the invariants every parsed notification must hold."""

    def stripped_and_present(*values: str) -> None:
        for value in values:
            assert isinstance(value, str)
            assert value
            assert value == value.strip()

    def utc_or_none(value: datetime | None) -> None:
        assert value is None or value.utcoffset() == timedelta(0)

    match result:
        case UnknownNotification(root=root):
            assert root
            assert root.lower() not in KNOWN_ROOTS
        case InboundMessage():
            stripped_and_present(
                result.notification_id,
                result.message_id,
                result.account_id,
                result.sender,
                result.recipient,
            )
            assert result.text == result.text.strip()
            utc_or_none(result.received_at)
        case MessageDelivered():
            stripped_and_present(
                result.notification_id, result.message_id, result.account_id
            )
            utc_or_none(result.occurred_at)
        case MessageFailed():
            stripped_and_present(
                result.notification_id, result.message_id, result.account_id
            )
            utc_or_none(result.occurred_at)
            reason = result.failure_reason
            assert reason is None or isinstance(reason, FailureReason)
            if reason is not None:
                assert reason.code is None or isinstance(reason.code, int)
                assert reason.permanent in {None, True, False}
        case OptOut():
            stripped_and_present(
                result.notification_id, result.account_id, result.sender
            )
            utc_or_none(result.received_at)
        case _:
            pytest.fail(f"parse_notification returned {result!r}")


def parser_peak_memory(body: bytes) -> int:
    """Return the peak of memory allocated while parsing the body."""
    tracemalloc.start()
    try:
        check_parse(body)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def capture_all_events(hass: HomeAssistant) -> list[Event]:
    """Capture the integration's three event types, in firing order, in one list."""
    events: list[Event] = []

    @callback
    def capture(event: Event) -> None:
        events.append(event)

    for event_type in EVENT_TYPES:
        hass.bus.async_listen(event_type, capture)
    return events


def states_snapshot(hass: HomeAssistant) -> dict[str, tuple[Any, ...]]:
    """Return every state with what would show it was written again."""
    return {
        state.entity_id: (
            state.state,
            dict(state.attributes),
            state.last_updated,
            state.context.id,
        )
        for state in hass.states.async_all()
    }


def assert_serialisable(hass: HomeAssistant, event: Event) -> None:
    """HA must be able to send the event and the entity states as JSON."""
    json_bytes(event.data)
    for entity_id in (
        INBOUND_SENSOR,
        STATUS_SENSOR,
        STATUS_EVENT_ENTITY,
        INBOUND_EVENT_ENTITY,
    ):
        if (state := hass.states.get(entity_id)) is not None:
            assert state.as_dict_json


def draw_examples[T](strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """Draw `count` examples deterministically, for use outside a @given test."""
    examples: list[T] = []

    @settings(
        FUZZ,
        max_examples=count,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        examples.append(example)

    collect()
    return examples


# ----------------------------------------------------------------------- strategies

REAL_NAMES = (
    "InboundMessage",
    "MessageDelivered",
    "MessageFailed",
    "OptOut",
    "Id",
    "MessageId",
    "AccountId",
    "From",
    "To",
    "MessageText",
    "OccurredAt",
    "ReceivedAt",
    "ReceviedAt",
    "FailureReason",
    "Code",
    "Detail",
    "PermanentFailure",
    "PhoneNumber",
)
NAMESPACES = ("http://api.esendex.com/ns/", "urn:x", "http://attacker.example/")

# Characters XML 1.0 allows, plus the usual whitespace; the byte-level strategies and
# the mutations below take care of everything that is not allowed.
xml_chars = st.one_of(
    st.characters(exclude_categories=("Cs", "Cc", "Cn")),
    st.sampled_from(" \t\n\r"),
)
timestamp_like = st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,8})?(Z|[+-][0-9]{2}:[0-9]{2})?",
    fullmatch=True,
)
texts = st.one_of(
    st.text(xml_chars, max_size=24),
    st.uuids().map(str),
    timestamp_like,
    st.sampled_from(["", " ", "\n\t", "true", "FALSE", "0", "-1", "447700900123"]),
    st.integers(min_value=-(2**63), max_value=2**64 - 1).map(str),
)
names = st.one_of(
    st.sampled_from(REAL_NAMES),
    st.sampled_from(REAL_NAMES).map(str.lower),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,10}", fullmatch=True),
)


def render_text(text: str, style: str) -> str:
    """Write character data plainly, as CDATA or split by a comment."""
    # A raw CR would be read back as LF (XML end-of-line handling): escape it.
    if style == "cdata" and "]]>" not in text and "\r" not in text:
        return f"<![CDATA[{text}]]>"
    entities = {"\r": "&#13;"}
    if style == "comment":
        middle = len(text) // 2
        head, tail = escape(text[:middle], entities), escape(text[middle:], entities)
        return f"{head}<!-- x -->{tail}"
    return escape(text, entities)


@st.composite
def xml_elements(
    draw: st.DrawFn, depth: int = 0, tag_names: st.SearchStrategy[str] = names
) -> str:
    """A random element, with random names, text, namespaces and children."""
    name = draw(tag_names)
    namespace = draw(st.none() | st.sampled_from(NAMESPACES))
    prefix = draw(st.sampled_from(["", "e"])) if namespace else ""
    declaration = (
        f" xmlns{':' if prefix else ''}{prefix}={quoteattr(namespace)}"
        if namespace
        else ""
    )
    attributes = "".join(
        f" a{index}={quoteattr(value)}"
        for index, value in enumerate(draw(st.lists(texts, max_size=2)))
    )
    text = render_text(
        draw(texts), draw(st.sampled_from(["plain", "plain", "cdata", "comment"]))
    )
    children = (
        draw(st.lists(xml_elements(depth + 1), max_size=5 if depth == 0 else 2))
        if depth < 2
        else []
    )
    tail = draw(st.sampled_from(["", "", "\n  ", "tail"]))
    tag = f"{prefix}:{name}" if prefix else name
    if not children and not text and draw(st.booleans()):
        return f"<{tag}{declaration}{attributes}/>{tail}"
    return f"<{tag}{declaration}{attributes}>{text}{''.join(children)}</{tag}>{tail}"


ROOT_NAMES = (
    "InboundMessage",
    "MessageDelivered",
    "MessageFailed",
    "OptOut",
    "inboundmessage",
    "optout",
)


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    """A random document: a prolog, then a random tree, often with a real root."""
    root_names = st.one_of(names, st.sampled_from(ROOT_NAMES))
    # The root's tail is not allowed outside it: whitespace only.
    root = draw(xml_elements(tag_names=root_names)).removesuffix("tail")
    prolog = draw(
        st.sampled_from(
            [
                "",
                '<?xml version="1.0"?>',
                '<?xml version="1.0" encoding="utf-8"?>\n',
                "<!-- hello -->",
                "<?pi data?>\n",
            ]
        )
    )
    document = prolog + root + draw(st.sampled_from(["", "\n", "<!-- bye -->"]))
    if draw(st.integers(0, 9)) == 0 and not prolog.startswith("<?xml"):
        return document.encode("utf-16")  # with a BOM
    return document.encode()


@dataclass(frozen=True, slots=True)
class Expected:
    """What the parser must make of a generated valid notification."""

    body: bytes
    kind: type
    fields: dict[str, object]


def render_timestamp(moment: datetime, digits: str, offset_minutes: int | None) -> str:
    """Write a naive datetime as Esendex does, with the given fraction and offset."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{digits}" if digits else "")
    if offset_minutes is None:
        return text + "Z" if digits.endswith("1") else text
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{text}{sign}{hours:02}:{minutes:02}"


timestamps = st.builds(
    lambda moment, digits, offset: (
        render_timestamp(moment, digits, offset),
        (
            moment.replace(microsecond=int((digits + "000000")[:6]))
            .replace(tzinfo=timezone(timedelta(minutes=offset or 0)))
            .astimezone(UTC)
        ),
    ),
    # Naive on purpose: the zone is the rendered offset.
    st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(  # noqa: DTZ001
        lambda moment: moment.replace(microsecond=0)
    ),
    st.from_regex(r"[0-9]{0,7}", fullmatch=True),
    st.none() | st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)
values = st.text(xml_chars, min_size=1, max_size=40).filter(str.strip)


@st.composite
def valid_notifications(draw: st.DrawFn) -> Expected:
    """A valid notification in any of the shapes the parser must accept."""
    kind = draw(
        st.sampled_from([InboundMessage, MessageDelivered, MessageFailed, OptOut])
    )
    fields: dict[str, object] = {}
    children: dict[str, str] = {}

    def child(element: str, inner: str) -> None:
        name = draw(st.sampled_from([element, element.lower(), element.upper()]))
        pad = draw(st.sampled_from(["", " ", "\n    "]))
        children[element] = f"<{name}>{pad}{inner}{pad}</{name}>"

    def field(element: str, attribute: str, value: str, nested: bool = False) -> None:
        inner = render_text(value, draw(st.sampled_from(["plain", "cdata", "comment"])))
        child(element, f"<PhoneNumber>{inner}</PhoneNumber>" if nested else inner)
        fields[attribute] = value.strip()

    def timestamp(element: str) -> datetime | None:
        if not draw(st.booleans()):
            return None
        rendered, moment = draw(timestamps)
        child(element, rendered)
        return moment

    field("Id", "notification_id", draw(values))
    if kind is not OptOut:
        field("MessageId", "message_id", draw(values))
    field("AccountId", "account_id", draw(values))
    if kind is OptOut:
        field("From", "sender", draw(values), nested=draw(st.booleans()))
        # Esendex's own spelling, or the correct one, which wins over it.
        received_at, recevied_at = timestamp("ReceivedAt"), timestamp("ReceviedAt")
        fields["received_at"] = received_at or recevied_at
    elif kind is InboundMessage:
        field("From", "sender", draw(values), nested=draw(st.booleans()))
        field("To", "recipient", draw(values), nested=draw(st.booleans()))
        field("MessageText", "text", draw(st.text(xml_chars, max_size=60)))
        received_at, occurred_at = timestamp("ReceivedAt"), timestamp("OccurredAt")
        fields["received_at"] = received_at or occurred_at
    else:
        fields["occurred_at"] = timestamp("OccurredAt")
    if kind is MessageFailed:
        fields["failure_reason"] = None
        if draw(st.booleans()):
            code = draw(st.integers(-(2**63), 2**63 - 1))
            detail = draw(values)
            permanent = draw(st.sampled_from(["true", "False", "TRUE"]))
            child(
                "FailureReason",
                f"<Code>{code}</Code><Detail>{render_text(detail, 'plain')}</Detail>"
                f"<PermanentFailure>{permanent}</PermanentFailure>",
            )
            fields["failure_reason"] = FailureReason(
                code=code, detail=detail.strip(), permanent=permanent.lower() == "true"
            )
    # Unknown children must be ignored, wherever they are.
    real = {name.lower() for name in REAL_NAMES}
    unknown = st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True).filter(
        lambda name: name.lower() not in real
    )
    for name in draw(st.lists(unknown, max_size=3, unique=True)):
        children[name] = f"<{name}>{render_text(draw(texts), 'plain')}</{name}>"
    order = draw(st.permutations(list(children)))
    namespace = draw(st.sampled_from(["", ' xmlns="http://api.esendex.com/ns/"']))
    root = draw(st.sampled_from([kind.__name__, kind.__name__.lower()]))
    body = (
        draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>\n']))
        + f"<{root}{namespace}>"
        + "\n  ".join(children[name] for name in order)
        + f"</{root}>"
    )
    return Expected(body=body.encode(), kind=kind, fields=fields)


DOCTYPES = (
    b"<!DOCTYPE x>",
    b'<!DOCTYPE x [<!ENTITY e "boom">]>',
    b'<!DOCTYPE x SYSTEM "http://attacker.example/x.dtd">',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
)
garbage_timestamps = st.one_of(
    timestamp_like,
    st.text(xml_chars, max_size=30),
    st.sampled_from(
        [
            "0000-00-00T00:00:00",
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "2014-07-31T21:42:46+24:00",
            "2014-07-31",
            "2014-07-31 21:42:46",
            "2014-07-31T21:42:46,5",
            "2014-07-31T21:42:46.12345678",
            "\uff12\uff10\uff11\uff14-07-31T21:42:46"  # fullwidth digits,
            "2014-07-31T21:42:46Z" * 20,
            "Z",
            "+00:00",
        ]
    ),
)


# The dates a notification may carry, lower-cased; "garble" spoils the first.
DATE_NAMES = ("occurredat", "receivedat", "receviedat")


def mutate_tree(draw: st.DrawFn, root: ET.Element) -> None:
    """Drop, duplicate, rename or garble children of a parsed notification."""
    operations = st.sampled_from(["drop", "duplicate", "rename", "retext", "garble"])
    for operation in draw(st.lists(operations, max_size=3)):
        children = list(root)
        if not children:
            return
        index = draw(st.integers(0, len(children) - 1))
        child = children[index]
        if operation == "drop":
            root.remove(child)
        elif operation == "duplicate":
            twin = copy.deepcopy(child)
            if draw(st.booleans()):
                twin.text = draw(texts)
            root.insert(index + draw(st.integers(0, 1)), twin)
        elif operation == "rename":
            namespace = child.tag.rpartition("}")[0]
            child.tag = (f"{namespace}}}" if namespace else "") + draw(names)
        elif operation == "retext":
            child.text = draw(texts)
        else:
            dates = [c for c in root if c.tag.lower().endswith(DATE_NAMES)]
            target = dates[0] if dates else ET.SubElement(root, "OccurredAt")
            target.text = draw(garbage_timestamps)


def mutate_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """Truncate, flip a bit, prepend a DOCTYPE or insert random bytes."""
    operations = st.sampled_from(["truncate", "flip", "doctype", "insert"])
    for operation in draw(st.lists(operations, max_size=2)):
        if operation == "truncate":
            body = body[: draw(st.integers(0, len(body)))]
        elif operation == "flip" and body:
            index = draw(st.integers(0, len(body) - 1))
            flipped = body[index] ^ (1 << draw(st.integers(0, 7)))
            body = body[:index] + bytes([flipped]) + body[index + 1 :]
        elif operation == "doctype":
            body = draw(st.sampled_from(DOCTYPES)) + body
        else:
            index = draw(st.integers(0, len(body)))
            body = body[:index] + draw(st.binary(min_size=1, max_size=8)) + body[index:]
    return body


@st.composite
def mutated_notifications(
    draw: st.DrawFn, seeds: tuple[str, ...] = VALID_FIXTURES
) -> bytes:
    """A real notification with children dropped, duplicated, renamed or garbled."""
    body = fixture_bytes(draw(st.sampled_from(seeds)))
    root = ET.fromstring(body)  # noqa: S314 - our own fixtures
    # A fresh Id, so that not every accepted mutant is a duplicate of the last.
    for child in root:
        if child.tag.rpartition("}")[2].lower() == "id":
            child.text = str(draw(st.uuids()))
    mutate_tree(draw, root)
    return mutate_bytes(draw, ET.tostring(root, encoding="utf-8"))


PREFIXES = (
    b"<",
    b"<?xml version='1.0' encoding='",
    b"<InboundMessage><Id>",
    b"<MessageFailed><Id>a</Id><MessageId>b</MessageId><AccountId>c</AccountId>",
    b"<OptOut><Id>a</Id><AccountId>c</AccountId><From>",
    b"\xef\xbb\xbf<",
    b"\xff\xfe<\x00",
    b"\xfe\xff\x00<",
    b"<!DOCTYPE x [",
    b"<![CDATA[",
)
random_bytes = st.one_of(
    st.binary(max_size=2048),
    st.builds(bytes.__add__, st.sampled_from(PREFIXES), st.binary(max_size=256)),
)


def at_the_size_limit(size: int) -> bytes:
    """A valid notification padded with trailing whitespace to exactly `size`."""
    body = fixture_bytes("message_delivered.xml")
    return body + b" " * (size - len(body))


any_body = st.one_of(
    random_bytes,
    xml_documents(),
    mutated_notifications(),
    valid_notifications().map(lambda expected: expected.body),
    st.integers(MAX_BODY_BYTES - 2, MAX_BODY_BYTES + 2).map(at_the_size_limit),
)


# --------------------------------------------------------------- the parser, fuzzed


@settings(FUZZ, max_examples=600)
@given(body=random_bytes)
def test_parser_random_bytes_only_raise_notification_error(body: bytes) -> None:
    check_parse(body)


@settings(FUZZ, max_examples=200)
@given(body=xml_documents())
def test_parser_random_xml_trees(body: bytes) -> None:
    result = check_parse(body)
    if isinstance(result, UnknownNotification):
        root = ET.fromstring(body)  # noqa: S314 - our own generated XML
        assert result.root == root.tag.rpartition("}")[2]


@settings(FUZZ, max_examples=300)
@given(body=mutated_notifications())
def test_parser_mutated_notifications(body: bytes) -> None:
    check_parse(body)


@settings(FUZZ, max_examples=250)
@given(expected=valid_notifications())
def test_parser_reads_every_valid_shape_exactly(expected: Expected) -> None:
    result = check_parse(expected.body)

    assert type(result) is expected.kind
    for name, value in expected.fields.items():
        assert getattr(result, name) == value, name


OPT_OUT_FIXTURES = tuple(name for name in VALID_FIXTURES if name.startswith("opt_out"))


def test_parser_mutated_opt_outs_are_read_or_refused_naming_the_field() -> None:
    """Every required field of an OptOut, once dropped or blanked, is named in a 400."""
    bodies = draw_examples(mutated_notifications(OPT_OUT_FIXTURES), 300)
    kinds: set[str] = set()
    missing: set[str] = set()
    for body in bodies:
        try:
            result = parse_notification(body)
        except NotificationError as err:
            kinds.add("rejected")
            if err.reason.startswith("OptOut is missing required field "):
                missing.add(err.reason.rpartition(" ")[2])
        else:
            assert_consistent(result)
            kinds.add(type(result).__name__)
    assert {"rejected", "OptOut"} <= kinds
    assert missing == {"Id", "AccountId", "From"}


def test_parser_every_declared_encoding() -> None:
    """Every codec Python knows, declared in the prolog: accepted or a 400 reason."""
    answers: dict[str, list[str]] = {"accepted": [], "rejected": []}
    codecs = {*encodings.aliases.aliases, *encodings.aliases.aliases.values()}
    codecs |= {"rot13", "hex", "base64", "punycode", "idna", "utf-7", "undefined", "x"}
    for name in sorted(codecs):
        body = f'<?xml version="1.0" encoding="{name}"?><{UNKNOWN_ROOT}/>'.encode()
        result = check_parse(body)
        answers.setdefault("accepted" if result else "rejected", []).append(name)
    # Sanity: both outcomes occur, so the loop did exercise both paths.
    assert "ascii" in answers["accepted"]
    assert "shift_jis" in answers["rejected"]


# ----------------------------------------------------------- the handler, fuzzed


def expected_answer(body: bytes, seen: set[str]) -> tuple[int, str | None]:
    """What the webhook must answer, according to the parser alone."""
    if len(body) > MAX_BODY_BYTES:
        return HTTPStatus.CONTENT_TOO_LARGE, None
    try:
        notification = parse_notification(body)
    except NotificationError as err:
        return HTTPStatus.BAD_REQUEST, err.reason
    if isinstance(notification, UnknownNotification):
        return HTTPStatus.OK, f"ignored: {notification.root} notifications are not used"
    key = notification.notification_id.lower()
    # An inbound SMS is also known by its MessageId (the inbox catch-up's key).
    message_key = (
        f"message:{notification.message_id.lower()}"
        if isinstance(notification, InboundMessage)
        else None
    )
    if key in seen or message_key in seen:
        return HTTPStatus.OK, "duplicate"
    seen.add(key)
    if message_key is not None:
        seen.add(message_key)
    return HTTPStatus.OK, "processed"


@pytest.mark.usefixtures("loaded_entry")
async def test_handler_answers_every_fuzzed_body_as_the_parser_says(
    hass: HomeAssistant,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bodies = draw_examples(any_body, 200)
    assert len(bodies) >= 100
    events = capture_all_events(hass)
    seen: set[str] = set()
    processed = 0
    processed_kinds: set[str] = set()
    statuses: set[int] = set()

    for body in bodies:
        status, text = expected_answer(body, seen)
        before_states, before_events = states_snapshot(hass), len(events)

        response = await post_notification(body)
        await hass.async_block_till_done()

        assert response.status in ANSWERS, body
        assert response.status == status, body
        statuses.add(response.status)
        answer = await response.text()
        if text is not None:
            assert answer == text, body
        fired = events[before_events:]
        if answer == "processed":
            processed += 1
            assert len(fired) == 1, body
            parsed = parse_notification(body)
            assert not isinstance(parsed, UnknownNotification)
            processed_kinds.add(type(parsed).__name__)
            assert fired[0].data["notification_id"] == parsed.notification_id
            assert_serialisable(hass, fired[0])
        else:
            assert fired == [], body
            assert states_snapshot(hass) == before_states, body

    # The mix must exercise every answer, or the property proves little.
    assert processed >= 15
    assert {"InboundMessage", "OptOut"} <= processed_kinds
    assert statuses == set(ANSWERS)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ------------------------------------------------------------------ attack corpus


@dataclass(frozen=True, slots=True)
class Attack:
    """A hostile body and the answer it must get."""

    status: int
    reason: str | None = None  # part of a 400's text
    text: str | None = None  # MessageText of the accepted InboundMessage
    notification_id: str | None = None


USED_ATTACK_FILES = {"failure_code_beyond_64_bits.xml"}


def attack_file(name: str) -> Callable[[], bytes]:
    USED_ATTACK_FILES.add(name)
    return (ATTACKS / name).read_bytes


def valid_inbound_with(
    *, root_attributes: str = "", text: str = "Gate code please"
) -> Callable[[], bytes]:
    """The inbound fixture with something added to its root or its text."""

    def build() -> bytes:
        body = fixture_bytes("inbound_message.xml")
        body = body.replace(
            b"<InboundMessage>", f"<InboundMessage{root_attributes}>".encode()
        )
        return body.replace(b"Gate code please", text.encode())

    return build


def opt_out_without(part: bytes, instead: bytes = b"") -> Callable[[], bytes]:
    """The documented opt-out, with a part of it removed (or replaced)."""

    def build() -> bytes:
        body = fixture_bytes("opt_out.xml")
        assert body.count(part) == 1
        return body.replace(part, instead)

    return build


def many_attributes(count: int) -> str:
    return "".join(f' a{index}=""' for index in range(count))


INBOUND_ID = "4b912ad6-5ba1-4fdb-addc-007fb212ebae"
NOT_WELL_FORMED = "body is not well-formed XML"
TOO_LARGE = Attack(HTTPStatus.CONTENT_TOO_LARGE)

# name: (body, size check, answer). Bodies over 64 KiB are built at test time.
CORPUS: dict[str, tuple[Callable[[], bytes], Callable[[int], bool], Attack]] = {
    # Nesting: 100,000 deep is 700 KB; the deepest that fits is parsed, in bounds.
    "nesting_100000_deep": (
        lambda: b"<a>" * 100_000 + b"</a>" * 100_000,
        lambda size: size == 700_000,
        TOO_LARGE,
    ),
    "nesting_deepest_under_the_limit": (
        valid_inbound_with(text="<b>" * 9_300 + "deep" + "</b>" * 9_300),
        lambda size: MAX_BODY_BYTES - 1_000 < size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.OK, text="deep", notification_id=INBOUND_ID),
    ),
    "nesting_unclosed_under_the_limit": (
        lambda: b"<InboundMessage>" + b"<a>" * ((MAX_BODY_BYTES - 16) // 3),
        lambda size: MAX_BODY_BYTES - 3 < size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "siblings_16000": (
        valid_inbound_with(text="<b/>" * 16_000),
        lambda size: size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.OK, text="", notification_id=INBOUND_ID),
    ),
    # Attributes: an attribute or a count no notification has.
    "attribute_1mb": (
        valid_inbound_with(root_attributes=f' a="{"x" * 2**20}"'),
        lambda size: size > 2**20,
        TOO_LARGE,
    ),
    "attribute_60kib_on_a_valid_root": (
        valid_inbound_with(root_attributes=f' a="{"x" * 60 * 1024}"'),
        lambda size: 60 * 1024 < size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.OK, text="Gate code please", notification_id=INBOUND_ID),
    ),
    "attributes_100000": (
        valid_inbound_with(root_attributes=many_attributes(100_000)),
        lambda size: size > 10 * MAX_BODY_BYTES,
        TOO_LARGE,
    ),
    "attributes_5000_on_a_valid_root": (
        valid_inbound_with(root_attributes=many_attributes(5_000)),
        lambda size: 40_000 < size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.OK, text="Gate code please", notification_id=INBOUND_ID),
    ),
    "namespace_declarations_2500": (
        valid_inbound_with(
            root_attributes="".join(f' xmlns:p{i}="urn:{i}"' for i in range(2_500))
        ),
        lambda size: 40_000 < size <= MAX_BODY_BYTES,
        Attack(HTTPStatus.OK, text="Gate code please", notification_id=INBOUND_ID),
    ),
    # Encodings.
    "invalid_utf8": (
        attack_file("invalid_utf8.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "overlong_utf8": (
        attack_file("overlong_utf8.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "utf8_encoded_surrogate": (
        attack_file("utf8_encoded_surrogate.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    # XML 1.0 section 4.3.3: every processor must read UTF-16 with a BOM, so it is
    # a valid notification, characters outside the BMP included.
    "utf16le_bom_with_declaration": (
        attack_file("utf16le_bom.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text="Parcel \U0001f4e6 at the gate \u2013 merci",
            notification_id="0f5b2f4e-8c1d-4a7e-9d3b-6a2e1c7f9b01",
        ),
    ),
    "utf16be_bom_without_declaration": (
        attack_file("utf16be_bom.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text="Parcel \U0001f4e6 at the gate \u2013 merci",
            notification_id="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        ),
    ),
    "utf8_bom": (
        attack_file("utf8_bom.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text="Café at the gate",
            notification_id="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        ),
    ),
    "declares_utf16_but_is_utf8": (
        attack_file("encoding_mismatch.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "declares_a_multibyte_encoding_expat_lacks": (
        attack_file("unsupported_encoding.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "unsupported encoding"),
    ),
    "nul_byte": (
        attack_file("nul_byte.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "control_character_reference": (
        attack_file("invalid_char_reference.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    # Markup around valid content: accepted, with the text the markup carries.
    "cdata": (
        attack_file("cdata.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text='<b>Gate</b> & code "please" ]]>',
            notification_id="3b4c5d6e-7f80-4a9b-8c1d-2e3f4a5b6c7d",
        ),
    ),
    "comments_and_processing_instructions": (
        attack_file("comments_and_pis.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text="Gate code please",
            notification_id="4c5d6e7f-8091-4aab-9c2d-3e4f5a6b7c8d",
        ),
    ),
    # Not expanded: ElementTree does no XInclude unless asked.
    "xinclude_of_etc_passwd": (
        attack_file("xinclude.xml"),
        lambda size: size < 1_000,
        Attack(
            HTTPStatus.OK,
            text="beforeafter",
            notification_id="5d6e7f80-91a2-4bbc-8d3e-4f5a6b7c8d9e",
        ),
    ),
    "doctype_without_entities": (
        attack_file("doctype_only.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "DTD"),
    ),
    "two_roots": (
        attack_file("multiple_roots.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "unbound_prefix": (
        attack_file("unbound_prefix.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "duplicate_attribute": (
        attack_file("duplicate_attribute.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    "whitespace_before_the_declaration": (
        attack_file("whitespace_before_declaration.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, NOT_WELL_FORMED),
    ),
    # An opt-out without a field it needs: a 400 that names it.
    "opt_out_without_from": (
        lambda: fixture_bytes("opt_out_missing_from.xml"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "OptOut is missing required field From"),
    ),
    "opt_out_with_an_empty_phone_number": (
        opt_out_without(b"447700900123"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "OptOut is missing required field From"),
    ),
    "opt_out_without_id": (
        opt_out_without(b"<Id>06293e3a-be47-49de-b181-d2ea85413e71</Id>"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "OptOut is missing required field Id"),
    ),
    "opt_out_without_account_id": (
        opt_out_without(b"<AccountId>" + ACCOUNT_ID.encode() + b"</AccountId>"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "OptOut is missing required field AccountId"),
    ),
    "opt_out_with_a_bad_date": (
        opt_out_without(b"2015-11-09T15:18:19", b"2015-11-09 15:18"),
        lambda size: size < 1_000,
        Attack(HTTPStatus.BAD_REQUEST, "ReceviedAt is not a valid date and time"),
    ),
    # The older corpus, owned by test_webhook.py, answered the same way here.
    **{
        f"existing_{name.removesuffix('.xml')}": (
            (lambda name=name: fixture_bytes(name)),
            (lambda size: size <= MAX_BODY_BYTES),
            Attack(
                HTTPStatus.BAD_REQUEST,
                NOT_WELL_FORMED if name == "not_well_formed.xml" else "DTD",
            ),
        )
        for name in REJECTED_FIXTURES
    },
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_attack_parser_memory_is_bounded(name: str) -> None:
    build, size_ok, attack = CORPUS[name]
    body = build()
    assert size_ok(len(body)), len(body)

    peak = parser_peak_memory(body)

    assert peak < PARSER_MEMORY_BOUND
    if len(body) > MAX_BODY_BYTES:
        # Refused on its length, before a parser is even created.
        assert peak < 64 * 1024
    assert (check_parse(body) is None) == (attack.status != HTTPStatus.OK)


@pytest.mark.parametrize("name", list(CORPUS))
@pytest.mark.usefixtures("loaded_entry")
async def test_attack_is_answered_correctly(
    hass: HomeAssistant,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    build, _, attack = CORPUS[name]
    events = capture_all_events(hass)
    before = states_snapshot(hass)

    response = await post_notification(build())
    await hass.async_block_till_done()

    assert response.status == attack.status
    answer = await response.text()
    if attack.status != HTTPStatus.OK:
        if attack.reason is not None:
            assert attack.reason in answer
        assert events == []
        assert states_snapshot(hass) == before
    else:
        assert answer == "processed"
        assert len(events) == 1
        assert events[0].event_type == EVENT_INBOUND_MESSAGE
        assert events[0].data["text"] == attack.text
        assert events[0].data["notification_id"] == attack.notification_id
        assert events[0].data["account_id"] == ACCOUNT_ID
        sensor = hass.states.get(INBOUND_SENSOR)
        assert sensor is not None
        assert sensor.attributes["text"] == attack.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.usefixtures("loaded_entry")
async def test_failure_code_beyond_64_bits_stays_serialisable(
    hass: HomeAssistant,
    post_notification: PostNotification,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = capture_all_events(hass)

    response = await post_notification(
        (ATTACKS / "failure_code_beyond_64_bits.xml").read_bytes()
    )
    await hass.async_block_till_done()
    assert response.status == HTTPStatus.OK
    assert len(events) == 1
    caplog.clear()
    await restore_state.async_get(hass).async_dump_states()

    # Today: ERROR "Unexpected error saving current states", nothing saved.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert_serialisable(hass, events[0])


@pytest.mark.parametrize(
    "code", [str(2**64 - 1), str(-(2**63)), "142", "-1", "0"], ids=str
)
@pytest.mark.usefixtures("loaded_entry")
async def test_failure_codes_within_64_bits_are_serialisable(
    hass: HomeAssistant, post_notification: PostNotification, code: str
) -> None:
    events = capture_all_events(hass)
    body = (ATTACKS / "failure_code_beyond_64_bits.xml").read_bytes()

    response = await post_notification(
        body.replace(b"18446744073709551616", code.encode())
    )
    await hass.async_block_till_done()

    assert response.status == HTTPStatus.OK
    assert events[0].data["failure_code"] == int(code)
    assert_serialisable(hass, events[0])


def test_every_attack_file_is_in_the_corpus() -> None:
    assert {path.name for path in ATTACKS.iterdir()} == USED_ATTACK_FILES
