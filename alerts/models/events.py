"""What consoles and clients are told: the event rows that reconnecting consoles replay from, and
the groups each may be shown to (written and published by alerts/events.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """What consoles and clients are told, written in the transaction of the change it announces.

    Published on channel-layer groups after commit; the rows are the truth that reconnecting consoles
    replay from (alerts/events.py).
    """

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    type = models.CharField(_("type"), max_length=60)
    data = models.JSONField(_("données"), default=dict)
    # The observation the event is about, if any: the retention purge deletes the event with it, by key.
    observation = models.ForeignKey(
        "Observation", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )

    class Meta:
        verbose_name = _("événement temps réel")
        verbose_name_plural = _("événements temps réel")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type}"


class EventTarget(models.Model):
    """One group that may see an event ("agency.3", "moderation.1", "user.42"); replay filters on it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="targets")
    group = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["group", "event"], name="event_target_group")]
        constraints = [models.UniqueConstraint(fields=["event", "group"], name="event_target_unique")]

    def __str__(self) -> str:
        return f"{self.group} ← {self.event_id}"
