"""Photo checks and re-encoding: the format is read from the content; no metadata survives (EXIF/GPS, XMP,
comments, text chunks, ICC profiles), only the pixels."""

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.core.errors import ApplicationError

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile[bytes]
    content_type: str
    width: int
    height: int
    size: int


def photos_check_count(photos: Sequence[UploadedFile]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ApplicationError(_("%(max)d photos au plus.") % {"max": MAX_PHOTOS}, field="photos")


def photo_clean(upload: UploadedFile, *, position: int) -> CleanPhoto:
    """Checks one upload (size, real format) and returns it re-encoded without metadata."""
    size = upload.size or 0
    if size > MAX_PHOTO_BYTES:
        raise ApplicationError(_("Photo %(n)d : 10 Mo au plus.") % {"n": position + 1}, field="photos")
    not_an_image = ApplicationError(
        _("Photo %(n)d : ce fichier n'est pas une image JPEG, PNG ou WebP.") % {"n": position + 1},
        field="photos",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.format not in FORMATS:
                    raise not_an_image
                if probe.width * probe.height > MAX_PIXELS:
                    raise not_an_image
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                fmt = image.format or "JPEG"
                image.load()
                cleaned = ImageOps.exif_transpose(image)
                if fmt == "JPEG" and cleaned.mode not in ("RGB", "L"):
                    cleaned = cleaned.convert("RGB")
                # Pillow writes some of what it read back (a JPEG comment, a PNG's ICC profile): only the
                # pixels and their transparency go on. ICC profiles go too (they name devices and makers;
                # a wide-gamut photo then looks a little duller, which an incident photo can afford).
                cleaned.info = {key: value for key, value in cleaned.info.items() if key == "transparency"}
                buffer = io.BytesIO()
                options: dict[str, object] = {"optimize": True} if fmt in ("JPEG", "PNG") else {}
                if fmt == "JPEG":
                    options["quality"] = 85
                cleaned.save(buffer, format=fmt, **options)
    except ApplicationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise not_an_image from exc
    content_type, extension = FORMATS[fmt]
    data = buffer.getvalue()
    return CleanPhoto(
        content=ContentFile(data, name=f"photo.{extension}"),
        content_type=content_type,
        width=cleaned.width,
        height=cleaned.height,
        size=len(data),
    )
