"""The art. 30 register entry of Vigie for a commune (JSON, ODT through odfpy, PDF through WeasyPrint).

Its categories of personal data are the retention registry's rules (backend/core/retention.py), each
described by DESCRIPTIONS below: a table registered without a description stops the register
(`RegisterIncomplete`), and tests/privacy/test_register.py compares the two, so that no table with personal
data escapes the register."""

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from alerts.console.sheet import incident_sheet_pdf
from alerts.privacy.notice import privacy_notice
from backend.core.retention import retention_rules
from backend.territory.models import Commune

# Who the data is about.
REFERENTS = gettext_lazy("référents")
SHOPKEEPERS = gettext_lazy("commerçants")
STAFF = gettext_lazy("agents (modérateurs, policiers, administrateurs, instances)")
NAMED = gettext_lazy("personnes citées dans les signalements")
REQUESTERS = gettext_lazy("personnes qui exercent leurs droits")
SENDERS = gettext_lazy("expéditeurs de SMS")
RESIDENTS = gettext_lazy("habitants destinataires des alertes")
HOLIDAY_RESIDENTS = gettext_lazy("habitants inscrits à l'Opération Tranquillité Vacances, leurs contacts")
PARTNERS = gettext_lazy("membres et partenaires des cellules de veille")

# Per retention rule: (the data it holds, the people it is about).
DESCRIPTIONS: dict[str, tuple[StrOrPromise, tuple[StrOrPromise, ...]]] = {
    "core.idempotency": (
        gettext_lazy("réponses d'API rejouables (peuvent contenir un signalement)"),
        (REFERENTS, SHOPKEEPERS),
    ),
    "accounts.phone_codes": (
        gettext_lazy("numéro de téléphone, code de connexion, adresse IP"),
        (REFERENTS, SHOPKEEPERS, SENDERS),
    ),
    "accounts.signin_log": (gettext_lazy("connexions : compte, adresse IP, navigateur, date"), (STAFF,)),
    "accounts.signin_attempts": (gettext_lazy("échecs de connexion : identifiant, adresse IP"), (STAFF,)),
    "accounts.signin_failures": (gettext_lazy("journal des échecs de connexion"), (STAFF,)),
    "accounts.sessions": (gettext_lazy("sessions de connexion"), (STAFF, REFERENTS, SHOPKEEPERS)),
    "accounts.token_families": (
        gettext_lazy("jetons de connexion de l'application"),
        (REFERENTS, SHOPKEEPERS, STAFF),
    ),
    "accounts.refresh_tokens": (gettext_lazy("jetons de rafraîchissement"), (REFERENTS, SHOPKEEPERS, STAFF)),
    "audit.ip": (
        gettext_lazy("journal d'audit : auteur d'une action, adresse IP"),
        (STAFF, REFERENTS, SHOPKEEPERS),
    ),
    "audit.admin_log": (gettext_lazy("historique des modifications dans l'administration"), (STAFF,)),
    "messaging.deliveries": (
        gettext_lazy("messages envoyés : destinataire, numéro, texte"),
        (REFERENTS, SHOPKEEPERS, RESIDENTS, REQUESTERS),
    ),
    "messaging.devices_inactive": (
        gettext_lazy("appareils (jeton de notification)"),
        (REFERENTS, SHOPKEEPERS),
    ),
    "alerts.events": (gettext_lazy("événements de la console (vue police des signalements)"), (NAMED, STAFF)),
    "alerts.notifications": (gettext_lazy("boîte de réception : messages reçus"), (REFERENTS, SHOPKEEPERS)),
    "alerts.observation_reads": (
        gettext_lazy("qui a lu quel signalement, quand, par quelle porte"),
        (STAFF,),
    ),
    "alerts.observation_ip": (
        gettext_lazy("adresse IP de l'auteur d'un signalement"),
        (REFERENTS, SHOPKEEPERS),
    ),
    "alerts.observations_unfinished": (
        gettext_lazy("signalements : faits, lieu, photos, auteur ; données d'infraction (art. 10)"),
        (REFERENTS, SHOPKEEPERS, NAMED),
    ),
    "alerts.observations_finished": (
        gettext_lazy("signalements terminés : faits, lieu, photos, auteur ; données d'infraction (art. 10)"),
        (REFERENTS, SHOPKEEPERS, NAMED),
    ),
    "broadcasts.recipients": (
        gettext_lazy("destinataires des alertes diffusées"),
        (REFERENTS, SHOPKEEPERS, RESIDENTS),
    ),
    "privacy.rights_requests": (
        gettext_lazy("demandes d'exercice des droits : nom, contact, justificatif annoncé, décision"),
        (REQUESTERS,),
    ),
    "neighbours.invitations_expired": (gettext_lazy("invitations : numéro de téléphone"), (REFERENTS,)),
    "neighbours.referents_refused": (
        gettext_lazy("candidatures refusées : identité, adresse, secteur"),
        (REFERENTS,),
    ),
    "neighbours.referents_ended": (
        gettext_lazy("référents en fin de mission : identité, adresse, secteur"),
        (REFERENTS,),
    ),
    "commerces.inbound_sms": (gettext_lazy("SMS reçus : numéro, texte"), (SHOPKEEPERS, SENDERS, NAMED)),
    "commerces.shop_applications": (
        gettext_lazy("demandes d'inscription : commerce, gérant, téléphone"),
        (SHOPKEEPERS,),
    ),
    "commerces.shopkeepers_ended": (gettext_lazy("comptes de commerçants partis"), (SHOPKEEPERS,)),
    "holiday_watch.requests": (
        gettext_lazy(
            "demandes de tranquillité vacances : adresse, dates d'absence, alarme, personne à prévenir, "
            "visiteurs autorisés, clés confiées, téléphone"
        ),
        (HOLIDAY_RESIDENTS,),
    ),
    "holiday_watch.passes": (
        gettext_lazy("passages de patrouille : heure, agent, constat, photos"),
        (HOLIDAY_RESIDENTS, STAFF),
    ),
    "video.register": (
        gettext_lazy(
            "registre de vidéoprotection : demandes d'images (officier, réquisition), extractions "
            "(destinataire, empreinte), destructions"
        ),
        (STAFF, NAMED),
    ),
    "watch_cell.meetings": (
        gettext_lazy("réunions de la cellule de veille : participants (nom, e-mail), actions et pilotes"),
        (PARTNERS, STAFF),
    ),
    "alerts.emergency_activations": (
        gettext_lazy(
            "activations de la cellule de veille d'urgence : demandeur (qualité, nom), motif, journal, "
            "confirmations des membres"
        ),
        (STAFF, PARTNERS),
    ),
}

SECURITY_MEASURES = (
    gettext_lazy("Agents et instances : mot de passe et second facteur (TOTP) à chaque connexion."),
    gettext_lazy(
        "Une seule politique d'accès (alerts/access.py) ; matrice des permissions vérifiée par les tests."
    ),
    gettext_lazy(
        "La police ne reçoit que la version relue des signalements, jamais l'auteur ni son contact."
    ),
    gettext_lazy("Chaque lecture d'un signalement par un agent est journalisée (journal des lectures)."),
    gettext_lazy("Chaque action est tracée dans le journal d'audit (sans valeur personnelle)."),
    gettext_lazy("Purge quotidienne selon les durées de conservation ; statistiques agrégées seulement."),
    gettext_lazy("Photos stockées hors de tout dossier public, servies après contrôle d'accès."),
    gettext_lazy("Une commune ne voit jamais les données d'une autre."),
    gettext_lazy("Limitation des envois de SMS et des tentatives de connexion (verrouillage)."),
)


class RegisterIncomplete(Exception):
    """A retention rule (a table with personal data) that the register does not describe."""


def missing_descriptions() -> list[str]:
    return [rule.name for rule in retention_rules() if rule.name not in DESCRIPTIONS]


def data_categories(commune: Commune) -> list[dict[str, Any]]:
    missing = missing_descriptions()
    if missing:
        raise RegisterIncomplete(
            f"Décrivez ces données dans alerts/privacy/register.py DESCRIPTIONS : {', '.join(missing)}"
        )
    periods = {row["rule"]: row["period"] for row in privacy_notice(commune)["retention"]}
    categories = []
    for rule in retention_rules():
        data, people = DESCRIPTIONS[rule.name]
        categories.append(
            {
                "rule": rule.name,
                "label": str(rule.label),
                "data": str(data),
                "people": [str(person) for person in people],
                "retention": periods[rule.name],
                "setting": rule.setting,
            }
        )
    return categories


def register_entry(commune: Commune) -> dict[str, Any]:
    """The register entry (art. 30-1): a JSON-ready dict."""
    notice = privacy_notice(commune)
    categories = data_categories(commune)
    people = sorted({person for category in categories for person in category["people"]})
    return {
        "processing": _(
            "Vigie : signalements « Participation citoyenne » et commerces, transmission à la police"
        ),
        "commune": notice["commune"],
        "controller": notice["controller"],
        "controller_address": notice["controller_address"],
        "dpo": notice["dpo"],
        "purposes": [str(purpose) for purpose in notice["purposes"]],
        "legal_basis": [str(basis) for basis in notice["legal_basis"]],
        "people": people,
        "data_categories": categories,
        "recipients": [str(recipient) for recipient in notice["recipients"]],
        "transfers": _("aucun"),
        "security_measures": [str(measure) for measure in SECURITY_MEASURES],
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


def register_odt(entry: dict[str, Any]) -> bytes:
    """The entry as an OpenDocument text (odfpy)."""
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()

    def heading(text: str) -> None:
        document.text.addElement(H(outlinelevel=2, text=text))

    def para(text: str) -> None:
        document.text.addElement(P(text=text))

    document.text.addElement(H(outlinelevel=1, text=_("Registre des activités de traitement (art. 30)")))
    para(entry["processing"])
    heading(_("Responsable du traitement"))
    para(entry["controller"])
    if entry["controller_address"]:
        para(entry["controller_address"])
    heading(_("Délégué à la protection des données"))
    para(" — ".join(value for value in (entry["dpo"]["email"], entry["dpo"]["postal_address"]) if value))
    for title, key in (
        (_("Finalités"), "purposes"),
        (_("Bases légales"), "legal_basis"),
        (_("Personnes concernées"), "people"),
        (_("Destinataires"), "recipients"),
        (_("Mesures de sécurité"), "security_measures"),
    ):
        heading(title)
        for line in entry[key]:
            para(f"• {line}")
    heading(_("Catégories de données et durées de conservation"))
    for category in entry["data_categories"]:
        para(
            f"• {category['label']} : {category['data']} ({', '.join(category['people'])}) — "
            f"{category['retention']}"
        )
    heading(_("Transferts hors de l'Union européenne"))
    para(entry["transfers"])
    para(_("Généré le %(date)s") % {"date": entry["generated_at"]})
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def register_pdf(html: str) -> bytes:
    """The entry's printable page (privacy/register.html) as a PDF, as the console prints its sheets."""
    return incident_sheet_pdf(html)
