"""The privacy notice of a commune (RGPD art. 13 and 14), built from the running settings: the page
/confidentialite/ and the API's GET /api/v1/privacy/ serve the same dict.

Retention periods come from the retention registry (backend/core/retention.py) and the live settings, so
changing a period changes the notice; the recipients are the commune's named agencies in the database."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts.models import Agency, CommuneAlertSettings
from backend.core.retention import RetentionRule, retention_rules
from backend.territory.models import Commune

CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/plaintes"
# The rule whose period a commune may set itself (CommuneAlertSettings.retention_days).
COMMUNE_PERIOD_RULE = "alerts.observations_finished"


def public_url(path: str) -> str:
    """An absolute address on the public site (SMS carry links; SITE_URL is the public https://host)."""
    return settings.SITE_URL.rstrip("/") + path


def notice_path(commune: Commune | None = None) -> str:
    path = reverse("privacy-notice")
    return f"{path}?commune={commune.insee_code or commune.slug}" if commune is not None else path


def controller(commune: Commune) -> str:
    return settings.PRIVACY_CONTROLLER or _("Commune de %(name)s, représentée par son maire") % {
        "name": commune.name
    }


def _period(rule: RetentionRule, commune: Commune) -> str:
    value = getattr(settings, rule.setting)
    if rule.name == COMMUNE_PERIOD_RULE:
        own = CommuneAlertSettings.objects.filter(commune=commune).values_list("retention_days", flat=True)
        value = own.first() or value
    unit = _("heures") if rule.setting.endswith("_HOURS") else _("jours")
    return f"{value:g} {unit}" if isinstance(value, float) else f"{value} {unit}"


def retention_periods(commune: Commune) -> list[dict[str, Any]]:
    """Every table with personal data, its period in the running settings (the commune's own period of
    finished reports when it has one)."""
    periods = []
    for rule in retention_rules():
        periods.append(
            {
                "rule": rule.name,
                "label": str(rule.label),
                "period": _period(rule, commune),
                "setting": rule.setting,
            }
        )
    return periods


def privacy_notice(commune: Commune) -> dict[str, Any]:
    agencies = Agency.objects.filter(communes=commune, is_active=True).order_by("name")
    return {
        "commune": {"name": commune.name, "insee_code": commune.insee_code, "slug": commune.slug},
        "controller": controller(commune),
        "controller_address": settings.PRIVACY_CONTROLLER_ADDRESS,
        "dpo": {
            "email": settings.PRIVACY_DPO_EMAIL,
            "postal_address": settings.PRIVACY_DPO_ADDRESS
            or _("Délégué à la protection des données, mairie de %(name)s") % {"name": commune.name},
        },
        "purposes": [
            _("Recevoir les signalements des référents « Participation citoyenne » et des commerçants."),
            _(
                "Les faire relire par les modérateurs de la commune, puis les transmettre aux services de police."
            ),
            _(
                "Prévenir les habitants et les commerces (conseils, alertes cambriolage) par notification et SMS."
            ),
            _("Tenir les journaux de sécurité : qui a lu quel signalement, qui a fait quoi."),
        ],
        "legal_basis": [
            _(
                "Mission d'intérêt public de la commune (prévention de la délinquance, tranquillité "
                "publique) : RGPD art. 6-1-e."
            ),
            _(
                "Données relatives à des infractions : traitées sous le contrôle de l'autorité publique, "
                "RGPD art. 10 et loi Informatique et Libertés art. 46."
            ),
        ],
        "recipients": [
            _("Les modérateurs de la commune (coordonnateur CLSPD, chef de poste de police municipale)."),
            *[
                _("%(agency)s : la version relue du signalement, jamais le nom ni le contact de son auteur.")
                % {"agency": agency.name}
                for agency in agencies
            ],
        ],
        "agencies": [agency.name for agency in agencies],
        "transfers": _("Aucun transfert hors de l'Union européenne."),
        "retention": retention_periods(commune),
        "rights": [
            _("Accès à vos données et copie (art. 15)."),
            _("Rectification (art. 16)."),
            _("Effacement (art. 17), dans les limites de la mission de police."),
            _("Limitation (art. 18) et opposition (art. 21)."),
            _(
                "Si vous pensez être cité dans un signalement, vous pouvez le demander ; la réponse peut "
                "être différée pendant une enquête (RGPD art. 14-5 et 23)."
            ),
        ],
        "self_service": [
            {
                "text": _("Référents et commerçants : exporter toutes vos données depuis l'application."),
                "api": "GET /api/v1/me/export/",
            },
            {
                "text": _("Référents et commerçants : supprimer votre compte depuis l'application."),
                "api": "DELETE /api/v1/me/",
            },
        ],
        "request_url": reverse("privacy-request"),
        "answer_delay": _("Réponse sous un mois, prolongeable de deux mois pour une demande complexe."),
        "cnil": {
            "text": _(
                "Si la réponse ne vous satisfait pas, vous pouvez adresser une réclamation à la CNIL, "
                "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07."
            ),
            "url": CNIL_COMPLAINT_URL,
        },
    }
