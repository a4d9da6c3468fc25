"""Participation Citoyenne in Les Pennes-Mirabeau: the protocol, charter v1, referents in several states."""

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector
from neighbours.models import (
    Application,
    Charter,
    Invitation,
    PoliceForce,
    Protocol,
    Referent,
    ReferentStatusChange,
)

CHARTER_V1 = """Charte du référent « Participation Citoyenne » — commune des Pennes-Mirabeau

1. Le référent est un habitant volontaire, désigné par le maire, qui veille sur son secteur.
2. Il observe et signale à la police ce qui lui paraît inhabituel : véhicules ou personnes au comportement
   suspect, démarchages douteux, dégradations. Il ne s'interpose jamais et ne mène aucune enquête.
3. En cas d'infraction en cours, il appelle le 17 (ou le 112) avant toute autre démarche.
4. Il relaie auprès de ses voisins les conseils de prévention de la police et de la mairie.
5. Il respecte la vie privée de chacun : il ne signale que des faits, jamais des personnes pour ce
   qu'elles sont, et ne diffuse rien de ce qu'il apprend.
6. Il peut mettre fin à sa mission à tout moment ; la mairie peut la suspendre ou y mettre fin."""

# phone, sector slug, status, trusted
REFERENTS = [
    ("+33612000021", "la-gavotte", Referent.Status.ACTIVE, True),
    ("+33612000022", "les-amandiers", Referent.Status.PENDING, False),
    ("+33612000023", "centre", Referent.Status.SUSPENDED, False),
]
INVITED_PHONE = "+33612000024"
INVITATION_CODE = "DEMOPMB4"


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    protocol, created = Protocol.objects.get_or_create(
        commune=commune,
        starts_on=date(2025, 1, 1),
        defaults={
            "signed_on": date(2024, 12, 10),
            "ends_on": date(2027, 12, 31),
            "police_force": PoliceForce.POLICE_NATIONALE,
            "police_unit": "Commissariat de police nationale de Vitrolles",
        },
    )
    say(
        f"{'Créé' if created else 'Déjà là'} : protocole Participation Citoyenne jusqu'au {protocol.ends_on:%d/%m/%Y}"
    )
    charter, _created = Charter.objects.get_or_create(
        commune=commune, version=1, defaults={"text": CHARTER_V1}
    )
    coordinator = User.objects.filter(commune=commune, role=Role.MODERATOR).order_by("id").first()
    sectors = {sector.slug: sector for sector in Sector.objects.filter(commune=commune)}

    for phone, slug, status, trusted in REFERENTS:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            continue
        referent, created = Referent.objects.get_or_create(
            user=user,
            defaults={
                "commune": commune,
                "sector": sectors[slug],
                "status": status,
                "trusted": trusted,
                "source": Referent.Source.APPLICATION
                if status == Referent.Status.PENDING
                else Referent.Source.INVITATION,
                "charter_version": charter.version if status != Referent.Status.PENDING else None,
                "charter_accepted_at": timezone.now() if status != Referent.Status.PENDING else None,
            },
        )
        if created:
            ReferentStatusChange.objects.create(
                referent=referent, actor=user, to_status=Referent.Status.PENDING
            )
            if status != Referent.Status.PENDING:
                ReferentStatusChange.objects.create(
                    referent=referent,
                    actor=coordinator,
                    from_status="pending",
                    to_status=Referent.Status.ACTIVE,
                )
            if status == Referent.Status.SUSPENDED:
                ReferentStatusChange.objects.create(
                    referent=referent,
                    actor=coordinator,
                    from_status="active",
                    to_status=status,
                    reason="Démonstration : absence prolongée signalée par la mairie.",
                )
        if status == Referent.Status.PENDING:
            Application.objects.get_or_create(
                referent=referent,
                defaults={"motivation": "Retraitée, je connais tous les voisins du quartier des Amandiers."},
            )
    Invitation.objects.get_or_create(
        code=INVITATION_CODE,
        defaults={
            "commune": commune,
            "sector": sectors["les-cadeneaux"],
            "phone": INVITED_PHONE,
            "display_name": "Inès Invitée",
            "invited_by": coordinator,
            "expires_at": timezone.now() + timedelta(days=14),
        },
    )
    say(
        "Référents : Rachid actif (de confiance), Rose en attente (candidature), René suspendu ; "
        f"invitation {INVITATION_CODE} pour {INVITED_PHONE}"
    )
