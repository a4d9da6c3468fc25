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


class ConsolePreference(models.Model):
    """What a console user chose once and finds again on any computer: the sound and desktop notifications.

    The sound is on by default: an urgent item must be heard (the browser still waits for a first click or
    key press before it plays anything). Notifications stay off until the person asks for them, because the
    browser's permission is asked from that gesture.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_preference"
    )
    sound = models.BooleanField(_("son"), default=True)
    notifications = models.BooleanField(_("notifications de bureau"), default=False)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("préférence de console")
        verbose_name_plural = _("préférences de console")

    def __str__(self) -> str:
        return str(self.user_id)
