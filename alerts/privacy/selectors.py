"""Reads for the rights requests: the commune a notice is about, and the reports a request may concern."""

from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from alerts.models import Observation
from backend.territory.models import Commune


def notice_commune(code: str | None, *, user: Any = None) -> Commune | None:
    """The commune a notice is about: `?commune=` (INSEE code or identifier), else the signed-in user's,
    else the installation's only one (None: the visitor picks among several)."""
    if code:
        return Commune.objects.filter(Q(insee_code=code) | Q(slug=code)).first()
    commune_id = getattr(user, "commune_id", None)
    if commune_id is not None:
        return Commune.objects.filter(pk=commune_id).first()
    communes = list(Commune.objects.all()[:2])
    return communes[0] if len(communes) == 1 else None


def communes_listed() -> QuerySet[Commune]:
    return Commune.objects.order_by("name")


def reports_matching(
    *, commune_id: int, reference: str = "", start: date | None = None, end: date | None = None
) -> QuerySet[Observation]:
    """The commune's reports that a request points to, by reference or by the period of the facts: their
    references, dates and state only are shown to the office (reading them is the moderators' work)."""
    rows = Observation.objects.filter(commune_id=commune_id)
    if reference:
        return rows.filter(reference__iexact=reference.strip())
    if start is None and end is None:
        return rows.none()
    zone = timezone.get_current_timezone()
    if start is not None:
        rows = rows.filter(occurred_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        rows = rows.filter(occurred_at__lte=datetime.combine(end, time.max, tzinfo=zone))
    return rows.order_by("occurred_at")
