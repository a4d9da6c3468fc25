from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionState(models.Model):
    """When the daily retention purge runs next, and who holds the run (backend/core/retention.py).

    Kept in the database so that restarted workers neither forget a run nor repeat one; a worker claims
    the run with a conditional UPDATE on `lease_until` and writes the outcome only while its token holds.
    """

    name = models.CharField(max_length=40, unique=True)
    next_run_at = models.DateTimeField(_("prochain passage"), default=timezone.now)
    last_run_at = models.DateTimeField(_("dernier passage"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("état de la purge de conservation")
        verbose_name_plural = _("état de la purge de conservation")

    def __str__(self) -> str:
        return f"{self.name}: {self.next_run_at:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed on a retry
    (backend/core/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="core_idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
