"""Contacts: names for phone numbers, stored as config subentries of an entry.

A contact's subentry has the type `contact` and the data `{"name", "phone_number"}`,
the number as normalise_recipient returns it; the contact flow keeps both unique per
entry (the name case-insensitively). A contact of an entry with API credentials also
has `"assist"` (answer its SMS with Assist) and `"assist_user_id"` (the Home Assistant
user whose permissions Assist acts with; required when `assist` is on); contacts
without them, of older versions or receive-only entries, have Assist off.

Numbers are compared without their leading +: Esendex writes `447700900123` in its
notifications, for the `+447700900123` typed in Home Assistant.

Everything here reads the entry as it is now: a contact added, edited or removed
counts at once, without a reload.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME

from .api import InvalidAddressError, normalise_recipient

SUBENTRY_TYPE_CONTACT: Final = "contact"
CONF_PHONE_NUMBER: Final = "phone_number"
CONF_ASSIST: Final = "assist"
CONF_ASSIST_USER_ID: Final = "assist_user_id"


@dataclass(frozen=True, slots=True)
class Contact:
    """A name for a phone number; `number` as normalise_recipient returns it.

    assist: whether Assist answers this contact's SMS, acting as assist_user_id.
    """

    name: str
    number: str
    subentry_id: str
    assist: bool = False
    assist_user_id: str | None = None


def number_key(number: str) -> str:
    """Return what two spellings of one number share: its digits, without the +.

    Raises InvalidAddressError, as normalise_recipient does, for what is not a number.
    """
    return normalise_recipient(number).removeprefix("+")


def number_key_or_none(number: str) -> str | None:
    """Return number_key(number), or None for what is not a phone number."""
    try:
        return number_key(number)
    except InvalidAddressError:
        return None


def _contacts(entry: ConfigEntry) -> Iterator[Contact]:
    for subentry in entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_TYPE_CONTACT:
            yield Contact(
                name=subentry.data[CONF_NAME],
                number=subentry.data[CONF_PHONE_NUMBER],
                subentry_id=subentry.subentry_id,
                assist=bool(subentry.data.get(CONF_ASSIST, False)),
                assist_user_id=subentry.data.get(CONF_ASSIST_USER_ID),
            )


def async_contacts(entry: ConfigEntry) -> list[Contact]:
    """Return the entry's contacts, by name."""
    return sorted(_contacts(entry), key=lambda contact: contact.name.casefold())


def contact_for_number(entry: ConfigEntry, number: str) -> Contact | None:
    """Return the contact with this number, however it is written; None if none.

    None too for what is not a phone number (an alphanumeric sender, say).
    """
    if (key := number_key_or_none(number)) is None:
        return None
    return next(
        (
            contact
            for contact in _contacts(entry)
            if number_key_or_none(contact.number) == key
        ),
        None,
    )


def resolve_recipient(entry: ConfigEntry, value: str) -> str:
    """Return the number a contact's name (in any case) stands for, else the number.

    A value that names no contact is normalised with normalise_recipient, whose
    InvalidAddressError it raises for what is not a phone number either.
    """
    name = value.strip().casefold()
    for contact in async_contacts(entry):
        if contact.name.casefold() == name:
            return contact.number
    return normalise_recipient(value)
