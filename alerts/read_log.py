"""The officers' read log: every observation served to a staff member, whatever the door, one row each.

Doors call `observation_reads_record(...)` with what they served (lists too: one bulk insert per
request); the console socket collects what it sent and writes it at each heartbeat and when it closes.
A data-protection officer exports the log for one observation, one officer or one reporter
(`observation_reads_for`, CSV through the API or the admin).
"""

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from alerts import access
from alerts.models import AgencyTokenPrincipal, Observation, ObservationRead
from alerts.models.agency_tokens import actor_token
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.spreadsheet import csv_safe


def observation_reads_record(
    *,
    actor: Any,
    observations: Iterable[Observation],
    door: str,
    view: str,
    ip: str | None = None,
    at: datetime | None = None,
) -> int:
    """Logs that `actor` (a staff member, or an agency's system through its token) was served these
    observations. Authors reading their own are not officers: nothing is logged for them."""
    if not (access.is_staff(actor) or access.is_agency_token(actor)):
        return 0
    when = at or timezone.now()
    rows = [
        ObservationRead(
            at=when,
            actor_id=actor.pk,
            agency_token=actor_token(actor),
            commune_id=observation.commune_id,
            observation_id=observation.pk,
            reference=observation.reference,
            author_id=observation.author_id,
            door=door,
            view=view,
            ip=ip,
        )
        for observation in {observation.pk: observation for observation in observations}.values()
        if observation.author_id != actor.pk
    ]
    ObservationRead.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def observation_reads_record_ids(*, actor: Any, observation_ids: Iterable[int], door: str, view: str) -> int:
    """The same, from observation ids only (the socket knows the ids of the events it sent)."""
    ids = set(observation_ids)
    if not ids:
        return 0
    observations = Observation.objects.filter(pk__in=ids).only("pk", "commune_id", "reference", "author_id")
    return observation_reads_record(actor=actor, observations=observations, door=door, view=view)


def observation_reads_for(
    *,
    user: User,
    observation: int | None = None,
    officer: int | None = None,
    author: int | None = None,
) -> QuerySet[ObservationRead]:
    """The reads a commune admin may export: their commune's, for one observation, officer or reporter."""
    commune_id = access.read_log_commune(user)
    if commune_id is None:
        return ObservationRead.objects.none()
    rows = ObservationRead.objects.filter(commune_id=commune_id).select_related("actor", "agency_token")
    if observation is not None:
        rows = rows.filter(observation_id=observation)
    if officer is not None:
        rows = rows.filter(actor_id=officer)
    if author is not None:
        rows = rows.filter(author_id=author)
    return rows.order_by("at", "id")


CSV_HEADER = ["date", "signalement", "référence", "agent (id)", "agent", "rôle", "accès", "vue", "adresse IP"]


def observation_reads_csv(rows: Iterable[ObservationRead]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_HEADER)
    for row in rows:
        actor, token = row.actor, row.agency_token
        writer.writerow(
            [
                timezone.localtime(row.at).isoformat(),
                row.observation_id,
                row.reference,
                row.actor_id or "",
                csv_safe(actor.display_name) if actor else csv_safe(token.label) if token else "",
                actor.role if actor else AgencyTokenPrincipal.role if token else "",
                row.get_door_display(),
                row.view,
                row.ip or "",
            ]
        )
    return buffer.getvalue()


def observation_reads_export(*, user: User, rows: QuerySet[ObservationRead], filters: dict[str, Any]) -> str:
    """The CSV of these rows; the export itself is audited (who exported what)."""
    content = observation_reads_csv(rows)
    audit_record(
        actor=user,
        action="observation_reads.exported",
        extra={"filters": {key: value for key, value in filters.items() if value is not None}},
    )
    return content
