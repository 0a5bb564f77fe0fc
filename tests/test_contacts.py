"""Contacts: config subentries naming phone numbers, their flow, and contacts.py."""

from typing import Any

from homeassistant.auth.const import GROUP_ID_ADMIN, GROUP_ID_READ_ONLY, GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntryState,
    ConfigSubentryData,
    SubentryFlowContext,
    SubentryFlowResult,
)
from homeassistant.const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    TextSelector,
)
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.esendex.api import AddressProblem, InvalidAddressError
from custom_components.esendex.config_flow import EsendexConfigFlow
from custom_components.esendex.const import (
    CONF_ACCOUNT_REFERENCE,
    CONF_CLOUDHOOK,
    DOMAIN,
)
from custom_components.esendex.contacts import (
    CONF_ASSIST,
    CONF_ASSIST_USER_ID,
    CONF_PHONE_NUMBER,
    SUBENTRY_TYPE_CONTACT,
    Contact,
    async_contacts,
    contact_for_number,
    number_key,
    resolve_recipient,
)

from .conftest import WEBHOOK_ID

ALICE = "+447700900123"
BOB = "+447700900456"
# How Esendex writes Alice's number in its notifications.
ALICE_AS_ESENDEX_SENDS = "447700900123"

# Every way a number can be wrong, and the error the contact form shows for it.
INVALID_NUMBERS = pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("call me", AddressProblem.RECIPIENT_CHARACTERS),
        ("1234", AddressProblem.RECIPIENT_TOO_SHORT),
        ("+1234567890123456", AddressProblem.RECIPIENT_TOO_LONG),
        ("+0447700900123", AddressProblem.RECIPIENT_COUNTRY_CODE),
    ],
)


def contact_data(
    name: str,
    number: str,
    subentry_id: str | None = None,
    **assist: object,
) -> ConfigSubentryData:
    """Return a contact's subentry as the contact flow stores it."""
    data = ConfigSubentryData(
        data={CONF_NAME: name, CONF_PHONE_NUMBER: number, **assist},
        subentry_type=SUBENTRY_TYPE_CONTACT,
        title=name,
        unique_id=number.removeprefix("+"),
    )
    if subentry_id is not None:
        data["subentry_id"] = subentry_id  # type: ignore[typeddict-unknown-key]
    return data


def add_entry(
    hass: HomeAssistant,
    *subentries: ConfigSubentryData,
    credentials: bool = False,
) -> MockConfigEntry:
    """Add an entry, receive-only or with API credentials, with these subentries."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Esendex SMS",
        data={
            CONF_WEBHOOK_ID: WEBHOOK_ID,
            CONF_CLOUDHOOK: False,
            **(
                {
                    CONF_USERNAME: "user@example.com",
                    CONF_PASSWORD: "api-password",
                    CONF_ACCOUNT_REFERENCE: "EX0123456",
                }
                if credentials
                else {}
            ),
        },
        subentries_data=list(subentries),
    )
    entry.add_to_hass(hass)
    return entry


async def start_add(hass: HomeAssistant, entry: MockConfigEntry) -> SubentryFlowResult:
    """Open the entry's Add contact form."""
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CONTACT),
        context=SubentryFlowContext(source=SOURCE_USER),
    )


async def add_contact(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, number: str
) -> SubentryFlowResult:
    """Fill in and submit the entry's Add contact form."""
    result = await start_add(hass, entry)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: name, CONF_PHONE_NUMBER: number}
    )


async def edit_contact(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    subentry_id: str,
    name: str,
    number: str,
) -> SubentryFlowResult:
    """Open a contact's edit form, change it and submit."""
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: name, CONF_PHONE_NUMBER: number}
    )


def suggested(schema: probatio.Schema | None) -> dict[str, Any]:
    """Return what a form pre-fills its fields with."""
    assert schema is not None
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in schema.schema
    }


def selector_types(schema: probatio.Schema | None) -> dict[str, str]:
    assert schema is not None
    types: dict[str, str] = {}
    for key, selector in schema.schema.items():
        assert isinstance(selector, TextSelector)
        types[str(key)] = str(selector.config["type"])
    return types


# ---------------------------------------------------------------------------
# contacts.py
# ---------------------------------------------------------------------------


def test_an_entry_without_contacts_has_none(hass: HomeAssistant) -> None:
    entry = add_entry(hass)

    assert async_contacts(entry) == []
    assert contact_for_number(entry, ALICE) is None


def test_contacts_are_listed_by_name_whatever_the_case(hass: HomeAssistant) -> None:
    entry = add_entry(
        hass,
        contact_data("bob", BOB, "bob-id"),
        contact_data("Alice", ALICE, "alice-id"),
        contact_data("Carol", "447700900789", "carol-id"),
    )

    assert async_contacts(entry) == [
        Contact(name="Alice", number=ALICE, subentry_id="alice-id"),
        Contact(name="bob", number=BOB, subentry_id="bob-id"),
        Contact(name="Carol", number="447700900789", subentry_id="carol-id"),
    ]


def test_other_subentry_types_are_not_contacts(hass: HomeAssistant) -> None:
    entry = add_entry(
        hass,
        contact_data("Alice", ALICE),
        ConfigSubentryData(
            data={CONF_NAME: "Bob", CONF_PHONE_NUMBER: BOB},
            subentry_type="something_else",
            title="Bob",
            unique_id=None,
        ),
    )

    assert [contact.name for contact in async_contacts(entry)] == ["Alice"]
    assert contact_for_number(entry, BOB) is None


@pytest.mark.parametrize(
    "spelling",
    [
        ALICE_AS_ESENDEX_SENDS,
        ALICE,
        "+44 7700 900123",
        "+44 (0)7700 900-123",
        " 44.7700.900.123 ",
    ],
)
@pytest.mark.parametrize("stored", [ALICE, ALICE_AS_ESENDEX_SENDS])
def test_a_contact_is_found_by_its_number_however_written(
    hass: HomeAssistant, stored: str, spelling: str
) -> None:
    entry = add_entry(
        hass, contact_data("Bob", BOB), contact_data("Alice", stored, "alice-id")
    )

    assert contact_for_number(entry, spelling) == Contact(
        name="Alice", number=stored, subentry_id="alice-id"
    )


@pytest.mark.parametrize(
    "number",
    ["+447700900999", "07700900123", "447700900123 1"],
)
def test_another_number_is_no_contact(hass: HomeAssistant, number: str) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE))

    assert contact_for_number(entry, number) is None


@pytest.mark.parametrize("sender", ["ESENDEX", "Alice", "", "1234"])
def test_what_is_not_a_number_is_no_contact(hass: HomeAssistant, sender: str) -> None:
    """An alphanumeric sender, or a contact's name: no contact, and no error."""
    entry = add_entry(hass, contact_data("Alice", ALICE))

    assert contact_for_number(entry, sender) is None


def test_number_key_leaves_out_only_the_plus() -> None:
    assert number_key("+44 7700 900123") == ALICE_AS_ESENDEX_SENDS
    assert number_key(ALICE_AS_ESENDEX_SENDS) == ALICE_AS_ESENDEX_SENDS
    assert number_key("07700 900123") == "07700900123"
    with pytest.raises(InvalidAddressError):
        number_key("Alice")


@pytest.mark.parametrize("value", ["Alice", "alice", "  ALICE ", "aLiCe"])
def test_a_contacts_name_resolves_to_its_number(
    hass: HomeAssistant, value: str
) -> None:
    entry = add_entry(hass, contact_data("Bob", BOB), contact_data("Alice", ALICE))

    assert resolve_recipient(entry, value) == ALICE


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("+44 7700 900123", ALICE),
        (ALICE_AS_ESENDEX_SENDS, ALICE_AS_ESENDEX_SENDS),
        ("+44 7700 900999", "+447700900999"),
    ],
)
def test_a_number_resolves_to_itself_normalised(
    hass: HomeAssistant, value: str, number: str
) -> None:
    """Whether or not a contact has it: as send_sms's `to` is normalised."""
    entry = add_entry(hass, contact_data("Alice", ALICE))

    assert resolve_recipient(entry, value) == number


@INVALID_NUMBERS
def test_what_is_neither_a_name_nor_a_number_is_refused(
    hass: HomeAssistant, number: str, problem: AddressProblem
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE))

    with pytest.raises(InvalidAddressError) as caught:
        resolve_recipient(entry, number)

    assert caught.value.kind is problem
    assert caught.value.value == number


def test_a_name_of_another_entrys_contact_is_refused(hass: HomeAssistant) -> None:
    mine = add_entry(hass, contact_data("Alice", ALICE))
    other = add_entry(hass, contact_data("Bob", BOB))

    assert resolve_recipient(other, "Bob") == BOB
    with pytest.raises(InvalidAddressError) as caught:
        resolve_recipient(mine, "Bob")
    assert caught.value.kind is AddressProblem.RECIPIENT_CHARACTERS


# ---------------------------------------------------------------------------
# The contact flow: adding
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", [False, True], ids=["receive_only", "api"])
def test_every_entry_can_have_contacts(hass: HomeAssistant, credentials: bool) -> None:
    entry = add_entry(hass, credentials=credentials)

    assert entry.supported_subentry_types == {
        SUBENTRY_TYPE_CONTACT: {"supports_reconfigure": True}
    }
    assert EsendexConfigFlow.async_get_supported_subentry_types(entry).keys() == {
        SUBENTRY_TYPE_CONTACT
    }


async def test_add_form_asks_for_a_name_and_a_phone_number(
    hass: HomeAssistant,
) -> None:
    entry = add_entry(hass)

    result = await start_add(hass, entry)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    schema = result["data_schema"]
    assert schema is not None
    assert {str(key): type(key) for key in schema.schema} == {
        CONF_NAME: probatio.Required,
        CONF_PHONE_NUMBER: probatio.Required,
    }
    # A phone number gets the phone keypad.
    assert selector_types(schema) == {CONF_NAME: "text", CONF_PHONE_NUMBER: "tel"}
    assert suggested(schema) == {CONF_NAME: None, CONF_PHONE_NUMBER: None}


@pytest.mark.parametrize("credentials", [False, True], ids=["receive_only", "api"])
async def test_adding_a_contact_stores_its_name_and_normalised_number(
    hass: HomeAssistant, credentials: bool
) -> None:
    entry = add_entry(hass, credentials=credentials)

    result = await add_contact(hass, entry, "  Alice Smith ", "+44 (0)7700 900-123")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    [subentry] = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_TYPE_CONTACT
    assert subentry.title == "Alice Smith"
    # An entry that can reply also stores whether Assist answers: off by default.
    assert dict(subentry.data) == {
        CONF_NAME: "Alice Smith",
        CONF_PHONE_NUMBER: ALICE,
        **({CONF_ASSIST: False, CONF_ASSIST_USER_ID: None} if credentials else {}),
    }
    # Home Assistant itself refuses a second subentry with this number.
    assert subentry.unique_id == ALICE_AS_ESENDEX_SENDS
    assert async_contacts(entry) == [
        Contact(name="Alice Smith", number=ALICE, subentry_id=subentry.subentry_id)
    ]


@INVALID_NUMBERS
async def test_an_invalid_number_says_what_is_wrong_and_keeps_the_form(
    hass: HomeAssistant, number: str, problem: AddressProblem
) -> None:
    entry = add_entry(hass)

    result = await add_contact(hass, entry, "Alice", number)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_PHONE_NUMBER: f"invalid_{problem}"}
    assert suggested(result["data_schema"]) == {
        CONF_NAME: "Alice",
        CONF_PHONE_NUMBER: number,
    }
    assert not entry.subentries


@pytest.mark.parametrize("name", ["", "   "])
async def test_a_blank_name_is_refused(hass: HomeAssistant, name: str) -> None:
    entry = add_entry(hass)

    result = await add_contact(hass, entry, name, ALICE)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_empty"}
    assert not entry.subentries


async def test_a_form_can_be_corrected_after_an_error(hass: HomeAssistant) -> None:
    entry = add_entry(hass)
    result = await add_contact(hass, entry, " ", "call me")
    assert result["errors"] == {
        CONF_NAME: "name_empty",
        CONF_PHONE_NUMBER: "invalid_recipient_characters",
    }

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [contact.name for contact in async_contacts(entry)] == ["Alice"]


@pytest.mark.parametrize("name", ["Alice", "alice", " ALICE "])
async def test_a_name_in_use_is_refused_whatever_the_case(
    hass: HomeAssistant, name: str
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE))

    result = await add_contact(hass, entry, name, BOB)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "duplicate_name"}
    assert len(entry.subentries) == 1


@pytest.mark.parametrize(
    "number", [ALICE, ALICE_AS_ESENDEX_SENDS, "+44 7700 900123", "44 7700 900123"]
)
async def test_a_number_in_use_is_refused_however_written(
    hass: HomeAssistant, number: str
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE))

    result = await add_contact(hass, entry, "Bob", number)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PHONE_NUMBER: "duplicate_number"}
    assert len(entry.subentries) == 1


async def test_name_and_number_in_use_are_both_refused(hass: HomeAssistant) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE))

    result = await add_contact(hass, entry, "ALICE", ALICE_AS_ESENDEX_SENDS)

    assert result["errors"] == {
        CONF_NAME: "duplicate_name",
        CONF_PHONE_NUMBER: "duplicate_number",
    }


async def test_contacts_are_unique_per_entry_only(hass: HomeAssistant) -> None:
    add_entry(hass, contact_data("Alice", ALICE))
    other = add_entry(hass)

    result = await add_contact(hass, other, "Alice", ALICE)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [contact.number for contact in async_contacts(other)] == [ALICE]


async def test_two_forms_open_at_once_cannot_add_one_number_twice(
    hass: HomeAssistant,
) -> None:
    """A form checks the contacts when it is submitted, not when it opened."""
    entry = add_entry(hass)
    first = await start_add(hass, entry)
    second = await start_add(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        first["flow_id"], {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await hass.config_entries.subentries.async_configure(
        second["flow_id"], {CONF_NAME: "alice", CONF_PHONE_NUMBER: "+44 7700 900123"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        CONF_NAME: "duplicate_name",
        CONF_PHONE_NUMBER: "duplicate_number",
    }
    assert [contact.name for contact in async_contacts(entry)] == ["Alice"]


# ---------------------------------------------------------------------------
# The contact flow: editing
# ---------------------------------------------------------------------------


async def test_edit_form_shows_the_contact(hass: HomeAssistant) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE, "alice-id"))

    result = await entry.start_subentry_reconfigure_flow(hass, "alice-id")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    schema = result["data_schema"]
    assert selector_types(schema) == {CONF_NAME: "text", CONF_PHONE_NUMBER: "tel"}
    assert suggested(schema) == {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE}


async def test_editing_a_contact_changes_its_name_number_and_title(
    hass: HomeAssistant,
) -> None:
    entry = add_entry(
        hass, contact_data("Alice", ALICE, "alice-id"), contact_data("Bob", BOB)
    )

    result = await edit_contact(hass, entry, "alice-id", " Carol ", "+44 7700 900789")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries["alice-id"]
    assert subentry.title == "Carol"
    assert dict(subentry.data) == {
        CONF_NAME: "Carol",
        CONF_PHONE_NUMBER: "+447700900789",
    }
    assert subentry.unique_id == "447700900789"
    assert contact_for_number(entry, ALICE) is None
    assert contact_for_number(entry, "447700900789") == Contact(
        name="Carol", number="+447700900789", subentry_id="alice-id"
    )
    assert resolve_recipient(entry, "carol") == "+447700900789"


@pytest.mark.parametrize(
    ("name", "number"),
    [("Alice", ALICE), ("ALICE", ALICE_AS_ESENDEX_SENDS), ("alice", "+447700900999")],
)
async def test_a_contact_keeps_its_own_name_and_number_when_edited(
    hass: HomeAssistant, name: str, number: str
) -> None:
    entry = add_entry(
        hass, contact_data("Alice", ALICE, "alice-id"), contact_data("Bob", BOB)
    )

    result = await edit_contact(hass, entry, "alice-id", name, number)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries["alice-id"].title == name
    assert len(entry.subentries) == 2


async def test_an_edit_cannot_take_another_contacts_name_or_number(
    hass: HomeAssistant,
) -> None:
    entry = add_entry(
        hass, contact_data("Alice", ALICE, "alice-id"), contact_data("Bob", BOB)
    )

    result = await edit_contact(hass, entry, "alice-id", "bob", "447700900456")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {
        CONF_NAME: "duplicate_name",
        CONF_PHONE_NUMBER: "duplicate_number",
    }
    # The form keeps what was typed, and the contact is unchanged.
    assert suggested(result["data_schema"]) == {
        CONF_NAME: "bob",
        CONF_PHONE_NUMBER: "447700900456",
    }
    assert dict(entry.subentries["alice-id"].data) == {
        CONF_NAME: "Alice",
        CONF_PHONE_NUMBER: ALICE,
    }


@INVALID_NUMBERS
async def test_an_edit_with_an_invalid_number_says_what_is_wrong(
    hass: HomeAssistant, number: str, problem: AddressProblem
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE, "alice-id"))

    result = await edit_contact(hass, entry, "alice-id", "Alice", number)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PHONE_NUMBER: f"invalid_{problem}"}
    assert entry.subentries["alice-id"].data[CONF_PHONE_NUMBER] == ALICE


async def test_an_edit_with_a_blank_name_is_refused(hass: HomeAssistant) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE, "alice-id"))

    result = await edit_contact(hass, entry, "alice-id", "  ", ALICE)

    assert result["errors"] == {CONF_NAME: "name_empty"}
    assert entry.subentries["alice-id"].title == "Alice"


# ---------------------------------------------------------------------------
# A loaded entry sees its contacts change at once, without a reload
# ---------------------------------------------------------------------------


async def test_contact_changes_reach_a_loaded_entry_without_a_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    runtime_data = loaded_entry.runtime_data

    await add_contact(hass, loaded_entry, "Alice", ALICE)
    await hass.async_block_till_done()
    added = contact_for_number(loaded_entry, ALICE_AS_ESENDEX_SENDS)
    assert added is not None
    assert added.name == "Alice"

    await edit_contact(hass, loaded_entry, added.subentry_id, "Alicia", ALICE)
    await hass.async_block_till_done()
    assert resolve_recipient(loaded_entry, "alicia") == ALICE

    assert hass.config_entries.async_remove_subentry(loaded_entry, added.subentry_id)
    await hass.async_block_till_done()
    assert contact_for_number(loaded_entry, ALICE) is None

    # Never unloaded: the same runtime data throughout.
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is runtime_data


# ---------------------------------------------------------------------------
# Answering with Assist: a contact's setting, in entries that can reply
# ---------------------------------------------------------------------------


@pytest.fixture
async def users(hass: HomeAssistant) -> dict[str, User]:
    """People who can log in, and users Assist must never act as.

    Carol's person has another name than her user; Bob has no person.
    """
    auth = hass.auth
    people = {
        "alice": await auth.async_create_user("Alice", group_ids=[GROUP_ID_READ_ONLY]),
        "bob": await auth.async_create_user("bob", group_ids=[GROUP_ID_USER]),
        "carol": await auth.async_create_user("Carol", group_ids=[GROUP_ID_ADMIN]),
        "gone": await auth.async_create_user("Gone", group_ids=[GROUP_ID_USER]),
        "system": await auth.async_create_system_user("Some add-on"),
    }
    await auth.async_deactivate_user(people["gone"])
    hass.states.async_set(
        "person.alice",
        "home",
        {"user_id": people["alice"].id, "friendly_name": "Alice"},
    )
    hass.states.async_set(
        "person.carol",
        "home",
        {"user_id": people["carol"].id, "friendly_name": "Carol Jones"},
    )
    hass.states.async_set("person.dave", "home", {"friendly_name": "Dave"})
    return people


def assist_user_options(schema: probatio.Schema | None) -> list[SelectOptionDict]:
    """Return the users the form's user field offers."""
    assert schema is not None
    [selector] = [
        value for key, value in schema.schema.items() if key == CONF_ASSIST_USER_ID
    ]
    assert isinstance(selector, SelectSelector)
    return list(selector.config["options"])  # type: ignore[arg-type]


async def add_assist_contact(
    hass: HomeAssistant, entry: MockConfigEntry, **user_input: object
) -> SubentryFlowResult:
    """Fill in and submit the Add contact form of an entry that can reply."""
    result = await start_add(hass, entry)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE, **user_input}
    )


def test_a_contact_of_an_older_version_is_not_answered_by_assist(
    hass: HomeAssistant,
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE, "alice-id"), credentials=True)

    [contact] = async_contacts(entry)

    assert contact.assist is False
    assert contact.assist_user_id is None


def test_a_contact_with_assist_says_as_which_user(hass: HomeAssistant) -> None:
    entry = add_entry(
        hass,
        contact_data("Alice", ALICE, "alice-id", assist=True, assist_user_id="user-id"),
        contact_data("Bob", BOB, "bob-id", assist=False, assist_user_id="user-id"),
        credentials=True,
    )

    assert async_contacts(entry) == [
        Contact(
            name="Alice",
            number=ALICE,
            subentry_id="alice-id",
            assist=True,
            assist_user_id="user-id",
        ),
        Contact(
            name="Bob",
            number=BOB,
            subentry_id="bob-id",
            assist=False,
            assist_user_id="user-id",
        ),
    ]
    assert contact_for_number(entry, ALICE_AS_ESENDEX_SENDS) == async_contacts(entry)[0]


async def test_a_receive_only_entry_does_not_offer_assist(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    """It cannot send, so it cannot answer."""
    entry = add_entry(hass, contact_data("Bob", BOB, "bob-id"))

    added = await start_add(hass, entry)
    edited = await entry.start_subentry_reconfigure_flow(hass, "bob-id")

    for result in (added, edited):
        assert result["data_schema"] is not None
        assert [str(key) for key in result["data_schema"].schema] == [
            CONF_NAME,
            CONF_PHONE_NUMBER,
        ]


async def test_an_entry_that_can_reply_asks_whether_assist_answers_and_as_whom(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, credentials=True)

    result = await start_add(hass, entry)

    schema = result["data_schema"]
    assert schema is not None
    assert {str(key): type(key) for key in schema.schema} == {
        CONF_NAME: probatio.Required,
        CONF_PHONE_NUMBER: probatio.Required,
        CONF_ASSIST: probatio.Optional,
        CONF_ASSIST_USER_ID: probatio.Optional,
    }
    [assist] = [value for key, value in schema.schema.items() if key == CONF_ASSIST]
    assert isinstance(assist, BooleanSelector)
    # Off unless turned on.
    assert schema({CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE})[CONF_ASSIST] is False
    assert suggested(schema) == {
        CONF_NAME: None,
        CONF_PHONE_NUMBER: None,
        CONF_ASSIST: None,
        CONF_ASSIST_USER_ID: None,
    }


async def test_assist_can_act_as_any_active_person_but_no_system_user(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    """Home Assistant has no user selector: users, named as their persons too."""
    entry = add_entry(hass, credentials=True)

    result = await start_add(hass, entry)

    # By name; a person's other name shows with the user's.
    assert assist_user_options(result["data_schema"]) == [
        {"value": users["alice"].id, "label": "Alice"},
        {"value": users["bob"].id, "label": "bob"},
        {"value": users["carol"].id, "label": "Carol Jones (Carol)"},
    ]


async def test_a_user_without_a_name_is_shown_by_its_id(hass: HomeAssistant) -> None:
    user = await hass.auth.async_create_user("")
    entry = add_entry(hass, credentials=True)

    result = await start_add(hass, entry)

    assert {"value": user.id, "label": user.id} in assist_user_options(
        result["data_schema"]
    )


async def test_the_form_refuses_a_user_it_does_not_offer(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, credentials=True)

    for user in ("gone", "system"):
        with pytest.raises(InvalidData):
            await add_assist_contact(
                hass, entry, assist=True, assist_user_id=users[user].id
            )
    assert not entry.subentries


async def test_a_contact_answered_by_assist_stores_the_user(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, credentials=True)

    result = await add_assist_contact(
        hass, entry, assist=True, assist_user_id=users["alice"].id
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    [subentry] = entry.subentries.values()
    assert dict(subentry.data) == {
        CONF_NAME: "Alice",
        CONF_PHONE_NUMBER: ALICE,
        CONF_ASSIST: True,
        CONF_ASSIST_USER_ID: users["alice"].id,
    }
    assert async_contacts(entry) == [
        Contact(
            name="Alice",
            number=ALICE,
            subentry_id=subentry.subentry_id,
            assist=True,
            assist_user_id=users["alice"].id,
        )
    ]


async def test_a_user_can_be_chosen_before_assist_is_turned_on(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, credentials=True)

    result = await add_assist_contact(hass, entry, assist_user_id=users["bob"].id)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    [contact] = async_contacts(entry)
    assert contact.assist is False
    assert contact.assist_user_id == users["bob"].id


async def test_assist_without_a_user_is_refused(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    """Assist acts with a user's permissions: there is no default user."""
    entry = add_entry(hass, credentials=True)

    result = await add_assist_contact(hass, entry, assist=True)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_ASSIST_USER_ID: "assist_needs_user"}
    assert suggested(result["data_schema"])[CONF_ASSIST] is True
    assert not entry.subentries

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Alice",
            CONF_PHONE_NUMBER: ALICE,
            CONF_ASSIST: True,
            CONF_ASSIST_USER_ID: users["alice"].id,
        },
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_assist_without_a_user_and_a_bad_number_are_both_refused(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, credentials=True)
    result = await start_add(hass, entry)

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Alice", CONF_PHONE_NUMBER: "call me", CONF_ASSIST: True},
    )

    assert result["errors"] == {
        CONF_PHONE_NUMBER: "invalid_recipient_characters",
        CONF_ASSIST_USER_ID: "assist_needs_user",
    }


async def test_edit_form_shows_whether_assist_answers_and_as_whom(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(
        hass,
        contact_data(
            "Alice",
            ALICE,
            "alice-id",
            assist=True,
            assist_user_id=users["alice"].id,
        ),
        credentials=True,
    )

    result = await entry.start_subentry_reconfigure_flow(hass, "alice-id")

    assert result["step_id"] == "reconfigure"
    assert suggested(result["data_schema"]) == {
        CONF_NAME: "Alice",
        CONF_PHONE_NUMBER: ALICE,
        CONF_ASSIST: True,
        CONF_ASSIST_USER_ID: users["alice"].id,
    }
    assert len(assist_user_options(result["data_schema"])) == 3


@pytest.mark.parametrize("user", ["gone", "system", "removed"])
async def test_edit_form_does_not_suggest_a_user_assist_can_no_longer_act_as(
    hass: HomeAssistant, users: dict[str, User], user: str
) -> None:
    user_id = "no-such-user" if user == "removed" else users[user].id
    entry = add_entry(
        hass,
        contact_data("Alice", ALICE, "alice-id", assist=True, assist_user_id=user_id),
        credentials=True,
    )

    result = await entry.start_subentry_reconfigure_flow(hass, "alice-id")
    assert suggested(result["data_schema"])[CONF_ASSIST_USER_ID] is None

    # Submitted as shown, Assist has no user: the form says so.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE, CONF_ASSIST: True},
    )
    assert result["errors"] == {CONF_ASSIST_USER_ID: "assist_needs_user"}
    assert entry.subentries["alice-id"].data[CONF_ASSIST_USER_ID] == user_id


async def test_editing_a_contact_turns_assist_on_or_off(
    hass: HomeAssistant, users: dict[str, User]
) -> None:
    entry = add_entry(hass, contact_data("Alice", ALICE, "alice-id"), credentials=True)

    result = await entry.start_subentry_reconfigure_flow(hass, "alice-id")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Alice",
            CONF_PHONE_NUMBER: ALICE,
            CONF_ASSIST: True,
            CONF_ASSIST_USER_ID: users["carol"].id,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    [contact] = async_contacts(entry)
    assert (contact.assist, contact.assist_user_id) == (True, users["carol"].id)

    result = await entry.start_subentry_reconfigure_flow(hass, "alice-id")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Alice", CONF_PHONE_NUMBER: ALICE}
    )
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.subentries["alice-id"].data) == {
        CONF_NAME: "Alice",
        CONF_PHONE_NUMBER: ALICE,
        CONF_ASSIST: False,
        CONF_ASSIST_USER_ID: None,
    }
