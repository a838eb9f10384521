"""Provider headshots: check what was uploaded by decoding it, crop to a square, re-encode.

Re-encoding strips every piece of metadata (EXIF location, camera serials) and any payload hidden
after the image data; the fixed size lets the page reserve the picture's space (no layout shift).
"""

from __future__ import annotations

import io
import math
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: bigger is a decompression bomb or not a headshot
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
SIZE = 320  # px square; shown at 160 CSS px, sharp on 2× screens
JPEG_QUALITY = 84


def process_headshot(upload: UploadedFile) -> tuple[ContentFile, int, int]:
    """Validate and normalise an uploaded headshot → (JPEG file, width, height). Raises ValidationError."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Choose a smaller picture.",
            code="too_big",
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.", code="too_big"
        )
    kinds = ", ".join(ACCEPTED_FORMATS.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise ValidationError(
                    f"This is a {fmt or 'unknown'} file; upload a {kinds} picture.", code="bad_type"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    f"The picture is {probe.width}×{probe.height} pixels; the limit is "
                    f"{MAX_PIXELS // 1_000_000} megapixels.",
                    code="too_many_pixels",
                )
            probe.verify()  # checks the whole file's structure; the image must be reopened after
            img = Image.open(io.BytesIO(data))
            img.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            f"The file could not be read as a picture ({type(exc).__name__}); upload a {kinds} picture.",
            code="unreadable",
        ) from exc
    img = ImageOps.exif_transpose(img)
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img.convert("RGBA"), mask=img.convert("RGBA").split()[-1])
        img = background
    img = ImageOps.fit(
        img.convert("RGB"), (SIZE, SIZE), method=Image.Resampling.LANCZOS, centering=(0.5, 0.4)
    )
    return _jpeg(img), SIZE, SIZE


def _jpeg(img: Image.Image) -> ContentFile:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.jpg")


def illustrated_avatar(seed: str) -> ContentFile:
    """A simple drawn portrait (not a photo) for demo providers: same seed, same picture."""
    import random

    rng = random.Random(seed)
    s = SIZE
    backgrounds = [(214, 230, 242), (222, 238, 228), (240, 230, 214), (232, 226, 242)]
    skins = [(141, 85, 36), (198, 134, 66), (224, 172, 105), (241, 194, 125), (92, 58, 33)]
    hairs = [(35, 28, 24), (70, 45, 30), (20, 20, 22), (120, 90, 60)]
    img = Image.new("RGB", (s, s), rng.choice(backgrounds))
    d = ImageDraw.Draw(img)
    skin, hair, shirt = rng.choice(skins), rng.choice(hairs), (29, 92, 143)
    # shoulders and collar
    d.ellipse((40, 230, 280, 420), fill=shirt)
    d.polygon([(130, 232), (160, 275), (190, 232)], fill=(245, 245, 245))
    d.rectangle((142, 190, 178, 240), fill=skin)  # neck
    # head and hair
    d.ellipse((95, 70, 225, 215), fill=skin)
    d.chord((90, 55, 230, 170), 180, 360, fill=hair)
    d.ellipse((86, 125, 104, 160), fill=skin)
    d.ellipse((216, 125, 234, 160), fill=skin)
    # glasses, eyes, smile
    for cx in (133, 187):
        d.ellipse((cx - 20, 128, cx + 20, 160), outline=(40, 40, 40), width=4)
        d.ellipse((cx - 5, 139, cx + 5, 149), fill=(40, 40, 40))
    d.line((153, 144, 167, 144), fill=(40, 40, 40), width=4)
    smile = (70, 30, 30) if sum(skin) > 400 else (245, 225, 215)
    d.arc((135, 160, 185, 195), 20, 160, fill=smile, width=4)
    # a stethoscope, drawn as a curve over the collar
    pts = [(110 + 100 * t, 265 + 30 * math.sin(math.pi * t)) for t in (i / 20 for i in range(21))]
    d.line(pts, fill=(60, 60, 60), width=5)
    d.ellipse((200, 285, 222, 307), fill=(150, 150, 150), outline=(60, 60, 60), width=3)
    return _jpeg(img)
