"""Reads of the commerces app, and what it plugs into alerts' registry (audiences, submitter rule)."""

from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alerts.models import Observation
from alerts.registry import AudienceQuery, SubmitterVerdict
from backend.accounts.models import Role, User
from backend.territory.models import Commune
from commerces.models import InboundMessage, Shop, ShopApplication, Shopkeeper


def shopkeeper_for_phone(*, phone: str) -> Shopkeeper | None:
    return (
        Shopkeeper.objects.select_related("user", "shop", "shop__commune", "shop__sector")
        .filter(user__phone=phone, user__erased_at=None)
        .first()
    )


def shopkeeper_of(user: User) -> Shopkeeper | None:
    return (
        Shopkeeper.objects.select_related("shop", "shop__sector", "shop__commune").filter(user=user).first()
    )


def commune_for_number(*, to: str) -> Commune | None:
    """The commune whose own SMS number received the message; the only commune when there is one."""
    if to:
        own = Commune.objects.filter(sms_number=to).first()
        if own is not None:
            return own
    communes = list(Commune.objects.all()[:2])
    return communes[0] if len(communes) == 1 else None


def shopkeeper_places(user_ids: Sequence[int]) -> dict[int, str]:
    """The shop each of these users keeps ("shop:<id>"): the reports of one shop's keepers (any of them)
    are suggested to moderators as likely duplicates."""
    rows = Shopkeeper.objects.filter(user_id__in=user_ids).values_list("user_id", "shop_id")
    return {user_id: f"shop:{shop_id}" for user_id, shop_id in rows}


def shopkeepers_audience(query: AudienceQuery) -> QuerySet[User]:
    """Opted-in shopkeepers of active shops of the commune, by sector and trade when asked."""
    queryset = User.objects.filter(
        role=Role.SHOPKEEPER,
        is_active=True,
        erased_at=None,
        shopkeeper__sms_opt_in=True,
        shopkeeper__shop__is_active=True,
        shopkeeper__shop__commune=query.commune,
    )
    if query.sectors:
        queryset = queryset.filter(shopkeeper__shop__sector__in=list(query.sectors))
    if query.trades:
        queryset = queryset.filter(shopkeeper__shop__trade__in=list(query.trades))
    return queryset.distinct()


def shopkeeper_submitter_verdict(user: User) -> SubmitterVerdict:
    """An active shopkeeper of an active shop may submit; nobody of them is trusted to skip moderation."""
    if not user.is_active or user.erased_at is not None:
        return SubmitterVerdict(allowed=False, reason=_("Votre compte est désactivé."))
    shopkeeper = shopkeeper_of(user)
    if shopkeeper is None:
        return SubmitterVerdict(
            allowed=False, reason=_("Votre numéro n'est rattaché à aucun commerce : contactez la mairie.")
        )
    if not shopkeeper.shop.is_active:
        return SubmitterVerdict(
            allowed=False, reason=_("Votre commerce n'est plus inscrit : contactez la mairie.")
        )
    return SubmitterVerdict(allowed=True)


def observations_of(*, user: User) -> QuerySet[Observation]:
    return Observation.objects.filter(author=user).select_related("category").order_by("-created_at", "-id")


def shop_list(*, commune: Commune, sector: str | None = None, trade: str | None = None) -> QuerySet[Shop]:
    queryset = Shop.objects.filter(commune=commune).select_related("sector").prefetch_related("shopkeepers")
    if sector:
        queryset = queryset.filter(sector__slug=sector)
    if trade:
        queryset = queryset.filter(trade=trade)
    return queryset.order_by("name", "id")


def quarantine_list(*, commune: Commune | None) -> QuerySet[InboundMessage]:
    queryset = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED)
    queryset = queryset.filter(commune=commune) if commune is not None else queryset
    return queryset.order_by("-received_at", "-id")


def shopkeeper_personal_data(user: User) -> dict[str, object]:
    """What the commerces app holds about a person (RGPD export)."""
    shopkeeper = shopkeeper_of(user)
    phone = user.phone.as_e164 if user.phone else ""
    messages = InboundMessage.objects.filter(author=user) | InboundMessage.objects.filter(sender=phone or "-")
    return {
        "shop": {
            "name": shopkeeper.shop.name,
            "trade": shopkeeper.shop.trade,
            "address": shopkeeper.shop.address,
            "sms_opt_in": shopkeeper.sms_opt_in,
            "since": shopkeeper.created_at,
        }
        if shopkeeper
        else None,
        "sms_received": list(
            messages.order_by("received_at", "id").values(
                "received_at", "body", "status", "observation_reference", "reply"
            )
        ),
        "applications": list(
            ShopApplication.objects.filter(phone=phone or "-")
            .order_by("created_at")
            .values("created_at", "shop_name", "contact_name", "status")
        ),
    }
