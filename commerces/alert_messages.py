"""« Alerte Commerces » texts: zone, time, method, description and advice — never the victim.

The broadcasts' `shop_alert` kind composes its SMS with `shop_alert_text()` (or a ShopAlertTemplate)
and checks it with `shop_alert_check()`, which refuses a text that names one of the commune's shops.
"""

import re
import unicodedata
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.core.errors import ApplicationError
from backend.territory.models import Commune
from commerces.gsm import to_gsm7
from commerces.models import Shop, ShopAlertTemplate

PLACEHOLDERS = ("zone", "heure", "mode_operatoire", "description", "conseil")
DEFAULT_BODY = (
    "ALERTE COMMERCES {zone}, {heure} : {mode_operatoire}. {description} Conseil : {conseil} "
    "Urgence : 17 ou 112."
)


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]+", " ", "".join(char for char in folded if not unicodedata.combining(char)))


def template_check(body: str) -> None:
    """Refuses placeholders other than the five known ones."""
    for name in re.findall(r"{([^{}]*)}", body):
        if name not in PLACEHOLDERS:
            raise ApplicationError(
                _("Variable inconnue {%(name)s} : utilisez %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)},
                field="body",
            )


def shop_alert_text(
    *,
    zone: str,
    when: datetime,
    method: str,
    description: str,
    advice: str,
    template: ShopAlertTemplate | None = None,
) -> str:
    """The alert SMS, folded to GSM-7 so that it costs as few parts as possible."""
    body = template.body if template is not None else DEFAULT_BODY
    template_check(body)
    local = timezone.localtime(when)
    values = {
        "zone": zone.strip(),
        "heure": local.strftime("%d/%m %Hh%M"),
        "mode_operatoire": (method or (template.method if template else "")).strip().rstrip("."),
        "description": _sentence(description),
        "conseil": _sentence(advice or (template.advice if template else "")),
    }
    text = body.format(**values)
    return to_gsm7(re.sub(r"\s+", " ", text).strip())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def shop_alert_check(*, commune: Commune, text: str) -> None:
    """Refuses an alert that names one of the commune's shops: the victim is never in an alert."""
    plain = f" {_plain(text)} "
    for name in Shop.objects.filter(commune=commune).values_list("name", flat=True):
        words = _plain(name).strip()
        if len(words) >= 4 and f" {words} " in plain:
            raise ApplicationError(
                _("Le texte cite le commerce « %(name)s » : une alerte ne nomme jamais la victime.")
                % {"name": name},
                field="body",
            )


def shop_alert_victim_check(commune: Commune, kind: str, text: str) -> None:
    """The broadcasts' hook (alerts.registry): a `shop_alert` must not name one of the commune's shops."""
    if kind == "shop_alert":
        shop_alert_check(commune=commune, text=text)
