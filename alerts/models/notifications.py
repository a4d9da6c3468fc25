"""What a person was told (status updates, broadcasts): their inbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models.observations import Observation


class Notification(models.Model):
    """What a person was told (status updates, broadcasts): their inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("nature"), max_length=40, db_index=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    data = models.JSONField(_("données"), default=dict, blank=True)
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title
