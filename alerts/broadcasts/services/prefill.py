"""Texts prefilled from the commune's templates (models.BroadcastTemplate, else DEFAULTS below), in
French: a message of a kind, or an alert made from an observation or a series of them. No personal data:
no description, no author, no address, no exact time — the category, the sectors, the day and the part
of the day."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alerts.broadcasts.models import Broadcast, BroadcastTemplate
from alerts.broadcasts.services.common import MAX_BODY, MAX_TITLE
from alerts.models import Observation
from backend.core.emergency import emergency_call
from backend.territory.models import Commune

Kind = Broadcast.Kind

# (title, body) of each kind when the commune has no template of its own.
DEFAULTS = {
    Kind.BURGLARY_ALERT: (
        gettext_lazy("Alerte cambriolage : {secteurs}"),
        gettext_lazy(
            "{faits}, {secteurs}. Fermez portes et fenêtres, même pour une courte absence, ne laissez pas "
            "d'objets de valeur en vue et signalez tout comportement suspect."
        ),
    ),
    Kind.PREVENTION: (
        gettext_lazy("Conseil de prévention"),
        gettext_lazy(
            "La commune de {commune} vous conseille : fermez portes et fenêtres, même pour une courte "
            "absence, et ne laissez pas d'objets de valeur en vue."
        ),
    ),
    Kind.SHOP_ALERT: (
        gettext_lazy("Alerte commerces : {secteurs}"),
        gettext_lazy(
            "{faits}, {secteurs}. Soyez vigilants en caisse, ne laissez pas la caisse ouverte et signalez "
            "tout comportement suspect."
        ),
    ),
}


def _facts(slug: str, count: int) -> str:
    """« Cambriolage signalé », « 3 cambriolages signalés »: by category, agreeing in gender and number."""
    if slug == "cambriolage":
        return ngettext("Cambriolage signalé", "%(n)d cambriolages signalés", count) % {"n": count}
    if slug == "vol":
        return ngettext("Vol signalé", "%(n)d vols signalés", count) % {"n": count}
    if slug == "suspect":
        return ngettext(
            "Individu ou véhicule suspect signalé", "%(n)d individus ou véhicules suspects signalés", count
        ) % {"n": count}
    if slug == "demarchage":
        return ngettext("Démarchage suspect signalé", "%(n)d démarchages suspects signalés", count) % {
            "n": count
        }
    return ngettext("Fait signalé", "%(n)d faits signalés", count) % {"n": count}


def _day_month(value: datetime) -> str:
    """« 3 décembre », « 1er décembre »."""
    day = _("1er") if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F')}"


def _on(value: datetime, today: date) -> str:
    """« ce mardi 3 décembre » within the week, else « le 3 novembre »."""
    if 0 <= (today - value.date()).days <= 6:
        return _("ce %(weekday)s %(date)s") % {"weekday": date_format(value, "l"), "date": _day_month(value)}
    return _("le %(date)s") % {"date": _day_month(value)}


def _since(value: datetime, today: date) -> str:
    """« aujourd'hui », « depuis hier », « depuis samedi », « depuis le 3 novembre »."""
    days = (today - value.date()).days
    if days <= 0:
        return _("aujourd'hui")
    if days == 1:
        return _("depuis hier")
    if days <= 6:
        return _("depuis %(weekday)s") % {"weekday": date_format(value, "l")}
    return _("depuis le %(date)s") % {"date": _day_month(value)}


def _moment(value: datetime) -> str:
    hour = value.hour
    if hour < 6 or hour >= 22:
        return _("dans la nuit")
    if hour < 10:
        return _("en début de matinée")
    if hour < 12:
        return _("en fin de matinée")
    if hour < 14:
        return _("à la mi-journée")
    if hour < 18:
        return _("dans l'après-midi")
    return _("en soirée")


def _and(names: Sequence[str]) -> str:
    return (
        names[0]
        if len(names) == 1
        else _("%(first)s et %(last)s")
        % {
            "first": ", ".join(names[:-1]),
            "last": names[-1],
        }
    )


def _values(
    commune: Commune, kind: str, observations: Sequence[Observation], now: datetime
) -> dict[str, str]:
    today = timezone.localtime(now).date()
    sectors = list(dict.fromkeys(obs.sector.name for obs in observations if obs.sector is not None))
    where = (
        ngettext("secteur %(names)s", "secteurs %(names)s", len(sectors)) % {"names": _and(sectors)}
        if sectors
        else commune.name
    )
    values = {"commune": commune.name, "secteurs": where, "categorie": "", "moment": ""}
    if not observations:
        local = timezone.localtime(now)
        return {
            **values,
            "faits": _("Cambriolages signalés récemment")
            if kind == Kind.BURGLARY_ALERT
            else _("Faits signalés récemment"),
            "date": _on(local, today),
            "moment": _moment(local),
        }
    slugs = {obs.category.slug if obs.category_id else "" for obs in observations}
    slug = slugs.pop() if len(slugs) == 1 else ""
    labels = {obs.category.label for obs in observations if obs.category_id}
    if len(labels) == 1:
        values["categorie"] = labels.pop()
    if len(observations) == 1:
        local = timezone.localtime(observations[0].occurred_at)
        day, moment = _on(local, today), _moment(local)
        facts = f"{_facts(slug, 1)} {day} {moment}"
        return {**values, "faits": facts, "date": day, "moment": moment}
    first = timezone.localtime(min(obs.occurred_at for obs in observations))
    since = _since(first, today)
    return {**values, "faits": f"{_facts(slug, len(observations))} {since}", "date": since}


def template_for(commune: Commune, kind: str) -> tuple[str, str]:
    row = BroadcastTemplate.objects.filter(commune=commune, kind=kind).first()
    if row is not None:
        return row.title, row.body
    title, body = DEFAULTS[Broadcast.Kind(kind)]
    return str(title), str(body)


def _fill(template: str, values: dict[str, str], fallback: str) -> str:
    try:
        return template.format_map(values)
    except (KeyError, ValueError, IndexError):  # a row saved around the admin's check: the default
        return fallback.format_map(values)


def broadcast_prefill(
    *, commune: Commune, kind: str, observations: Sequence[Observation] = (), now: datetime | None = None
) -> dict[str, Any]:
    """The title, text and sectors of a broadcast of `kind`, from the commune's template, told of the
    `observations` (checked by the caller: approved, of this commune, seen by the user)."""
    values = _values(commune, kind, observations, now or timezone.now())
    title, body = template_for(commune, kind)
    default_title, default_body = (str(text) for text in DEFAULTS[Broadcast.Kind(kind)])
    text = _fill(body, values, default_body)
    return {
        "kind": kind,
        "title": _fill(title, values, default_title)[:MAX_TITLE],
        "body": f"{text[: MAX_BODY - 60]} {emergency_call()}",
        "sectors": list(dict.fromkeys(obs.sector.slug for obs in observations if obs.sector is not None)),
    }


def observation_prefill(*, observation: Observation) -> dict[str, Any]:
    """A burglary alert made from one observation (what `broadcast_create` fills in when the title or text
    is left empty)."""
    return broadcast_prefill(
        commune=observation.commune, kind=Kind.BURGLARY_ALERT, observations=[observation]
    )
