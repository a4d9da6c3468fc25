"""The outbox rows an observation caused (status messages, agency webhooks, duty-phone SMS), linked to it
so that the retention purge deletes them with it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.agencies import Agency
from alerts.models.observations import Observation


class ObservationDelivery(models.Model):
    """An outbox row caused by an observation: a status message to its author, an agency webhook, an SMS to
    a duty phone. The retention purge deletes those rows with the observation through this key (never by
    matching strings), and an agency's failed webhooks are found through `agency`."""

    delivery = models.OneToOneField(
        "messaging.Delivery", on_delete=models.CASCADE, related_name="observation_link"
    )
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="delivery_links")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery_links"
    )

    class Meta:
        verbose_name = _("envoi lié à un signalement")
        verbose_name_plural = _("envois liés à un signalement")

    def __str__(self) -> str:
        return f"{self.observation_id} → {self.delivery_id}"
