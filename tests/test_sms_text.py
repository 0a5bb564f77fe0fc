"""An answer as an SMS: markup stripped, GSM-7 where the meaning survives, capped."""

import pytest

from custom_components.esendex.sms_text import (
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    cap_parts,
    gsm7_friendly,
    is_gsm7,
    plain_text,
    sms_answer,
    sms_parts,
)


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("**Kitchen** light is *on*", "Kitchen light is on"),
        ("__Bold__ and _italic_ and ~~gone~~", "Bold and italic and gone"),
        ("Use `light.kitchen_light`", "Use light.kitchen_light"),
        ("light.kitchen_light stays", "light.kitchen_light stays"),
        ("See [the docs](https://example.com) ![a map](m.png)", "See the docs a map"),
        (
            "# Status\n\n\n## Lights\n* kitchen\n+ hall",
            "Status\nLights\n- kitchen\n- hall",
        ),
        ("> quoted\n```yaml\ncode: 1\n```", "quoted\ncode: 1"),
        ("<b>Locked</b><br/>since 10:00 &amp; armed", "Lockedsince 10:00 & armed"),
        ("20 < 21 > 19, a<b", "20 < 21 > 19, a<b"),
        ("  lots   of\t spaces  \r\n  here ", "lots of spaces\nhere"),
        ("2 * 3 * 4", "2 * 3 * 4"),
    ],
)
def test_plain_text_strips_markup_only(marked: str, plain: str) -> None:
    assert plain_text(marked) == plain


def test_gsm7_friendly_replaces_punctuation_but_not_letters() -> None:
    typographic = (
        "\u201cIt\u2019s on\u201d \u2013 10\u202f\u00b0C\u2026 \u2022 \u00abok\u00bb"
    )
    friendly = gsm7_friendly(typographic + "\u200b")

    assert friendly == '"It\'s on" - 10 \u00b0C... - "ok"'
    # Letters keep their spelling: é is GSM-7, ê is not and stays.
    assert gsm7_friendly("café fenêtre") == "café fenêtre"
    assert is_gsm7("café")
    assert not is_gsm7("fenêtre")


def test_is_gsm7_knows_the_extension_table() -> None:
    assert is_gsm7("Price: 5€ [x] {y} ~ ^ | \\")
    assert not is_gsm7("°")  # degree sign: not GSM 03.38
    assert not is_gsm7("\u2019")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 0),
        ("a" * GSM7_SINGLE, 1),
        ("a" * (GSM7_SINGLE + 1), 2),
        ("a" * (GSM7_PART * 2), 2),
        ("a" * (GSM7_PART * 2 + 1), 3),
        # An extension character takes two septets...
        ("€" * 80, 1),
        ("€" * 81, 2),
        # ...and is not split across parts: 152 septets, then € does not fit.
        ("a" * 152 + "€" + "a" * 152, 3),
        ("ê" * UCS2_SINGLE, 1),
        ("ê" * (UCS2_SINGLE + 1), 2),
        ("ê" * (UCS2_PART * 2), 2),
        # A surrogate pair (two UTF-16 units) stays in one part.
        ("ê" * 66 + "😀" + "ê" * 66, 3),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_sms_parts(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_cap_parts_keeps_what_fits() -> None:
    text = "word " * 31 + "end"  # 158 characters
    assert cap_parts(text, 1) == text


def test_cap_parts_cuts_at_a_word_with_a_gsm7_ellipsis() -> None:
    text = " ".join(f"w{index:03}" for index in range(100))  # 499 characters

    capped = cap_parts(text, 2)

    assert capped.endswith("...")
    assert sms_parts(capped) == 2
    body = capped.removesuffix("...")
    # Whole words only, and the most of them that fit.
    assert text.startswith(body)
    assert text[len(body)] == " "
    assert sms_parts(body + " w999...") > 2
    assert is_gsm7(capped)


def test_cap_parts_drops_dangling_punctuation_before_the_ellipsis() -> None:
    text = "The heating is on: " + "alpha, beta; gamma - " * 20

    capped = cap_parts(text, 1)

    assert capped.endswith(("alpha...", "beta...", "gamma..."))
    assert sms_parts(capped) == 1


def test_cap_parts_of_ucs2_text_ends_with_the_ellipsis_character() -> None:
    text = "fenêtre " * 30

    capped = cap_parts(text, 1)

    assert capped.endswith("fenêtre\u2026")
    assert len(capped) <= UCS2_SINGLE


def test_cap_parts_cuts_one_long_word_inside() -> None:
    capped = cap_parts("x" * 400, 1)

    assert capped == "x" * (GSM7_SINGLE - 3) + "..."


def test_cap_parts_prefers_gsm7_when_the_cut_drops_the_only_ucs2_character() -> None:
    capped = cap_parts("ok " * 60 + "fenêtre", 1)

    assert capped.endswith("ok...")
    assert is_gsm7(capped)
    assert len(capped) <= GSM7_SINGLE


def test_cap_parts_skips_cuts_with_no_word_before_them() -> None:
    capped = cap_parts(",  " + "y" * 300, 1)

    # No word before the only spaces: cut inside the long word instead.
    assert capped == ",  " + "y" * (GSM7_SINGLE - 6) + "..."


def test_sms_answer_makes_speech_an_sms() -> None:
    speech = "**Done**: the \u201ckitchen\u201d light is on. " + "More. " * 80

    answer = sms_answer(speech, 2)

    assert answer.startswith('Done: the "kitchen" light is on. More.')
    assert answer.endswith("More...")
    assert sms_parts(answer) == 2
    assert is_gsm7(answer)
