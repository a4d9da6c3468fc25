"""The API's per-account throttle (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES)."""

from typing import Any

from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's, keyed by the account; a principal that is no account (an agency token) has no primary key
    and names its own bucket (`throttle_ident`), so that tokens do not share one."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = getattr(request.user, "throttle_ident", None)
        if ident:
            return self.cache_format % {"scope": self.scope, "ident": ident}
        return super().get_cache_key(request, view)
