"""Writes of the commerces app: shops, shopkeepers, applications, CSV import, quarantine review."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.fr import siret as stdnum_siret

from backend.accounts.models import Role, User
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.emergency import emergency_call
from backend.core.errors import ApplicationError, Conflict
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune, Sector
from commerces.models import InboundMessage, Shop, ShopApplication, Shopkeeper, Trade


def _clean_save(row: models.Model, *, exclude: list[str] | None = None) -> None:
    """Saves `row` once Django's validation of it passes; its first error becomes the API's field error."""
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            name, errors = next(iter(exc.error_dict.items()))
            raise ApplicationError(str(errors[0].messages[0]), field=name) from None
        raise ApplicationError(str(exc.messages[0])) from None
    row.save()


def siret_normalize(raw: str) -> str:
    """The SIRET as 14 digits (spaces and dots dropped), or "" when none was given; raises when invalid."""
    compact = stdnum_siret.compact(raw or "")
    if not compact:
        return ""
    if not stdnum_siret.is_valid(compact):
        raise ApplicationError(
            _("Numéro SIRET invalide : 14 chiffres attendus, avec une clé de contrôle correcte."),
            field="siret",
        )
    return str(compact)


@transaction.atomic
def shop_create(
    *,
    actor: User | None,
    commune: Commune,
    name: str,
    trade: str,
    siret: str = "",
    address: str = "",
    sector: Sector | None = None,
) -> Shop:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("L'enseigne du commerce est obligatoire."), field="name")
    if trade not in Trade.values:
        raise ApplicationError(_("Type de commerce inconnu."), field="trade")
    siret = siret_normalize(siret)
    if siret and Shop.objects.filter(commune=commune, siret=siret).exists():
        raise Conflict(_("Un commerce de la commune a déjà ce numéro SIRET."), field="siret")
    shop = Shop(
        commune=commune, name=name, trade=trade, siret=siret, address=(address or "").strip(), sector=sector
    )
    _clean_save(shop)
    audit_record(actor=actor, action="commerces.shop_create", target=shop)
    return shop


@transaction.atomic
def shopkeeper_enrol(
    *,
    actor: User | None,
    shop: Shop,
    phone: str,
    display_name: str = "",
    sms_opt_in: bool = True,
) -> Shopkeeper:
    """Attaches a mobile number to a shop: a new user with the role « commerçant », or the existing one."""
    e164 = normalize_phone(phone, mobile_only=True)
    user = User.objects.filter(phone=e164).first()
    if user is not None:
        if user.erased_at is not None or user.role != Role.SHOPKEEPER:
            raise Conflict(_("Ce numéro appartient déjà à un autre compte de Vigie."), field="phone")
        existing = Shopkeeper.objects.filter(user=user).select_related("shop").first()
        if existing is not None:
            if existing.shop_id == shop.pk:
                return existing
            raise Conflict(
                _("Ce numéro est déjà rattaché au commerce « %(shop)s ».") % {"shop": existing.shop.name},
                field="phone",
            )
        if user.commune_id is None:
            user.commune = shop.commune
            user.save(update_fields=["commune"])
    else:
        user = User.objects.create_user(
            e164, role=Role.SHOPKEEPER, commune=shop.commune, display_name=(display_name or "").strip()[:150]
        )
    shopkeeper = Shopkeeper.objects.create(
        user=user, shop=shop, sms_opt_in=sms_opt_in, sms_opt_in_changed_at=timezone.now()
    )
    audit_record(actor=actor, action="commerces.shopkeeper_enrol", target=shopkeeper)
    return shopkeeper


@transaction.atomic
def shopkeeper_set_sms_opt_in(
    *, shopkeeper: Shopkeeper, opt_in: bool, actor: User | None, via: str
) -> Shopkeeper:
    if shopkeeper.sms_opt_in == opt_in:
        return shopkeeper
    shopkeeper.sms_opt_in = opt_in
    shopkeeper.sms_opt_in_changed_at = timezone.now()
    shopkeeper.save(update_fields=["sms_opt_in", "sms_opt_in_changed_at"])
    audit_record(
        actor=actor,
        action="commerces.sms_opt_in" if opt_in else "commerces.sms_opt_out",
        target=shopkeeper,
        fields=["sms_opt_in"],
        extra={"via": via},
    )
    return shopkeeper


# --- applications from the web form -------------------------------------------------------------


@transaction.atomic
def shop_application_submit(
    *,
    commune: Commune,
    phone: str,
    shop_name: str,
    trade: str,
    address: str,
    contact_name: str,
    siret: str = "",
    sector: Sector | None = None,
) -> ShopApplication:
    """`phone` must come from a verification token (the applicant proved they hold it)."""
    if Shopkeeper.objects.filter(user__phone=phone).exists():
        raise Conflict(_("Ce numéro est déjà inscrit : connectez-vous avec lui."), field="phone")
    if ShopApplication.objects.filter(phone=phone, status=ShopApplication.Status.PENDING).exists():
        raise Conflict(_("Une demande est déjà en attente pour ce numéro."), field="phone")
    if sector is not None and sector.commune_id != commune.pk:
        raise ApplicationError(_("Ce secteur n'appartient pas à la commune."), field="sector")
    if trade not in Trade.values:
        raise ApplicationError(_("Type de commerce inconnu."), field="trade")
    application = ShopApplication(
        commune=commune,
        phone=phone,
        shop_name=shop_name.strip(),
        trade=trade,
        siret=siret_normalize(siret),
        address=address.strip(),
        contact_name=contact_name.strip(),
        sector=sector,
    )
    _clean_save(application, exclude=["sector", "commune"])
    audit_record(actor=None, action="commerces.application_submit", target=application)
    return application


def _locked_pending(application: ShopApplication) -> ShopApplication:
    locked = ShopApplication.objects.select_for_update().select_related("commune").get(pk=application.pk)
    if locked.status != ShopApplication.Status.PENDING:
        raise Conflict(_("Cette demande a déjà été traitée."))
    return locked


@transaction.atomic
def shop_application_approve(*, application: ShopApplication, actor: User) -> Shopkeeper:
    application = _locked_pending(application)
    if application.sector is None:
        raise ApplicationError(
            _("Choisissez le secteur du commerce avant d'accepter la demande."), field="sector"
        )
    shop = shop_create(
        actor=actor,
        commune=application.commune,
        name=application.shop_name,
        trade=application.trade,
        siret=application.siret,
        address=application.address,
        sector=application.sector,
    )
    shopkeeper = shopkeeper_enrol(
        actor=actor, shop=shop, phone=application.phone, display_name=application.contact_name
    )
    application.status = ShopApplication.Status.APPROVED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.shop = shop
    application.save(update_fields=["status", "decided_by", "decided_at", "shop"])
    audit_record(actor=actor, action="commerces.application_approve", target=application)
    deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.SMS,
                kind="commerces.welcome",
                recipient=shopkeeper.user,
                body=_(
                    "Vigie : %(shop)s est inscrit. Signalez par SMS a ce numero ou sur le formulaire web. "
                )
                % {"shop": shop.name[:40]}
                + emergency_call(),
                data={"sender": application.commune.sms_number} if application.commune.sms_number else {},
                source=f"commerces.application:{application.pk}",
            )
        ]
    )
    return shopkeeper


@transaction.atomic
def shop_application_reject(*, application: ShopApplication, actor: User, note: str = "") -> ShopApplication:
    application = _locked_pending(application)
    application.status = ShopApplication.Status.REJECTED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_note = note[:500]
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action="commerces.application_reject", target=application)
    return application


# --- CSV import ---------------------------------------------------------------------------------

CSV_COLUMNS = {
    "nom": "name",
    "enseigne": "name",
    "type": "trade",
    "activite": "trade",
    "siret": "siret",
    "adresse": "address",
    "secteur": "sector",
    "telephone": "phone",
    "mobile": "phone",
    "contact": "contact",
}
CSV_REQUIRED = ("name", "trade")


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", (text or "").strip().casefold())
    return re.sub(
        r"[^a-z0-9]+", " ", "".join(char for char in folded if not unicodedata.combining(char))
    ).strip()


def _trade_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in Trade.choices:
        lookup[_plain(value)] = value
        lookup[_plain(str(label))] = value
        for word in _plain(str(label)).split():
            if len(word) >= 4:
                lookup.setdefault(word, value)
    return lookup


@dataclass
class ImportReport:
    created: list[Shop] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


CSV_MAX_BYTES = 2 * 1024 * 1024


def shops_csv_read(upload: Any) -> str:
    """The text of an uploaded shops CSV (admin form and API): 2 MB at most, UTF-8 with or without BOM."""
    if upload.size > CSV_MAX_BYTES:
        raise ApplicationError(_("Fichier trop volumineux (2 Mo au plus)."), field="file")
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ApplicationError(_("Le fichier doit être encodé en UTF-8."), field="file") from None


def shops_import_csv(*, commune: Commune, actor: User | None, content: str) -> ImportReport:
    """Imports a list of shops (and, when a mobile number is given, their shopkeeper).

    Each row is one transaction: a good row is imported whole, a bad row not at all and reported with its
    line number and the reason. Columns (header line, `;` or `,`): nom, type, siret, adresse, secteur,
    telephone, contact.
    """
    report = ImportReport()
    content = content.lstrip("\ufeff")
    first_line = content.splitlines()[0] if content.strip() else ""
    if not first_line:
        report.errors.append((1, _("Fichier vide : la première ligne doit nommer les colonnes.")))
        return report
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [CSV_COLUMNS.get(_plain(name), "") for name in next(reader)]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        report.errors.append(
            (1, _("Colonnes obligatoires absentes : %(names)s.") % {"names": ", ".join(missing)})
        )
        return report
    trades = _trade_lookup()
    sectors = {
        key: sector
        for sector in Sector.objects.filter(commune=commune)
        for key in (_plain(sector.slug), _plain(sector.name))
    }
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, Any] = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        try:
            with transaction.atomic():
                if len(row) > len(header):
                    raise ApplicationError(_("Plus de valeurs que de colonnes."))
                trade = trades.get(_plain(values.get("trade", "")))
                if trade is None:
                    raise ApplicationError(
                        _("Type de commerce inconnu : « %(value)s ».") % {"value": values.get("trade", "")}
                    )
                if not values.get("sector"):
                    raise ApplicationError(_("Secteur manquant : il situe les signalements du commerce."))
                sector = sectors.get(_plain(values["sector"]))
                if sector is None:
                    raise ApplicationError(
                        _("Secteur inconnu : « %(value)s ».") % {"value": values["sector"]}
                    )
                shop = shop_create(
                    actor=actor,
                    commune=commune,
                    name=values.get("name", ""),
                    trade=trade,
                    siret=values.get("siret", ""),
                    address=values.get("address", ""),
                    sector=sector,
                )
                if values.get("phone"):
                    shopkeeper_enrol(
                        actor=actor, shop=shop, phone=values["phone"], display_name=values.get("contact", "")
                    )
        except ApplicationError as exc:
            report.errors.append((line, exc.message))
        else:
            report.created.append(shop)
    audit_record(
        actor=actor,
        action="commerces.shops_import",
        target=commune,
        extra={"created": len(report.created), "errors": len(report.errors)},
    )
    return report


# --- quarantine review --------------------------------------------------------------------------


@transaction.atomic
def inbound_discard(*, message: InboundMessage, actor: User) -> InboundMessage:
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundMessage.Status.QUARANTINED:
        raise Conflict(_("Ce message n'est plus en quarantaine."))
    message.status = InboundMessage.Status.DISCARDED
    message.reviewed_by = actor
    message.reviewed_at = timezone.now()
    message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(actor=actor, action="commerces.inbound_discard", target=message)
    return message


def shopkeeper_data_erase(user: User) -> None:
    """RGPD erasure (called by the kernel inside its transaction): the shop link goes, the SMS received
    from the person lose their number and text (the observations they became stay, cut from the person)."""
    phone = user.phone.as_e164 if user.phone else ""
    Shopkeeper.objects.filter(user=user).delete()
    InboundMessage.objects.filter(author=user).update(sender="", body="", reply="", author=None)
    if phone:
        InboundMessage.objects.filter(sender=phone).update(sender="", body="", reply="")
        ShopApplication.objects.filter(phone=phone).update(phone="", contact_name="")
