"""Demo shops of Les Pennes-Mirabeau, the demo shopkeepers (+33612000031/32/33) and alert templates."""

from collections.abc import Callable

from backend.territory.models import Commune, Sector
from commerces.models import Shop, ShopAlertTemplate, Trade
from commerces.services import shopkeeper_enrol

SHOPS = [
    # name, trade, SIRET (valid checksum, fictitious), address, sector slug, shopkeeper phone
    (
        "Boulangerie de la Gavotte",
        Trade.BAKERY,
        "73282932000074",
        "Avenue de la Gavotte",
        "la-gavotte",
        "+33612000031",
    ),
    (
        "Tabac-Presse du Centre",
        Trade.TOBACCO,
        "55210055400021",
        "Place de l'Église",
        "centre",
        "+33612000032",
    ),
    (
        "Pharmacie des Cadeneaux",
        Trade.PHARMACY,
        "44306184100047",
        "Route des Cadeneaux",
        "les-cadeneaux",
        "+33612000033",
    ),
    ("Supérette des Amandiers", Trade.FOOD, "", "Chemin des Amandiers", "les-amandiers", ""),
]
TEMPLATES = [
    (
        "Faux billets",
        "paiement en faux billets de 50 €",
        "Vérifiez les billets (filigrane, hologramme) et ne rendez pas la monnaie sur un billet douteux.",
    ),
    (
        "Vol à l'étalage en équipe",
        "un individu distrait le vendeur pendant qu'un autre se sert",
        "Restez à deux en caisse si possible et signalez tout comportement suspect par SMS.",
    ),
    (
        "Faux agents ou faux livreurs",
        "de faux agents (EDF, impôts, livraison) demandent à accéder à la réserve ou à la caisse",
        "Demandez une carte professionnelle et rappelez l'organisme au numéro officiel.",
    ),
]
TEMPLATE_BODY = "ALERTE COMMERCES {zone}, {heure} : {mode_operatoire}. {description} Conseil : {conseil} Urgence : 17 ou 112."


def seed(commune: Commune, say: Callable[[str], None]) -> list[Shop]:
    shops = []
    for name, trade, siret, address, sector_slug, phone in SHOPS:
        shop, _created = Shop.objects.get_or_create(
            commune=commune,
            name=name,
            defaults={
                "trade": trade,
                "siret": siret,
                "address": address,
                "sector": Sector.objects.filter(commune=commune, slug=sector_slug).first(),
            },
        )
        if phone:
            shopkeeper_enrol(actor=None, shop=shop, phone=phone)
        shops.append(shop)
    for name, method, advice in TEMPLATES:
        ShopAlertTemplate.objects.get_or_create(
            commune=None, name=name, defaults={"method": method, "advice": advice, "body": TEMPLATE_BODY}
        )
    say(f"Commerces : {', '.join(shop.name for shop in shops)} (commerçants +33612000031/32/33)")
    return shops
