"""Demo data of the observations domain: the two agencies of Les Pennes-Mirabeau, routing, fallback,
operators' memberships and a few observations in several states. Idempotent."""

from collections.abc import Callable
from datetime import time, timedelta

from django.utils import timezone

from alerts import services
from alerts.emergency_selectors import roster_of
from alerts.models import Agency, CommuneAlertSettings, Dispatch, Observation, RoutingRule
from alerts.selectors import category_by_slug
from backend.accounts.models import User
from backend.core.errors import ApplicationError
from backend.territory.models import Commune

PM_NAME = "Police municipale des Pennes-Mirabeau"
PN_NAME = "Commissariat de police nationale"
PM_OPERATORS = ["+33612000011", "+33612000012"]
PN_OPERATORS = ["+33612000013"]
MODERATOR = "+33612000002"

# author phone, channel, category, text, (lat, lon), in progress, minutes ago, what becomes of it
OBSERVATIONS = [
    (
        "+33612000021",
        "app",
        "cambriolage",
        "Deux individus escaladent le portail d'une villa, chemin de la Gavotte. Ils portent des sacs à dos.",
        (43.390, 5.345),
        True,
        4,
        "pending",
    ),
    (
        "+33612000021",
        "app",
        "suspect",
        "Fourgon blanc sans plaque qui tourne depuis une heure autour de l'école des Amandiers.",
        (43.392, 5.315),
        False,
        50,
        "pending",
    ),
    (
        "+33612000031",
        "sms",
        "escroquerie",
        "Faux billet de 50 euros présenté à la caisse ce matin.",
        (43.410, 5.315),
        False,
        120,
        "dispatched",
    ),
    (
        "+33612000032",
        "web",
        "rodeo",
        "Rodéo de motos cross sur le parking du complexe sportif, tous les soirs vers 21 h.",
        (43.415, 5.345),
        False,
        300,
        "acknowledged",
    ),
    (
        "+33612000021",
        "app",
        "degradation",
        "Abribus vandalisé avenue François-Mitterrand.",
        (43.405, 5.285),
        False,
        1500,
        "closed",
    ),
    (
        "+33612000033",
        "sms",
        "autre",
        "Le voisin de la boutique fait trop de bruit avec sa tondeuse le dimanche.",
        (43.425, 5.300),
        False,
        2000,
        "rejected",
    ),
]


def _users(phones: list[str]) -> list[User]:
    return list(User.objects.filter(phone__in=phones))


def _agency(commune: Commune, name: str, kind: str, duty_phone: str, operators: list[str]) -> Agency:
    agency, _created = Agency.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "duty_phone": duty_phone, "ack_minutes_in_progress": 10, "ack_minutes": 60},
    )
    agency.communes.add(commune)
    agency.members.add(*_users(operators))
    return agency


def _emergency_roster(commune: Commune, say: Callable[[str], None]) -> None:
    """The emergency cell's roster: the police municipale's operators, the first with the police nationale's
    as deputy (docs/emergency-cell.md)."""
    moderator = User.objects.filter(phone=MODERATOR).first()
    first, second = (User.objects.filter(phone=phone).first() for phone in PM_OPERATORS)
    deputy = User.objects.filter(phone=PN_OPERATORS[0]).first()
    if moderator is None or first is None or second is None or roster_of(commune_id=commune.pk).exists():
        return
    services.roster_set(commune=commune, actor=moderator, seats=[(first, deputy), (second, None)])
    say("Cellule d'urgence : 2 membres, 1 suppléant")


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    pm = _agency(commune, PM_NAME, Agency.Kind.POLICE_MUNICIPALE, "+33612000090", PM_OPERATORS)
    pn = _agency(commune, PN_NAME, Agency.Kind.POLICE_NATIONALE, "+33612000091", PN_OPERATORS)
    CommuneAlertSettings.objects.update_or_create(commune=commune, defaults={"fallback_agency": pn})
    if not RoutingRule.objects.filter(commune=commune).exists():
        everything = RoutingRule.objects.create(commune=commune, priority=10)
        everything.agencies.add(pm)
        for slug in ("violences", "cambriolage"):
            rule = RoutingRule.objects.create(
                commune=commune, category=category_by_slug(commune=commune, slug=slug), priority=50
            )
            rule.agencies.add(pm, pn)
        night = RoutingRule.objects.create(
            commune=commune,
            priority=40,
            starts_at=time(22),
            ends_at=time(6),
        )
        night.agencies.add(pn)
    say(
        f"Services de police : {pm.name}, {pn.name} ; règles d'orientation : "
        f"{RoutingRule.objects.filter(commune=commune).count()}"
    )

    _emergency_roster(commune, say)

    if Observation.objects.filter(commune=commune).exists():
        say("Signalements de démonstration : déjà là")
        return
    moderator = User.objects.filter(phone=MODERATOR).first()
    operator = User.objects.filter(phone=PM_OPERATORS[0]).first()
    made = 0
    for phone, channel, category, text, (lat, lon), in_progress, minutes, fate in OBSERVATIONS:
        author = User.objects.filter(phone=phone).first()
        if author is None or moderator is None or operator is None:
            continue
        try:
            observation = services.observation_submit(
                author=author,
                channel=channel,
                category=category,
                description=text,
                occurred_at=timezone.now() - timedelta(minutes=minutes),
                latitude=lat,
                longitude=lon,
                in_progress=in_progress,
            )
        except ApplicationError as exc:
            say(f"Signalement de démonstration ignoré ({phone}) : {exc.message}")
            continue
        made += 1
        if fate == "rejected":
            services.observation_reject(
                observation=observation,
                actor=moderator,
                reason="out_of_scope",
                note="Les bruits de voisinage relèvent de la mairie.",
            )
        elif (
            fate in ("dispatched", "acknowledged", "closed")
            and observation.status == Observation.Status.PENDING
        ):
            services.observation_approve(observation=observation, actor=moderator, agencies=[pm.pk])
        if fate in ("acknowledged", "closed"):
            dispatch = Dispatch.objects.filter(observation=observation).select_related("agency").first()
            if dispatch is None:
                continue
            operator = dispatch.agency.members.first() or operator
            services.dispatch_acknowledge(dispatch=dispatch, actor=operator)
            if fate == "closed":
                services.dispatch_close(dispatch=dispatch, actor=operator, outcome="procedure")
    say(f"Signalements de démonstration : {made}")
