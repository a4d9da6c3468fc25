"""Form fields for text that people type on Vigie's web pages."""

from typing import Any

from django import forms

from backend.core.text import text_neutralise


class NeutralCharField(forms.CharField):
    """A CharField whose text is neutralised (backend/core/text.py: no bidi, invisible or control
    characters) before it is validated and stored."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not isinstance(text, str):
            return text
        text = text_neutralise(text)
        return text.strip() if self.strip else text
