"""What neighbours keeps about people whose role ended, and for how long (kernel's retention registry)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Role, User
from backend.accounts.personal_data import account_erase
from backend.core.errors import Forbidden
from backend.core.retention import register_retention
from neighbours.models import Invitation, Referent, ReferentStatusChange

# Referents whose account is still whole (an erased one has nothing left to purge).
_NOT_ERASED = Q(user__erased_at__isnull=True, user__role=Role.REFERENT, user__is_superuser=False)


def referents_erase(rows: QuerySet[Referent]) -> int:
    """Erases the accounts with the kernel's eraser (as if they asked): phone, name, devices, free texts
    go; their observations and the trail of their mission stay, linked to « référent supprimé », without
    the coordinator's reasons (words about the person)."""
    erased = 0
    for referent_id, user_id in rows.values_list("pk", "user_id"):
        user = User.objects.get(pk=user_id)
        try:
            account_erase(user=user, retention=True)
        except Forbidden:  # erased meanwhile (another run, the person)
            continue
        ReferentStatusChange.objects.filter(referent_id=referent_id).update(reason="")
        erased += 1
    return erased


def register() -> None:
    """Called from NeighboursConfig.ready()."""
    # An invitation nobody accepted: a phone number and a name, useless once expired.
    register_retention(
        "neighbours.invitations_expired",
        label=_("Invitations de référents expirées"),
        model=Invitation,
        setting="INVITATION_RETENTION_DAYS",
        age_field="expires_at",
        scope=Q(accepted_at__isnull=True),
    )
    # Referents refused or at the end of their mission: their accounts are erased, each after its period.
    for name, label, status, setting in (
        (
            "neighbours.referents_refused",
            _("Candidatures de référents refusées"),
            Referent.Status.REFUSED,
            "REFERENT_REFUSED_RETENTION_DAYS",
        ),
        (
            "neighbours.referents_ended",
            _("Référents en fin de mission"),
            Referent.Status.ENDED,
            "REFERENT_ENDED_RETENTION_DAYS",
        ),
    ):
        register_retention(
            name,
            label=label,
            model=Referent,
            setting=setting,
            age_field="status_changed_at",
            scope=Q(status=status) & _NOT_ERASED,
            erase=referents_erase,
        )
