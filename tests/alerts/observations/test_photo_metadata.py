"""photo_clean keeps the pixels and nothing else: no comment, text chunk, XMP, EXIF or ICC profile
survives re-encoding, in any accepted format."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from alerts.photos import photo_clean

SECRET = "Camille Durand 06 12 34 56 78"
XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>'.encode()


def with_metadata(fmt: str, *, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (64, 48), (200, 30, 30) if mode == "RGB" else 0)
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    icc = b"not-a-real-profile " + SECRET.encode()  # Pillow writes the bytes as given
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", comment=SECRET, xmp=XMP, icc_profile=icc, exif=exif.tobytes())
    elif fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", SECRET)
        text.add_text("Comment", SECRET, zip=True)
        text.add_itxt("Description", SECRET)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options = {"transparency": 0} if mode == "P" else {}
        image.save(buffer, "PNG", pnginfo=text, icc_profile=icc, exif=exif.tobytes(), **options)
    else:
        image.save(buffer, "WEBP", exif=exif.tobytes(), xmp=XMP, icc_profile=icc)
    data = buffer.getvalue()
    assert SECRET.encode() in data or fmt == "PNG"  # the crafted file does carry it (zTXt is compressed)
    return data


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("PNG", "RGB"), ("PNG", "P"), ("WEBP", "RGB")])
def test_no_metadata_survives_reencoding(fmt, mode):
    cleaned = photo_clean(SimpleUploadedFile("photo", with_metadata(fmt, mode=mode)), position=0)
    data = cleaned.content.read()
    assert SECRET.encode() not in data
    assert b"Camille" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt
        assert image.size == (64, 48)
        assert not image.getexif()
        leftovers = set(image.info) - {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
        leftovers -= {"background", "loop", "transparency"}  # what a WebP or palette PNG needs
        assert leftovers == set()
        if mode == "P":
            assert image.info["transparency"] == 0  # transparency is pixels, not metadata


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments, up to the start of the scan."""
    markers, at = [], 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def test_the_jpeg_keeps_only_its_image_segments():
    original = with_metadata("JPEG")
    assert {0xFE, 0xE1, 0xE2} <= set(jpeg_markers(original))  # COM, APP1 (EXIF, XMP), APP2 (ICC)
    data = photo_clean(SimpleUploadedFile("p.jpg", original), position=0).content.read()
    assert set(jpeg_markers(data)) <= {0xE0, 0xDB, 0xC0, 0xC4}  # JFIF, tables, frame, Huffman
