"""« Alerte Commerces » texts: zone, time, method, description and advice — never the victim.

The broadcasts' `shop_alert` kind composes its SMS with `shop_alert_text()` (or a ShopAlertTemplate).
Every broadcast that reaches shopkeepers, whatever its kind, updates and cancels included, goes through
`shop_alert_check()`, which refuses a text that designates one of the commune's shops (victim_match.py).
"""

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.registry import BroadcastText
from backend.core.errors import ApplicationError
from backend.messaging.gsm7 import to_gsm7
from backend.territory.models import Commune, Sector
from commerces.models import Shop, ShopAlertTemplate
from commerces.victim_match import TextIndex, shop_hit, shop_pattern, words

# The audience of shopkeepers (registered in apps.py): every message it receives is checked.
SHOPKEEPERS_AUDIENCE = "shopkeepers"

PLACEHOLDERS = ("zone", "heure", "mode_operatoire", "description", "conseil")
DEFAULT_BODY = (
    "ALERTE COMMERCES {zone}, {heure} : {mode_operatoire}. {description} Conseil : {conseil} "
    "Urgence : 17 ou 112."
)


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


def shop_alert_check(*, commune: Commune, text: str, title: str = "") -> None:
    """Refuses a text (`title`, then `text`, the body) that designates one of the commune's shops by its
    name, its address or its trade next to its street: the victim is never in a message to shopkeepers.

    The refusal quotes the words that matched and names the shop, on the field where they are."""
    whole = f"{title}\n{text}" if title else text
    index = TextIndex(whole)
    if not index.tokens:
        return
    commune_words = words(commune.name)
    sectors = Sector.objects.filter(commune=commune).values_list("name", flat=True)
    places = frozenset({commune_words, *(words(name) for name in sectors)} - {()})
    place_words = frozenset(word for place in places for word in place)
    shops = Shop.objects.filter(commune=commune).values_list("name", "trade", "address")
    for name, trade, address in shops:
        pattern = shop_pattern(name=name, trade=trade, address=address, places=places, commune=commune_words)
        hit = shop_hit(index, pattern, place_words=place_words)
        if hit is not None:
            shop = f"« {name} » ({address})" if address.strip() else f"« {name} »"
            raise ApplicationError(
                _(
                    "Le texte cite « %(words)s », qui désigne le commerce %(shop)s : "
                    "une alerte ne nomme jamais la victime."
                )
                % {"words": hit.quote(whole), "shop": shop},
                field="title" if title and hit.spans[-1][1] <= len(title) else "body",
            )


def shop_alert_victim_check(broadcast: BroadcastText) -> None:
    """The broadcasts' hook (alerts.registry): whatever its kind, a message that reaches shopkeepers
    (an update or a cancel: the original's audiences) must not designate one of the commune's shops;
    nor may a shop alert, whoever it reaches."""
    if SHOPKEEPERS_AUDIENCE in broadcast.audiences or broadcast.kind == "shop_alert":
        shop_alert_check(commune=broadcast.commune, title=broadcast.title, text=broadcast.body)
