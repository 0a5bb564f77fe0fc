"""An answer as an SMS: plain text, GSM-7 where the meaning survives, capped in parts.

No Home Assistant imports.

An SMS is GSM-7 (160 characters, or 153 per part of a longer message) when every
character is in the GSM 03.38 alphabet; characters of its extension table (`€`,
`[`, `{`, ...) take two of those places. Any other character makes the whole
message UCS-2: 70 UTF-16 units, or 67 per part. Esendex bills per part, so an
answer is made plain (`plain_text`), typographic punctuation is replaced by its
GSM-7 equivalent (`gsm7_friendly`: curly quotes by straight ones, dashes by `-`,
the ellipsis by `...`), and what is still too long is cut at a word and ended with
an ellipsis (`cap_parts`). Letters are never changed: `é` is GSM-7, `ê` is not,
and a word spelled wrongly is a meaning lost.
"""

import html
import re
from typing import Final

# GSM 03.38, the basic alphabet (without the escape character itself).
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as an escape and the character, two septets.
GSM7_EXTENSION: Final = frozenset("^{}\\[~]|€")

GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67

# Replacements that keep the meaning and make the character GSM-7.
_GSM7_REPLACEMENTS: Final = str.maketrans(
    {
        # Single quotation marks, curly, low and reversed.
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        # Double quotation marks, the same.
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # guillemets
        "\u00bb": '"',
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2026": "...",  # ellipsis
        "\u2022": "-",  # bullet
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\t": " ",
        "\u200b": None,  # zero-width space
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\ufeff": None,  # byte order mark
    }
)

_HTML_TAG: Final = re.compile(r"</?[A-Za-z][^<>]*>")
_CODE_FENCE: Final = re.compile(r"^\s*```[^\n]*$", re.MULTILINE)
_IMAGE_OR_LINK: Final = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_STRONG: Final = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS: Final = re.compile(r"(?<!\w)([*_])(?=\S)(.+?)(?<=\S)\1(?!\w)")
_STRIKE: Final = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_INLINE_CODE: Final = re.compile(r"`([^`]*)`")
_HEADING: Final = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_QUOTE: Final = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_STAR_BULLET: Final = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
_SPACES: Final = re.compile(r"[ \t]+")
_BLANK_LINES: Final = re.compile(r"\n{2,}")
# Not left dangling before the ellipsis of a cut text.
_CUT_TRAILING: Final = " \n\r,;:-.\u2026"


def plain_text(text: str) -> str:
    """Return text without Markdown or HTML markup, its whitespace tidied.

    Only what looks like markup goes: `a < b > c` and `light.kitchen_light` stay.
    """
    text = text.replace("\r\n", "\n")
    text = _HTML_TAG.sub("", text)
    text = html.unescape(text)
    text = _CODE_FENCE.sub("", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _STAR_BULLET.sub(r"\1- ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def gsm7_friendly(text: str) -> str:
    """Return text with typographic punctuation replaced by its GSM-7 equivalent."""
    return text.translate(_GSM7_REPLACEMENTS)


def is_gsm7(text: str) -> bool:
    """Return whether text can be sent as GSM-7."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _widths(text: str) -> list[int]:
    """Return what each character takes: septets (GSM-7) or UTF-16 units (UCS-2)."""
    if is_gsm7(text):
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [len(char.encode("utf-16-le")) // 2 for char in text]


def sms_parts(text: str) -> int:
    """Return how many SMS parts text is sent in (0 for no text).

    A character is never split across two parts: an extension character's escape
    stays with it, and so do the two halves of a UTF-16 surrogate pair.
    """
    widths = _widths(text)
    if not widths:
        return 0
    gsm7 = is_gsm7(text)
    if sum(widths) <= (GSM7_SINGLE if gsm7 else UCS2_SINGLE):
        return 1
    size = GSM7_PART if gsm7 else UCS2_PART
    parts, used = 1, 0
    for width in widths:
        if used + width > size:
            parts, used = parts + 1, 0
        used += width
    return parts


def _ended(prefix: str) -> str:
    """Return a cut prefix with its ellipsis: `...` keeps a GSM-7 text GSM-7."""
    prefix = prefix.rstrip(_CUT_TRAILING)
    return prefix + ("..." if is_gsm7(prefix) else "\u2026")


def cap_parts(text: str, max_parts: int) -> str:
    """Return text if it fits in max_parts SMS parts, else cut, ending in an ellipsis.

    The cut is at the end of the longest run of whole words that fits with its
    ellipsis; a single word longer than that is cut inside.
    """
    if sms_parts(text) <= max_parts:
        return text
    # No prefix longer than this many characters can fit; the whole text does not.
    longest = max(GSM7_SINGLE, max_parts * GSM7_PART)
    ends = range(min(len(text) - 1, longest), 0, -1)
    for end in ends:
        # At a space, after a word (not a run of spaces and commas only).
        if text[end].isspace() and text[:end].strip(_CUT_TRAILING):
            candidate = _ended(text[:end])
            if sms_parts(candidate) <= max_parts:
                return candidate
    # One character and its ellipsis always fit, so this finds one.
    return next(
        candidate
        for end in ends
        if sms_parts(candidate := _ended(text[:end])) <= max_parts
    )


def sms_answer(speech: str, max_parts: int) -> str:
    """Return an agent's speech as an SMS: plain, GSM-7 friendly, capped."""
    return cap_parts(gsm7_friendly(plain_text(speech)), max_parts)
