"""Demo data of the video-protection register: the town's cameras, and one request of the police
municipale with its extraction (made through the services, as the CSU would). Idempotent."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from alerts.models import Agency
from alerts.video import services
from alerts.video.models import Camera, FootageRequest
from backend.accounts.models import Role, User
from backend.territory.models import Commune, Sector

CAMERAS = [
    # name, sector slug, what it films
    ("Mairie — parvis", "centre", "parvis de la mairie et entrée du parking"),
    ("Gavotte — rond-point", "la-gavotte", "rond-point de la Gavotte, avenue François-Mitterrand"),
    ("Amandiers — école", "les-amandiers", "abords de l'école et arrêt de bus"),
    ("Cadeneaux — gare", "les-cadeneaux", "parking de la gare et passage souterrain"),
]
DEMO_FILE = {"name": "mairie-parvis-extrait.mp4", "sha256": "9f2c" * 16}


def _centre(sector: Sector) -> tuple[float, float] | None:
    if not sector.polygon:
        return None
    ring = sector.polygon["coordinates"][0]
    lons, lats = [point[0] for point in ring], [point[1] for point in ring]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    for name, slug, films in CAMERAS:
        sector = Sector.objects.filter(commune=commune, slug=slug).first()
        centre = _centre(sector) if sector is not None else None
        if centre is None:
            continue
        latitude, longitude = centre
        Camera.objects.get_or_create(
            commune=commune,
            name=name,
            defaults={"sector": sector, "films": films, "latitude": latitude, "longitude": longitude},
        )
    say(f"Caméras de vidéoprotection : {Camera.objects.filter(commune=commune).count()}")
    if FootageRequest.objects.filter(commune=commune).exists():
        return
    csu = User.objects.filter(commune=commune, role=Role.CSU, is_active=True).first()
    agency = Agency.objects.filter(communes=commune, kind=Agency.Kind.POLICE_MUNICIPALE).first()
    camera = Camera.objects.filter(commune=commune).first()
    if csu is None or agency is None or camera is None:
        return
    end = timezone.now() - timedelta(days=2)
    request = services.footage_request_create(
        actor=csu,
        agency_id=agency.pk,
        officer_name="Brigadier-chef Martin",
        officer_is_opj=False,
        kind=FootageRequest.Kind.ADMINISTRATIVE,
        motive="Dégradation du mobilier urbain signalée",
        camera_ids=[camera.pk],
        start=end - timedelta(hours=2),
        end=end,
    )
    services.extraction_record(
        actor=csu,
        request_id=request.pk,
        medium="usb",
        files=[DEMO_FILE],
        recipient_name="Brigadier-chef Martin (police municipale)",
        handed_over_at=timezone.now() - timedelta(days=1),
    )
    say("Registre de vidéoprotection : une demande et son extraction")
