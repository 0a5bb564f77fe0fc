"""Draw the integration's brand images into custom_components/esendex/brand/.

Our own artwork, not Esendex's logo: a rounded speech bubble with three dots, in a
teal-to-blue gradient, on a transparent background. The logo adds "Esendex SMS".

Every shape is drawn at 4x and box-averaged down (`Image.reduce`), so each edge pixel
gets its exact coverage: anti-aliased like a LANCZOS downscale, but without its
ringing, which makes the PNGs about 40% smaller. Colour goes under whole areas and
the edges live in the alpha channel only, so there are no dark fringes either.
The text uses Pillow's built-in font (`ImageFont.load_default(size=...)`, needs
FreeType), so every machine draws the same pixels; no system font is looked up.

Run from the repository root (the wrapper provides Python 3.14 and Pillow):
    bash -c 'source scripts/lib/env.sh && run_in_env python \
        scripts/make_brand_images.py'
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/esendex/brand"

SUPERSAMPLE = 4
ICON_SIZE = 256  # icon.png; icon@2x.png is double
LOGO_HEIGHT = 128  # logo.png's shortest side; logo@2x.png is double
MAX_BYTES = 30 * 1024

# Calm teal at the top left, blue at the bottom right.
GRADIENT_START = (23, 178, 164)
GRADIENT_END = (30, 110, 196)
DOT_COLOUR = (255, 255, 255)
# Mid-tone colours that stay readable on light and dark backgrounds alike.
WORD_COLOUR = (37, 120, 180)
SMS_COLOUR = (17, 150, 138)

# The bubble, as fractions of the square it fills: body on top, tail below left.
BODY_BOTTOM = 0.80
CORNER_RADIUS = 0.24
TAIL_LEFT = 0.16
TAIL_RIGHT = 0.44
TAIL_TIP = (0.07, 1.0)
DOT_RADIUS = 0.072
DOT_SPACING = 0.235

# The logo: gap between bubble and text, and the text's cap height, per height.
LOGO_GAP = 0.20
CAP_HEIGHT = 0.30
# Pillow's font has one weight; a thin outline in the same colour makes it semibold.
FAUX_BOLD = 0.022  # of the font size


def _bezier(
    start: tuple[float, float],
    control: tuple[float, float],
    end: tuple[float, float],
    steps: int = 48,
) -> list[tuple[float, float]]:
    """Return points along a quadratic Bézier curve, both ends included."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u * u * start[0] + 2 * u * t * control[0] + t * t * end[0],
                u * u * start[1] + 2 * u * t * control[1] + t * t * end[1],
            )
        )
    return points


def _gradient(size: int) -> Image.Image:
    """Return a square RGB diagonal gradient from GRADIENT_START to GRADIENT_END."""
    down = Image.linear_gradient("L").resize((size, size), Image.Resampling.BICUBIC)
    across = down.transpose(Image.Transpose.ROTATE_90)  # 0 at the left
    ramp = Image.blend(down, across, 0.5)  # 0 at the top left, 255 at bottom right
    channels = [
        ramp.point([round(a + (b - a) * v / 255) for v in range(256)])
        for a, b in zip(GRADIENT_START, GRADIENT_END, strict=True)
    ]
    return Image.merge("RGB", channels)


def _downscaled(mask: Image.Image) -> Image.Image:
    return mask.reduce(SUPERSAMPLE)


def _bubble_masks(size: int) -> tuple[Image.Image, Image.Image]:
    """Return the bubble's shape and its dots as anti-aliased `size` x `size` masks."""
    big = size * SUPERSAMPLE
    shape = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(shape)
    body_bottom = big * BODY_BOTTOM
    draw.rounded_rectangle(
        (0, 0, big - 1, body_bottom), radius=big * CORNER_RADIUS, fill=255
    )
    # The tail: a concave left edge and a straighter right edge meeting at the tip.
    tip = (big * TAIL_TIP[0], big * TAIL_TIP[1] - 1)
    left = (big * TAIL_LEFT, body_bottom - big * 0.06)
    right = (big * TAIL_RIGHT, body_bottom - big * 0.06)
    draw.polygon(
        [
            *_bezier(left, (big * TAIL_LEFT, big * 0.93), tip),
            *_bezier(tip, (big * 0.26, big * 0.95), right),
        ],
        fill=255,
    )

    dots = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(dots)
    centre_x, centre_y = big / 2, body_bottom / 2
    radius = big * DOT_RADIUS
    for offset in (-1, 0, 1):
        x = centre_x + offset * big * DOT_SPACING
        draw.ellipse(
            (x - radius, centre_y - radius, x + radius, centre_y + radius), fill=255
        )
    return _downscaled(shape), _downscaled(dots)


def draw_bubble(size: int) -> Image.Image:
    """Return the speech bubble as a `size` x `size` RGBA image."""
    shape, dots = _bubble_masks(size)
    white = Image.new("RGB", (size, size), DOT_COLOUR)
    bubble = Image.composite(white, _gradient(size), dots)
    bubble.putalpha(shape)
    return bubble


def draw_logo(height: int) -> Image.Image:
    """Return the bubble followed by "Esendex SMS", `height` pixels high."""
    big = height * SUPERSAMPLE
    # Size the font by its cap height, measured on the "E".
    probe = ImageFont.load_default(size=100).getbbox("E")
    font_size = round(100 * big * CAP_HEIGHT / (probe[3] - probe[1]))
    font = ImageFont.load_default(size=font_size)
    stroke = round(font_size * FAUX_BOLD)

    word, space, sms = "Esendex", " ", "SMS"
    word_x = round(big * (1 + LOGO_GAP))
    sms_x = round(word_x + font.getlength(word) + font.getlength(space))
    width_big = sms_x + round(font.getlength(sms)) + 2 * stroke
    # Pad to a multiple of the supersampling factor so that downscaling is exact.
    width_big += -width_big % SUPERSAMPLE
    size = (width_big // SUPERSAMPLE, height)

    # Text centred on the bubble's body, not on body and tail together.
    _, cap_top, _, cap_bottom = font.getbbox("E", anchor="ls")
    baseline_y = big * BODY_BOTTOM / 2 - (cap_top + cap_bottom) / 2
    mask = Image.new("L", (width_big, big), 0)
    draw = ImageDraw.Draw(mask)
    for text, x in ((word, word_x), (sms, sms_x)):
        draw.text(
            (x, baseline_y),
            text,
            font=font,
            fill=255,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=255,
        )

    # Flat colour under the whole of each word, coverage in the alpha channel.
    logo = Image.new("RGB", size, WORD_COLOUR)
    split = round((sms_x - font.getlength(space) / 2) / SUPERSAMPLE)
    logo.paste(SMS_COLOUR, (split, 0, *size))
    logo.putalpha(_downscaled(mask))
    # The bubble's square holds nothing else, so it simply replaces those pixels.
    logo.paste(draw_bubble(height), (0, 0))
    return logo


def trimmed(image: Image.Image) -> Image.Image:
    """Return the image cropped to its visible pixels."""
    box = image.getchannel("A").getbbox()
    if box is None:
        raise ValueError("nothing was drawn")
    return image.crop(box)


def save(image: Image.Image, name: str) -> None:
    """Write an optimised PNG and report its size."""
    path = BRAND_DIR / name
    image.save(path, optimize=True)
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{name} is larger than {MAX_BYTES} bytes")
    print(
        f"{path.relative_to(BRAND_DIR.parent.parent.parent)}: "
        f"{image.width}x{image.height} px, {path.stat().st_size} bytes"
    )


def main() -> None:
    """Draw and save all four images."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    for scale, suffix in ((1, ""), (2, "@2x")):
        icon = draw_bubble(ICON_SIZE * scale)
        # The bubble fills its square edge to edge: trimming must change nothing.
        if trimmed(icon).size != icon.size:
            raise ValueError("the icon has transparent margins")
        save(icon, f"icon{suffix}.png")
        logo = trimmed(draw_logo(LOGO_HEIGHT * scale))
        # The bubble spans the full height, so only the width may be trimmed.
        if logo.height != LOGO_HEIGHT * scale:
            raise ValueError("the logo lost height when trimmed")
        save(logo, f"logo{suffix}.png")


if __name__ == "__main__":
    main()
