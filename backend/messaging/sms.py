from backend.messaging.backends import get_sms_backend


def send_sms_now(to: str, body: str, *, sender: str = "") -> str:
    """Sends at once, outside the outbox: only for messages that are worthless if late (login codes)."""
    return get_sms_backend().send(to, body, sender=sender)
