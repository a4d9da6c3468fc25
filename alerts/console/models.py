from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsoleConnection(models.Model):
    """One open console socket, in whichever daphne process holds it: presence counts these rows.

    A user with two tabs (or two processes) has two rows and stays "connected" until the last one
    closes. Rows of a process that died without closing go stale (`seen_at` stops moving with the
    heartbeat) and are pruned by a periodic job.
    """

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_connections"
    )
    connected_at = models.DateTimeField(_("connecté le"), default=timezone.now)
    seen_at = models.DateTimeField(_("vu le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("connexion à la console")
        verbose_name_plural = _("connexions à la console")
        ordering = ["-connected_at"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.channel_name}"
