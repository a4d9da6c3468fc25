"""A recipient's inbox: marking a notification read."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Notification
from backend.accounts.models import User
from backend.core.errors import Forbidden


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    if notification.user_id != user.pk:
        raise Forbidden(_("Ce message ne vous est pas destiné."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
