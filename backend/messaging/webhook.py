"""Agency webhooks: a JSON POST; 5xx, 429 and network errors are transient, other 4xx permanent."""

from typing import Any

import requests

from backend.messaging.backends.base import PermanentError, TransientError

TIMEOUT_SECONDS = 10


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    try:
        response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise TransientError(f"webhook unreachable: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After")
        raise TransientError(
            f"webhook answered {response.status_code}",
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    if response.status_code >= 400:
        raise PermanentError(f"webhook refused: HTTP {response.status_code}")
