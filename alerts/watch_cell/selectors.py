"""Reads of the watch cell: the agenda of actions a meeting carries."""

from django.db.models import Q, QuerySet

from alerts.watch_cell.models import Action, Meeting


def meeting_actions(meeting: Meeting) -> QuerySet[Action]:
    """The actions on a meeting's agenda: its own, and those of earlier meetings of its commune that were
    still open on its date (open now, or closed since)."""
    earlier = Q(meeting__held_on__lt=meeting.held_on) | Q(
        meeting__held_on=meeting.held_on, meeting_id__lt=meeting.pk
    )
    still_open = Q(status=Action.Status.OPEN) | Q(closed_at__date__gte=meeting.held_on)
    return (
        Action.objects.filter(meeting__commune_id=meeting.commune_id)
        .filter(Q(meeting=meeting) | (earlier & still_open))
        .select_related("meeting", "owner_member__user", "sector")
        .order_by("-status", "due_on", "id")  # open first
    )
