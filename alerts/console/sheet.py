"""The incident sheet of a dispatch (`/console/fiche/<id>/` and its PDF): a read for whoever may see that
dispatch, always in the police view (the redacted text, never the reporter), with its timeline and a map
extract drawn from the sector's outline (no tiles: it prints and archives without a network)."""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from alerts import access
from alerts.console.timeline import observation_history
from alerts.models import Dispatch, Observation
from alerts.selectors import observation_for_console
from backend.accounts.models import User

MAP_WIDTH = 320.0
MAP_PAD = 0.08


@dataclass(frozen=True)
class SheetMap:
    """An SVG extract in its own units: the sector's outline (path data) and the point."""

    width: float
    height: float
    outline: str
    x: float
    y: float


@dataclass(frozen=True)
class IncidentSheet:
    dispatch: Dispatch
    observation: Observation  # dates and the read log only: the sheet prints `police`
    police: dict[str, Any]
    history: list[dict[str, Any]]
    map: SheetMap | None
    printed_by: str
    printed_at: datetime


def _rings(geometry: Any) -> list[list[list[float]]]:
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "Polygon":
        return list(geometry.get("coordinates") or [])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry.get("coordinates") or [] for ring in polygon]
    return []


def sheet_map(observation: Observation) -> SheetMap | None:
    """The point in its sector's outline, when the observation has coordinates (a local equirectangular
    projection: at a commune's scale the distortion does not show)."""
    if observation.latitude is None or observation.longitude is None:
        return None
    rings = _rings(observation.sector.polygon) if observation.sector else []
    shrink = math.cos(math.radians(observation.latitude))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return lon * shrink, -lat

    point = project(observation.longitude, observation.latitude)
    projected = [[project(lon, lat) for lon, lat, *_rest in ring] for ring in rings]
    xs = [point[0], *(x for ring in projected for x, _y in ring)]
    ys = [point[1], *(y for ring in projected for _x, y in ring)]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span = max(x1 - x0, y1 - y0, 0.002)  # about 200 m around a lone point
    width = max(x1 - x0, span / 2) + 2 * span * MAP_PAD
    height = max(y1 - y0, span / 2) + 2 * span * MAP_PAD
    left, top = (x0 + x1 - width) / 2, (y0 + y1 - height) / 2
    scale = MAP_WIDTH / width

    def place(x: float, y: float) -> tuple[float, float]:
        return round((x - left) * scale, 1), round((y - top) * scale, 1)

    outline = " ".join(
        "M" + "L".join("{:.1f},{:.1f}".format(*place(x, y)) for x, y in ring) + "Z"
        for ring in projected
        if ring
    )
    x, y = place(*point)
    return SheetMap(width=MAP_WIDTH, height=round(height * scale, 1), outline=outline, x=x, y=y)


def incident_sheet(*, user: User, dispatch_id: int) -> IncidentSheet | None:
    """The sheet of a dispatch this user may see (the access policy's answer), else None."""
    dispatch = (
        access.dispatches_visible(user)
        .select_related("agency", "assignee", "observation", "observation__category", "observation__sector")
        .filter(pk=dispatch_id)
        .first()
    )
    if dispatch is None:
        return None
    observation = dispatch.observation
    dispatches = access.dispatches_visible(user).filter(observation=observation).select_related("agency")
    return IncidentSheet(
        dispatch=dispatch,
        observation=observation,
        police=observation_for_console(observation, audience="police"),
        history=observation_history(observation=observation, dispatches=dispatches, view=access.View.POLICE),
        map=sheet_map(observation),
        printed_by=str(user),
        printed_at=timezone.now(),
    )


def incident_sheet_pdf(html: str) -> bytes:
    """The sheet's HTML as a PDF (A4, the print CSS of the same template)."""
    # Imported here: WeasyPrint loads Pango and its fonts, which no other request needs.
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf())
