"""Each sender's standing: rejections counted, flagged to the coordinator, blocked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SenderStanding(models.Model):
    """Rejections of a sender; flagged to the coordinator past a threshold, who may block them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing")
    rejections = models.PositiveIntegerField(_("signalements non retenus"), default=0)
    flagged_at = models.DateTimeField(_("signalé au coordonnateur le"), null=True, blank=True)
    blocked_at = models.DateTimeField(_("bloqué le"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    block_reason = models.CharField(_("motif du blocage"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fiabilité d'un expéditeur")
        verbose_name_plural = _("fiabilité des expéditeurs")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.rejections}"
