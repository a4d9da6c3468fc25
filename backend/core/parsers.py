"""The API's request parsers: DRF's, with two guards at the door.

- JSON nested deeper than MAX_JSON_DEPTH is refused with a 400 before it is decoded (Python's decoder
  recurses: thousands of `[` ended in a RecursionError, a 500).
- Every string of a JSON body or a form (field values; files are photos, re-encoded elsewhere) is
  neutralised (backend/core/text.py): no bidi, invisible or control characters reach a service.

REST_FRAMEWORK's DEFAULT_PARSER_CLASSES names them; views that list their own parsers import them here.
"""

import codecs
import re
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from backend.core.text import data_neutralise, is_secret_field, text_neutralise

# Deep enough for any document of the API (the deepest, a sector's polygon, is 4), far below the decoder's
# recursion limit.
MAX_JSON_DEPTH = 32
# A JSON string (with its escapes) or a bracket; what is between them does not nest.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, *, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON `text` nests arrays and objects more than `limit` levels deep (brackets inside
    strings do not count). Cheap: a regular expression, no recursion, and nothing to scan for a text with
    fewer opening brackets than the limit."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        found = match.group()
        if found in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif found in ("]", "}"):
            depth -= 1
    return False


def _encoding(parser_context: dict[str, Any]) -> str:
    """The request's charset, a text one only (as DRF's own parsers check: a bytes-to-bytes codec such as
    bz2_codec would inflate a small body)."""
    encoding = str(parser_context.get("encoding", settings.DEFAULT_CHARSET))
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError) as exc:
        raise ParseError(f'Unsupported charset "{encoding}" in request Content-Type header.') from exc
    return encoding


def too_deep_message() -> str:
    return _("JSON trop imbriqué : %(max)d niveaux au plus.") % {"max": MAX_JSON_DEPTH}


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = _encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # undecodable bytes
            raise ParseError(f"JSON parse error - {exc}") from exc
        if json_too_deep(text):
            raise ParseError(too_deep_message())
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return data_neutralise(data)


def _form_neutralise(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        kept = values if is_secret_field(key) else [text_neutralise(value) for value in values]
        cleaned.setlist(text_neutralise(key), kept)
    cleaned._mutable = False
    return cleaned


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return _form_neutralise(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(_form_neutralise(parsed.data), parsed.files)


def message_decode(text: str) -> Any:
    """A websocket client's JSON message with its strings neutralised; None when it is not JSON or nests
    too deep (the consumer answers an error instead of crashing on it)."""
    if json_too_deep(text):
        return None
    try:
        return data_neutralise(json.loads(text))
    except ValueError:
        return None
