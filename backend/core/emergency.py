"""The emergency line: the one sentence that sends people to the police instead of Vigie, wherever it shows
(API answers, SMS replies, every page's footer). Vigie is not an emergency service; this is said in one place."""

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

# The source text, also what the OpenAPI examples show; translated when used.
EMERGENCY_CALL = gettext_noop("En cas d'urgence, appelez le 17 (ou le 112).")


def emergency_call() -> str:
    return gettext(EMERGENCY_CALL)


def emergency_context(request: HttpRequest) -> dict[str, SafeString]:
    """Template context processor: `{{ emergency_call }}` (our own fixed sentence, so marked safe to keep
    its apostrophe as written)."""
    return {"emergency_call": mark_safe(emergency_call())}  # noqa: S308 - no outside input
