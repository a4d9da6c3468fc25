from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only. People appear by id only, so erasing a person leaves the trail whole.

    save() and delete() refuse to change a row. One change is made on purpose, by a queryset update that
    bypasses them: the retention purge clears `ip` once AUDIT_IP_RETENTION_DAYS have passed
    (backend/audit/retention.py); the rest of the row stays.
    """

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("acteur (id)"), null=True, blank=True, db_index=True)
    actor_role = models.CharField(_("rôle de l'acteur"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=80, blank=True)
    object_id = models.CharField(_("identifiant d'objet"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("champs modifiés"), default=list, blank=True)
    # Non-personal context only: statuses, reasons from a list, counts.
    extra = models.JSONField(_("contexte"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("événements d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("AuditEvent rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("AuditEvent rows are append-only.")
