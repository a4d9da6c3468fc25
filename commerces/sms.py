"""What an SMS means for a shop: a report, a follow-up, a command (STOP, START, AIDE), or quarantine; and
for a member of the emergency cell, « OK » confirms their call-out.

The provider adapter (backend/messaging/backends/) has checked the signature and parsed the request; here
one message is processed once per provider message id, in one transaction, and the text of the reply is
returned (GSM-7, within 160 characters when it can be).
"""

import re
import unicodedata
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Observation
from alerts.privacy.notice import notice_path, public_url
from alerts.services import emergency_confirm_by_sms, observation_add_text, observation_submit
from backend.accounts.models import User
from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.emergency import emergency_call
from backend.core.errors import ApplicationError, Conflict
from backend.core.text import text_neutralise
from backend.messaging.backends.inbound import InboundSms
from backend.messaging.gsm7 import to_gsm7
from backend.messaging.models import Delivery
from backend.messaging.services import Outgoing, deliveries_enqueue
from backend.territory.models import Commune
from commerces.models import InboundMessage, Shop, Shopkeeper
from commerces.selectors import commune_for_number, shopkeeper_for_phone
from commerces.services import shopkeeper_enrol, shopkeeper_set_sms_opt_in

RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = timedelta(minutes=10)
FOLLOW_UP_WINDOW = timedelta(minutes=30)


# First word of the message (accents and case folded) → category slug of alerts' taxonomy.
KEYWORDS = {
    "VOL": "vol",
    "VOLS": "vol",
    "ARNAQUE": "escroquerie",
    "ESCROQUERIE": "escroquerie",
    "FRAUDE": "escroquerie",
    "FAUX": "escroquerie",  # faux billets
    "SUSPECT": "suspect",
    "SUSPECTS": "suspect",
    "SUSPECTE": "suspect",
    "AGRESSION": "violences",
    "VIOLENCE": "violences",
    "VIOLENCES": "violences",
    "MENACE": "violences",
    "MENACES": "violences",
    "CAMBRIOLAGE": "cambriolage",
    "DEGRADATION": "degradation",
    "VANDALISME": "degradation",
    "TAG": "degradation",
    "DEMARCHAGE": "demarchage",
    "RODEO": "rodeo",
    "BRUIT": "tranquillite",
    "NUISANCE": "tranquillite",
    "NUISANCES": "tranquillite",
}
STOP_WORDS = frozenset({"STOP", "ARRET", "STOPALL", "DESABONNEMENT", "DESINSCRIPTION"})
START_WORDS = frozenset({"START", "UNSTOP", "REPRISE"})
HELP_WORDS = frozenset({"AIDE", "HELP"})
INFO_WORDS = frozenset({"INFO", "INFOS", "RGPD", "CONFIDENTIALITE"})
FOLLOWABLE = (Observation.Status.PENDING, Observation.Status.DISPATCHED, Observation.Status.ACKNOWLEDGED)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def first_word(text: str) -> str:
    match = re.match(r"\W*([^\W\d_]+)", _fold(text))
    return match.group(1) if match else ""


def category_for(text: str) -> str:
    return KEYWORDS.get(first_word(text), "autre")


def command_for(text: str) -> str | None:
    """ "stop", "start" or "help" when the whole message is one of those words."""
    words = re.findall(r"[^\W\d_]+", _fold(text))
    if len(words) != 1:
        return None
    word = words[0]
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    if word in INFO_WORDS:
        return "info"
    return None


def _reply(text: str) -> str:
    return to_gsm7(text)


def reply_report(reference: str) -> str:
    return _reply(
        _("Vigie : signalement %(reference)s enregistré, merci. Complétez par SMS dans les 30 min.")
        % {"reference": reference}
        + " "
        + emergency_call()
    )


def reply_follow_up(reference: str) -> str:
    return _reply(
        _("Vigie : complément ajouté au signalement %(reference)s, merci.") % {"reference": reference}
        + " "
        + emergency_call()
    )


def reply_help() -> str:
    return _reply(
        _(
            "Vigie : décrivez les faits par SMS, ex. VOL, ARNAQUE, FAUX, SUSPECT, AGRESSION + texte. "
            "STOP : plus d'alertes. %(emergency)s"
        )
        % {"emergency": emergency_call()}
    )


def notice_link(commune: Commune | None) -> str:
    return public_url(notice_path(commune))


def reply_info(commune: Commune | None) -> str:
    """INFO: who reads the messages, how long they are kept, the sender's rights: the privacy notice."""
    return _reply(
        _("Vigie : qui lit vos SMS, combien de temps, vos droits : %(link)s") % {"link": notice_link(commune)}
    )


def _notice_after_first_reply(row: InboundMessage) -> None:
    """The first exchange of a number also brings the privacy notice (RGPD art. 13: at collection), as a
    second SMS after the reply, which stays one SMS."""
    if InboundMessage.objects.filter(sender=row.sender).exclude(pk=row.pk).exclude(reply="").exists():
        return
    commune = row.commune
    deliveries_enqueue(
        [
            Outgoing(
                channel=Delivery.Channel.SMS,
                kind="commerces.privacy_notice",
                recipient=row.author,
                address="" if row.author else row.sender,
                body=reply_info(commune),
                data={"sender": commune.sms_number} if commune and commune.sms_number else {},
                source=f"commerces.inbound:{row.pk}",
            )
        ]
    )


def reply_unknown() -> str:
    return _reply(
        _(
            "Vigie : ce numéro n'est pas inscrit. Inscrivez votre commerce en mairie ou sur le site Vigie, "
            "rubrique Commerces. %(emergency)s"
        )
        % {"emergency": emergency_call()}
    )


def reply_empty() -> str:
    return _reply(_("Vigie : message vide. Décrivez les faits (quoi, où, quand). ") + emergency_call())


def reply_rate_limited() -> str:
    return _reply(
        _("Vigie : trop de messages en peu de temps, merci de patienter 10 min avant d'écrire. ")
        + emergency_call()
    )


def reply_refused(reason: str) -> str:
    return _reply(f"Vigie : {reason} {emergency_call()}")


def sms_receive(*, inbound: InboundSms) -> str | None:
    """Processes one inbound SMS once; returns the text to reply (None: no reply)."""
    try:
        with transaction.atomic():
            existing = InboundMessage.objects.filter(
                provider=inbound.provider, provider_id=inbound.provider_id
            ).first()
            if existing is not None:
                return existing.reply or None
            row = InboundMessage.objects.create(
                provider=inbound.provider,
                provider_id=inbound.provider_id,
                sender=inbound.sender,
                to=inbound.to,
                body=text_neutralise(inbound.body),
                status=InboundMessage.Status.REFUSED,
                received_at=timezone.now(),
            )
            reply = _process(row)
            if reply and notice_link(row.commune) not in reply:
                _notice_after_first_reply(row)
            row.reply = (reply or "")[:500]
            row.save()
            audit_record(
                actor=row.author, action="commerces.sms_received", target=row, extra={"status": row.status}
            )
            return reply
    except IntegrityError:
        # The same message delivered twice at once: the other request stored it first.
        existing = InboundMessage.objects.filter(
            provider=inbound.provider, provider_id=inbound.provider_id
        ).first()
        if existing is None:
            raise
        return existing.reply or None


def _process(row: InboundMessage) -> str | None:
    try:
        phone = normalize_phone(row.sender)
    except ApplicationError:
        phone = ""
    shopkeeper = shopkeeper_for_phone(phone=phone) if phone else None
    row.sender = phone or row.sender
    row.commune = shopkeeper.shop.commune if shopkeeper else commune_for_number(to=row.to)
    row.author = shopkeeper.user if shopkeeper else None

    recent = InboundMessage.objects.filter(
        sender=row.sender, received_at__gte=row.received_at - RATE_LIMIT_WINDOW
    ).exclude(pk=row.pk)
    if recent.count() >= RATE_LIMIT_COUNT:
        row.status = InboundMessage.Status.RATE_LIMITED
        told = recent.filter(status=InboundMessage.Status.RATE_LIMITED).exclude(reply="").exists()
        return None if told else reply_rate_limited()

    text = row.body.strip()
    staff = User.objects.filter(phone=phone).first() if phone and shopkeeper is None else None
    if staff is not None and emergency_confirm_by_sms(user=staff, text=text):
        # A member of the emergency cell answering their call-out (alerts/services/emergency_roster.py).
        row.status = InboundMessage.Status.COMMAND
        row.author = staff
        return _reply(_("Vigie : votre présence à la cellule d'urgence est confirmée."))
    command = command_for(text)
    if command is not None:
        row.status = InboundMessage.Status.COMMAND
        if command == "info":
            return reply_info(row.commune)
        return _command(command, shopkeeper)
    if not text:
        row.status = InboundMessage.Status.EMPTY
        return reply_empty()
    if shopkeeper is None:
        row.status = InboundMessage.Status.QUARANTINED
        return reply_unknown()
    return _report(row, shopkeeper)


def _command(command: str, shopkeeper: Shopkeeper | None) -> str:
    if command == "help":
        return reply_help()
    if shopkeeper is None:
        return reply_unknown()
    if command == "stop":
        shopkeeper_set_sms_opt_in(shopkeeper=shopkeeper, opt_in=False, actor=shopkeeper.user, via="sms")
        return _reply(
            _(
                "Vigie : vous ne recevrez plus les alertes commerces par SMS. Envoyez START pour les "
                "recevoir de nouveau. Vos signalements restent possibles."
            )
        )
    shopkeeper_set_sms_opt_in(shopkeeper=shopkeeper, opt_in=True, actor=shopkeeper.user, via="sms")
    return _reply(_("Vigie : alertes commerces par SMS réactivées. Envoyez STOP pour les arrêter."))


def _open_observation(*, sender: str, before: datetime) -> Observation | None:
    """The observation this number opened by SMS less than 30 minutes ago, if it is still open."""
    previous = (
        InboundMessage.objects.filter(
            sender=sender,
            received_at__gte=before - FOLLOW_UP_WINDOW,
            received_at__lte=before,
            status__in=[
                InboundMessage.Status.REPORT,
                InboundMessage.Status.FOLLOW_UP,
                InboundMessage.Status.ATTACHED,
            ],
        )
        .exclude(observation_reference="")
        .order_by("-received_at", "-id")
        .first()
    )
    if previous is None:
        return None
    return Observation.objects.filter(
        reference=previous.observation_reference,
        status__in=FOLLOWABLE,
        created_at__gte=timezone.now() - FOLLOW_UP_WINDOW,
    ).first()


def _report(row: InboundMessage, shopkeeper: Shopkeeper, *, attached: bool = False) -> str:
    """A new observation, or a follow-up of the one opened less than 30 minutes ago."""
    user: User = shopkeeper.user
    text = row.body.strip()
    observation = _open_observation(sender=row.sender, before=row.received_at)
    try:
        with transaction.atomic():
            if observation is not None:
                observation_add_text(observation=observation, author=user, text=text, channel="sms")
                row.status = InboundMessage.Status.ATTACHED if attached else InboundMessage.Status.FOLLOW_UP
                row.observation_reference = observation.reference
                return reply_follow_up(observation.reference)
            observation = observation_submit(
                author=user,
                channel="sms",
                category=category_for(text),
                description=text,
                occurred_at=row.received_at,
                sector=shopkeeper.shop.sector,
            )
    except ApplicationError as exc:
        row.status = InboundMessage.Status.REFUSED
        return reply_refused(exc.message)
    row.status = InboundMessage.Status.ATTACHED if attached else InboundMessage.Status.REPORT
    row.observation_reference = observation.reference
    return reply_report(observation.reference)


@transaction.atomic
def inbound_attach(*, message: InboundMessage, shop: Shop, actor: User, display_name: str = "") -> Shopkeeper:
    """A coordinator attaches a quarantined number to a shop: the number becomes a shopkeeper of it and
    its quarantined messages go to moderation (as one report and its follow-ups), told by SMS."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != InboundMessage.Status.QUARANTINED:
        raise Conflict(_("Ce message n'est plus en quarantaine."))
    shopkeeper = shopkeeper_enrol(actor=actor, shop=shop, phone=message.sender, display_name=display_name)
    replies = []
    for pending in (
        InboundMessage.objects.select_for_update()
        .filter(sender=message.sender, status=InboundMessage.Status.QUARANTINED)
        .order_by("received_at", "id")
    ):
        pending.author = shopkeeper.user
        pending.commune = shop.commune
        replies.append(_report(pending, shopkeeper, attached=True))
        pending.reviewed_by = actor
        pending.reviewed_at = timezone.now()
        pending.save()
        audit_record(actor=actor, action="commerces.inbound_attach", target=pending, extra={"shop": shop.pk})
    if replies:
        deliveries_enqueue(
            [
                Outgoing(
                    channel=Delivery.Channel.SMS,
                    kind="commerces.sms_reply",
                    recipient=shopkeeper.user,
                    body=replies[-1],
                    data={"sender": shop.commune.sms_number} if shop.commune.sms_number else {},
                    source=f"commerces.inbound:{message.pk}",
                )
            ]
        )
    return shopkeeper
